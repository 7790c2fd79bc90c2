"""Hostile lab devices: peers that attack the scanner instead of answering it.

A scanner that hunts spy devices meets devices with every reason to break it. These emulators
play the shapes of the safety catalogue (``docs/SAFETY.md``) on the wire of a lab device, so that
``biosweep sweep`` is tested end to end against them (``hostile`` scenario,
``tests/hardening/test_hostile_lab.py``):

- :class:`TarpitEmulator` accepts and never answers (case 5: nmap ``--host-timeout``);
- :class:`DripEmulator` answers one byte every ``interval`` seconds, forever, so no idle
  timeout ever fires: only a *total* deadline ends it (case 10: requests #4276);
- :class:`FloodEmulator` answers with one of :data:`SHAPES`: endless headers or 1xx heads,
  a 10 MiB line, an endless body, a gzip bomb, a chain of 1,000 encodings, a bad status line,
  random binary, an empty answer, RTSP ``$``-interleaved binary, a TLS ServerHello followed by
  silence (cases 12-16, 37, 38; zgrab2's size caps and CPython's ``http.client`` limits are the
  behaviour expected of the scanner);
- :class:`FragileHttpEmulator` and :class:`FragileJetDirectEmulator` make a *fragile* device:
  it "crashes" (stops answering on every port) when it has more than two requests in progress
  or receives any byte on its raw-print port (cases 6 and 7: runZero's "never sends malformed
  packets", nmap ``Exclude T:9100-9107``).

and on UDP (:mod:`scanner.lab.emulators.hostile_udp`):

- :class:`LoopingMdnsEmulator` answers mDNS questions with compression-pointer loops, a pointer
  past the end, a count larger than the packet, an RDLENGTH past the end and a chain of 3,000
  backward pointers (cases 29, 31; RFC 1035 §4.1.4, python-zeroconf PRs #934 and #1719);
- :class:`SsdpFloodEmulator` answers one M-SEARCH with a malformed answer, a datagram over
  9,000 bytes and a hundred answers with random USNs (case 27; UDA 2.0 §1.3.3);
- :class:`SadpBombEmulator` answers a SADP inquiry with a billion-laughs document (case 21).

:func:`upnp_bomb`, :func:`tarpit`, :func:`fragile` and friends are the *reworks* the catalogue's
hostile models apply to their ordinary services (:class:`Hostile`). Every emulator logs what it
received (and, for floods, how much it managed to send before the peer hung up) to the device's
event log, so a test can tell a scanner that stopped reading from one that did not.
"""

from __future__ import annotations

import asyncio
import gzip
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from scanner.lab.emulators.base import READ_TIMEOUT, Emulator, Head, ServiceSpec, read_head
from scanner.lab.emulators.hostile_udp import (
    BILLION_LAUGHS,
    LoopingMdnsSpec,
    SadpBombSpec,
    SsdpFloodSpec,
)
from scanner.lab.emulators.http import HttpEmulator, HttpSpec, Route
from scanner.lab.emulators.jetdirect import JetDirectEmulator, JetDirectSpec
from scanner.lab.emulators.mdns import PORT as MDNS_PORT

HOLD = 600.0  # seconds a tarpit or a drip keeps a connection before giving up on the peer
CHUNK = 64 * 1024
FLOOD_CAP = 32 * 1024 * 1024  # bytes one flood sends at most (the scanner should stop far earlier)
MAX_HEADLESS_READ = 64 * 1024  # what a tarpit reads (and counts) before it stops reading

# --- the hook the catalogue uses ---------------------------------------------------------

Rework = Callable[[tuple[ServiceSpec, ...]], tuple[ServiceSpec, ...]]


@dataclass(frozen=True, slots=True)
class Hostile:
    """How a hostile catalogue model attacks a scanner.

    ``rework`` turns the model's ordinary services into hostile ones (or adds some);
    ``expect`` is what a safe sweep records for the device: ``error`` (at least one skipped
    entry naming the device: a timeout or a parse error) or ``inert`` (a trap that a safe
    scanner leaves unharmed: no error, the device identified as what it is). ``attack`` says in
    words what the device does (documentation and test messages).
    """

    rework: Rework
    expect: str
    attack: str


# --- TCP: tarpit, drip, flood ------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TarpitSpec(ServiceSpec):
    """A port that accepts and never says a word."""

    proto: ClassVar[str] = "tarpit"


class TarpitEmulator(Emulator[TarpitSpec]):
    """Accepts, reads (and counts) what the peer sends, never answers; hangs up after HOLD."""

    proto: ClassVar[str] = "tarpit"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        count = 0
        try:
            async with asyncio.timeout(HOLD):
                while count < MAX_HEADLESS_READ:
                    chunk = await reader.read(4096)
                    if not chunk:
                        break
                    count += len(chunk)
                await reader.read(1)  # past the cap: keep holding, read no more
        finally:
            self.event(writer, "bytes", size=count, detail="tarpit")


