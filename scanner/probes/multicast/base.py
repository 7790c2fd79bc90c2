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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from scanner.models import Observation, Skipped, SkipReason
from scanner.probes.net import Dialer
from scanner.scope import Scope

if TYPE_CHECKING:
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


class MulticastProbe(ABC):
    """Asks one link-wide question on one interface and turns the answers into observations."""

    name: ClassVar[str]

    @abstractmethod
    async def discover(self, ctx: MulticastContext, iface: Interface) -> Found:
        """Observations about every responder that answered on ``iface``, and the follow-up
        requests that failed (a malformed description: a per-service skipped entry)."""


Found = tuple[list[Observation], list[Skipped]]


def is_excluded(scope: Scope, address: str) -> bool:
    """True when ``address`` is an IP literal inside an exclusion."""
    try:
        addr = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(addr in net for net in scope.excluded)


def admitted(scope: Scope, addresses: Iterable[str]) -> bool:
    """A responder is kept only if none of its addresses is excluded."""
    return not any(is_excluded(scope, a) for a in addresses if a)


MAX_MALFORMED = 64  # sources named in skipped entries per question


def malformed(probe: str, port: int, problems: dict[str, str], scope: Scope) -> list[Skipped]:
    """One ``error`` entry per in-scope source whose answer to us did not parse (its first
    problem), so the run says which responder it could not read (containment, issue 10).
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
    import socket

    from scanner.probes import arp

    found = []
    for att in arp.attachments(scope):
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
