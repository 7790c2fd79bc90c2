"""The lab on a first day: ``lab up`` says how to sweep it from inside, ``lab sweep``
does, the loopback lab's 127.x addresses are not 256 live hosts, and ``lab down`` removes only
the caller's runs."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.lab.state import ENV_DIR, STATE_FILE, RunState
from tests.lab.conftest import MINI
from tests.lab.test_lab_cli import lab_cli


def _biosweep(*args: str, runtime: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, **{ENV_DIR: str(runtime)})
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        capture_output=True, text=True, env=env, timeout=timeout, check=False,
    )  # fmt: skip


def _state(runtime: Path) -> RunState:
    (path,) = runtime.glob(f"*/{STATE_FILE}")
    return RunState.from_json(json.loads(path.read_text()))


def test_lab_up_names_lab_sweep_and_lab_sweep_sweeps_from_inside(
    backend_name: str, tmp_path: Path
) -> None:
    up = lab_cli("up", str(MINI), "--backend", backend_name, runtime=tmp_path)
    assert up.returncode == 0, up.stderr
    try:
        state = _state(tmp_path)
        assert f"biosweep lab sweep --run {state.run_id}" in up.stdout
        done = _biosweep("lab", "sweep", "--run", state.run_id, "--json", "-q", runtime=tmp_path)
        assert done.returncode == 1, done.stderr  # collectors found
        run = json.loads(done.stdout)
        addresses = {d.address for d in state.devices}
        found = {ip for d in run["devices"] for ip in d["ips"] if ":" not in ip}
        assert found and found <= addresses  # nothing but the lab's own devices
        assert {"cam-hik", "cam-dahua", "zk-door"} <= {
            d.name for d in state.devices if d.address in found
        }
        if state.scanner_netns:  # from the scanner namespace: its subnet, less itself
            assert run["scope"] == [state.subnet, f"!{state.scanner_address}/32"]
        else:  # loopback: the devices' own addresses only
            scoped = [ipaddress.ip_network(n) for n in run["scope"]]
            assert sum(n.num_addresses for n in scoped) == len(state.devices)
    finally:
        assert lab_cli("down", "--run", _state(tmp_path).run_id, runtime=tmp_path).returncode == 0


def test_a_loopback_lab_swept_as_a_24_is_its_devices_not_256_hosts(tmp_path: Path) -> None:
    up = lab_cli("up", str(MINI), "--backend", "loopback", runtime=tmp_path)
    assert up.returncode == 0, up.stderr
    state = _state(tmp_path)
    try:
        subnet = f"127.{state.loopback_base}.0.0/24"  # what the lab up table suggests
        done = _biosweep("sweep", subnet, "--only", "tcp", "--json", "-q", runtime=tmp_path)
        assert done.returncode in (0, 1), done.stderr  # 1: a port alone names a collector
        found = {ip for d in json.loads(done.stdout)["devices"] for ip in d["ips"]}
        assert found <= {d.address for d in state.devices}
        assert len(found) >= 5  # every device that listens on TCP, and nothing else
    finally:
        lab_cli("down", "--run", state.run_id, runtime=tmp_path)


def _fake_run(runtime: Path, run_id: str, owner: int | None) -> Path:
    """A recorded run with nothing alive (as a finished or foreign lab looks on disk)."""
    state = RunState(
        run_id=run_id, prefix=f"bsl-{run_id}-", backend="loopback", scenario="mini",
        site="x", subnet="10.77.0.0/24", status="up", creator_pid=1, created=0.0, owner=owner,
    )  # fmt: skip
    directory = runtime / run_id
    directory.mkdir()
    data = dataclasses.asdict(state)
    if owner is None:
        del data["owner"]  # recorded by a biosweep that did not record owners
    (directory / STATE_FILE).write_text(json.dumps(data))
    return directory


def test_lab_down_removes_only_the_callers_runs_unless_all(tmp_path: Path) -> None:
    mine = _fake_run(tmp_path, "f1a001", os.getuid())
    other = _fake_run(tmp_path, "f1a002", os.getuid() + 4242)
    legacy = _fake_run(tmp_path, "f1a003", None)
    down = lab_cli("down", runtime=tmp_path)
    assert down.returncode == 0, down.stderr
    assert not mine.exists() and other.exists() and legacy.exists()
    assert "lab f1a001:" in down.stdout
    assert re.search(r"left 2 lab run\(s\) of other users alone \(--all", down.stdout)
    orphans = lab_cli("down", "--orphans", runtime=tmp_path)
    assert orphans.returncode == 2 and "--all" in orphans.stderr
    assert other.exists()
    everyone = lab_cli("down", "--all", runtime=tmp_path)
    assert everyone.returncode == 0, everyone.stderr
    assert not other.exists() and not legacy.exists()


def test_lab_down_under_sudo_belongs_to_the_sudo_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.geteuid() != 0:
        pytest.skip("SUDO_UID is only trusted for root")
    sudoer = _fake_run(tmp_path, "f1a004", 4243)
    root = _fake_run(tmp_path, "f1a005", 0)
    env = dict(os.environ, **{ENV_DIR: str(tmp_path), "SUDO_UID": "4243"})
    done = subprocess.run(
        [sys.executable, "-m", "scanner", "lab", "down"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not sudoer.exists() and root.exists()
