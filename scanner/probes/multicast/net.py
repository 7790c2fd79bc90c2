"""The multicast seam: one question to a group on one interface, bounded answers back.

:class:`SocketMulticast` is the real thing. Every question leaves by the interface the scope
names (``IP_MULTICAST_IF``, and ``SO_BINDTODEVICE`` where permitted) with a TTL of 1, so it
never crosses a router, and multicast loopback off. The seam refuses an interface whose
network does not overlap the scope and a destination that is not a multicast group. Answers are
collected for the question's ``wait``: unicast replies to the asking socket and, when the
protocol answers to the group (SADP, DHIP), datagrams sent to the group on that interface.

Every answer is untrusted and bounded (SAFETY-CATALOGUE.md case 27): datagrams over
:data:`MAX_DATAGRAM` bytes are dropped, not truncated (python-zeroconf's oversized-packet rule);
each source keeps at most :data:`PER_SOURCE` datagrams per question, so a flood of random USNs
from one host costs bounded memory while other responders are still recorded; the whole
question keeps at most :data:`MAX_TOTAL`. :class:`~scanner.probes.multicast.fakenet.FakeMulticast`
serves scripted answers to unit tests through the same caps and scope checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import struct
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from scanner.errors import ProbeError
from scanner.probes.multicast.base import Datagram, Interface
from scanner.scope import Scope

MAX_DATAGRAM = 9000  # RFC 6762 §17: the largest mDNS message; we keep nothing bigger
PER_SOURCE = 64
MAX_TOTAL = 4096
SEND_GAP = 0.05  # seconds between repeated questions (UDP is lossy: each is sent twice)
SO_BINDTODEVICE = getattr(socket, "SO_BINDTODEVICE", 25)


@dataclass(frozen=True, slots=True)
class Question:
    """Datagrams to send to ``group``:``port``, and how long to collect answers.

    ``listen_group``: also keep datagrams sent to the group itself (protocols whose devices
    answer by multicast, so that devices on a foreign subnet can answer at all).
    """

    group: str
    port: int
    payloads: tuple[bytes, ...]
    wait: float
    listen_group: bool = False


class MulticastNet(Protocol):
    """What multicast probes need: :class:`SocketMulticast`, or :class:`FakeMulticast`."""

    scope: Scope

    async def exchange(self, iface: Interface, question: Question) -> list[Datagram]: ...


@dataclass
class Collector:
    """Keeps answers within the caps; counts what it dropped and why."""

    own: str
    kept: list[Datagram] = field(default_factory=list)
    per_source: Counter[str] = field(default_factory=Counter)
    oversized: int = 0
    capped: int = 0

    def add(self, data: bytes, source: str, port: int) -> None:
        if source == self.own:
            return  # our own question, looped back
        if len(data) > MAX_DATAGRAM:
            self.oversized += 1
            return
        if self.per_source[source] >= PER_SOURCE or len(self.kept) >= MAX_TOTAL:
            self.capped += 1
            return
        self.per_source[source] += 1
        self.kept.append(Datagram(bytes(data), source, port))


def check_question(scope: Scope, iface: Interface, question: Question) -> None:
    """Refuse an interface outside the scope and a destination that is not a group."""
    if not any(iface.network.overlaps(n) for n in scope.networks if n.version == 4):
        raise ProbeError(f"interface {iface.name} ({iface.network}) is not in scope")
    try:
        group = ipaddress.IPv4Address(question.group)
    except ValueError as exc:
        raise ProbeError(f"{question.group!r} is not an IPv4 group") from exc
    if not group.is_multicast:
        raise ProbeError(f"{group} is not a multicast group")


class _Receiver(asyncio.DatagramProtocol):
    def __init__(self, sink: Collector) -> None:
        self.sink = sink

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.sink.add(data, str(addr[0]), int(addr[1]))

    def error_received(self, exc: Exception) -> None:
        """ICMP errors for one answer never end the question."""


def _bind_device(sock: socket.socket, name: str) -> None:
    # Needs CAP_NET_RAW; without it the interface address and IP_MULTICAST_IF still pin it.
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, name.encode() + b"\0")


def _sender(iface: Interface) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        _bind_device(sock, iface.name)
        sock.bind((iface.address, 0))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(iface.address))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def _group_listener(iface: Interface, group: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with contextlib.suppress(AttributeError, OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        _bind_device(sock, iface.name)
        sock.bind((group, port))  # only datagrams addressed to this group
        mreqn = struct.pack(
            "4s4si", socket.inet_aton(group), socket.inet_aton(iface.address), iface.index
        )
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


@dataclass
class SocketMulticast:
    """Real multicast sockets, one interface and one question at a time."""

    scope: Scope
    dropped: Counter[str] = field(default_factory=Counter)

    async def exchange(self, iface: Interface, question: Question) -> list[Datagram]:
        check_question(self.scope, iface, question)
        loop = asyncio.get_running_loop()
        sink = Collector(iface.address)
        transports: list[asyncio.DatagramTransport] = []
        try:
            try:
                socks = [_sender(iface)]
                if question.listen_group:
                    socks.append(_group_listener(iface, question.group, question.port))
            except OSError as exc:
                raise ProbeError(
                    f"multicast socket on {iface.name}: {exc.strerror or exc}"
                ) from exc
            for sock in socks:
                transport, _ = await loop.create_datagram_endpoint(
                    lambda: _Receiver(sink), sock=sock
                )
                transports.append(transport)
            for _ in range(2):
                for payload in question.payloads:
                    transports[0].sendto(payload, (question.group, question.port))
                await asyncio.sleep(SEND_GAP)
            await asyncio.sleep(question.wait)
        finally:
            for transport in transports:
                transport.close()
        self.dropped.update(oversized=sink.oversized, capped=sink.capped)
        return sink.kept
