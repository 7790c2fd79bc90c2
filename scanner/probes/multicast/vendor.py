"""Hikvision SADP and Dahua DHIP discovery by multicast: devices on any IP configuration.

The messages are the unicast probes' (:mod:`scanner.probes.vendor_udp`, parsed by the same
functions); here they go to the vendors' groups, as the vendors' own tools send them, and the
answers are collected from the group as well as unicast, because these devices answer by
multicast: that is how a factory-default camera on a foreign subnet (Hikvision's 192.168.1.64)
can answer at all (github julienblitte/UniversalScanner ``Hikvision.cs``: group
239.255.255.250, port 37020, ``listenMulticast``; ``Dahua2.cs`` L20-21: group 239.255.255.251,
port 37810). Each answer advertises the device's own address (SADP ``IPv4Address``, DHIP
``IPv4Address.IPAddress``), which is reported even outside the scope and never contacted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from scanner.errors import ParseError
from scanner.models import Observation
from scanner.probes.jsonsafe import parse_json
from scanner.probes.multicast.base import (
    Datagram,
    Found,
    Interface,
    MulticastContext,
    MulticastProbe,
    admitted,
    decode_each,
    ipv4_literal,
    malformed,
)
from scanner.probes.multicast.net import Question
from scanner.probes.vendor_udp import (
    MAX_DHIP,
    NotAnAnswer,
    dhip_request,
    parse_dhip,
    parse_sadp,
    sadp_request,
)
from scanner.probes.xmlsafe import find_local, parse_xml

SADP_GROUP, SADP_PORT = "239.255.255.250", 37020
DHIP_GROUP, DHIP_PORT = "239.255.255.251", 37810


def sadp_address(data: bytes) -> str | None:
    """The ``IPv4Address`` a SADP ProbeMatch advertises (already known to parse)."""
    el = find_local(parse_xml(data, 64 * 1024), "IPv4Address")
    return ipv4_literal(el.text or "") if el is not None else None


def dhip_address(data: bytes) -> str | None:
    """The ``IPv4Address.IPAddress`` a DHIP notifyDevInfo advertises."""
    try:
        doc = parse_json(data[32:], MAX_DHIP)
        info = doc["params"].get("deviceInfo", doc["params"])
        return ipv4_literal(str(info["IPv4Address"]["IPAddress"]))
    except (ParseError, KeyError, TypeError, AttributeError):
        return None


def vendor_observations(
    source_ip: str,
    data: bytes,
    parse: Callable[[bytes], list[tuple[str, str]]],
    address: Callable[[bytes], str | None],
    src: str,
) -> tuple[list[str], list[Observation]]:
    """(the responder's addresses, its observations); raises ParseError for non-answers."""
    pairs = parse(data)
    advertised = address(data)
    ip = advertised or source_ip
    addresses = list(dict.fromkeys([source_ip, ip]))
    subject = f"ip:{ip}"
    out = [Observation(subject, "ip.address", ip, src)]
    out += [Observation(subject, f, v, src) for f, v in pairs]
    return addresses, out


class _VendorMulticast(MulticastProbe):
    group: ClassVar[str]
    port: ClassVar[int]

    def payload(self) -> bytes:
        raise NotImplementedError

    @staticmethod
    def parse(data: bytes) -> list[tuple[str, str]]:
        raise NotImplementedError

    @staticmethod
    def address(data: bytes) -> str | None:
        raise NotImplementedError

    async def discover(self, ctx: MulticastContext, iface: Interface) -> Found:
        question = Question(self.group, self.port, (self.payload(),), ctx.wait, listen_group=True)
        src = f"{self.name}-multicast"

        def answer(d: Datagram) -> tuple[list[str], list[Observation]] | None:
            try:
                return vendor_observations(d.source, d.data, self.parse, self.address, src)
            except NotAnAnswer:
                return None  # another asker's question on the group (ours too)

        problems: dict[str, str] = {}
        answers = await ctx.net.exchange(iface, question)
        out: list[Observation] = []
        for d, (addresses, found) in decode_each(ctx, self.name, answers, answer, problems):
            device = f"{d.source}:{self.port}/udp"
            # a camera on a foreign subnet is reported with its own address, never contacted
            ctx.unfollowed.addresses(self.name, "advertised address", addresses, device, ctx.scope)
            if admitted(ctx.scope, addresses):
                out += found
        return list(dict.fromkeys(out)), malformed(self.name, self.port, problems, ctx.scope)


class SadpMulticast(_VendorMulticast):
    name: ClassVar[str] = "sadp"
    group: ClassVar[str] = SADP_GROUP
    port: ClassVar[int] = SADP_PORT
    parse = staticmethod(parse_sadp)
    address = staticmethod(sadp_address)

    def payload(self) -> bytes:
        return sadp_request()


class DhipMulticast(_VendorMulticast):
    name: ClassVar[str] = "dhip"
    group: ClassVar[str] = DHIP_GROUP
    port: ClassVar[int] = DHIP_PORT
    parse = staticmethod(parse_dhip)
    address = staticmethod(dhip_address)

    def payload(self) -> bytes:
        return dhip_request()
