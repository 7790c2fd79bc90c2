"""What an officer reads in the terminal: device tables (address beside MAC, plain vendor and
product, the other devices in one line, ``--all``, ``--why``), the findings with what to do,
the sweep's progress (live on a terminal, plain lines in a log, never on stdout), and the
commands' small promises (``report verify``, ``listen --format``, ``watch --once``,
``registry init``)."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from tests.cli.test_sweep_cli import _serve_camera

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "office-observations.jsonl"
runner = CliRunner()


def table(*extra: str) -> str:
    done = runner.invoke(
        app, ["identify", "-i", str(EXAMPLE), "--format", "table", *extra], terminal_width=200
    )
    assert done.exit_code == 0, done.output
    return done.output


def test_device_table_has_address_mac_and_plain_names() -> None:
    out = table()
    assert "address" in out and "MAC" in out
    # the iris reader: its address, its MAC and what it is, in plain words
    iris = next(line for line in out.splitlines() if "e4:47:91:00:00:42" in line)
    assert "10.77.0.42" in iris and "iris scanner" in iris
    assert "Iris ID iris reader or controller" in iris
    assert "MAC block" not in out  # the rule's wording is --why's
    assert "mac:" not in out  # no device ids standing in for addresses


def test_other_devices_are_one_line_unless_all() -> None:
    out = table()
    line = next(line for line in out.splitlines() if "other devices" in line)
    assert re.fullmatch(r"4 other devices: (\d+ [a-z ]+, )*\d+ unknown \(--all lists them\)", line)
    assert "1 network equipment" in line
    assert "10.77.0.1 " not in out  # the gateway is counted, not listed
    everything = table("--all")
    assert "other devices" not in everything
    assert "10.77.0.1 " in everything and "Ubiquiti network device" in everything


def test_why_shows_what_each_identification_rests_on() -> None:
    out = table("--why")
    assert "irisid.oui" in out and "MAC block of an iris-only vendor" in out
    assert "mac.oui_vendor=Iris ID Systems, Inc." in out


@pytest.fixture
def camera() -> Iterator[str]:
    yield from ("127.0.41.2" for _ in _serve_camera("127.0.41.2", 8080))


def sweep(*argv: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run(
        [sys.executable, "-m", "scanner", "sweep", *argv], timeout=300, check=False,
        **streams,  # type: ignore[call-overload]
    )  # fmt: skip


def test_json_sweep_keeps_stdout_clean_and_logs_plain_progress(camera: str) -> None:
    done = sweep(camera, "--ports", "8080", "--json")
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["schema"] == "biosweep.scanrun/1"  # nothing else on stdout
    log = done.stderr.decode()
    assert "sweeping 1 addresses" in log
    lines = [line.strip() for line in log.splitlines() if "addresses," in line]
    assert any(line.startswith(("hosts:", "probes:")) for line in lines), log
    assert any("1 live hosts" in line for line in lines), log
    assert "done in " in log and "1 devices, 1 collectors" in log
    quiet = sweep(camera, "--ports", "8080", "--json", "-q").stderr.decode()
    assert "addresses," not in quiet and "done in " in quiet


def test_live_progress_on_a_terminal_goes_to_stderr(camera: str) -> None:
    """stderr is a terminal: the live line (phase, addresses, live hosts, collectors) is drawn
    there; stdout still gets only the table."""
    leader, follower = pty.openpty()
    drawn: list[bytes] = []

    def drain() -> None:  # read the terminal as it is written, so the child never blocks
        with contextlib.suppress(OSError):
            while chunk := os.read(leader, 65536):
                drawn.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        env = {**os.environ, "COLUMNS": "160", "TERM": "xterm"}
        done = sweep(camera, "--ports", "8080", stderr=follower, stdout=subprocess.PIPE, env=env)
    finally:
        os.close(follower)
        reader.join(10)
        os.close(leader)
    assert done.returncode == 1
    screen = b"".join(drawn).decode(errors="replace")
    assert "addresses" in screen and "live hosts" in screen and "collectors so far" in screen
    out = done.stdout.decode()
    assert "127.0.41.2" in out and "addresses," not in out


def test_report_verify_is_a_subcommand() -> None:
    shown = runner.invoke(app, ["report", "--help"], terminal_width=120).output
    assert "verify" in shown and "write" in shown
    usage = runner.invoke(app, ["report", "verify", "--help"], terminal_width=120).output
    assert "PACKAGE" in usage and "manifest" in usage


def test_registry_init_says_it_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    assert runner.invoke(app, ["registry", "init", str(path)]).exit_code == 0
    again = runner.invoke(app, ["registry", "init", str(path)])
    assert again.exit_code == 2
    assert "never overwritten" in again.output and "--force" in again.output


def test_watch_once_says_once_not_every(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scanner", "watch", "127.0.43.1", "--once", "--ports", "8081",
         "--site", "Once", "--store", str(tmp_path / "h.sqlite")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "sweeping 127.0.43.1/32 once" in done.stderr
    assert "every" not in done.stderr


def test_progress_counts_phases_addresses_and_live_hosts(camera: str) -> None:
    """The sweep reports each phase as it runs and every address as done."""
    from scanner import scan
    from scanner.probes.net import Connector
    from scanner.scope import build_scope

    scope = build_scope([camera, "127.0.41.3"])
    seen: list[tuple[tuple[str, ...], int, int, int, bool]] = []

    def record(p: scan.Progress) -> None:
        seen.append((tuple(p.phases), p.addresses, p.done, p.discovered, p.drawn))

    opts = scan.SweepOptions(ports=(8080,), probes=frozenset({"http"}), arp=False)
    run = scan.run_sweep(scope, Connector(scope), opts, scan.Progress(notify=record))
    assert any(d.is_collector for d in run.devices)
    phases = {name for state in seen for name in state[0]}
    assert {"hosts", "identify"} <= phases
    assert seen[0][2] == 0
    addresses, done, live, drawn = seen[-1][1:]
    assert addresses == done == 2 and drawn  # both addresses done, live or not
    assert live == len(run.devices)


def test_progress_line_says_phase_counts_and_time_left() -> None:
    from scanner.cli.progress import phase, summary, time_left
    from scanner.scan import Progress

    p = Progress(addresses=256, discovered=12, done=64, collectors=3, phases=["multicast", "hosts"])
    assert phase(p) == "multicast+hosts"
    assert summary(p, 10.0) == (
        "multicast+hosts: 64/256 addresses, 12 live hosts, 3 collectors so far, about 30 s left"
    )
    p.drawn = True
    assert phase(p) == "multicast+probes"
    p.phases.append("arp")
    assert time_left(p, 10.0) == ""  # ARP's silent addresses are not counted yet
    assert time_left(Progress(addresses=10, done=1, phases=["hosts"]), 60.0) == (
        "about 9 min 0 s left"
    )
