"""WS-Discovery Probe for ONVIF video transmitters and devices.

Wire format: WS-Discovery (OASIS, April 2005 draft, the version ONVIF uses: namespace
``http://schemas.xmlsoap.org/ws/2005/04/discovery``) over SOAP 1.2/UDP to
239.255.255.250:3702; ONVIF Core Specification (github onvif/specs ``doc/Core.xml``,
"Discovery"): a ``Probe`` for ``dn:NetworkVideoTransmitter`` or ``tds:Device`` is answered by
``ProbeMatches`` whose ``ProbeMatch`` carries ``EndpointReference/Address`` (``urn:uuid:…``),
``Types``, ``Scopes`` (``onvif://www.onvif.org/type/…``, ``…/hardware/…``, ``…/name/…``) and
``XAddrs`` (the device service URLs, with the device's own address even on a foreign subnet).
Devices also announce themselves with ``Hello``, which the passive listener reads.

Every datagram is handled on its own, parsed with defusedxml under a cap (catalogue 21-23), and
bounded (catalogue 24): an answer whose ``RelatesTo`` is not one of our MessageIDs is ignored;
at most :data:`MAX_MATCHES` matches, :data:`MAX_XADDRS` addresses and :data:`MAX_SCOPES`
scopes are kept from one datagram; a match without XAddrs is kept as a partial record.
"""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass
from typing import ClassVar
from xml.etree.ElementTree import Element

from scanner.errors import ParseError
from scanner.models import Observation
from scanner.normalize import clean_text
from scanner.probes.derived import WEB, url_host, url_problem
from scanner.probes.multicast.base import (
    Datagram,
    Found,
    Interface,
    MulticastContext,
    MulticastProbe,
    admitted,
    decode_each,
    ipv4_literal,
    ipv6_literal,
    malformed,
)
from scanner.probes.multicast.net import Question
from scanner.probes.xmlsafe import find_local, local, parse_xml

GROUP, PORT = "239.255.255.250", 3702
MAX_DOCUMENT = 64 * 1024
MAX_MATCHES = 16
MAX_XADDRS = 8
MAX_SCOPES = 32
MAX_TYPES = 8
SOURCE = "wsd"
TYPES = ("dn:NetworkVideoTransmitter", "tds:Device")
_MATCH_TAGS = frozenset({"ProbeMatch", "ResolveMatch", "Hello"})


class WsdParseError(ParseError):
    """A WS-Discovery datagram that is malformed or not an answer to us."""


@dataclass(frozen=True, slots=True)
class WsdMatch:
    """One device in a ProbeMatches/Hello: endpoint UUID, types, scopes, service addresses."""

    endpoint: str | None
    types: tuple[str, ...]
    scopes: tuple[str, ...]
    xaddrs: tuple[str, ...]

    @property
    def addresses(self) -> tuple[str, ...]:
        """IP literals named by the XAddrs (hostnames are never resolved). Cameras list their
        IPv6 link-local service address beside the IPv4 one (``http://[fe80::…]/onvif/…``):
        kept, it ties the answer to the MAC that IPv6 neighbour discovery saw at that address
        (one device, not two). Only IPv4 responders are ever contacted."""
        found = (ipv4_literal(h) or ipv6_literal(h) for h in map(url_host, self.xaddrs))
        return tuple(dict.fromkeys(a for a in found if a))


