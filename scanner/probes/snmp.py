"""SNMP sysDescr, only when the operator passes ``--snmp``: one SNMPv2c GetRequest for
sysDescr.0 (1.3.6.1.2.1.1.1.0) with the community ``public``, nothing else.

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
COMMUNITY = b"public"
UDP_WAIT = 1.5


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
    varbind = _tlv(0x30, _tlv(0x06, SYS_DESCR) + b"\x05\x00")
    pdu = _tlv(0xA0, _int(request_id) + _int(0) + _int(0) + _tlv(0x30, varbind))
    return _tlv(0x30, _int(1) + _tlv(0x04, COMMUNITY) + pdu)


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


def parse_sys_descr(data: bytes, request_id: int) -> str | None:
    tag, message, _ = _read(data, 0)
    if tag != 0x30:
        raise SnmpParseError("not an SNMP message")
    _, _version, at = _read(message, 0)
    _, _community, at = _read(message, at)
    tag, pdu, _ = _read(message, at)
    if tag != 0xA2:
        raise SnmpParseError("not a GetResponse")
    _, rid, at = _read(pdu, 0)
    if int.from_bytes(rid, "big", signed=True) != request_id:
        raise SnmpParseError("answer to another request")
    _, status, at = _read(pdu, at)
    _, _index, at = _read(pdu, at)
    if any(status):
        return None
    _, varbinds, _ = _read(pdu, at)
    _, varbind, _ = _read(varbinds, 0)
    _, oid, at = _read(varbind, 0)
    tag, value, _ = _read(varbind, at)
    if oid != SYS_DESCR or tag != 0x04:
        return None
    return clean_text(value.decode("utf-8", errors="replace")) or None


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
        text = parse_sys_descr(reply, request_id)
        return [Observation(f"ip:{host}", "snmp.sys_descr", text, f"snmp:{port}")] if text else []
