"""Frame-level evidence: what every frame says about its sender, discovery or not.

A camera that streams video and never announces itself still puts its MAC on every frame it
sends, its address in every IP header and its open ports in every SYN-ACK. From plain values
(MACs, addresses, ports, TTLs; never a payload and never a scapy object, so a fast decoder can
call the same functions) this module keeps, bounded:

- ``mac.address`` of each unicast source MAC (IEEE 802-2014 §8.2: the I/G bit, the least
  significant bit of the first octet, is 0 for an individual address), so its vendor block is
  matched; at most :data:`MAX_MACS`;
- ``ip.address`` under ``mac:…`` for a *local* source address (RFC 1918 private IPv4, RFC 3927
  IPv4 link-local, RFC 4291 IPv6 link-local, RFC 4193 unique local) sent by that MAC with the
  initial TTL or hop limit of an originating host (64, 128, 255, 32: RFC 1700's default 64,
  RFC 4861's 255 for neighbour discovery, Windows' 128; a routed packet arrives one or more
  below, as p0f's TTL guessing assumes), so a forwarded packet never links a remote host to the
  router's MAC. A MAC seen sending from more than :data:`ROUTER_ADDRESSES` local IPv4 (or
  twice as many IPv6) addresses is a router or a relay: all its address links are dropped;
- ``tcp.open_port`` of a local host that answers a connection (SYN and ACK set, RFC 9293
  §3.5), at most :data:`MAX_PORTS` per host: the camera's 554 or 8000 a viewer connects to;
- the MAC ↔ IPv6 address of neighbour advertisements and solicitations (RFC 4861 §4.3-4.4:
  the target or source link-layer address option), whatever their hop limit claims.

Observations come out once, when the extractor is asked for them; the maps are capped so a
hostile capture of random MACs and addresses cannot exhaust memory.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict

from scanner.models import Observation

MAX_MACS = 4096  # distinct source MACs kept
MAX_HOSTS = 4096  # distinct local hosts whose open ports are kept
MAX_PORTS = 32  # open ports kept per host
ROUTER_ADDRESSES = 2  # more local IPv4 source addresses than this: a router, no links
ORIGIN_TTLS = frozenset({32, 64, 128, 255})
_LOCAL = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
              "fe80::/10", "fc00::/7")
)  # fmt: skip


def is_local(address: str) -> bool:
    """A private, link-local or unique-local address: one of this LAN's hosts, not the web."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in _LOCAL)


def is_unicast_mac(mac: str) -> bool:
    """An individual (not group) address, neither all zeros nor the broadcast."""
    try:
        first = int(mac[:2], 16)
    except ValueError:
        return False
    return not first & 1 and mac not in ("00:00:00:00:00:00",)


class FrameEvidence:
    """Accumulates source MACs, MAC ↔ local address links and open ports, bounded."""

    def __init__(self) -> None:
        self._links: dict[str, dict[str, None]] = {}  # mac → local addresses (ordered)
        self._ports: dict[str, dict[int, None]] = defaultdict(dict)

    def frame(self, mac: str, address: str | None = None, ttl: int | None = None) -> None:
        """One frame from ``mac`` (lower-case colon form); ``address`` is the IP source of the
        packet it carries, ``ttl`` its TTL or hop limit."""
        if not is_unicast_mac(mac):
            return
        links = self._links.get(mac)
        if links is None:
            if len(self._links) >= MAX_MACS:
                return
            links = self._links.setdefault(mac, {})
        if address and ttl in ORIGIN_TTLS and is_local(address):
            self._link(links, address)

    def neighbour(self, mac: str, address: str) -> None:
        """A neighbour advertisement or solicitation naming ``mac`` at IPv6 ``address``."""
        if is_unicast_mac(mac) and is_local(address):
            self.frame(mac)
            if mac in self._links:
                self._link(self._links[mac], address)

    def _link(self, links: dict[str, None], address: str) -> None:
        if len(links) <= 4 * ROUTER_ADDRESSES + 1:  # past the router threshold: enough said
            links.setdefault(address, None)

    def syn_ack(self, address: str, port: int) -> None:
        """A local host at ``address`` accepted a connection on TCP ``port``."""
        if not is_local(address) or not 0 < port < 65536:
            return
        if address not in self._ports and len(self._ports) >= MAX_HOSTS:
            return
        ports = self._ports[address]
        if len(ports) < MAX_PORTS:
            ports.setdefault(port, None)

    def observations(self, source: str) -> list[Observation]:
        out: list[Observation] = []
        for mac, links in self._links.items():
            subject = f"mac:{mac}"
            out.append(Observation(subject, "mac.address", mac, source))
            if not _router(links):
                out += [Observation(subject, "ip.address", a, source) for a in links]
        for address, ports in self._ports.items():
            subject = f"ip:{address}"
            out += [Observation(subject, "tcp.open_port", str(p), source) for p in ports]
        return out


def _router(links: dict[str, None]) -> bool:
    v4 = sum(":" not in a for a in links)
    return v4 > ROUTER_ADDRESSES or len(links) - v4 > 2 * ROUTER_ADDRESSES