@dataclass(frozen=True, slots=True, kw_only=True)
class DripSpec(ServiceSpec):
    """Answers a request one byte every ``interval`` seconds: ``protocol`` HTTP or RTSP."""

    proto: ClassVar[str] = "drip"
    protocol: str = "HTTP"
    interval: float = 0.5


class DripEmulator(Emulator[DripSpec]):
    """A status line, then a header that never ends, one byte at a time."""

    proto: ClassVar[str] = "drip"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await read_head(reader)
        if head is None:
            return
        log_request(self, writer, head)
        cseq = head.header("cseq") or "1"
        start = f"{self.spec.protocol}/1.0 200 OK\r\nCSeq: {cseq}\r\nX-Drip: "
        sent = 0
        try:
            writer.write(start.encode("latin-1"))
            await writer.drain()
            async with asyncio.timeout(HOLD):
                while True:
                    await asyncio.sleep(self.spec.interval)
                    writer.write(b"a")
                    await writer.drain()
                    sent += 1
        finally:
            self.event(writer, "bytes", detail=f"dripped {sent} bytes")


#: Flood shapes: what a :class:`FloodEmulator` answers, by name (catalogue case in brackets).
SHAPES = (
    "headers",  # endless header lines, or endless CSeq for RTSP (12, 38)
    "continue",  # endless "100 Continue" informational heads (12)
    "long_line",  # one 10 MiB header line without CRLF (13)
    "endless_body",  # Content-Length of 10 GiB, then body until the peer hangs up (14)
    "gzip_bomb",  # Content-Encoding gzip: 10 MiB of gzip members that expand to 10 GiB (15a)
    "gzip_chain",  # Content-Encoding: gzip, gzip, ... 1,000 times (15b)
    "bad_status",  # HTTP/9.9 999 X (16)
    "garbage",  # 64 KiB of random binary (16)
    "empty",  # hang up at once (16)
    "interleaved",  # RTSP $-framed binary instead of a response (38)
    "tls_stall",  # a TLS ServerHello record header and 6 bytes, then silence (37)
)
LONG_LINE = 10 * 1024 * 1024
GZIP_MEMBER = gzip.compress(bytes(1024 * 1024), 9)  # ~1 KiB that expands to 1 MiB


@dataclass(frozen=True, slots=True, kw_only=True)
class FloodSpec(ServiceSpec):
    """Answers every request with ``shape`` (one of :data:`SHAPES`) in ``protocol``."""

    proto: ClassVar[str] = "flood"
    shape: str
    protocol: str = "HTTP"


