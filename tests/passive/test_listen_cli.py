"""``biosweep listen``/``import pcap`` as a user meets them: a capture in, devices out, zero
packets sent (a socket spy records every send and connect during the run)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("scapy", reason="scapy is needed to read captures")
from scapy.utils import wrpcap
from typer.testing import CliRunner

from scanner.cli.app import app
from tests.passive.test_extract import wired

runner = CliRunner()


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every send/connect through Python sockets (and scapy's senders) is recorded."""
    calls: list[str] = []

    def record(name: str):  # type: ignore[no-untyped-def]
        original = getattr(socket.socket, name)

        def spy_method(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            if self.family in (socket.AF_INET, socket.AF_INET6, socket.AF_PACKET):
                calls.append(name)  # netlink queries (scapy reading routes) send no packet
            return original(self, *args, **kwargs)

        return spy_method

    for name in ("send", "sendto", "sendall", "sendmsg", "connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, record(name))
    import scapy.sendrecv

    for name in ("send", "sendp", "sr", "sr1", "srp", "srp1"):
        monkeypatch.setattr(scapy.sendrecv, name, lambda *a, _n=name, **k: calls.append(_n))
    return calls


@pytest.fixture
def capture(tmp_path: Path) -> Path:
    path = tmp_path / "site.pcap"
    wrpcap(str(path), wired())
    return path


def test_listen_pcap_identifies_and_sends_nothing(capture: Path, spy: list[str]) -> None:
    result = runner.invoke(app, ["listen", "--pcap", str(capture), "--json"])
    assert result.exit_code == 1, result.output  # a collector (the NVR) was found
    doc = json.loads(result.stdout)
    assert doc["schema"] == "biosweep.scanrun/1"
    assert any("nothing sent" in n for n in doc["notes"])
    nvr = next(d for d in doc["devices"] if "10.99.0.45" in d["ips"])
    assert nvr["collector"] and nvr["identifications"][0]["vendor"] == "Hikvision"
    assert spy == []


def test_import_pcap_is_listen_pcap(capture: Path, spy: list[str], tmp_path: Path) -> None:
    saved = tmp_path / "obs.jsonl"
    result = runner.invoke(app, ["import", "pcap", str(capture), "--observations-out", str(saved)])
    assert result.exit_code == 1, result.output
    assert "DNVRS-Webs" in saved.read_text()
    assert spy == []


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--pcap", "x.pcap", "--interface", "eth9"],
        ["--pcap", "/nonexistent.pcap"],
        ["-i", "x", "--duration", "0"],
    ],
)
def test_listen_usage_errors_exit_2(args: list[str]) -> None:
    result = runner.invoke(app, ["listen", *args])
    assert result.exit_code == 2


def test_listen_notes_say_what_was_read_selected_and_decoded(capture: Path) -> None:
    result = runner.invoke(app, ["listen", "--pcap", str(capture), "--json"])
    notes = json.loads(result.stdout)["notes"]  # stdout is the JSON alone: no progress bar
    cost = next(n for n in notes if "selected by the capture filter" in n)
    assert "10 packets read in" in cost and "decoded (" in cost and "by scapy)" in cost


def test_a_terminal_gets_a_progress_bar_on_stderr(
    capture: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    from scanner.cli import capture_progress as progress

    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=120)
    monkeypatch.setattr(progress, "err_console", terminal)
    result = runner.invoke(app, ["listen", "--pcap", str(capture), "--json"])
    assert result.exit_code == 1
    drawn = screen.getvalue()
    assert "reading site.pcap" in drawn and "10 packets" in drawn
    json.loads(result.stdout)  # the bar never reaches stdout


def test_listen_takes_format_like_identify(capture: Path) -> None:
    """--format table (default), json (the ScanRun, as --json) or jsonl (devices, as identify)."""
    lines = runner.invoke(app, ["listen", "--pcap", str(capture), "--format", "jsonl"])
    assert lines.exit_code == 1, lines.output
    devices = [json.loads(line) for line in lines.stdout.splitlines()]
    assert devices and all(d["schema"] == "biosweep.device/1" for d in devices)
    whole = runner.invoke(app, ["listen", "--pcap", str(capture), "-f", "json"])
    assert json.loads(whole.stdout)["schema"] == "biosweep.scanrun/1"
    shown = runner.invoke(app, ["listen", "--pcap", str(capture)], terminal_width=200)
    assert "10.99.0.45" in shown.stdout and "video recorder" in shown.stdout
    bad = runner.invoke(app, ["listen", "--pcap", str(capture), "--format", "xml"])
    assert bad.exit_code == 2


def test_listen_pcap_identifies_in_a_worker_process_as_in_process(
    capture: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signature database loads in a process of its own while the capture is read; the
    devices are the same as identified in-process, and a worker that cannot start changes
    nothing."""
    import sys

    from scanner.cli import listen_cmd
    from scanner.identify.preload import Preload
    from scanner.identify.worker import WorkerJudge
    from scanner.models import Device, Observation

    def devices(loader: object) -> list[dict[str, object]]:
        monkeypatch.setattr(listen_cmd, "sweep_loader", loader)
        result = runner.invoke(app, ["listen", "--pcap", str(capture), "--json"])
        assert result.exit_code == 1, result.output
        found: list[dict[str, object]] = json.loads(result.stdout)["devices"]
        return found

    answered: list[list[Device] | None] = []

    class Recorded(WorkerJudge):
        def devices(self, observations: list[Observation]) -> list[Device] | None:
            answered.append(super().devices(observations))
            return answered[-1]

    in_process = devices(Preload)
    in_worker = devices(Recorded)
    assert len(answered) == 1 and answered[0]  # the worker identified them, not a fallback
    assert in_worker == in_process
    assert any(d["collector"] for d in in_worker)
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    assert devices(WorkerJudge) == in_process
