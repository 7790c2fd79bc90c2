"""Host discovery and port scanning with plain TCP connects (no privileges needed).

A host is alive when any discovery port answers, open or refused (a RST is an answer) —
except on loopback (127.0.0.0/8, ``::1``), where the kernel itself refuses a connection to
every address with nobody listening: there only an open port (of the discovery ports and the
ports scanned) is a sign of life. ``unreachable`` (ARP/ND found nobody) ends the host at once,
so dead addresses cost one neighbour-resolution timeout, not one per port. Discovery ports are
tried as many at a time as the per-host connection cap allows, most likely first, and stop at
the first answer. MAC addresses of on-link hosts come from the kernel's neighbour cache, which
those connects filled (``/proc/net/arp``): no raw packet. (With root, :mod:`scanner.probes.arp`
finds them first.)

:class:`HostFeed` hands the sweep's workers the addresses to probe as they become known: ARP
answers as they arrive (alive already), then addresses that need TCP discovery, drawn lazily
so that a large scope is never held in memory.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from scanner.errors import InputError
from scanner.models import Observation
from scanner.normalize import mac as normal_mac
from scanner.probes.net import Dialer, PortState

#: Ports tried, in order, to decide whether an address is alive.
DISCOVERY_PORTS = (80, 443, 554, 22, 8000, 4370, 37777, 8080, 23, 5000)

ARP_TABLE = Path("/proc/net/arp")

#: A port no service uses (IANA reserves 49151, the last registered port, and assigns it to
#: nothing). A host that accepts a connection there and on (nearly) every curated port is a
#: tarpit or a SYN-proxying firewall (LaBrea, portspoof): its open ports say nothing about what
#: it is. Checked, connect-only, when at least :data:`TARPIT_MIN_PORTS` ports are scanned.
CONTROL_PORT = 49151
TARPIT_MIN_PORTS = 8
TARPIT_SHARE = 0.9  # "nearly every": this share of the scanned ports open


def looks_like_tarpit(open_count: int, checked: int, control_open: bool) -> bool:
    """Does a host that answered ``open_count`` of ``checked`` port checks (and the control
    port, or not) accept connections on every port, whatever listens?"""
    return control_open and checked >= TARPIT_MIN_PORTS and open_count >= TARPIT_SHARE * checked


def scan_order(ports: Iterable[int]) -> list[int]:
    """Each port once: the discovery ports first (the likeliest to be open), then ascending."""
    wanted = set(ports)
    first = [p for p in DISCOVERY_PORTS if p in wanted]
    return first + sorted(wanted - set(first))


async def alive(
    dialer: Dialer,
    host: str,
    ports: Iterable[int] = DISCOVERY_PORTS,
    opened: set[int] | None = None,
    keep: Collection[int] = (),
) -> bool:
    """Any answer (open, or refused off loopback) from a discovery port; a few at a time.
    ``opened`` collects the ports found open, so that the port scan does not ask them again (a
    second check could time out and lose a port seen open); ``keep``: ports whose open
    connection a probe will use (``probe_port(..., keep=True)``)."""
    order = list(dict.fromkeys(ports))
    batch = max(1, dialer.scope.limits.host_connections)
    signs = (PortState.OPEN,) if loopback(host) else (PortState.OPEN, PortState.CLOSED)
    for i in range(0, len(order), batch):
        asked = order[i : i + batch]
        states = await asyncio.gather(*(dialer.probe_port(host, p, keep=p in keep) for p in asked))
        if opened is not None:
            opened.update(p for p, s in zip(asked, states, strict=True) if s is PortState.OPEN)
        if any(s in signs for s in states):
            return True
        if PortState.UNREACHABLE in states:
            return False
    return False


def life_ports(host: str, ports: Iterable[int]) -> list[int]:
    """The ports that decide whether ``host`` is alive: the discovery ports; on loopback
    (where only an open port counts) the ports the sweep scans first, then the others."""
    if not loopback(host):
        return list(DISCOVERY_PORTS)
    scanned = scan_order(ports)
    return scanned + [p for p in DISCOVERY_PORTS if p not in scanned]


def loopback(host: str) -> bool:
    """127.0.0.0/8 or ``::1``: the kernel answers for every address, so a refusal is no sign."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def open_ports(dialer: Dialer, host: str, ports: Iterable[int]) -> list[int]:
    wanted = scan_order(ports)
    states = await asyncio.gather(*(dialer.probe_port(host, p) for p in wanted))
    return sorted(p for p, s in zip(wanted, states, strict=True) if s is PortState.OPEN)


class HostFeed:
    """Addresses for the sweep's workers, in the order they become known.

    ``alive`` is called with each ARP answer (the host is known to be there); ``add`` queues an
    iterator of addresses that need TCP discovery, consumed lazily. ``open_source`` /
    ``close_source`` bracket each discovery still running (an ARP sweep): :meth:`next` waits for
    them and returns ``None`` only when every address has been handed out.
    """

    def __init__(self) -> None:
        self._alive: deque[str] = deque()
        self._lazy: deque[Iterator[str]] = deque()
        self._sources = 0
        self._changed = asyncio.Event()

    def open_source(self) -> None:
        self._sources += 1

    def close_source(self) -> None:
        self._sources -= 1
        self._changed.set()

    def alive(self, host: str) -> None:
        self._alive.append(host)
        self._changed.set()

    def add(self, hosts: Iterator[str]) -> None:
        self._lazy.append(hosts)
        self._changed.set()

    async def next(self) -> tuple[str, bool] | None:
        """(address, known alive), or None when there is nothing more to probe."""
        while True:
            if self._alive:
                return self._alive.popleft(), True
            while self._lazy:
                host = next(self._lazy[0], None)
                if host is not None:
                    return host, False
                self._lazy.popleft()
            if self._sources == 0:
                return None
            self._changed.clear()
            await self._changed.wait()


def neighbour_macs(hosts: set[str], table: Path = ARP_TABLE) -> list[Observation]:
    """``mac:… ip.address …`` links for scanned hosts found in the kernel's ARP cache."""
    try:
        lines = table.read_text(encoding="ascii", errors="replace").splitlines()[1:]
    except OSError:
        return []
    out = []
    for line in lines:
        parts = line.split()
        if len(parts) < 4 or parts[0] not in hosts or parts[2] == "0x0":
            continue
        try:
            mac = normal_mac(parts[3])
        except InputError:
            continue
        if mac != "00:00:00:00:00:00":
            out.append(Observation(f"mac:{mac}", "ip.address", parts[0], "arp-cache"))
    return out
