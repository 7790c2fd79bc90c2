"""The multicast probe family: one small ABC, the context it runs in, and the scope rules.

A multicast probe asks a question of a whole link at once (mDNS, SSDP, WS-Discovery, SADP,
DHIP) through the :class:`~scanner.probes.multicast.net.MulticastNet` seam, on one interface
the scope names: an interface whose IPv4 network overlaps a scope network
(:func:`scanner.probes.arp.attachments`). Anything else is refused: the scope decides where
a question may go, never the device that answers.

Addresses learned from answers (a responder's source, SSDP ``LOCATION``, WS-Discovery
``XAddrs``, mDNS ``A`` records, SADP/DHIP advertised addresses) obey the exclusions: a
responder with any excluded address is dropped whole. A responder outside the scope but not
excluded (a factory-default camera on a foreign subnet) is reported with its advertised
address and never contacted; follow-up unicast requests (the UPnP description) go only to the
responder's own in-scope address.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, TypeVar

from scanner.errors import ParseError
from scanner.models import Observation, Skipped, SkipReason
from scanner.probes.derived import Unfollowed, is_excluded
from scanner.probes.net import Dialer
from scanner.scope import Scope

if TYPE_CHECKING:
    from scanner.probes.arp import Attachment
    from scanner.probes.multicast.net import MulticastNet

#: Seconds to collect answers after a question (MX of SSDP, WS-Discovery's APP_MAX_DELAY 500 ms
#: plus margin).
DEFAULT_WAIT = 2.5


@dataclass(frozen=True, slots=True)
class Interface:
    """One interface a multicast question may leave by: its name, index and IPv4 address."""

    name: str
    index: int
    address: str
    network: ipaddress.IPv4Network


@dataclass(frozen=True, slots=True)
class Datagram:
    """One datagram received in answer: bytes, sender address and port."""

    data: bytes
    source: str
    port: int


@dataclass(frozen=True, slots=True)
class MulticastContext:
    """What a multicast probe may use: the scope, the multicast seam, the TCP seam (UPnP
    description fetches), and how long to collect answers."""

    scope: Scope
    net: MulticastNet
    dialer: Dialer
    wait: float = DEFAULT_WAIT
    #: answers that did not decode, per probe, for the run's notes
    drops: Drops = field(default_factory=lambda: Drops(logging.getLogger(__name__)))
    #: addresses and URLs answers named that were not contacted, for the run's skipped list
    unfollowed: Unfollowed = field(default_factory=Unfollowed)


class MulticastProbe(ABC):
    """Asks one link-wide question on one interface and turns the answers into observations."""

    name: ClassVar[str]

    @abstractmethod
    async def discover(self, ctx: MulticastContext, iface: Interface) -> Found:
        """Observations about every responder that answered on ``iface``, and the follow-up
        requests that failed (a malformed description: a per-service skipped entry)."""


Found = tuple[list[Observation], list[Skipped]]


def admitted(scope: Scope, addresses: Iterable[str]) -> bool:
    """A responder is kept only if none of its addresses is excluded."""
    return not any(is_excluded(scope, a) for a in addresses if a)


MAX_MALFORMED = 64  # sources named in skipped entries per question
T = TypeVar("T")


def decode_each(
    ctx: MulticastContext,
    kind: str,
    answers: Iterable[Datagram],
    decode: Callable[[Datagram], T | None],
    problems: dict[str, str],
) -> list[tuple[Datagram, T]]:
    """Each answer decoded on its own: one that raises, whatever it raises (a parse error, or
    a bug a device's bytes found), is one counted drop (``ctx.drops``) and its sender's first
    problem (``problems``, for :func:`malformed`); the others of the batch go on. ``decode``
    returns None for an answer that is simply not for us (nothing is counted)."""
    out = []
    for d in answers:
        try:
            found = decode(d)
        except Exception as exc:
            ctx.drops.add(kind, exc, d.source)
            problems.setdefault(d.source, _reason(exc))
            continue
        if found is not None:
            out.append((d, found))
    return out


def _reason(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, ParseError) else f"{type(exc).__name__}: {exc}"


def malformed(probe: str, port: int, problems: dict[str, str], scope: Scope) -> list[Skipped]:
    """One ``error`` entry per in-scope source whose answer to us did not parse (its first
    problem), so the run says which responder it could not read (containment, docs/SAFETY.md).
    Sources outside the scope are only logged: they are not the run's business."""
    return [
        Skipped(probe, SkipReason.ERROR, f"malformed answer: {why}"[:200], f"{src}:{port}/udp")
        for src, why in list(problems.items())[:MAX_MALFORMED]
        if scope.allows(src)
    ]


def ipv6_literal(text: str) -> str | None:
    """``text`` as an IPv6 address in its compressed form (zone index dropped), or None."""
    try:
        return str(ipaddress.IPv6Address(text.strip().split("%", 1)[0]))
    except ValueError:
        return None


def ipv4_literal(text: str) -> str | None:
    """``text`` as a dotted-quad IPv4 address, or None (hostnames are never resolved)."""
    try:
        return str(ipaddress.IPv4Address(text.strip()))
    except ValueError:
        return None


def interfaces_in_scope(scope: Scope) -> list[Interface]:
    """The interfaces (in this network namespace) whose IPv4 network overlaps the scope."""
    from scanner.probes import arp

    return interfaces_of(arp.attachments(scope))


def interfaces_of(attachments: Iterable[Attachment]) -> list[Interface]:
    """The multicast interfaces of ARP's attachments (those the OS still has an index for)."""
    import socket

    found = []
    for att in attachments:
        try:
            index = socket.if_nametoindex(att.name)
        except OSError:
            continue
        found.append(Interface(att.name, index, str(att.address), att.network))
    return found


class RateLimitedLog:
    """At most one log line per source per ``period`` seconds, and a count of every problem
    (catalogue case 32: garbage on a discovery port must not flood the log)."""

    def __init__(self, logger: logging.Logger, period: float = 60.0) -> None:
        self.logger = logger
        self.period = period
        self.errors = 0
        self._last: dict[str, float] = {}

    def problem(self, source: str, message: str) -> None:
        self.errors += 1
        now = time.monotonic()
        if now - self._last.get(source, -self.period) >= self.period:
            if len(self._last) > 4096:
                self._last.clear()
            self._last[source] = now
            self.logger.info("%s: %s", source, message[:200])


class Drops:
    """Packets or answers dropped because they did not decode, counted per kind (``mdns``,
    ``dhip``, ...) with the first reason of each, logged at most once a minute per kind.

    A per-packet failure is one drop, whatever raised it (a parse error or a bug a device's
    bytes found): the other answers of the same batch and the run go on. The run's notes
    carry :meth:`summary`.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self.log = RateLimitedLog(logger)
        self.counts: Counter[str] = Counter()
        self.first: dict[str, str] = {}

    def add(self, kind: str, exc: BaseException, source: str | None = None) -> None:
        """Count one drop for what ``exc`` says; see :meth:`count`."""
        self.count(kind, _reason(exc), source)

    def count(self, kind: str, reason: str, source: str | None = None) -> None:
        """Count one drop; the log says where from (at most a line a minute per kind and
        source: catalogue case 32)."""
        reason = reason[:120]
        self.counts[kind] += 1
        self.first.setdefault(kind, reason)
        where = f"{kind} from {source}" if source else kind
        self.log.problem(where, reason)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        """``mdns 2 (compression pointer chain too long), dhip 1 (...)``, or ``""``."""
        return ", ".join(f"{k} {n} ({self.first[k]})" for k, n in sorted(self.counts.items()))
