"""What makes the sweep fast, within the caps: adaptive connect timeouts (RFC 6298 as nmap
uses it), the per-host slots (probes ahead of port checks, a port check's connection parked
for its probe), the host feed (ARP answers first, a scope drawn lazily) and early stop.

Real sockets on 127.0.0.0/8 where a connection is the point; nothing here is timed except
where a lower bound is the behaviour (a debt must be waited out).
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner import scan
from scanner.identify.preload import Preload
from scanner.probes import arp, slots
from scanner.probes.base import ProbeContext
from scanner.probes.discovery import HostFeed, alive, scan_order
from scanner.probes.fakenet import FakeConnector
from scanner.probes.http import HttpProbe
from scanner.probes.net import Connector, PortState, TokenBucket
from scanner.probes.rtt import FLOOR, RETRY_FACTOR, RttEstimator, connect_timeouts
from scanner.probes.slots import PORT_CHECK, PROBE, HostSlots
from scanner.probes.source import SourceResult
from scanner.scope import Limits, build_scope
from tests.probes.loopback import http_handler, peers
from tests.probes.sweeping import collect_into
from tests.watch.receivers import make_cert

FAST = Limits(request_deadline=2.0, host_budget=10.0, connect_timeout=1.5)


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


# --- the RTT estimator ---------------------------------------------------------------------


def test_first_sample_sets_srtt_and_half_of_it_as_variation() -> None:
    est = RttEstimator(ceiling=1.5)
    assert est.timeout() is None
    est.observe(0.1)
    assert est.srtt == pytest.approx(0.1)
    assert est.rttvar == pytest.approx(0.05)
    assert est.timeout() == pytest.approx(0.3)  # 0.1 + 4 * 0.05


def test_later_samples_follow_rfc_6298_weights() -> None:
    est = RttEstimator(ceiling=10.0, floor=0.0)
    est.observe(0.1)
    est.observe(0.3)
    assert est.rttvar == pytest.approx(0.75 * 0.05 + 0.25 * 0.2)
    assert est.srtt == pytest.approx(0.875 * 0.1 + 0.125 * 0.3)
    assert est.samples == 2


def test_timeout_stays_between_floor_and_ceiling() -> None:
    fast = RttEstimator(ceiling=1.5)
    for _ in range(20):
        fast.observe(0.0005)  # a LAN answers in half a millisecond
    assert fast.timeout() == FLOOR
    slow = RttEstimator(ceiling=1.5)
    slow.observe(2.0)
    assert slow.timeout() == 1.5
    slow.observe(-1.0)  # a clock step is no sample
    assert slow.samples == 1


def test_no_sample_means_the_configured_timeout_and_no_retry() -> None:
    assert connect_timeouts(None, RttEstimator(ceiling=1.5)) == (1.5,)


def test_a_host_without_samples_borrows_the_sweeps_estimate_once_it_has_enough() -> None:
    group = RttEstimator(ceiling=1.5)
    group.observe(0.001)
    group.observe(0.001)
    assert connect_timeouts(RttEstimator(ceiling=1.5), group) == (1.5,)
    group.observe(0.001)
    first, retry = connect_timeouts(RttEstimator(ceiling=1.5), group)
    assert first == FLOOR
    assert retry == pytest.approx(FLOOR * RETRY_FACTOR)


def test_a_host_with_samples_uses_its_own_and_a_short_timeout_is_retried_longer() -> None:
    group = RttEstimator(ceiling=1.5)
    for _ in range(5):
        group.observe(0.001)
    host = RttEstimator(ceiling=1.5)
    host.observe(0.2)  # a slow host: 0.2 + 4 * 0.1 = 0.6 s
    first, retry = connect_timeouts(host, group)
    assert first == pytest.approx(0.6)
    assert retry == 1.5  # 4 x 0.6, capped at the ceiling


# --- the per-host slots --------------------------------------------------------------------


def test_slots_never_exceed_the_cap_and_serve_probes_before_port_checks() -> None:
    async def main() -> tuple[list[str], int]:
        host = HostSlots(2)
        order: list[str] = []
        peak = 0

        async def use(name: str, priority: int) -> None:
            nonlocal peak
            await host.acquire(priority)
            peak = max(peak, host.busy)
            order.append(name)
            await asyncio.sleep(0.01)
            host.release()

        jobs = [asyncio.create_task(use(f"check{i}", PORT_CHECK)) for i in range(4)]
        await asyncio.sleep(0)  # two checks hold the slots, two wait
        jobs.append(asyncio.create_task(use("probe", PROBE)))
        await asyncio.gather(*jobs)
        return order, peak

    order, peak = run(main())
    assert peak == 2
    assert order[:2] == ["check0", "check1"]
    assert order[2] == "probe"  # ahead of the port checks that were waiting before it


def test_a_cancelled_waiter_leaves_no_slot_taken() -> None:
    async def main() -> HostSlots:
        host = HostSlots(1)
        await host.acquire()
        waiter = asyncio.create_task(host.acquire())
        await asyncio.sleep(0)
        waiter.cancel()
        host.release()
        await asyncio.sleep(0)
        return host

    assert run(main()).at_rest


def _counting(port: int) -> tuple[str, int, Any]:
    return ("127.0.11.1", port, http_handler("HTTP/1.1 200 OK", ["Server: DCS-930L"]))


def test_a_port_checks_connection_is_handed_to_the_probe_that_follows() -> None:
    async def main() -> tuple[int, int, int, list[str]]:
        async with peers(_counting(8081)) as (peer,):
            scope = build_scope(["127.0.11.1"], limits=FAST)
            conn = Connector(scope)
            assert await conn.probe_port("127.0.11.1", 8081, keep=True) is PortState.OPEN
            async with conn.connect("127.0.11.1", 8081) as stream:
                await stream.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                line = await stream.read_line()
            conn.release("127.0.11.1")
            return peer.connections, conn.attempts, conn.reused, [line.decode()]

    connections, attempts, reused, lines = run(main())
    assert (connections, attempts, reused) == (1, 1, 1)
    assert lines == ["HTTP/1.1 200 OK\r\n"]


def test_without_keep_the_probe_connects_again() -> None:
    async def main() -> tuple[int, int]:
        async with peers(_counting(8082)) as (peer,):
            scope = build_scope(["127.0.11.1"], limits=FAST)
            conn = Connector(scope)
            await conn.probe_port("127.0.11.1", 8082)
            async with conn.connect("127.0.11.1", 8082) as stream:
                await stream.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                await stream.read_line()
            return peer.connections, conn.reused

    assert run(main()) == (2, 0)


def test_an_unclaimed_parked_connection_is_closed_and_frees_its_slot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(slots, "PARK_FOR", 0.05)

    async def main() -> tuple[bool, int]:
        async with peers(_counting(8083)) as (peer,):
            scope = build_scope(["127.0.11.1"], limits=FAST)
            conn = Connector(scope)
            await conn.probe_port("127.0.11.1", 8083, keep=True)
            await asyncio.sleep(0.2)
            conn.release("127.0.11.1")
            return "127.0.11.1" not in conn._hosts, peer.active

    forgotten, active = run(main())
    assert active == 0  # the peer saw the connection close
    assert forgotten  # and the host's state is gone once at rest


def _self_signed(out: Path) -> ssl.SSLContext:
    cert, key = make_cert(out, "127.0.11.2", "speed-test-camera")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def test_tls_runs_over_a_parked_connection_like_over_a_new_one(tmp_path: Path) -> None:
    server_ctx = _self_signed(tmp_path)
    handler = http_handler("HTTP/1.1 200 OK", ["Server: DCS-930L"])

    async def main() -> tuple[list[tuple[str, str]], int, int]:
        connections = 0

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal connections
            connections += 1
            await handler(reader, writer, None)  # type: ignore[arg-type]
            writer.close()

        server = await asyncio.start_server(serve, "127.0.11.2", 8443, ssl=server_ctx)
        try:
            scope = build_scope(["127.0.11.2"], limits=FAST)
            conn = Connector(scope)
            await conn.probe_port("127.0.11.2", 8443, keep=True)
            found = await HttpProbe().probe(ProbeContext(scope, conn), "127.0.11.2", 8443)
            return [(o.field, o.value) for o in found], conn.reused, connections
        finally:
            server.close()

    found, reused, connections = run(main())
    assert ("http.server", "DCS-930L") in found
    assert any(f == "tls.subject" and "speed-test-camera" in v for f, v in found)
    assert reused == 1
    assert connections == 2  # "/" over the parked connection, the favicon over a new one


# --- pacing ----------------------------------------------------------------------------------


def test_frames_sent_ahead_leave_a_debt_that_connects_wait_out() -> None:
    async def main() -> tuple[float, float]:
        bucket = TokenBucket(rate=100.0, burst=2)
        waits = [bucket.debit() for _ in range(4)]  # 2 from the burst, 2 owed
        loop = asyncio.get_running_loop()
        start = loop.time()
        await bucket.take()
        return waits[-1], loop.time() - start

    owed, waited = run(main())
    assert owed == pytest.approx(0.02, abs=0.005)  # 2 tokens at 100/s
    assert waited >= 0.025  # the debt, then one more token


# --- ARP: adaptive reply wait, congestion --------------------------------------------------


def test_arp_waits_the_full_second_until_answers_are_timed_then_less() -> None:
    rtt = RttEstimator(ceiling=arp.REPLY_WAIT, floor=0.0)
    assert arp.round_wait(rtt) == arp.REPLY_WAIT
    for _ in range(10):
        rtt.observe(0.002)  # a LAN answers in milliseconds
    assert arp.round_wait(rtt) == arp.MIN_WAIT
    slow = RttEstimator(ceiling=arp.REPLY_WAIT, floor=0.0)
    slow.observe(0.4)  # a busy segment: never less than four timeouts, at most the second
    assert arp.round_wait(slow) == arp.REPLY_WAIT


def _ask(
    monkeypatch: pytest.MonkeyPatch, count: int, gap: float
) -> tuple[dict[str, float], dict[str, float]]:
    """ARP ``count`` addresses (even ones answer at once, odd ones never) with ``gap`` seconds
    between frames and no answer timed, so every wait is REPLY_WAIT (shortened to 0.2 s).
    Returns when each address was first asked, and when it was asked again."""
    monkeypatch.setattr(arp, "REPLY_WAIT", 0.2)
    targets = [ipaddress.IPv4Address(f"10.0.0.{i}") for i in range(1, count + 1)]
    answers: dict[str, str] = {}
    first: dict[str, float] = {}
    again: dict[str, float] = {}

    async def send(target: ipaddress.IPv4Address) -> None:
        key = str(target)
        (again if key in first else first)[key] = asyncio.get_running_loop().time()
        if target.packed[-1] % 2 == 0:
            answers[key] = "02:00:00:00:00:01"
        await asyncio.sleep(gap)

    rtt = RttEstimator(ceiling=arp.REPLY_WAIT, floor=0.0)
    run(arp.ask(targets, answers, {}, rtt, send))
    return first, again


def test_arp_asks_only_the_silent_again_and_never_before_their_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, again = _ask(monkeypatch, count=6, gap=0.0)  # a first round far shorter than a wait
    assert set(first) == {f"10.0.0.{i}" for i in range(1, 7)}
    assert set(again) == {"10.0.0.1", "10.0.0.3", "10.0.0.5"}
    assert all(again[a] - first[a] >= 0.2 for a in again)


def test_arp_retries_follow_a_long_first_round_without_a_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 40 frames 10 ms apart: the first round lasts twice the wait, so by its end the first
    # addresses have waited long enough and are asked again at once, not a whole wait later.
    first, again = _ask(monkeypatch, count=40, gap=0.01)
    assert len(again) == 20
    assert all(again[a] - first[a] >= 0.2 for a in again)
    assert min(again.values()) - max(first.values()) < 0.15


class _Queue:
    """A raw socket whose device queue is full for the first ``full`` sends."""

    def __init__(self, full: int, errno_: int = 105) -> None:
        self.full, self.errno, self.sent = full, errno_, 0

    def send(self, frame: bytes) -> int:
        if self.full:
            self.full -= 1
            raise OSError(self.errno, "refused by the device queue")
        self.sent += 1
        return len(frame)


def test_a_full_queue_delays_the_frame_and_a_lasting_one_loses_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(arp, "CONGESTED_WAIT", 0.001)
    brief = _Queue(full=2)
    run(arp._send(brief, b"frame"))  # type: ignore[arg-type]
    assert brief.sent == 1
    lasting = _Queue(full=100)
    run(arp._send(lasting, b"frame"))  # type: ignore[arg-type]
    assert lasting.sent == 0 and lasting.full == 100 - arp.SEND_TRIES
    with pytest.raises(OSError, match="refused by the device queue"):  # ENETDOWN is no congestion
        run(arp._send(_Queue(full=1, errno_=100), b"frame"))  # type: ignore[arg-type]


# --- the host feed ---------------------------------------------------------------------------


def test_feed_hands_out_arp_answers_first_then_lazy_addresses_then_ends() -> None:
    drawn: list[str] = []

    def lazy() -> Iterator[str]:
        for n in range(3):
            drawn.append(f"10.0.1.{n}")
            yield f"10.0.1.{n}"

    async def main() -> list[tuple[str, bool] | None]:
        feed = HostFeed()
        feed.open_source()
        feed.add(lazy())
        got = [await feed.next()]
        assert drawn == ["10.0.1.0"]  # drawn one at a time, never all at once
        feed.alive("10.0.0.7")
        got.append(await feed.next())
        waiting = asyncio.create_task(_drain(feed))
        await asyncio.sleep(0.01)
        assert not waiting.done()  # an ARP sweep is still running: more may come
        feed.alive("10.0.0.9")
        feed.close_source()
        return got + await waiting

    got = run(main())
    assert got == [
        ("10.0.1.0", False),
        ("10.0.0.7", True),
        ("10.0.1.1", False),
        ("10.0.1.2", False),
        ("10.0.0.9", True),
        None,
    ]


async def _drain(feed: HostFeed) -> list[tuple[str, bool] | None]:
    out: list[tuple[str, bool] | None] = []
    while True:
        job = await feed.next()
        out.append(job)
        if job is None:
            return out


def test_scan_order_puts_discovery_ports_first_once() -> None:
    order = scan_order([9100, 80, 21, 554, 80])
    assert order == [80, 554, 21, 9100]


def test_alive_stops_at_the_first_answer() -> None:
    asked: list[int] = []

    class Spy(FakeConnector):
        async def probe_port(self, host: str, port: int, *, keep: bool = False) -> PortState:
            asked.append(port)
            return PortState.CLOSED if port == 554 else PortState.SILENT

    scope = build_scope(["10.9.0.1"], limits=FAST)
    assert run(alive(Spy(scope), "10.9.0.1"))
    assert asked == [80, 443, 554, 22]  # two at a time (the per-host cap), then it stops


def test_a_port_discovery_found_open_is_probed_without_a_second_check() -> None:
    """On a loaded machine a second connect to the same port can time out (the event loop
    answers late): a port discovery found open must still be probed, not dropped with no
    trace (hostile case 10 lost its slow-drip host's timed_out entry this way)."""
    host, asked = "127.0.10.1", []

    class Loaded(FakeConnector):
        async def probe_port(self, host: str, port: int, *, keep: bool = False) -> PortState:
            asked.append((port, keep))
            if port != 8081:
                return PortState.CLOSED
            return PortState.OPEN if len(asked) == 1 else PortState.SILENT  # late the 2nd time

    scope = build_scope([host], limits=FAST)
    answer = b"HTTP/1.1 200 OK\r\nServer: cam\r\nContent-Length: 0\r\n\r\n"
    fake = Loaded(scope, responses={(host, 8081): lambda _sent: answer})
    res = SourceResult()
    opts = scan.SweepOptions(ports=(8081,), probes=frozenset({"http"}))
    run(collect_into(res, scope, fake, opts))
    assert ("http.server", "cam") in {(o.field, o.value) for o in res.observations}
    assert ("tcp.open_port", "8081") in {(o.field, o.value) for o in res.observations}
    assert (8081, True) in asked  # discovery kept the connection for the probe
    assert [p for p, _ in asked].count(8081) == 1


# --- early stop ------------------------------------------------------------------------------


def _camera(early_stop: bool) -> tuple[int, SourceResult, FakeConnector]:
    host = "10.9.0.5"
    scope = build_scope([host], limits=FAST)
    fake = FakeConnector(
        scope,
        responses={
            (host, 80): lambda _sent: (
                b"HTTP/1.1 200 OK\r\nServer: DCS-930L\r\nContent-Length: 0\r\n\r\n"
            )
        },
        open_ports={host: {80}},
        udp={(host, 37020): lambda _sent: None},
    )
    opts = scan.SweepOptions(ports=(80,), probes=frozenset({"http", "sadp"}), early_stop=early_stop)
    res = SourceResult()

    async def main() -> scan.Plan:
        preload = Preload()
        await asyncio.to_thread(preload.wait)
        return await collect_into(res, scope, fake, opts, preload)

    hosts = run(main()).hosts
    assert hosts is not None
    return hosts.early_stopped, res, fake


def test_early_stop_skips_the_remaining_questions_of_a_camera_identified_beyond_doubt() -> None:
    early_stopped, res, fake = _camera(early_stop=True)
    assert ("10.9.0.5", 37020) not in {(h, p) for h, p, _ in fake.sent}
    assert early_stopped == 1
    assert "DCS-930L" in {o.value for o in res.observations}


def test_without_early_stop_every_question_is_asked() -> None:
    early_stopped, _res, fake = _camera(early_stop=False)
    assert ("10.9.0.5", 37020) in {(h, p) for h, p, _ in fake.sent}
    assert early_stopped == 0
