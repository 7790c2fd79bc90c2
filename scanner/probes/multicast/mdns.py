"""mDNS/DNS-SD browsing of the service types collectors announce.

Wire format: RFC 6762 (Multicast DNS: 224.0.0.251:5353; §6.7 a query from a port other than
5353 is a "legacy unicast" query, answered by unicast to that port with the query ID echoed)
and RFC 6763 (DNS-SD: ``PTR`` type → instance, ``SRV`` instance → host:port, ``TXT``
key=value pairs, §9 the ``_services._dns-sd._udp.local`` meta-query). Records are decoded by
python-zeroconf (``DNSIncoming``), after :func:`check_framing` has refused packets whose framing
is hostile: compression pointers that do not point strictly backwards (self-pointers and
cycles, catalogue case 29; RFC 1035 §4.1.4 pointers refer to a prior occurrence), names over
128 labels, counts or RDLENGTHs that run past the end, a truncated header (case 31). Packets
over 9000 bytes (RFC 6762 §17) and non-DNS payloads are dropped (case 32) with rate-limited
logs.

One legacy-unicast question browses the meta-query, the collector types (Hikvision
``_CGI._tcp``: github 128keaton/hikvision-mdns; Axis and DoorBird ``_axis-video._tcp``; HomeKit
``_hap._tcp``; Xiaomi ``_miio._udp``: Home Assistant's generated zeroconf matchers; Matter
commissionable nodes ``_matterc._udp``, whose TXT ``DT`` is the device type, Matter Core
Specification §4.3.1) and the types devices name their model in (``_http._tcp`` instance
names, ``_device-info._tcp`` ``model=``, Google Cast ``md=``, AirPlay ``model=``, IPP/LPD
``ty=``/``product=``: RFC 6763 §7, Apple's "Bonjour Printing Specification" v1.2.1, Home
Assistant's zeroconf matchers). Every service a responder answers with is kept: type,
instance, SRV host, TXT (at most 64 keys and 1 KiB per instance, at most
:data:`MAX_INSTANCES` instances per responder; undecodable values as hex, case 33); HomeKit's
TXT ``ci`` (accessory category, HAP specification R2 §6.4 table 6-7: 17 is an IP camera, 18 a
video doorbell) also as ``homekit.category``. Reverse-mapping ``PTR`` answers
(``…in-addr.arpa``/``…ip6.arpa``, RFC 1035 §3.5, RFC 3596 §2.5) name a host: they become
``ip.hostname`` of that address, never a service type. Instance and host names of phones and
PCs are personal data (catalogue case 67): the report keeps them only for collectors
(:mod:`scanner.identify.privacy`, applied after identification).
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import struct
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from scanner.errors import InputError, ParseError
from scanner.models import Observation
from scanner.normalize import clean_text, decimal, mac
from scanner.probes.multicast.base import (
    Datagram,
    Found,
    Interface,
    MulticastContext,
    MulticastProbe,
    admitted,
    decode_each,
    malformed,
)
from scanner.probes.multicast.net import MAX_DATAGRAM, Question

GROUP, PORT = "224.0.0.251", 5353
META = "_services._dns-sd._udp.local."
COLLECTOR_TYPES = (
    "_axis-video._tcp.local.",
    "_axis-nvr._tcp.local.",
    "_cgi._tcp.local.",
    "_hap._tcp.local.",
    "_hap._udp.local.",
    "_miio._udp.local.",
    "_rtsp._tcp.local.",
    "_onvif._tcp.local.",
    "_matterc._udp.local.",
)
#: Types whose instance names or TXT commonly carry a make or model.
MODEL_TYPES = (
    "_http._tcp.local.",
    "_device-info._tcp.local.",
    "_googlecast._tcp.local.",
    "_airplay._tcp.local.",
    "_ipp._tcp.local.",
    "_printer._tcp.local.",
    "_psia._tcp.local.",
)
MAX_LABELS = 128
MAX_POINTER_HOPS = 128  # compression pointers followed in one name
MAX_INSTANCES = 32  # service instances kept per responder
MAX_HOSTS = 8  # host names (A records, reverse PTRs) kept per responder
MAX_TXT_KEYS = 64
MAX_TXT_BYTES = 1024
HOMEKIT = frozenset({"_hap._tcp.local.", "_hap._udp.local."})
SOURCE = "mdns"
TXT_FIELD = "mdns.txt.{}"  # the vocabulary's mdns.txt.* family, one field per TXT key
_TYPE_A, _TYPE_PTR, _TYPE_TXT, _TYPE_SRV = 1, 12, 16, 33
_KEY = re.compile(r"[^a-z0-9_-]")


class MdnsParseError(ParseError):
    """An mDNS packet that is oversized, not DNS, or hostile in its framing."""


def _name_end(data: bytes, offset: int) -> int:
    """Offset after the name at ``offset``, walked without recursion.

    Pointers must point strictly backwards (before the labels that led to them, so no cycle),
    a name follows at most :data:`MAX_POINTER_HOPS` of them and has at most
    :data:`MAX_LABELS` labels in all: a chain of thousands of backward pointers in one
    datagram is refused as a decode error, as python-zeroconf caps its own chain depth
    (python-zeroconf PR #1719, ``depth > MAX_DNS_LABELS``).
    """
    labels, hops, start, end = 0, 0, offset, None
    while True:
        if offset >= len(data):
            raise MdnsParseError("name runs past the end of the packet")
        length = data[offset]
        if length == 0:
            return end if end is not None else offset + 1
        if length & 0xC0 == 0xC0:
            if offset + 1 >= len(data):
                raise MdnsParseError("truncated compression pointer")
            target = ((length & 0x3F) << 8) | data[offset + 1]
            if target >= start:
                raise MdnsParseError("compression pointer does not point backwards")
            hops += 1
            if hops > MAX_POINTER_HOPS:
                raise MdnsParseError("compression pointer chain too long")
            end = offset + 2 if end is None else end
            offset = start = target  # the pointed-to name must itself be well formed
            continue
        if length & 0xC0:
            raise MdnsParseError("reserved label type")
        labels += 1
        if labels > MAX_LABELS:
            raise MdnsParseError("too many labels")
        offset += 1 + length


def check_framing(data: bytes) -> None:
    """Walk the header, questions and records, refusing any hostile framing."""
    if len(data) > MAX_DATAGRAM:
        raise MdnsParseError("packet over 9000 bytes")
    if len(data) < 12:
        raise MdnsParseError("truncated DNS header")
    qd, an, ns, ar = struct.unpack("!4H", data[4:12])
    offset = 12
    for _ in range(qd):
        offset = _name_end(data, offset) + 4
        if offset > len(data):
            raise MdnsParseError("question runs past the end")
    for _ in range(an + ns + ar):
        offset = _name_end(data, offset)
        if offset + 10 > len(data):
            raise MdnsParseError("record header runs past the end")
        rdlength = struct.unpack("!H", data[offset + 8 : offset + 10])[0]
        offset += 10 + rdlength
        if offset > len(data):
            raise MdnsParseError("RDLENGTH runs past the end")


def query(names: tuple[str, ...] = (META, *COLLECTOR_TYPES, *MODEL_TYPES)) -> bytes:
    """One PTR query for ``names`` (RFC 6763 browse), built by python-zeroconf."""
    from zeroconf import DNSOutgoing, DNSQuestion

    out = DNSOutgoing(0, True)  # flags 0: a query; multicast framing
    for name in names:
        out.add_question(DNSQuestion(name, _TYPE_PTR, 1))
    packets = out.packets()
    return packets[0]


@dataclass
class Responder:
    """What one packet (or one source's packets) said, per instance and host."""

    types: set[str] = field(default_factory=set)
    instances: dict[str, str] = field(default_factory=dict)  # instance full name → type
    srv: dict[str, str] = field(default_factory=dict)  # instance → host
    txt: dict[str, bytes] = field(default_factory=dict)  # instance → raw TXT rdata
    hosts: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # host → IPv4s
    reverse: dict[str, str] = field(default_factory=dict)  # address → host (reverse PTR)


def decode(data: bytes, into: Responder | None = None) -> Responder:
    """Decode one mDNS response into a :class:`Responder` (raises MdnsParseError)."""
    from zeroconf import DNSAddress, DNSIncoming, DNSPointer, DNSService, DNSText

    check_framing(data)
    msg = DNSIncoming(data)
    if not msg.valid or not msg.is_response():
        raise MdnsParseError("not an mDNS response")
    r = into or Responder()
    for rec in msg.answers()[:512]:
        name = rec.name.lower()
        if isinstance(rec, DNSPointer):
            if name == META:
                r.types.add(rec.alias.lower())
            elif name.endswith(_REVERSE):
                _reverse(r, name, rec.alias)
            else:
                r.types.add(name)
                r.instances[rec.alias] = name
        elif isinstance(rec, DNSService):
            r.srv[rec.name] = rec.server
        elif isinstance(rec, DNSText):
            r.txt[rec.name] = rec.text[: MAX_TXT_BYTES * 2]
        elif isinstance(rec, DNSAddress) and len(rec.address) == 4:
            r.hosts[rec.name.lower()].add(str(ipaddress.IPv4Address(rec.address)))
    return r


_REVERSE = (".in-addr.arpa.", ".ip6.arpa.")


def reverse_address(name: str) -> str | None:
    """The address a reverse-mapping name stands for (``43.0.99.10.in-addr.arpa.`` →
    ``10.99.0.43``; 32 nibbles under ``ip6.arpa.``), or None if it is not a whole one."""
    labels = name.lower().rstrip(".").split(".")
    try:
        if labels[-2:] == ["in-addr", "arpa"] and len(labels) == 6:
            return str(ipaddress.IPv4Address(".".join(reversed(labels[:4]))))
        if labels[-2:] == ["ip6", "arpa"] and len(labels) == 34:
            nibbles = "".join(reversed(labels[:32]))
            return str(ipaddress.IPv6Address(int(nibbles, 16)))
    except ValueError:
        return None
    return None


def _reverse(r: Responder, name: str, host: str) -> None:
    address = reverse_address(name)
    if address is not None and len(r.reverse) < MAX_HOSTS:
        r.reverse.setdefault(address, host)


def txt_pairs(raw: bytes) -> list[tuple[str, str]]:
    """RFC 6763 §6 key=value strings, capped, keys lower case, bad UTF-8 kept as hex."""
    pairs: list[tuple[str, str]] = []
    offset, used = 0, 0
    while offset < len(raw) and len(pairs) < MAX_TXT_KEYS and used < MAX_TXT_BYTES:
        length = raw[offset]
        item = raw[offset + 1 : offset + 1 + length]
        offset += 1 + length
        used += len(item)
        key_b, _, value_b = item.partition(b"=")
        key = _KEY.sub("", key_b.decode("ascii", "ignore").lower())[:32]
        if not key:
            continue
        try:
            value = clean_text(value_b.decode("utf-8"), 255)
        except UnicodeDecodeError:
            value = "0x" + value_b[:127].hex()
        pairs.append((key, value))
    return pairs


def _strip(name: str) -> str:
    return name.rstrip(".")


def instance_addresses(r: Responder, instances: Iterable[str]) -> list[str]:
    """The IPv4 addresses of the SRV hosts of ``instances``."""
    return sorted({a for i in instances for a in r.hosts.get(r.srv.get(i, "").lower(), ())})


def collector_addresses(r: Responder) -> list[str]:
    """The addresses a responder's collector-type instances name (never a phone's)."""
    return instance_addresses(r, [i for i, t in r.instances.items() if t in COLLECTOR_TYPES])


def responder_observations(source_ip: str, r: Responder, src: str) -> list[Observation]:
    """Observations of one responder: every type, and for each instance (at most
    :data:`MAX_INSTANCES`) its name, SRV host and TXT; reverse PTRs as ``ip.hostname``."""
    instances = dict(list(r.instances.items())[:MAX_INSTANCES])
    addresses = instance_addresses(r, instances)
    subject = f"ip:{addresses[0] if len(addresses) == 1 else source_ip}"
    out = [Observation(subject, "ip.address", source_ip, src)]
    out += [Observation(subject, "ip.address", a, src) for a in addresses if a != source_ip]
    out += [Observation(subject, "mdns.service_type", _strip(t), src) for t in sorted(r.types)]
    for instance, stype in instances.items():
        out += _instance_observations(subject, instance, stype, r, src)
    out += _host_observations(subject, r, src)
    return list(dict.fromkeys(out))


def _instance_observations(
    subject: str, instance: str, stype: str, r: Responder, src: str
) -> list[Observation]:
    label = instance[: -len(stype) - 1] if instance.lower().endswith("." + stype) else instance
    out = [Observation(subject, "mdns.instance", clean_text(_strip(label), 255), src)]
    if host := r.srv.get(instance):
        out.append(Observation(subject, "mdns.hostname", clean_text(_strip(host), 255), src))
    for key, value in txt_pairs(r.txt.get(instance, b"")):
        out.append(Observation(subject, TXT_FIELD.format(key), value, src))
        if key == "macaddress":
            with contextlib.suppress(InputError):
                out.append(Observation(subject, "mac.address", mac(value), src))
        elif key == "ci" and stype in HOMEKIT:
            with contextlib.suppress(InputError):
                out.append(Observation(subject, "homekit.category", decimal(value), src))
    return out


def _host_observations(subject: str, r: Responder, src: str) -> list[Observation]:
    """Host names: the names of the responder's own address records (``cam-12.local A
    <address>``), and reverse PTR answers under the address they map."""
    own = subject.partition(":")[2]
    served = {h.lower() for h in r.srv.values()}
    names = [h for h, ips in r.hosts.items() if own in ips and h not in served][:MAX_HOSTS]
    out = [Observation(subject, "mdns.hostname", clean_text(_strip(h), 255), src) for h in names]
    for address, host in r.reverse.items():
        text = clean_text(_strip(host), 255)
        if text:
            out.append(Observation(f"ip:{address}", "ip.hostname", text, src))
    return out


def all_addresses(source_ip: str, r: Responder) -> list[str]:
    return [source_ip, *(a for ips in r.hosts.values() for a in ips), *r.reverse]


class MdnsProbe(MulticastProbe):
    name: ClassVar[str] = "mdns"

    async def discover(self, ctx: MulticastContext, iface: Interface) -> Found:
        answers = await ctx.net.exchange(iface, Question(GROUP, PORT, (query(),), ctx.wait))
        by_source: dict[str, Responder] = {}
        problems: dict[str, str] = {}

        def merge(d: Datagram) -> Responder:
            by_source[d.source] = decode(d.data, by_source.get(d.source))
            return by_source[d.source]

        decode_each(ctx, self.name, answers, merge, problems)
        out: list[Observation] = []
        for source_ip, r in by_source.items():
            device = f"{source_ip}:{PORT}/udp"
            named = collector_addresses(r)
            ctx.unfollowed.addresses(self.name, "A record", named, device, ctx.scope)
            if admitted(ctx.scope, all_addresses(source_ip, r)):
                out += responder_observations(source_ip, r, SOURCE)
        return list(dict.fromkeys(out)), malformed(self.name, PORT, problems, ctx.scope)
