"""The signature database in a process of its own (scanner/identify/worker.py): the same
devices, the same verdicts as in-process, and a worker that cannot help changes nothing."""

from __future__ import annotations

import sys

import pytest

from scanner import scan
from scanner.identify import default_engine, identify
from scanner.identify.preload import judged
from scanner.identify.privacy import apply_policy
from scanner.identify.worker import WorkerJudge
from scanner.models import Observation
from scanner.probes.fakenet import FakeConnector
from scanner.probes.judge import Verdict
from scanner.scope import build_scope

CAMERA = "10.9.0.5"


def _site() -> list[Observation]:
    """A camera by its banner and MAC, a PC, and a BLE band (whose name the privacy stage
    withholds): identification and the privacy stage both have work."""
    return [
        Observation(f"ip:{CAMERA}", "ip.address", CAMERA, "tcp"),
        Observation(f"ip:{CAMERA}", "http.server", "DCS-930L", "http"),
        Observation("mac:c0:56:e3:00:00:05", "ip.address", CAMERA, "arp"),
        Observation("mac:c0:56:e3:00:00:05", "mac.address", "c0:56:e3:00:00:05", "arp"),
        Observation("ip:10.9.0.7", "ssh.banner", "SSH-2.0-OpenSSH_9.2", "ssh"),
        Observation("ble:d3:41:9c:77:20:5e", "ble.local_name", "band", "ble"),
    ]


def test_the_worker_identifies_as_the_sweep_does_in_process() -> None:
    judge = WorkerJudge()
    try:
        judge.wait()
        assert judge.ready()
        camera = [o for o in _site() if CAMERA in o.subject or o.subject.startswith("mac:")]
        assert judge.verdict(camera) is judged(default_engine().identify(camera))
        assert judge.verdict(camera) is not Verdict.OTHER  # a D-Link camera
        devices = judge.devices(_site())
    finally:
        judge.close()
    assert devices == apply_policy(identify(_site()))
    assert not judge.ready()  # closed after the run's devices


def test_a_worker_that_cannot_start_leaves_the_sweep_to_identify_in_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    judge = WorkerJudge()
    judge.wait()
    assert not judge.ready() and judge.verdict(_site()) is Verdict.OTHER
    assert judge.devices(_site()) is None
    scope = build_scope([CAMERA])
    fake = FakeConnector(
        scope,
        responses={(CAMERA, 80): lambda _s: b"HTTP/1.1 200 OK\r\nServer: DCS-930L\r\n\r\n"},
        open_ports={CAMERA: {80}},
    )
    opts = scan.SweepOptions(ports=(80,), probes=frozenset({"http"}), arp=False)
    run = scan.run_sweep(scope, fake, opts, loader=WorkerJudge)
    assert [d.ips for d in run.devices] == [(CAMERA,)] and run.devices[0].is_collector
