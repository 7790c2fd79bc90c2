"""Which way a scope's packets would leave: read from the kernel's routing table, sending nothing.

A scope on an attached network, or one with a route of its own (a VPN, a static route an
administrator set), is one the operator can mean to sweep from here. A scope that only the
default route reaches is different: its packets go to the default gateway and on into whatever
network lies behind it — a lab's 10.77.0.0/24 swept from the host would reach the real site's
10.77.0.x. :func:`default_routed` finds such networks before the first packet; the CLI refuses
them unless ``--routed`` (or ``[site] routed``) says the operator means it.

The table is read from ``/proc/net/route`` (IPv4 main table; addresses are the kernel's
``__be32`` printed as a host-order ``%08X``) and ``/proc/net/ipv6_route`` (addresses in
network order). Rejecting routes (``unreachable``, ``prohibit``, flag ``RTF_REJECT``) and
routes that are down are ignored. The host's own addresses and 127.0.0.0/8 / ``::1`` live in
the kernel's ``local`` table, which is consulted first: they never leave through a gateway.
Policy routing (``ip rule`` to other IPv4 tables) is not seen: ``--routed`` is the way past a
refusal it causes.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

PROC_NET = Path("/proc/net")
RTF_UP, RTF_GATEWAY, RTF_REJECT = 0x0001, 0x0002, 0x0200
LOCAL = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


@dataclass(frozen=True, slots=True)
class Route:
    """One usable route: where to, through which gateway (None: on-link), out of which device."""

    network: Network
    gateway: Address | None
    device: str

    def describe(self) -> str:
        via = f"via {self.gateway} " if self.gateway is not None else ""
        return f"{via}on {self.device}"


@dataclass(frozen=True, slots=True)
class DefaultRouted:
    """Part of a scope network that only the default route reaches."""

    network: Network
    addresses: int  # how many of its addresses
    route: Route

    def __str__(self) -> str:
        share = (
            str(self.network)
            if self.addresses == self.network.num_addresses
            else f"{self.addresses:,} of the {self.network.num_addresses:,} addresses of "
            f"{self.network}"
        )
        return f"{share} only through the default route ({self.route.describe()})"


def _ipv4(hex_text: str) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(struct.pack("=I", int(hex_text, 16)))


def parse_ipv4(text: str) -> list[Route]:
    """Routes of ``/proc/net/route`` (header line first; malformed lines are skipped)."""
    routes = []
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) < 8:
            continue
        try:
            dest, gateway, flags = _ipv4(parts[1]), _ipv4(parts[2]), int(parts[3], 16)
            network = ipaddress.IPv4Network(f"{dest}/{_ipv4(parts[7])}", strict=False)
        except ValueError:
            continue
        if flags & RTF_UP and not flags & RTF_REJECT:
            routes.append(Route(network, gateway if flags & RTF_GATEWAY else None, parts[0]))
    return routes


def parse_ipv6(text: str) -> list[Route]:
    """Routes of ``/proc/net/ipv6_route`` (no header; malformed lines are skipped)."""
    routes = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 10:
            continue
        try:
            dest = ipaddress.IPv6Address(bytes.fromhex(parts[0]))
            network = ipaddress.IPv6Network(f"{dest}/{int(parts[1], 16)}", strict=False)
            gateway = ipaddress.IPv6Address(bytes.fromhex(parts[4]))
            flags = int(parts[8], 16)
        except ValueError:
            continue
        if flags & RTF_UP and not flags & RTF_REJECT:
            via = gateway if flags & RTF_GATEWAY and not gateway.is_unspecified else None
            routes.append(Route(network, via, parts[9]))
    return routes


def read_routes(proc: Path = PROC_NET) -> list[Route]:
    """Every usable IPv4 and IPv6 route of this network namespace (missing files: none)."""
    routes: list[Route] = []
    for name, parse in (("route", parse_ipv4), ("ipv6_route", parse_ipv6)):
        try:
            routes += parse((proc / name).read_text(encoding="ascii", errors="replace"))
        except OSError:
            continue
    return routes


def _covered(net: Network, specific: Iterable[Network]) -> int:
    """How many addresses of ``net`` the ``specific`` networks (same IP version) cover. CIDRs
    nest or are disjoint, so each overlap is the smaller of the two; nested ones count once."""
    parts = sorted(
        {s if _within(s, net) else net for s in specific if s.overlaps(net)},
        key=lambda n: n.prefixlen,
    )
    kept: list[Network] = []
    for part in parts:  # widest first
        if not any(_within(part, k) for k in kept):
            kept.append(part)
    return sum(p.num_addresses for p in kept)


def _within(inner: Network, outer: Network) -> bool:
    return (
        inner.version == outer.version
        and outer.prefixlen <= inner.prefixlen
        and int(inner.network_address) >> (inner.max_prefixlen - outer.prefixlen)
        == int(outer.network_address) >> (outer.max_prefixlen - outer.prefixlen)
    )


def default_routed(
    networks: Iterable[Network], routes: list[Route], local: Iterable[Address] = ()
) -> list[DefaultRouted]:
    """The scope networks (or parts) whose packets would go only to a default route: not on
    an attached network, not under any more specific route, not this host's own address."""
    out = []
    own = [ipaddress.ip_network(a) for a in local]
    for net in networks:
        default = next(
            (r for r in routes if r.network.prefixlen == 0 and r.network.version == net.version),
            None,
        )
        if default is None:  # no route at all: the kernel refuses to send (ENETUNREACH)
            continue
        specific = [
            n
            for n in (*(r.network for r in routes if r.network.prefixlen), *LOCAL, *own)
            if n.version == net.version
        ]
        left = net.num_addresses - _covered(net, specific)
        if left > 0:
            out.append(DefaultRouted(net, left, default))
    return out


def local_addresses() -> list[Address]:
    """This host's own interface addresses (read from the OS; nothing is sent)."""
    import socket

    import psutil

    found: list[Address] = []
    for addrs in psutil.net_if_addrs().values():
        for a in addrs:
            if a.family in (socket.AF_INET, socket.AF_INET6):
                try:
                    found.append(ipaddress.ip_address(a.address.split("%")[0]))
                except ValueError:
                    continue
    return found
