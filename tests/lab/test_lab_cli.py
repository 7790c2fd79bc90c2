"""``biosweep lab`` as a user runs it, including a ``lab up`` killed halfway."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from scanner.lab import manager, netns, procs
from scanner.lab.state import ENV_DIR
from tests.lab.conftest import MINI


def lab_cli(*args: str, runtime: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, **{ENV_DIR: str(runtime)})
    return subprocess.run(
        [sys.executable, "-m", "scanner", "lab", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _state(runtime: Path) -> dict[str, object] | None:
    for path in runtime.glob("*/state.json"):
        try:
            return dict(json.loads(path.read_text()))
        except ValueError:
            continue
    return None


def _kill_midway(runtime: Path, point: str) -> dict[str, object]:
    """Start ``lab up`` and SIGKILL it at ``point``; return the state it left."""
    env = dict(os.environ, **{ENV_DIR: str(runtime)})
    proc = subprocess.Popen(
        [sys.executable, "-m", "scanner", "lab", "up", str(MINI), "--backend", "namespaces"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            state = _state(runtime)
            if state and point == "namespaces":
                prefix = str(state["prefix"])
                if any(n.startswith(prefix) for n in _netns_files()):
                    break
            if state and point == "processes" and state["pids"]:
                break
            assert proc.poll() is None, "lab up finished before it could be killed"
            time.sleep(0.002)
        else:
            pytest.fail(f"lab up never reached {point}")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    state = _state(runtime)
    assert state is not None
    return state


def _netns_files() -> list[str]:
    try:
        return os.listdir(netns.NETNS_DIR)
    except OSError:
        return []


def _leftovers(state: dict[str, object]) -> tuple[list[str], list[int]]:
    prefix, run_id = str(state["prefix"]), str(state["run_id"])
    names = [n for n in netns.list_netns() if n.startswith(prefix)]
    return names, procs.run_processes(run_id, set())


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A runtime dir of this test's own, also for in-process manager calls."""
    monkeypatch.setenv(ENV_DIR, str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("point", ["namespaces", "processes"])
def test_lab_down_after_a_killed_lab_up_leaves_nothing(
    point: str, namespaces_reason: str | None, runtime: Path
) -> None:
    if namespaces_reason:
        pytest.skip(f"namespaces backend unavailable: {namespaces_reason}")
    tmp_path = runtime
    state = _kill_midway(tmp_path, point)
    try:
        assert state["status"] == "starting"
        status = lab_cli("status", runtime=tmp_path)
        assert "crashed" in status.stdout
        down = lab_cli("down", runtime=tmp_path)
        assert down.returncode == 0, down.stderr
        assert _leftovers(state) == ([], [])
        assert not list(tmp_path.iterdir())
    finally:
        manager.down()


def test_next_lab_up_clears_a_crashed_run(namespaces_reason: str | None, tmp_path: Path) -> None:
    if namespaces_reason:
        pytest.skip(f"namespaces backend unavailable: {namespaces_reason}")
    crashed = _kill_midway(tmp_path, "processes")
    try:
        up = lab_cli("up", str(MINI), "--backend", "namespaces", runtime=tmp_path)
        assert up.returncode == 0, up.stderr
        assert _leftovers(crashed) == ([], [])
    finally:
        assert lab_cli("down", runtime=tmp_path).returncode == 0
    assert not list(tmp_path.iterdir())


def test_loopback_lab_serves_on_its_own_addresses(tmp_path: Path) -> None:
    up = lab_cli("up", str(MINI), "--backend", "loopback", runtime=tmp_path)
    assert up.returncode == 0, up.stderr
    try:
        state = _state(tmp_path)
        assert state is not None and state["status"] == "up"
        cam = next(d for d in state["devices"] if d["name"] == "cam-hik")  # type: ignore[attr-defined]
        assert cam["address"] == f"127.{state['loopback_base']}.0.41"
        with urllib.request.urlopen(f"http://{cam['address']}/", timeout=5) as response:
            assert response.headers["Server"] == "App-webs/"
        shell = lab_cli("shell", runtime=tmp_path)
        assert shell.returncode == 3
        assert "no scanner namespace" in shell.stderr
    finally:
        down = lab_cli("down", runtime=tmp_path)
    assert down.returncode == 0
    assert procs.run_processes(str(state["run_id"]), set()) == []


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    bad = lab_cli("up", "no-such-scenario", runtime=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.startswith("biosweep: error: unknown scenario")
    assert lab_cli("status", runtime=tmp_path).stdout.strip() == "no lab run is recorded"
