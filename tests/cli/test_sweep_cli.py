"""``biosweep sweep`` as a user meets it: scope refusals, exit codes, JSON, saved observations."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from tests.cli.test_identify_cli import run as run_cli

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "no targets given"),
        (["--json"], "no targets given"),
        (["0.0.0.0/0"], "--confirm-large-scope"),
        (["0.0.0.0/0", "--confirm-large-scope"], "--allow-public"),
        (["224.0.0.0/24"], "multicast, unspecified or reserved"),
        (["10.0.0.0/8"], "--confirm-large-scope"),
        (["8.8.8.0/24"], "--allow-public"),
        (["camera.local"], "hostnames are not resolved"),
        (["10.0.0.9-10.0.0.1"], "after its start"),
        (["127.0.0.1", "--ports", "99999"], "out of range"),
        (["127.0.0.1", "--only", "telepathy"], "unknown probe"),
    ],
    ids=[
        "no-target",
        "no-target-json",
        "everything",
        "everything-confirmed",
        "multicast",
        "large",
        "public",
        "hostname",
        "bad-range",
        "bad-port",
        "bad-probe",
    ],
)
def test_case_01_02_refused_scopes_exit_2_and_send_nothing(
    args: list[str], message: str, socket_spy: list[Any]
) -> None:
    result = runner.invoke(app, ["sweep", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert socket_spy == []


def test_case_01_no_target_lists_the_detected_networks() -> None:
    result = runner.invoke(app, ["sweep"])
    assert result.exit_code == 2
    assert "networks on this machine" in result.output


def _serve_camera(host: str, port: int) -> Iterator[None]:
    srv = socket.create_server((host, port))
    stop = threading.Event()

    def loop() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(4096)
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nServer: DNVRS-Webs\r\nContent-Length: 0\r\n\r\n"
                    )
                except OSError:
                    pass

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(2)
        srv.close()


@pytest.fixture
def camera() -> Iterator[str]:
    yield from (("127.0.41.1") for _ in _serve_camera("127.0.41.1", 8080))


def test_sweep_finds_a_collector_exits_1_and_prints_json(camera: str, tmp_path: Path) -> None:
    saved = tmp_path / "obs.jsonl"
    out = run_cli("sweep", camera, "--ports", "8080", "--json", "--observations-out", str(saved))
    assert out.returncode == 1, out.stderr
    doc = json.loads(out.stdout)
    assert doc["schema"] == "biosweep.scanrun/1"
    assert doc["scope"] == ["127.0.41.1/32"]
    # which discovery methods ran, and why ARP did not (no interface attached to 127.x)
    assert "discovery: tcp-connect" in doc["notes"]
    assert any(s["probe"] == "arp" and s["reason"] == "not_in_scope" for s in doc["skipped"])
    (device,) = doc["devices"]
    assert device["collector"] is True
    assert device["identifications"][0]["device_class"] == "nvr_dvr"
    # the saved observations re-identify to the same answer, offline
    again = run_cli("identify", "--observations", str(saved))
    assert (
        json.loads(again.stdout)["identifications"][0]["signature_id"]
        == device["identifications"][0]["signature_id"]
    )
    # and are never overwritten silently
    twice = run_cli("sweep", camera, "--ports", "8080", "--observations-out", str(saved), "-q")
    assert twice.returncode == 2 and b"exists" in twice.stderr


def test_sweep_with_nothing_found_exits_0() -> None:
    # nobody listens at 127.0.42.1: the kernel's refusal there is no sign of life (loopback)
    out = run_cli("sweep", "127.0.42.1", "--ports", "8080", "-q")
    assert out.returncode == 0, out.stderr
    assert b"0 devices, 0 collectors" in out.stdout


def test_timings_say_where_the_time_went(camera: str) -> None:
    """``--timings``: start-up, the hosts phase and identification, in order, on stderr."""
    out = run_cli("sweep", camera, "--ports", "8080", "--json", "-q", "--timings")
    assert out.returncode == 1, out.stderr
    json.loads(out.stdout)  # stdout is the run alone
    line = next(x for x in out.stderr.decode().splitlines() if x.startswith("timings (s): "))
    spans = dict(part.split(" ", 1) for part in line.removeprefix("timings (s): ").split("; "))
    assert {"start-up", "hosts", "identify", "sweep"} <= set(spans)
    hosts = [float(x) for x in spans["hosts"].split("-")]
    identify = [float(x) for x in spans["identify"].split("-")]
    assert 0 <= hosts[0] <= hosts[1] <= identify[0] <= identify[1] <= float(spans["sweep"])
    assert float(spans["start-up"]) > 0


def test_sweep_help_explains_scope_limits_privileges_and_exit_codes() -> None:
    text = runner.invoke(app, ["sweep", "--help"]).output
    for words in (
        "--confirm-large-scope",
        "--allow-public",
        "9100-9107",
        "Privileges",
        "Exit status",
    ):
        assert words in text