def probe_message(message_id: str, types: str) -> bytes:
    """A WS-Discovery Probe for ``types`` with ``message_id`` (``uuid:…``)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
        'xmlns:dn="http://www.onvif.org/ver10/network/wsdl" '
        'xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><s:Header>'
        '<a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe'
        f"</a:Action><a:MessageID>{message_id}</a:MessageID><a:ReplyTo><a:Address>"
        "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>"
        '<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>'
        f"</s:Header><s:Body><d:Probe><d:Types>{types}</d:Types></d:Probe></s:Body></s:Envelope>"
    ).encode()


def _words(el: Element | None, cap: int, limit: int = 256) -> tuple[str, ...]:
    if el is None or not el.text:
        return ()
    words = (clean_text(w, limit) for w in el.text.split()[:cap])
    return tuple(dict.fromkeys(w for w in words if w))


def endpoint_uuid(address: str) -> str | None:
    """``urn:uuid:X`` (or ``uuid:X``) as ``uuid:x``, the form UPnP UDNs use, else None."""
    text = address.strip().lower().removeprefix("urn:")
    return clean_text(text, 128) if text.startswith("uuid:") and len(text) > 5 else None


def _match(el: Element) -> WsdMatch:
    ref = find_local(el, "EndpointReference")
    address = find_local(ref, "Address") if ref is not None else None
    return WsdMatch(
        endpoint=endpoint_uuid(address.text or "") if address is not None else None,
        types=_words(find_local(el, "Types"), MAX_TYPES, 128),
        scopes=_words(find_local(el, "Scopes"), MAX_SCOPES),
        xaddrs=_words(find_local(el, "XAddrs"), MAX_XADDRS),
    )


def parse_wsd(data: bytes, expected: frozenset[str] | None = None) -> list[WsdMatch]:
    """The matches of one ProbeMatches/ResolveMatches/Hello datagram.

    With ``expected`` (our MessageIDs) an answer must relate to one of them; without it
    (passive listening) announcements and answers to anyone are read.
    """
    root = parse_xml(data, MAX_DOCUMENT)
    if expected is not None:
        relates = find_local(root, "RelatesTo")
        if relates is None or (relates.text or "").strip() not in expected:
            raise WsdParseError("not an answer to our probe (RelatesTo)")
    body = find_local(root, "Body")
    if body is None:
        raise WsdParseError("SOAP envelope without a Body")
    matches = [e for e in body.iter() if local(e.tag) in _MATCH_TAGS]
    return [_match(e) for e in matches[:MAX_MATCHES]]


def match_observations(subject: str, source_ip: str, m: WsdMatch, src: str) -> list[Observation]:
    addresses = dict.fromkeys((source_ip, *m.addresses))
    out = [Observation(subject, "ip.address", a, src) for a in addresses]
    if m.endpoint:
        out.append(Observation(subject, "wsd.endpoint", m.endpoint, src))
    out += [Observation(subject, "wsd.type", t, src) for t in m.types]
    out += [Observation(subject, "onvif.scope", s, src) for s in m.scopes]
    out += [Observation(subject, "onvif.xaddr", x, src) for x in m.xaddrs]
    return out


class WsdProbe(MulticastProbe):
    name: ClassVar[str] = "wsd"

    async def discover(self, ctx: MulticastContext, iface: Interface) -> Found:
        ids = {t: f"uuid:{uuid.uuid4()}" for t in TYPES}
        payloads = tuple(probe_message(i, t) for t, i in ids.items())
        answers = await ctx.net.exchange(iface, Question(GROUP, PORT, payloads, ctx.wait))
        expected = frozenset(ids.values())
        out: list[Observation] = []
        problems: dict[str, str] = {}

        def ours(d: Datagram) -> list[WsdMatch] | None:
            try:
                return parse_wsd(d.data, expected)
            except WsdParseError:
                return None  # someone else's answer (RelatesTo) or no Body: ignored (case 24)

        for d, matches in decode_each(ctx, self.name, answers, ours, problems):
            for m in matches:
                _record_xaddrs(ctx, d.source, m)
                if admitted(ctx.scope, [d.source, *m.addresses]):
                    out += match_observations(f"ip:{d.source}", d.source, m, SOURCE)
        return list(dict.fromkeys(out)), malformed(self.name, PORT, problems, ctx.scope)


def _record_xaddrs(ctx: MulticastContext, source: str, m: WsdMatch) -> None:
    """XAddrs naming another host, a DNS name, an address out of scope or another scheme:
    never contacted (the ONVIF probe asks in-scope hosts directly), recorded as such."""
    for xaddr in m.xaddrs:
        if _link_local(url_host(xaddr)):
            continue  # the device's own IPv6 link-local service address (see WsdMatch)
        if why := url_problem(ctx.scope, xaddr, source, WEB):
            ctx.unfollowed.record("wsd", "XAddr", xaddr, f"{source}:{PORT}/udp", why)


def _link_local(host: str) -> bool:
    """An IPv6 link-local literal (``fe80::/10``)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.version == 6 and address.is_link_local
