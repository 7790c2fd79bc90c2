"""SNMP system identity, only when the operator passes ``--snmp``: one SNMPv2c GetRequest for
sysDescr.0 (1.3.6.1.2.1.1.1.0) and sysObjectID.0 (1.3.6.1.2.1.1.2.0, RFC 3418: the vendor's
"authoritative identification of the network management subsystem", an OID under the maker's
IANA enterprise number, e.g. 1.3.6.1.4.1.39165… for Hikvision) with the community ``public``,
nothing else. An agent that lacks one answers ``noSuchObject`` for it (RFC 3416 §4.2.1) and
the other is still read.

``public`` is the read-only default of RFC 3416 agents; it is the one community ever used, it
is never varied (that would be credential guessing), and it is off by default. Encoding: BER
(X.690) as SNMPv2c messages (RFC 3416 §3, RFC 1905 PDU layout): SEQUENCE { version 1,
community, GetRequest-PDU [0] { request-id, error-status, error-index, varbinds } }. The
answer is parsed with bounded lengths; a malformed one is a ParseError.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from scanner.errors import ParseError
from scanner.models import Observation
from scanner.normalize import clean_text
from scanner.probes.base import Probe, ProbeContext

SYS_DESCR = bytes([0x2B, 6, 1, 2, 1, 1, 1, 0])  # 1.3.6.1.2.1.1.1.0
SYS_OBJECT_ID = bytes([0x2B, 6, 1, 2, 1, 1, 2, 0])  # 1.3.6.1.2.1.1.2.0
MAX_OID_BYTES = 128
OIDS = (SYS_DESCR, SYS_OBJECT_ID)
COMMUNITY = b"public"
UDP_WAIT = 1.5
PORT = 161  # RFC 3417 §4: agents listen on UDP 161


class SnmpParseError(ParseError):
    """An SNMP answer that does not parse."""


def _tlv(tag: int, value: bytes) -> bytes:
    n = len(value)
    length = (
        bytes([n])
        if n < 0x80
        else bytes([0x81, n])
        if n < 0x100
        else bytes([0x82, n >> 8, n & 0xFF])
    )
    return bytes([tag]) + length + value


def _int(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True))


def get_request(request_id: int) -> bytes:
    """GetRequest for sysDescr.0 and sysObjectID.0, values NULL (RFC 3416 §4.2.1)."""
    varbinds = b"".join(_tlv(0x30, _tlv(0x06, oid) + b"\x05\x00") for oid in OIDS)
    pdu = _tlv(0xA0, _int(request_id) + _int(0) + _int(0) + _tlv(0x30, varbinds))
    return _tlv(0x30, _int(1) + _tlv(0x04, COMMUNITY) + pdu)


def decode_oid(value: bytes) -> str:
    """BER OBJECT IDENTIFIER contents (X.690 §8.19) as dotted decimal."""
    if not value or len(value) > MAX_OID_BYTES or value[-1] & 0x80:
        raise SnmpParseError("bad OBJECT IDENTIFIER")
    arcs, current = [], 0
    for byte in value:
        current = (current << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(current)
            current = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in (first, arcs[0] - 40 * first, *arcs[1:]))


def _read(data: bytes, at: int) -> tuple[int, bytes, int]:
    """(tag, value, next offset) of the TLV at ``at``."""
    if at + 2 > len(data):
        raise SnmpParseError("truncated SNMP message")
    tag, first = data[at], data[at + 1]
    at += 2
    if first & 0x80:
        count = first & 0x7F
        if count == 0 or count > 2 or at + count > len(data):
            raise SnmpParseError("bad BER length")
        length = int.from_bytes(data[at : at + count], "big")
        at += count
    else:
        length = first
    if at + length > len(data):
        raise SnmpParseError("BER length runs past the message")
    return tag, data[at : at + length], at + length


def parse_answer(data: bytes, request_id: int) -> dict[str, str]:
    """``{field: value}`` of a GetResponse to :func:`get_request`: ``snmp.sys_descr`` (text),
    ``snmp.sys_object_id`` (dotted OID); a variable the agent does not have is left out."""
    rid, found = _response(data)
    if rid != request_id:
        raise SnmpParseError("answer to another request")
    return found


def response_values(data: bytes) -> dict[str, str]:
    """The system identity in any GetResponse seen on the wire (``listen``: a monitoring
    system's poll answered by a device), whatever request it answers: the same fields as
    :func:`parse_answer`, read from at most :data:`MAX_VARBINDS` variables."""
    return _response(data)[1]


MAX_VARBINDS = 16


def _response(data: bytes) -> tuple[int, dict[str, str]]:
    """(request id, identity fields) of a GetResponse PDU (RFC 3416 §3)."""
    tag, message, _ = _read(data, 0)
    if tag != 0x30:
        raise SnmpParseError("not an SNMP message")
    _, _version, at = _read(message, 0)
    _, _community, at = _read(message, at)
    tag, pdu, _ = _read(message, at)
    if tag != 0xA2:
        raise SnmpParseError("not a GetResponse")
    _, rid, at = _read(pdu, 0)
    request_id = int.from_bytes(rid, "big", signed=True)
    _, status, at = _read(pdu, at)
    _, _index, at = _read(pdu, at)
    if any(status):
        return request_id, {}
    _, varbinds, _ = _read(pdu, at)
    found: dict[str, str] = {}
    at = 0
    for _ in range(MAX_VARBINDS):
        if at >= len(varbinds):
            break
        _, varbind, at = _read(varbinds, at)
        _, oid, inner = _read(varbind, 0)
        tag, value, _ = _read(varbind, inner)
        if oid == SYS_DESCR and tag == 0x04:
            text = clean_text(value.decode("utf-8", errors="replace"))
            if text:
                found["snmp.sys_descr"] = text
        elif oid == SYS_OBJECT_ID and tag == 0x06:
            found["snmp.sys_object_id"] = decode_oid(value)
    return request_id, found


def parse_sys_descr(data: bytes, request_id: int) -> str | None:
    """The sysDescr of an answer, or None."""
    return parse_answer(data, request_id).get("snmp.sys_descr")


class SnmpProbe(Probe):
    name: ClassVar[str] = "snmp"
    ports: ClassVar[frozenset[int]] = frozenset({161})
    udp: ClassVar[bool] = True
    opt_in: ClassVar[bool] = True  # runs only with --snmp

    async def probe(self, ctx: ProbeContext, host: str, port: int) -> list[Observation]:
        request_id = secrets.randbelow(1 << 30)
        reply = await ctx.dialer.datagram(host, port, get_request(request_id), UDP_WAIT)
        if reply is None:
            return []
        found = parse_answer(reply, request_id)
        return [Observation(f"ip:{host}", f, v, f"snmp:{port}") for f, v in found.items()]
