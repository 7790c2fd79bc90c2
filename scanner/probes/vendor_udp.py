"""Unicast vendor discovery: one datagram to one host, read its identity answer.

These are the same questions the vendors' own configuration tools broadcast; here they go to
one in-scope host only (multicast discovery is a separate probe family). Each answer is parsed
within a size cap into identity fields and the MAC/serial links that merge devices.

- Hikvision SADP, UDP 37020: XML ``<Probe><Uuid>…</Uuid><Types>inquiry</Types></Probe>``; the
  ``<ProbeMatch>`` answer has ``DeviceDescription`` (model), ``DeviceSN``, ``MAC``,
  ``IPv4Address`` (github julienblitte/UniversalScanner ``Hikvision.cs`` L15-16, L62-75).
- Dahua DHIP, UDP 37810: a 32-byte header (size 0x20 LE, magic ``DHIP``, body length twice,
  LE) then JSON ``{"method": "DHDiscover.search", …}``; the answer's ``client.notifyDevInfo``
  carries ``DeviceType``, ``SerialNo``, ``mac`` (UniversalScanner ``Dahua2.cs`` L13-16, L93,
  L141-178).
- HID discoveryd, UDP 4070: ``discover;013;`` → ``discovered;<len>;<mac>;<name>;<ip>;1;<model>;
  <version>;<date>`` (github rapid7/metasploit-framework
  ``modules/auxiliary/scanner/misc/hid_discoveryd.rb``; identification only). The probe is
  the only message sent: discoveryd's other commands (``command_blink_on`` and the like) act
  on the device. Kept: ``hid.model``, ``hid.name``, ``hid.version`` and ``mac.address``.

Not asked: Suprema BioStar 2 terminals (UDP 51210 discovery, TCP 51211 device port; github
supremainc/BioStar2_device_SDK ``BS2IpConfig.h``). The device protocol is implemented only
inside Suprema's closed SDK libraries (``BS2_SearchDevices`` in the C API) and behind the G-SDK
gateway (github biostar-dev/g-sdk ``Connect.SearchDevice`` over gRPC); no public source gives
its packet header or the discovery datagram, and a guessed frame is a malformed frame (catalogue
case 7). The port scan reports TCP 51211 open; that is all the sweep says of Suprema.
"""

from __future__ import annotations

import struct
import uuid
from typing import ClassVar

from scanner.errors import InputError, ParseError
from scanner.models import Observation
from scanner.normalize import clean_text, mac
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.jsonsafe import JsonParseError, parse_json
from scanner.probes.xmlsafe import find_local, parse_xml

UDP_WAIT = 1.5
DHIP_MAGIC = b"DHIP"
MAX_DHIP = 64 * 1024  # a DHIP JSON body (a datagram is capped at 9000 bytes anyway)


class DiscoveryParseError(ParseError):
    """A vendor discovery answer that does not parse."""


class NotAnAnswer(DiscoveryParseError):
    """Well-formed, but not an identity answer (another asker's question, another method)."""


def _mac(value: str) -> list[tuple[str, str]]:
    try:
        return [("mac.address", mac(value))]
    except InputError:
        return []


def sadp_request(probe_id: str | None = None) -> bytes:
    uid = probe_id or str(uuid.uuid4()).upper()
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>{uid}</Uuid>'
        "<Types>inquiry</Types></Probe>"
    ).encode()


def parse_sadp(data: bytes) -> list[tuple[str, str]]:
    root = parse_xml(data, 64 * 1024)
    match = root if root.tag == "ProbeMatch" else find_local(root, "ProbeMatch")
    if match is None:
        raise NotAnAnswer("SADP answer without ProbeMatch")
    pairs: list[tuple[str, str]] = []
    for tag, field in (
        ("DeviceDescription", "sadp.device_description"),
        ("DeviceType", "sadp.device_type"),
        ("DeviceSN", "sadp.serial"),
    ):
        el = find_local(match, tag)
        if el is not None and (text := clean_text(el.text or "", 128)):
            pairs.append((field, text))
    el = find_local(match, "MAC")
    return pairs + (_mac(el.text or "") if el is not None else [])


def dhip_request() -> bytes:
    body = b'{ "method" : "DHDiscover.search", "params" : { "mac" : "", "uni" : 1 } }\r\n'
    return (
        struct.pack("<I", 0x20)
        + DHIP_MAGIC
        + bytes(8)
        + struct.pack("<I4xI4x", len(body), len(body))
        + body
    )