def _repeat(prefix: bytes, unit: bytes, total: int = FLOOD_CAP) -> Iterator[bytes]:
    """``prefix`` then ``unit`` repeated, in chunks of about CHUNK bytes, ``total`` at most."""
    yield prefix
    block = unit * max(1, CHUNK // len(unit))
    for _ in range(max(0, total - len(prefix)) // len(block)):
        yield block


def _noise(seed: int, size: int) -> bytes:
    """Reproducible random bytes (test data, not secrets)."""
    return random.Random(seed).randbytes(size)  # noqa: S311


def _status(protocol: str) -> bytes:
    return f"{protocol}/1.0 200 OK\r\nCSeq: 1\r\n".encode()


def _gzip_chain(protocol: str) -> Iterator[bytes]:
    body = gzip.compress(b"<html><title>x</title></html>")
    chain = ", ".join(["gzip"] * 1000).encode()
    length = str(len(body)).encode()
    yield _status(protocol) + b"Content-Encoding: " + chain + b"\r\nContent-Length: " + length
    yield b"\r\n\r\n" + body


_BOMB_HEAD = b"Content-Encoding: gzip\r\nContent-Length: 10737418240\r\n\r\n"
_FLOODS: dict[str, Callable[[str, int], Iterator[bytes]]] = {
    "headers": lambda pr, _: _repeat(
        _status(pr), b"CSeq: 1\r\n" if pr == "RTSP" else b"X-Flood: 1\r\n"
    ),
    "continue": lambda pr, _: _repeat(b"", b"HTTP/1.1 100 Continue\r\n\r\n"),
    "long_line": lambda pr, _: _repeat(_status(pr) + b"X-Long: ", b"a", LONG_LINE + CHUNK),
    "endless_body": lambda pr, _: _repeat(
        _status(pr) + b"Content-Length: 10737418240\r\n\r\n", b"\0"
    ),
    "gzip_bomb": lambda pr, _: _repeat(_status(pr) + _BOMB_HEAD, GZIP_MEMBER, 10 << 20),
    "gzip_chain": lambda pr, _: _gzip_chain(pr),
    "bad_status": lambda pr, _: iter([b"HTTP/9.9 999 X\r\n\r\n"]),
    "garbage": lambda pr, seed: iter([_noise(seed, 64 * 1024)]),
    "empty": lambda pr, _: iter([]),
    "interleaved": lambda pr, seed: _repeat(b"", b"$\x00\x04\x00" + _noise(seed, 1024)),
    # TLS 1.2 handshake record (RFC 5246 §6.2.1), a ServerHello (§7.4.1.3), 6 bytes of it.
    "tls_stall": lambda pr, _: iter([b"\x16\x03\x03\x00\x4a\x02\x00\x00\x46\x03\x03"]),
}


def flood_chunks(shape: str, protocol: str, seed: int = 0) -> Iterator[bytes]:
    """The bytes of one flood answer, lazily (nothing large is ever built in memory)."""
    if shape not in _FLOODS:
        raise ValueError(f"unknown flood shape {shape!r}")
    return _FLOODS[shape](protocol, seed)


def log_request(emulator: Emulator[Any], writer: asyncio.StreamWriter, head: Head) -> None:
    """Log one parsed request head (credentials redacted) for ``emulator``."""
    emulator.event(
        writer, "request", method=head.method, path=head.target,
        headers=head.logged_headers(), authorization=head.has_authorization,
    )  # fmt: skip


class FloodEmulator(Emulator[FloodSpec]):
    """Reads the request (TLS shapes: whatever comes first), then floods; logs what it sent."""

    proto: ClassVar[str] = "flood"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.spec.shape == "tls_stall":
            first = await asyncio.wait_for(reader.read(4096), READ_TIMEOUT)
            if not first:
                return
            self.event(writer, "request", method="TLS", size=len(first))
        else:
            head = await read_head(reader)
            if head is None:
                return
            log_request(self, writer, head)
        sent = 0
        try:
            for chunk in flood_chunks(self.spec.shape, self.spec.protocol, self.spec.port):
                writer.write(chunk)
                await asyncio.wait_for(writer.drain(), READ_TIMEOUT)
                sent += len(chunk)
            if self.spec.shape == "tls_stall":
                await asyncio.wait_for(reader.read(1), HOLD)  # silence until the peer gives up
        finally:
            self.event(writer, "bytes", size=sent, detail=f"{self.spec.shape}: sent {sent} bytes")


# --- a fragile device --------------------------------------------------------------------

MAX_IN_PROGRESS = 2  # requests a fragile device survives at once (the scanner's per-host cap)
BUSY = 0.2  # seconds a fragile device works on each request before it answers


@dataclass
class _Fragility:
    """One fragile device's shared state across its ports (one device process holds it)."""

    in_progress: int = 0
    crashed: str = ""


_FRAGILE: dict[str, _Fragility] = {}


def _fragility(device: str) -> _Fragility:
    return _FRAGILE.setdefault(device, _Fragility())


@dataclass(frozen=True, slots=True, kw_only=True)
class FragileHttpSpec(HttpSpec):
    """A web server of a fragile device (see :class:`FragileHttpEmulator`)."""

    proto: ClassVar[str] = "fragile_http"


class FragileHttpEmulator(HttpEmulator):
    """A web server that dies with its device: once crashed it hangs up on every request.

    The device crashes when more than :data:`MAX_IN_PROGRESS` requests are in progress at once,
    counted from a request's head to its answer (it works :data:`BUSY` seconds on each, as
    small embedded servers do), so bare port-scan connects do not count."""

    proto: ClassVar[str] = "fragile_http"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state = _fragility(self.device)
        if state.crashed:
            return  # a crashed device accepts (the kernel does) and says nothing
        head = await read_head(reader)
        if head is None:
            return
        state.in_progress += 1
        try:
            if state.in_progress > MAX_IN_PROGRESS and not state.crashed:
                state.crashed = f"{state.in_progress} requests at once"
                self.event(writer, "malformed", detail=f"crashed: {state.crashed}")
                return
            log_request(self, writer, head)
            await asyncio.sleep(BUSY)
            if state.crashed:
                return
            writer.write(self.response(self.spec.route(head.target.split("?", 1)[0]),
                                       with_body=head.method != "HEAD"))  # fmt: skip
            await writer.drain()
        finally:
            state.in_progress -= 1


@dataclass(frozen=True, slots=True, kw_only=True)
class FragileJetDirectSpec(JetDirectSpec):
    """The raw-print port of a fragile device: any byte crashes the whole device."""

    proto: ClassVar[str] = "fragile_jetdirect"


class FragileJetDirectEmulator(JetDirectEmulator):
    """Counts like any raw-print port; a non-zero count is a print job, and crashes the device."""

    proto: ClassVar[str] = "fragile_jetdirect"

    def event(self, writer: asyncio.StreamWriter, kind: str, **fields: Any) -> None:
        super().event(writer, kind, **fields)
        state = _fragility(self.device)
        if kind == "bytes" and fields.get("size", 0) and not state.crashed:
            state.crashed = f"{fields['size']} bytes on the raw-print port"
            super().event(writer, "malformed", detail=f"crashed: {state.crashed}")


# --- reworks: how a hostile model changes its ordinary services --------------------------


def unchanged(specs: tuple[ServiceSpec, ...]) -> tuple[ServiceSpec, ...]:
    """No rework: the device's ordinary services carry its attack (hostile strings)."""
    return specs


def tarpit(ports: tuple[int, ...]) -> Rework:
    """Every service replaced by tarpits on ``ports``."""

    def rework(_: tuple[ServiceSpec, ...]) -> tuple[ServiceSpec, ...]:
        return tuple(TarpitSpec(port=p) for p in ports)

    return rework


def floods(
    shapes: dict[int, tuple[str, str]],
) -> Rework:
    """The services, plus a flood on each port of ``shapes`` (port → (shape, protocol)); a flood
    takes over an ordinary service's port."""

    def rework(specs: tuple[ServiceSpec, ...]) -> tuple[ServiceSpec, ...]:
        kept = tuple(s for s in specs if s.port not in shapes or s.transport == "udp")
        return kept + tuple(
            FloodSpec(port=p, shape=s, protocol=pr) for p, (s, pr) in shapes.items()
        )

    return rework


def drips(ports: dict[int, str]) -> Rework:
    """The services, with a drip on each port of ``ports`` (port → protocol) instead."""

    def rework(specs: tuple[ServiceSpec, ...]) -> tuple[ServiceSpec, ...]:
        kept = tuple(s for s in specs if s.port not in ports or s.transport == "udp")
        return kept + tuple(DripSpec(port=p, protocol=pr) for p, pr in ports.items())

    return rework


def upnp_bomb(specs: tuple[ServiceSpec, ...]) -> tuple[ServiceSpec, ...]:
    """The UPnP description route of the device's web server serves a billion laughs."""

    def bombed(spec: ServiceSpec) -> ServiceSpec:
        if not isinstance(spec, HttpSpec):
            return spec
        routes = tuple(
            Route(r.path, 200, BILLION_LAUGHS, r.content_type) if r.path.startswith("/upnp/")
            else r for r in spec.routes
        )  # fmt: skip
        return replace(spec, routes=routes)

    return tuple(bombed(s) for s in specs)


def mdns_loops(specs: tuple[ServiceSpec, ...]) -> tuple[ServiceSpec, ...]:
    """The device's mDNS responder (or a new one) answers with pointer loops."""
    return (*(s for s in specs if s.proto != "mdns"), LoopingMdnsSpec(port=MDNS_PORT))


def ssdp_flood(specs: tuple[ServiceSpec, ...]) -> tuple[ServiceSpec, ...]:
    """The device's SSDP responder (or a new one) floods."""
    return (*(s for s in specs if s.proto != "ssdp"), SsdpFloodSpec(port=1900))


def sadp_bomb(specs: tuple[ServiceSpec, ...]) -> tuple[ServiceSpec, ...]:
    """The device's SADP responder answers with a billion laughs."""
    return (*(s for s in specs if s.proto != "sadp"), SadpBombSpec(port=37020))


def fragile(specs: tuple[ServiceSpec, ...]) -> tuple[ServiceSpec, ...]:
    """Web servers and raw-print ports of a fragile device."""

    def weak(spec: ServiceSpec) -> ServiceSpec:
        if type(spec) is HttpSpec:
            return FragileHttpSpec(port=spec.port, server=spec.server, routes=spec.routes)
        if type(spec) is JetDirectSpec:
            return FragileJetDirectSpec(port=spec.port)
        return spec

    return tuple(weak(s) for s in specs)


def chain(
    *steps: Rework,
) -> Rework:
    """Several reworks, in order."""

    def rework(specs: tuple[ServiceSpec, ...]) -> tuple[ServiceSpec, ...]:
        for step in steps:
            specs = step(specs)
        return specs

    return rework


#: TCP services by proto tag: spec class, emulator class (merged into the registry).
HOSTILE_EMULATORS: dict[str, tuple[type[ServiceSpec], type[Emulator[Any]]]] = {
    "tarpit": (TarpitSpec, TarpitEmulator),
    "drip": (DripSpec, DripEmulator),
    "flood": (FloodSpec, FloodEmulator),
    "fragile_http": (FragileHttpSpec, FragileHttpEmulator),
    "fragile_jetdirect": (FragileJetDirectSpec, FragileJetDirectEmulator),
}
