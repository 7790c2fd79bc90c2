"""Containment: one failing or hanging probe, parser or host becomes a skipped entry
in the ScanRun and the sweep finishes, saying what it could not do.

The faults are injected where a real bug would sit (a probe, a parser inside a probe, host
discovery, a multicast probe) through the FakeConnector/FakeMulticast seams, so these tests
need no network. The same containment against real hostile peers: ``test_hostile_lab.py``
and ``tests/probes/test_hostile.py``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from scanner import scan
from scanner.lab.emulators.hostile_udp import looping_answers
from scanner.models import Observation, ScanRun
from scanner.probes import http
from scanner.probes.base import ProbeContext
from scanner.probes.fakenet import FakeConnector
from scanner.probes.multicast.base import Datagram, MulticastContext
from scanner.probes.multicast.fakenet import FakeMulticast
from scanner.probes.multicast.mdns import GROUP as MDNS_GROUP
from scanner.probes.multicast.mdns import PORT as MDNS_PORT
from scanner.probes.multicast.mdns import MdnsProbe
from scanner.probes.multicast.ssdp import GROUP as SSDP_GROUP
from scanner.probes.multicast.ssdp import PORT as SSDP_PORT
from scanner.probes.multicast.wsd import GROUP as WSD_GROUP
from scanner.probes.multicast.wsd import PORT as WSD_PORT
from scanner.probes.net import PortState
from scanner.probes.rtsp import RtspProbe
from scanner.scope import Limits, build_scope
from tests.multicast.helpers import discover, iface, scope_for
from tests.multicast.test_wsd import ENVELOPE, match

HOSTS = ("127.0.40.1", "127.0.40.2")
CAMERA = b"HTTP/1.1 200 OK\r\nServer: App-webs/\r\nContent-Length: 0\r\n\r\n"
RTSP = b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n"
LIMITS = Limits(request_deadline=1.0, host_budget=1.5, connect_timeout=0.5)


def fake(connector: type[FakeConnector] = FakeConnector) -> FakeConnector:
    scope = build_scope(["127.0.40.0/29"], limits=LIMITS)
    return connector(
        scope,
        responses={
            **{(h, 80): lambda _sent: CAMERA for h in HOSTS},
            **{(h, 554): lambda _sent: RTSP for h in HOSTS},
        },
        open_ports={h: {80, 554} for h in HOSTS},
    )


def sweep(dialer: FakeConnector) -> ScanRun:
    opts = scan.SweepOptions(ports=(80, 554), probes=frozenset({"http", "rtsp"}), arp=False)
    return scan.run_sweep(dialer.scope, dialer, opts)


def servers(run: ScanRun) -> set[str]:
    return {o.subject for d in run.devices for o in d.observations if o.field == "http.server"}


def skipped(run: ScanRun) -> set[tuple[str, str, str | None]]:
    return {(s.probe, s.reason.value, s.target) for s in run.skipped if s.probe != "nd"}


def test_a_probe_that_raises_is_a_per_service_error(monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(self: Any, ctx: ProbeContext, host: str, port: int) -> list[Observation]:
        raise IndexError("a bug in the RTSP probe")

    monkeypatch.setattr(RtspProbe, "probe", broken)
    run = sweep(fake())
    assert run.complete
    assert servers(run) == {f"ip:{h}" for h in HOSTS}  # the other probe of each host ran
    assert skipped(run) == {("rtsp", "error", f"{h}:554") for h in HOSTS}
    details = {s.detail for s in run.skipped if s.probe == "rtsp"}
    assert details == {"internal error: IndexError: a bug in the RTSP probe"}


def test_a_parser_that_raises_is_a_per_service_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parser bug deep inside a probe (here the title extraction: nmap's http-title lesson,
    CVE-2018-15173) costs that service, not the sweep."""

    def broken(response: Any) -> str | None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(http, "title", broken)
    run = sweep(fake())
    assert run.complete and len(run.devices) == len(HOSTS)
    assert skipped(run) == {("http", "error", f"{h}:80") for h in HOSTS}


