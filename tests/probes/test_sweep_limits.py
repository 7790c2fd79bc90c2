"""The sweep's per-host limits as a user meets them: a slow host's probes are not lost to the
queue for its connection slots, and a tarpit that accepts every port identifies nothing.

Real sockets on 127.0.0.0/8 only; the scope is the peers' own addresses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from scanner import scan
from scanner.identify import identify
from scanner.models import Observation, SkipReason
from scanner.probes.discovery import CONTROL_PORT
from scanner.probes.net import Connector
from scanner.probes.source import SourceResult
from scanner.scope import Limits, build_scope
from tests.probes.loopback import Handler, Peer, http_handler, peers, silent
from tests.probes.sweeping import collect_into

#: Web ports: HTTP ("/" and the favicon) on each, and ONVIF too on 80 and 8080.
SLOW_PORTS = (80, 8080, 81, 82, 88, 5000)
#: Ports of the tarpit test: the Anviz port among ports with no probe or a quick one.
TARPIT_PORTS = (631, 5010, 8800, 19443, 34567, 37777, 51211, 9100)
ANVIZ = frozenset({"anviz"})


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


async def sweep(
    hosts: list[str], ports: tuple[int, ...], limits: Limits, probes: frozenset[str]
) -> SourceResult:
    scope = build_scope(hosts, limits=limits)
    res = SourceResult()
    opts = scan.SweepOptions(ports=ports, probes=probes)
    await collect_into(res, scope, Connector(scope), opts)
    return res


def slow_http(delay: float) -> Handler:
    """Answers every request, after ``delay`` seconds."""
    answer = http_handler("HTTP/1.1 200 OK", ["Server: slow-cam"])

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: Peer
    ) -> None:
        await asyncio.sleep(delay)
        await answer(reader, writer, peer)

    return handle


def test_a_host_with_many_slow_ports_gets_every_probe_answered() -> None:
    """Every request is answered after 1.2 s, within the 2 s request deadline, but through
    2 slots: ONVIF on 80 and 8080 waits for HTTP's requests on its port. The deadline starts
    when a request gets its slot, so no probe is lost to the queue (it was: ONVIF timed out
    before sending a byte); the host budget bounds the whole."""
    limits = Limits(request_deadline=2.0, host_budget=60.0, connect_timeout=1.0)
    host = "127.204.41.1"

    async def main() -> tuple[SourceResult, list[Peer]]:
        async with peers(*((host, p, slow_http(1.2)) for p in SLOW_PORTS)) as started:
            res = await sweep([host], SLOW_PORTS, limits, frozenset({"http", "onvif"}))
            return res, started

    res, started = run(main())
    assert [s for s in res.skipped if s.reason is SkipReason.TIMED_OUT] == []
    sources = {o.source for o in res.observations if o.field == "http.server"}
    assert sources == {f"http:{p}" for p in SLOW_PORTS}
    got = {p.port: p.all_received for p in started}
    assert all(b"GET /favicon.ico " in got[p] for p in SLOW_PORTS)
    assert all(b"POST /onvif/device_service " in got[p] for p in (80, 8080))
    assert max(p.max_active for p in started) <= 2  # the cap still held


async def _accept_and_ignore(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: Peer
) -> None:
    await silent(reader, writer, peer)


def _port_evidence(obs: list[Observation], host: str) -> set[str]:
    return {o.value for o in obs if o.subject == f"ip:{host}" and o.field == "tcp.open_port"}


def test_a_tarpit_accepting_every_port_is_noted_and_its_ports_identify_nothing() -> None:
    tarpit = "127.204.42.1"
    limits = Limits(request_deadline=0.5, host_budget=20.0, connect_timeout=0.5)
    ports = (*TARPIT_PORTS, CONTROL_PORT)

    async def main() -> SourceResult:
        async with peers(*((tarpit, p, _accept_and_ignore) for p in ports)):
            return await sweep([tarpit], TARPIT_PORTS, limits, ANVIZ)

    res = run(main())
    assert any(n.startswith(f"tarpit: {tarpit} accepted connections on 8 of 8") for n in res.notes)
    assert _port_evidence(res.observations, tarpit) == set()
    (device,) = identify(res.observations)
    assert device.identifications == ()  # no "possible Anviz terminal" from TCP 5010
    # Its probes still ran (and timed out): a real answer would still have counted.
    assert any(s.probe == "anviz" and s.target == f"{tarpit}:5010" for s in res.skipped)


def test_a_host_with_every_scanned_port_open_but_the_control_port_closed_keeps_its_ports() -> None:
    """All 8 scanned ports open is not enough: a real device's control port is closed."""
    host = "127.204.42.2"
    limits = Limits(request_deadline=0.5, host_budget=20.0, connect_timeout=0.5)

    async def main() -> SourceResult:
        async with peers(*((host, p, _accept_and_ignore) for p in TARPIT_PORTS)):
            return await sweep([host], TARPIT_PORTS, limits, ANVIZ)

    res = run(main())
    assert not any(n.startswith("tarpit:") for n in res.notes)
    assert _port_evidence(res.observations, host) == {str(p) for p in TARPIT_PORTS}
    (device,) = identify(res.observations)
    assert "anviz.sdk-port" in {i.signature_id for i in device.identifications}
