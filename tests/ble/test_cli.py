"""The BLE command line as a user meets it: transports that stay local, backend choice,
`biosweep doctor` and the sweep's Skipped entry explaining why the OS stack is unavailable."""

from __future__ import annotations

import select
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.errors import InputError
from scanner.probes.ble.backends import BleakBackend, BleUnavailable, BumbleBackend, choose_backend
from scanner.probes.ble.transport import check_transport
from tests.cli.conftest import socket_spy  # noqa: F401 - the fixture

runner = CliRunner()
NO_DBUS = "unix:path=/nonexistent/biosweep-test/system_bus_socket"


@pytest.mark.parametrize(
    "spec",
    ["usb:0", "usb:[driver=rtk]0", "serial:/dev/ttyUSB0,115200", "hci-socket:0",
     "tcp-client:127.0.0.1:9001", "tcp-server:127.0.0.5:9001", "tcp-client:[::1]:9001",
     "udp:127.0.0.1:9000,127.0.0.1:9001", "ws-client:ws://127.0.0.1:7681/v1"],
)  # fmt: skip
def test_local_transports_are_accepted(spec: str) -> None:
    assert check_transport(spec) == spec


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("tcp-client:10.0.0.1:9001", "not a loopback"),
        ("tcp-server:_:9001", "not a loopback"),
        ("tcp-client:controller.local:9001", "not a loopback"),
        ("udp:127.0.0.1:9000,192.168.1.9:9001", "not a loopback"),
        ("ws-client:ws://example.com:80", "not a loopback"),
        ("tcp-client:127.0.0.1", "HOST:PORT"),
        ("bluetooth:hci0", "unknown scheme"),
    ],
)
def test_transports_that_would_leave_the_machine_are_refused(spec: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        check_transport(spec)


def test_backend_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(choose_backend("auto", "usb:0"), BumbleBackend)
    assert isinstance(choose_backend("bleak", None), BleakBackend)
    with pytest.raises(InputError, match="bumble backend"):
        choose_backend("bleak", "usb:0")
    with pytest.raises(BleUnavailable, match="needs an HCI transport"):
        choose_backend("bumble", None)
    with pytest.raises(InputError, match="not one of"):
        choose_backend("winrt", None)
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", NO_DBUS)
        with pytest.raises(BleUnavailable) as err:
            choose_backend("auto", None)
        assert "no D-Bus system bus" in err.value.detail
        assert "--ble-transport" in err.value.fix


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the BlueZ checks are Linux's")
def test_doctor_explains_a_missing_os_stack_and_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", NO_DBUS)
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "FAIL OS stack" in result.output
    assert "/nonexistent/biosweep-test/system_bus_socket" in result.output
    assert "fix: run where BlueZ runs" in result.output
    assert "--ble-backend bumble" in result.output


def test_doctor_on_this_machine_gives_a_verdict() -> None:
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code in (0, 1), result.output
    verdict = result.output.strip().splitlines()
    assert any(line.startswith(("ok   BLE scanning", "FAIL BLE scanning")) for line in verdict)
    if result.exit_code == 1:
        assert "fix:" in result.output
    if sys.platform.startswith("linux") and not Path("/run/dbus/system_bus_socket").exists():
        assert "no D-Bus system bus at /run/dbus/system_bus_socket" in result.output


def test_doctor_reports_an_unusable_transport() -> None:
    result = runner.invoke(app, ["doctor", "--ble-transport", "tcp-client:127.0.0.1:9"])
    assert result.exit_code == 1
    assert "FAIL transport tcp-client:127.0.0.1:9" in result.output


def test_ble_only_sweep_without_a_stack_records_why_and_sends_nothing(
    monkeypatch: pytest.MonkeyPatch,
    socket_spy: list[Any],  # noqa: F811
) -> None:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", NO_DBUS)
    monkeypatch.setattr(sys, "platform", "linux")
    result = runner.invoke(app, ["sweep", "--only", "ble", "--json"])
    # BLE was the whole sweep and could not run: no all-clear, an error saying why
    assert result.exit_code == 3, result.output
    assert "nothing was swept: ble: no_adapter" in result.output
    assert "no D-Bus system bus" in result.output and "fix:" in result.output
    assert result.stdout == ""
    assert socket_spy == []


def test_ble_only_takes_no_network_targets() -> None:
    result = runner.invoke(app, ["sweep", "10.0.0.0/24", "--only", "ble", "--json"])
    assert result.exit_code == 2
    assert "takes no network targets" in result.output


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--ble-transport", "tcp-client:10.0.0.1:1"], "not a loopback"),
        (["--ble-backend", "bleak", "--ble-transport", "usb:0"], "bumble backend"),
        (["--ble-backend", "winrt"], "not one of"),
        (["--ble-duration", "0"], "--ble-duration"),
    ],
)
def test_bad_ble_flags_are_refused_before_anything_runs(flags: list[str], words: str) -> None:
    result = runner.invoke(app, ["sweep", "--only", "ble", "--json", *flags])
    assert result.exit_code == 2
    assert words in result.output


def test_network_sweeps_leave_ble_off_unless_asked() -> None:
    from scanner.cli.ble_cmd import radio_selection

    assert radio_selection(None, False) == (None, False, False)
    assert radio_selection("http,ble", False) == ("http", True, False)
    assert radio_selection("ble", False) == (None, True, True)
    assert radio_selection(None, True) == (None, True, False)


def test_locate_refuses_a_bad_transport_and_a_missing_stack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = runner.invoke(
        app, ["ble", "locate", "e2:1e:15:00:00:01", "--ble-transport", "tcp-client:8.8.8.8:1"]
    )
    assert result.exit_code == 2
    assert "not a loopback" in result.output
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", NO_DBUS)
        result = runner.invoke(app, ["ble", "locate", "e2:1e:15:00:00:01"])
        assert result.exit_code == 3
        assert "BLE unavailable" in result.output


def test_ble_lab_runs_until_interrupted_and_prints_its_transport() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "scanner", "ble", "lab", "--scenario", "site"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        lines: list[bytes] = []
        while not any(b"iris-reader" in line for line in lines):
            ready, _, _ = select.select([proc.stdout], [], [], 120)
            assert ready, "the lab printed nothing within 120 s"
            lines.append(proc.stdout.readline())
        text = b"".join(lines).decode()
        assert "--ble-transport tcp-client:127.0.0.1:" in text
        assert "iris_scanner" in text
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_ble_lab_refuses_an_unknown_scenario() -> None:
    result = runner.invoke(app, ["ble", "lab", "--scenario", "moon"])
    assert result.exit_code == 2
