"""What a sweep may touch, how hard, and the rules that refuse a dangerous scope.

Targets are CIDRs (``10.0.0.0/24``), ranges (``10.0.0.1-10.0.0.40`` or ``10.0.0.1-40``),
single addresses, or an interface name (its networks). Exclusions use the same forms and apply
to every address, including ones learned during the scan (redirects, SSDP ``LOCATION``,
WS-Discovery ``XAddrs``, mDNS records): probes ask :meth:`Scope.allows` before they connect.
Hostnames are refused: resolving one would send a DNS query the operator did not scope.

Refusals (masscan, runZero): no target at all; more than :data:`LARGE_SCOPE` addresses without
``confirm_large``; a public address without ``allow_public``; multicast, unspecified or
reserved ranges. Limits default to SAFETY-CATALOGUE.md's table.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scanner.errors import InputError, ScopeError
from scanner.inputs import read_text

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

#: More addresses than a /16 need ``--confirm-large-scope``.
LARGE_SCOPE = 1 << 16
#: An exclusion file (one target per line) is read up to this size.
MAX_EXCLUDE_FILE = 16 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    """Rate, concurrency, time and size limits (SAFETY-CATALOGUE.md defaults)."""

    global_rate: float = 1000.0  # connection attempts (≈ packets) per second, whole scan
    host_rate: float = 40.0  # per host, per second
    host_connections: int = 2  # concurrent TCP connections per host
    host_concurrency: int = 64  # hosts probed at once
    retries: int = 2
    host_budget: float = 120.0  # seconds for all protocols on one host
    request_deadline: float = 10.0  # total per request: connect + send + read + parse
    connect_timeout: float = 1.5  # discovery/port connect attempt
    max_body: int = 256 * 1024
    max_headers: int = 100
    max_line: int = 64 * 1024
    max_xml: int = 512 * 1024
    max_favicon: int = 64 * 1024
    follow_redirects: bool = False


#: TCP ports never sent a payload byte (raw printing: JetDirect/AppSocket), as nmap excludes.
PRINTER_PORTS = frozenset(range(9100, 9108))


@dataclass(frozen=True, slots=True)
class Scope:
    """The networks a sweep may touch, minus exclusions."""

    networks: tuple[Network, ...]
    excluded: tuple[Network, ...] = ()
    allow_public: bool = False
    limits: Limits = field(default_factory=Limits)

    def allows(self, address: str | Address) -> bool:
        """True when ``address`` is in a target network and in no exclusion."""
        try:
            addr = ipaddress.ip_address(address) if isinstance(address, str) else address
        except ValueError:
            return False  # a hostname or garbage learned from a device: never followed
        if any(addr in net for net in self.excluded):
            return False
        return any(addr in net for net in self.networks)

    @property
    def size(self) -> int:
        return sum(net.num_addresses for net in self.networks)

    def hosts(self) -> Iterator[Address]:
        """Every address in scope, in order, without exclusions (like nmap, the network and
        broadcast addresses of a CIDR are included: ranges are summarised into CIDRs, and a
        device may sit on either). Lazy: a /16 is not materialised."""
        seen: set[Network] = set()
        for net in self.networks:
            if net in seen:
                continue
            seen.add(net)
            for addr in net:
                if not any(addr in ex for ex in self.excluded):
                    yield addr

    def describe(self) -> tuple[str, ...]:
        return tuple(str(n) for n in self.networks) + tuple(f"!{n}" for n in self.excluded)


def parse_target(text: str, interfaces: dict[str, list[Network]] | None = None) -> list[Network]:
    """Networks named by one target: CIDR, range, address, or interface name."""
    text = text.strip()
    if not text:
        raise ScopeError("empty target")
    if interfaces and text in interfaces:
        return interfaces[text]
    if "-" in text:
        return _range(text)
    try:
        return [ipaddress.ip_network(text, strict=False)]
    except ValueError:
        raise ScopeError(
            f"{text!r} is not an address, CIDR, range or interface name "
            "(hostnames are not resolved: give the address)"
        ) from None


def _range(text: str) -> list[Network]:
    first_text, _, last_text = text.partition("-")
    try:
        first = ipaddress.ip_address(first_text.strip())
        last_text = last_text.strip()
        if isinstance(first, ipaddress.IPv4Address) and last_text.isdigit():
            last_text = ".".join([*str(first).split(".")[:3], last_text])  # 10.0.0.1-40
        last = ipaddress.ip_address(last_text)
    except ValueError:
        raise ScopeError(f"{text!r} is not a valid address range") from None
    if first.version != last.version or int(last) < int(first):
        raise ScopeError(f"{text!r}: the range's end must be an address after its start")
    return list(ipaddress.summarize_address_range(first, last))


def read_exclude_file(path: Path) -> list[str]:
    """Targets from a file: one per line, ``#`` comments and blank lines ignored."""
    try:
        lines = read_text(path, MAX_EXCLUDE_FILE).splitlines()
    except InputError as exc:
        raise ScopeError(f"exclude file {exc}") from None
    return [s for s in (line.split("#", 1)[0].strip() for line in lines) if s]


def _check_network(net: Network, allow_public: bool) -> None:
    if net.is_multicast or net.is_unspecified or net.is_reserved:
        raise ScopeError(f"{net} is a multicast, unspecified or reserved range: not a sweep target")
    if net.is_global and not allow_public:
        raise ScopeError(f"{net} contains public addresses: pass --allow-public if you own them")


def build_scope(
    targets: Iterable[str],
    excludes: Iterable[str] = (),
    *,
    confirm_large: bool = False,
    allow_public: bool = False,
    interfaces: dict[str, list[Network]] | None = None,
    limits: Limits | None = None,
) -> Scope:
    """A validated scope, or ScopeError saying which rule refused it and which flag accepts it."""
    networks = [net for t in targets for net in parse_target(t, interfaces)]
    if not networks:
        raise ScopeError(
            "no targets given: name networks to sweep (e.g. 10.0.0.0/24 or an interface)"
        )
    excluded = [net for e in excludes for net in parse_target(e, interfaces)]
    scope = Scope(tuple(networks), tuple(excluded), allow_public, limits or Limits())
    if scope.size > LARGE_SCOPE and not confirm_large:
        raise ScopeError(
            f"scope has {scope.size:,} addresses, more than a /16: pass --confirm-large-scope"
        )
    for net in networks:
        _check_network(net, allow_public)
    return scope


def detected_networks() -> dict[str, list[Network]]:
    """Networks on this machine's interfaces (read from the OS; nothing is sent)."""
    import socket

    import psutil

    found: dict[str, list[Network]] = {}
    for name, addrs in psutil.net_if_addrs().items():
        for a in addrs:
            if a.family not in (socket.AF_INET, socket.AF_INET6) or not a.netmask:
                continue
            try:
                net = ipaddress.ip_network(f"{a.address.split('%')[0]}/{a.netmask}", strict=False)
            except ValueError:
                continue
            if not net.is_loopback and not net.is_link_local:
                found.setdefault(name, []).append(net)
    return found