def test_a_hanging_probe_costs_its_host_budget_and_the_others_finish(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = RtspProbe.probe

    async def hangs(self: Any, ctx: ProbeContext, host: str, port: int) -> list[Observation]:
        if host == HOSTS[0]:
            await asyncio.Event().wait()  # ignores every deadline of its own
        return await real(self, ctx, host, port)

    monkeypatch.setattr(RtspProbe, "probe", hangs)
    start = time.monotonic()
    run = sweep(fake())
    assert time.monotonic() - start < LIMITS.host_budget + 3
    assert ("host", "timed_out", HOSTS[0]) in skipped(run)
    # the probe the budget ended has an entry of its own; the one that answered has none
    ended = [s for s in run.skipped if s.target and s.target.startswith(f"{HOSTS[0]}:")]
    assert [(s.probe, s.target, s.detail) for s in ended] == [
        ("rtsp", f"{HOSTS[0]}:554", "host budget exhausted")
    ]
    assert f"ip:{HOSTS[1]}" in servers(run)
    assert run.complete


class _BrokenDiscovery(FakeConnector):
    """A dialer whose port check fails unexpectedly for the first host."""

    async def probe_port(self, host: str, port: int, *, keep: bool = False) -> PortState:
        if host == HOSTS[0] and port == 554:
            raise OSError(24, "Too many open files")
        return await super().probe_port(host, port, keep=keep)


def test_a_host_whose_discovery_fails_is_skipped_and_the_rest_is_swept() -> None:
    run = sweep(fake(_BrokenDiscovery))
    assert ("host", "error", HOSTS[0]) in skipped(run)
    assert f"ip:{HOSTS[1]}" in servers(run)
    assert run.complete


def test_a_multicast_probe_that_raises_leaves_the_others_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(self: Any, ctx: MulticastContext, where: Any) -> Any:
        raise KeyError("a bug in the mDNS probe")

    monkeypatch.setattr(MdnsProbe, "discover", broken)
    answer = (
        b"HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nUSN: uuid:1::upnp:rootdevice\r\n"
        b"SERVER: Linux/4.14-axis8 UPnP/1.0\r\n\r\n"
    )
    scope = scope_for()
    net = FakeMulticast(
        scope, {(SSDP_GROUP, SSDP_PORT): lambda *_: [Datagram(answer, "127.0.28.43", 1900)]}
    )
    ctx = MulticastContext(scope, net, FakeConnector(scope), wait=0.05)
    found, lost, _notes = asyncio.run(discover(ctx, frozenset({"mdns", "ssdp"}), [iface()]))
    assert [(s.probe, s.reason.value) for s in lost] == [("mdns", "error")]
    assert lost[0].detail.startswith("internal error: KeyError")
    assert any(o.field == "ssdp.server" for o in found)


def test_a_malformed_multicast_answer_names_its_in_scope_sender() -> None:
    """A device that answers our question with bytes that do not parse is recorded (mDNS and
    SSDP here); an answer from outside the scope, or WS-Discovery traffic that is simply not
    for us (RelatesTo, case 24e), is not the run's business and leaves no entry."""
    loop = looping_answers(0)[0]
    stranger = ENVELOPE.format(relates="uuid:not-ours", matches=match(9)).encode()
    scope = scope_for()
    net = FakeMulticast(
        scope,
        {
            (MDNS_GROUP, MDNS_PORT): lambda *_: [
                Datagram(loop, "127.0.28.47", 5353),
                Datagram(loop, "192.168.1.64", 5353),  # outside the scope
            ],
            (SSDP_GROUP, SSDP_PORT): lambda *_: [
                Datagram(b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "127.0.28.48", 1900)
            ],
            (WSD_GROUP, WSD_PORT): lambda *_: [Datagram(stranger, "127.0.28.49", 3702)],
        },
    )
    ctx = MulticastContext(scope, net, FakeConnector(scope), wait=0.05)
    _, lost, _ = asyncio.run(discover(ctx, frozenset({"mdns", "ssdp", "wsd"}), [iface()]))
    assert sorted((s.probe, s.target) for s in lost) == [
        ("mdns", "127.0.28.47:5353/udp"),
        ("ssdp", "127.0.28.48:1900/udp"),
    ]
    assert all(s.detail.startswith("malformed answer: ") for s in lost)
