"""SSDP discovery and the UPnP device description, read-only.

Wire formats: UPnP Device Architecture 2.0 (Open Connectivity Foundation), §1.3.2 (``M-SEARCH *
HTTP/1.1`` to 239.255.255.250:1900 with ``MAN: "ssdp:discover"``, ``MX``, ``ST``), §1.3.3 (the
unicast ``HTTP/1.1 200 OK`` answer with ``LOCATION``, ``SERVER``, ``ST``, ``USN``), §1.2.2
(``NOTIFY * HTTP/1.1`` announcements with ``NT``/``NTS``) and §2.3 (the device description:
``deviceType``, ``friendlyName``, ``manufacturer``, ``manufacturerURL``, ``modelName``,
``modelNumber``, ``serialNumber``, ``UDN``; each kept whole up to 256 characters).
``friendlyName`` is set by the owner (``Zhang San's camera``): it is withheld from the report
of a device that is not a collector (:mod:`scanner.identify.privacy`).

Safety: the description is fetched with one ``GET`` only when ``LOCATION`` names the
responder's own address and that address is in scope (a device cannot send us elsewhere:
CallStranger CVE-2020-12695 is about callbacks, and we never send ``SUBSCRIBE`` or any control
action), through the TCP seam with its deadlines and caps, and parsed with defusedxml under
the XML cap (catalogue cases 21-23, 25, 28). Missing elements give a partial record, never an
error (async_upnp_client #3, #63).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from scanner.errors import ParseError, ProbeError
from scanner.models import Observation, Skipped, SkipReason
from scanner.normalize import clean_text
from scanner.probes.derived import url_host, url_problem
from scanner.probes.httphead import read_body, read_head
from scanner.probes.multicast.base import (
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
from scanner.probes.xmlsafe import XmlParseError, find_local, local, parse_xml

GROUP, PORT = "239.255.255.250", 1900
MAX_HEADERS = 100
MAX_FETCHES = 64  # descriptions fetched per question
SOURCE = "ssdp"
log = logging.getLogger(__name__)

_DESCRIPTION_FIELDS = {
    "deviceType": "upnp.device_type",
    "friendlyName": "upnp.friendly_name",
    "manufacturer": "upnp.manufacturer",
    "manufacturerURL": "upnp.manufacturer_url",
    "modelName": "upnp.model_name",
    "modelNumber": "upnp.model_number",
    "serialNumber": "upnp.serial",
    "UDN": "upnp.udn",
}


class SsdpParseError(ParseError):
    """A datagram that is not an SSDP message."""


@dataclass(frozen=True, slots=True)
class SsdpMessage:
    """One SSDP message: ``kind`` is ``response``, ``notify`` or ``search``; header names are
    lower case, the first value of each kept."""

    kind: str
    headers: tuple[tuple[str, str], ...]

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)


def msearch(st: str = "ssdp:all", mx: int = 1) -> bytes:
    """An M-SEARCH (UDA 2.0 §1.3.2)."""
    return (
        f'M-SEARCH * HTTP/1.1\r\nHOST: {GROUP}:{PORT}\r\nMAN: "ssdp:discover"\r\nMX: {mx}\r\n'
        f"ST: {st}\r\nUSER-AGENT: biosweep UPnP/2.0 biosweep/1\r\n\r\n"
    ).encode("ascii")


_START = {"HTTP/1.1 200 OK": "response", "NOTIFY * HTTP/1.1": "notify"}


def parse_ssdp(data: bytes) -> SsdpMessage:
    """Parse an answer or announcement; raise SsdpParseError for anything else."""
    lines = data.decode("latin-1").replace("\r\n", "\n").split("\n")
    first = lines[0].strip()
    kind = _START.get(first.upper()) or ("search" if first.upper().startswith("M-SEARCH") else "")
    if not kind:
        raise SsdpParseError(f"not an SSDP message: {first[:40]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or not name.strip().isascii():
            raise SsdpParseError(f"malformed SSDP header {line[:40]!r}")
        headers.setdefault(name.strip().lower(), clean_text(value, 512))
        if len(headers) > MAX_HEADERS:
            raise SsdpParseError("too many headers")
    return SsdpMessage(kind, tuple(headers.items()))


def udn_of(usn: str) -> str | None:
    """The ``uuid:…`` of a USN (``uuid:X::urn:…``), lower case, or None."""
    head = usn.split("::", 1)[0].strip().lower()
    return head if head.startswith("uuid:") and len(head) > 5 else None


def message_observations(subject: str, msg: SsdpMessage, source: str) -> list[Observation]:
    """``ssdp.server``, ``ssdp.st`` (``ST`` or ``NT``) and ``upnp.udn`` of one message."""
    out = []
    if server := msg.get("server"):
        out.append(Observation(subject, "ssdp.server", server, source))
    if st := (msg.get("st") or msg.get("nt")):
        out.append(Observation(subject, "ssdp.st", st, source))
    if (usn := msg.get("usn")) and (udn := udn_of(usn)):
        out.append(Observation(subject, "upnp.udn", udn, source))
    return out


def parse_description(data: bytes, limit: int) -> list[tuple[str, str]]:
    """Identity fields of the root device of a UPnP description (partial when elements are
    missing; an element in a wrong namespace is still read by its local name)."""
    return description_pairs(parse_xml(data, limit))


def description_pairs(root: Element) -> list[tuple[str, str]]:
    """:func:`parse_description` of an already parsed document."""
    device = find_local(root, "device")
    if device is None:
        return []
    pairs = []
    for child in device:
        field = _DESCRIPTION_FIELDS.get(local(child.tag))
        text = clean_text(child.text or "", 256)
        if field and text:
            pairs.append((field, text.lower() if field == "upnp.udn" else text))
    return pairs


def location_target(location: str, responder: str) -> tuple[str, int, str] | None:
    """(host, port, path) of an http LOCATION naming the responder itself, else None."""
    try:
        parts = urlsplit(location)
        port = parts.port or 80
    except ValueError:
        return None
    host = ipv4_literal(parts.hostname or "")
    if parts.scheme != "http" or host != responder:
        return None
    return host, port, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def description_request(host: str, port: int, path: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: biosweep\r\n"
        "Accept: text/xml, application/xml\r\nAccept-Encoding: identity\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii")


async def fetch_description(
    ctx: MulticastContext, host: str, port: int, path: str
) -> list[tuple[str, str]]:
    """GET the description from the responder (the TCP seam refuses anything out of scope)."""
    limits = ctx.scope.limits
    async with ctx.dialer.connect(host, port) as stream:
        await stream.send(description_request(host, port, path))
        head = await read_head(stream, limits.max_headers)
        body, truncated = await read_body(stream, head, limits.max_xml + 1)
    if head.status != 200:
        return []
    if truncated:
        raise XmlParseError("XML document larger than the cap")
    return parse_description(body, limits.max_xml)


class SsdpProbe(MulticastProbe):
    name: ClassVar[str] = "ssdp"

    async def discover(self, ctx: MulticastContext, iface: Interface) -> Found:
        question = Question(GROUP, PORT, (msearch(),), ctx.wait)
        answers = await ctx.net.exchange(iface, question)
        out: list[Observation] = []
        locations: dict[str, tuple[str, int, str]] = {}
        problems: dict[str, str] = {}
        for d, msg in decode_each(ctx, self.name, answers, lambda d: parse_ssdp(d.data), problems):
            if msg.kind != "response":
                continue
            location = msg.get("location") or ""
            if location and (why := url_problem(ctx.scope, location, d.source)):
                device = f"{d.source}:{PORT}/udp"
                ctx.unfollowed.record(self.name, "LOCATION", location, device, why)
            host = ipv4_literal(url_host(location)) if location else None
            if not admitted(ctx.scope, [d.source, host or ""]):
                continue
            subject = f"ip:{d.source}"
            out.append(Observation(subject, "ip.address", d.source, SOURCE))
            out += message_observations(subject, msg, SOURCE)
            where = location_target(location, d.source)
            if where and ctx.scope.allows(d.source):
                locations.setdefault(location, where)
        skipped = malformed(self.name, PORT, problems, ctx.scope)
        for location, (host, port, path) in list(locations.items())[:MAX_FETCHES]:
            target = f"{host}:{port}"
            try:
                pairs = await fetch_description(ctx, host, port, path)
            except TimeoutError:
                skipped.append(Skipped("upnp", SkipReason.TIMED_OUT, "request deadline", target))
                continue
            except (ProbeError, ParseError) as exc:
                log.info("UPnP description %s: %s", location[:200], exc)
                skipped.append(Skipped("upnp", SkipReason.ERROR, str(exc)[:200], target))
                continue
            out += [Observation(f"ip:{host}", f, v, f"upnp:{port}") for f, v in pairs]
        return list(dict.fromkeys(out)), skipped
