"""Glue for :mod:`real_artefacts`: recorded values → the bytes a device sends → biosweep's parsers.

Nothing here decides what a device is: it rebuilds the wire form of a recorded answer (an SNMP
GetResponse, an ONVIF SOAP body, a WS-Discovery ProbeMatch, an SSDP message, an mDNS response,
Ethernet frames) and hands it to the same parser the sweep or ``listen`` uses.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from scanner.models import Observation
from scanner.normalize import normalize
from scanner.probes import onvif, snmp
from scanner.probes.multicast import mdns, ssdp, wsd
from scanner.probes.snmp import _tlv  # the probe's own BER encoder
from scanner.probes.xmlsafe import parse_xml

MAX_XML = 512 * 1024
SNMP_REQUEST_ID = 4242


# --- SNMP -----------------------------------------------------------------------------------


def _oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.strip(".").split(".")]
    out = bytearray([40 * parts[0] + parts[1]])
    for part in parts[2:]:
        chunk, rest = [part & 0x7F], part >> 7
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def snmp_response(sys_descr: str | None, sys_object_id: str | None) -> bytes:
    """A SNMPv2c GetResponse to the probe's request: values absent in the record are
    ``noSuchObject`` (RFC 3416 §4.2.1), as an agent without them answers."""
    binds = b""
    for oid, value in ((snmp.SYS_DESCR, sys_descr), (snmp.SYS_OBJECT_ID, sys_object_id)):
        if value is None:
            encoded = b"\x80\x00"
        elif oid == snmp.SYS_DESCR:
            encoded = _tlv(0x04, value.encode("utf-8"))
        else:
            encoded = _tlv(0x06, _oid(value))
        binds += _tlv(0x30, _tlv(0x06, oid) + encoded)
    rid = _tlv(0x02, SNMP_REQUEST_ID.to_bytes(2, "big"))
    pdu = _tlv(0xA2, rid + _tlv(0x02, b"\0") + _tlv(0x02, b"\0") + _tlv(0x30, binds))
    return _tlv(0x30, _tlv(0x02, b"\x01") + _tlv(0x04, b"public") + pdu)


# --- SOAP / XML -----------------------------------------------------------------------------

_ONVIF_TAGS = ("Manufacturer", "Model", "FirmwareVersion", "SerialNumber", "HardwareId")


def onvif_xml(data: dict[str, Any]) -> bytes:
    if "xml" in data:
        return str(data["xml"]).encode()
    keys = {"Manufacturer": "manufacturer", "Model": "model", "FirmwareVersion": "firmware",
            "SerialNumber": "serial", "HardwareId": "hardware_id"}  # fmt: skip
    inner = "".join(
        f"<tds:{t}>{escape(str(data[keys[t]]))}</tds:{t}>" for t in _ONVIF_TAGS if keys[t] in data
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><s:Envelope '
        'xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><s:Body>'
        f"<tds:GetDeviceInformationResponse>{inner}</tds:GetDeviceInformationResponse>"
        "</s:Body></s:Envelope>"
    ).encode()


def wsd_xml(data: dict[str, Any]) -> bytes:
    if "xml" in data:
        return str(data["xml"]).encode()
    endpoint = data.get("endpoint", "urn:uuid:00000000-0000-0000-0000-000000000000")
    return (
        '<?xml version="1.0" encoding="UTF-8"?><s:Envelope '
        'xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
        'xmlns:dn="http://www.onvif.org/ver10/network/wsdl" '
        'xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><s:Body><d:ProbeMatches><d:ProbeMatch>'
        f"<a:EndpointReference><a:Address>{escape(endpoint)}</a:Address></a:EndpointReference>"
        f"<d:Types>{escape(data.get('types', 'dn:NetworkVideoTransmitter'))}</d:Types>"
        f"<d:Scopes>{escape(data.get('scopes', ''))}</d:Scopes>"
        f"<d:XAddrs>{escape(data.get('xaddrs', ''))}</d:XAddrs>"
        "</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>"
    ).encode()


def upnp_xml(data: dict[str, Any]) -> bytes:
    if "xml" in data:
        return str(data["xml"]).encode()
    fields = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in data["device"].items())
    return (
        '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion>'
        f"<major>1</major><minor>0</minor></specVersion><device>{fields}</device></root>"
    ).encode()


def ssdp_bytes(data: dict[str, Any]) -> bytes:
    start = data.get("start", "HTTP/1.1 200 OK")
    head = "".join(f"{k}: {v}\r\n" for k, v in data["headers"].items())
    return f"{start}\r\n{head}\r\n".encode("latin-1")


# --- mDNS -----------------------------------------------------------------------------------


def _name(text: str) -> bytes:
    labels = [p.encode() for p in text.rstrip(".").split(".")]
    return b"".join(bytes([len(p)]) + p for p in labels) + b"\0"


def _rr(owner: str, rtype: int, rdata: bytes, flush: bool = True) -> bytes:
    klass = 0x8001 if flush else 1
    return _name(owner) + struct.pack("!HHIH", rtype, klass, 120, len(rdata)) + rdata


def mdns_response(services: list[dict[str, Any]], ip: str) -> bytes:
    """One unsolicited mDNS response (RFC 6762 §8.3) with PTR, SRV, TXT and A records of each
    recorded service instance."""
    answers: list[bytes] = []
    for s in services:
        stype = s["type"].rstrip(".") + (".local" if not s["type"].endswith("local") else "")
        full = f"{s['instance']}.{stype}"
        host = s.get("host", "device.local")
        answers.append(_rr(stype, 12, _name(full), flush=False))
        answers.append(_rr(full, 33, struct.pack("!HHH", 0, 0, s.get("port", 80)) + _name(host)))
        txt = b"".join(
            bytes([len(item)]) + item
            for item in (f"{k}={v}".encode() for k, v in s.get("txt", {}).items())
        )
        answers.append(_rr(full, 16, txt or b"\0"))
        answers.append(_rr(host, 1, bytes(int(x) for x in ip.split("."))))
    header = struct.pack("!6H", 0, 0x8400, 0, len(answers), 0, 0)
    return header + b"".join(answers)


# --- one part → observations ----------------------------------------------------------------


def _snmp(data: dict[str, Any], ip: str) -> list[Observation]:
    raw = snmp_response(data.get("sys_descr"), data.get("sys_object_id"))
    found = snmp.parse_answer(raw, SNMP_REQUEST_ID)
    return [Observation(f"ip:{ip}", f, v, "snmp:161") for f, v in found.items()]


def _onvif(data: dict[str, Any], ip: str) -> list[Observation]:
    pairs = onvif.device_information(parse_xml(onvif_xml(data), MAX_XML))
    base = [Observation(f"ip:{ip}", "tcp.service", "onvif", "onvif:80")]
    return base + [Observation(f"ip:{ip}", f, v, "onvif:80") for f, v in pairs]


def _wsd(data: dict[str, Any], ip: str) -> list[Observation]:
    out = []
    for m in wsd.parse_wsd(wsd_xml(data)):
        out += wsd.match_observations(f"ip:{ip}", ip, m, "wsd")
    return out


def _ssdp(data: dict[str, Any], ip: str) -> list[Observation]:
    msg = ssdp.parse_ssdp(ssdp_bytes(data))
    subject = f"ip:{ip}"
    return [Observation(subject, "ip.address", ip, "ssdp"),
            *ssdp.message_observations(subject, msg, "ssdp")]  # fmt: skip


def _upnp(data: dict[str, Any], ip: str) -> list[Observation]:
    pairs = ssdp.parse_description(upnp_xml(data), MAX_XML)
    return [Observation(f"ip:{ip}", f, v, "upnp:80") for f, v in pairs]


def _mdns(data: dict[str, Any], ip: str) -> list[Observation]:
    return mdns.responder_observations(ip, mdns.decode(mdns_response(data["services"], ip)), "mdns")


def _observe(data: dict[str, Any], ip: str) -> list[Observation]:
    return [
        Observation(f"ip:{ip}", o["field"], normalize(o["field"], str(o["value"])), "record")
        for o in data["observations"]
    ]


PARTS = {"snmp": _snmp, "onvif": _onvif, "wsd": _wsd, "ssdp": _ssdp, "upnp": _upnp,
         "mdns": _mdns, "observe": _observe}  # fmt: skip


def part_observations(part: dict[str, Any], ip: str) -> list[Observation]:
    """Observations the sweep's parsers make of one recorded answer of the device at ``ip``."""
    return PARTS[part["kind"]](part["data"], ip)


# --- captures -------------------------------------------------------------------------------


def write_capture(frames: list[dict[str, Any]], path: Path) -> None:
    """Rebuild the recorded frames (see tests/data/real/README.md) and write a pcap."""
    from real_frames import build_frame  # the frame builders (scapy), beside this file
    from scapy.utils import wrpcap

    wrpcap(str(path), [build_frame(f) for f in frames])