def parse_dhip(data: bytes) -> list[tuple[str, str]]:
    if len(data) < 32 or data[4:8] != DHIP_MAGIC or struct.unpack("<I", data[:4])[0] != 0x20:
        raise DiscoveryParseError("not a DHIP frame")
    size1, size2 = struct.unpack("<I4xI4x", data[16:32])
    body = data[32:]
    if size1 != size2 or size1 != len(body):
        raise DiscoveryParseError("DHIP length fields disagree with the datagram")
    try:
        doc = parse_json(body, MAX_DHIP)
    except JsonParseError as exc:
        raise DiscoveryParseError(f"DHIP body: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("method") != "client.notifyDevInfo":
        raise NotAnAnswer("DHIP answer is not client.notifyDevInfo")
    params = doc.get("params")
    info = params.get("deviceInfo", params) if isinstance(params, dict) else {}
    if not isinstance(info, dict):
        return []
    pairs = [
        (field, clean_text(str(info[key]), 128))
        for key, field in (("DeviceType", "dhip.device_type"), ("SerialNo", "dhip.serial"))
        if isinstance(info.get(key), str) and info[key].strip()
    ]
    return pairs + (_mac(info["mac"]) if isinstance(info.get("mac"), str) else [])


HID_REQUEST = b"discover;013;"  # the only message sent to discoveryd ("013": its own length)
HID_FIELDS = 9  # discovered;<len>;<mac>;<name>;<ip>;1;<model>;<version>;<date>


def parse_hid(data: bytes) -> list[tuple[str, str]]:
    """``hid.model``, ``hid.name``, ``hid.version`` and the MAC of a discoveryd answer.

    As msf's parser: exactly nine fields (trailing empty ones dropped), the first
    ``discovered``, the second the answer's own length in characters (a trailing NUL, line end
    or ";" may be left out of it). Anything else is a parse error: too many fields, a length
    that is no small number or disagrees with the datagram. Text is decoded with replacement,
    control and bidi characters removed, and capped; the answer's IP field is not kept (the
    address we asked is the subject, and a device's word for another address is not scope).
    """
    parts = data.decode("utf-8", errors="replace").split(";")
    while parts and parts[-1] == "":
        parts.pop()
    if len(parts) != HID_FIELDS or parts[0] != "discovered":
        raise DiscoveryParseError(f"not a discoveryd answer ({len(parts)} fields)")
    length = parts[1].strip()
    sizes = {len(data), len(data.rstrip(b"\x00\r\n ;"))}
    if not (length.isascii() and length.isdigit() and len(length) <= 5 and int(length) in sizes):
        raise DiscoveryParseError("discoveryd length field disagrees with the datagram")
    pairs = [
        (field, clean_text(parts[index], cap))
        for index, field, cap in ((6, "hid.model", 64), (3, "hid.name", 64), (7, "hid.version", 32))
    ]
    return [(f, v) for f, v in pairs if v] + _mac(parts[2])


class _UdpProbe(Probe):
    udp: ClassVar[bool] = True
    request: ClassVar[bytes]

    @staticmethod
    def parse(data: bytes) -> list[tuple[str, str]]:
        raise NotImplementedError

    def payload(self) -> bytes:
        return self.request

    async def probe(self, ctx: ProbeContext, host: str, port: int) -> list[Observation]:
        reply = await ctx.dialer.datagram(host, port, self.payload(), UDP_WAIT)
        if reply is None:
            return []
        source = f"{self.name}:{port}"
        return [Observation(f"ip:{host}", f, v, source) for f, v in self.parse(reply)]


class SadpProbe(_UdpProbe):
    name: ClassVar[str] = "sadp"
    ports: ClassVar[frozenset[int]] = frozenset({37020})
    parse = staticmethod(parse_sadp)

    def payload(self) -> bytes:
        return sadp_request()


class DhipProbe(_UdpProbe):
    name: ClassVar[str] = "dhip"
    ports: ClassVar[frozenset[int]] = frozenset({37810})
    request: ClassVar[bytes] = dhip_request()
    parse = staticmethod(parse_dhip)


class HidProbe(_UdpProbe):
    name: ClassVar[str] = "hid"
    ports: ClassVar[frozenset[int]] = frozenset({4070})
    request: ClassVar[bytes] = HID_REQUEST
    parse = staticmethod(parse_hid)
