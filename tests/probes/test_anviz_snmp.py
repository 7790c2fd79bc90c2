"""Anviz (TCP 5010) and SNMP sysDescr (opt-in) probes: bytes and loopback peers."""

from __future__ import annotations

import asyncio
import struct

import pytest

from scanner.errors import ParseError
from scanner.models import Observation
from scanner.probes import DEFAULT_PROBES
from scanner.probes.anviz import GET_DEVICE_TYPE, AnvizProbe, build, crc16, parse
from scanner.probes.base import ProbeContext
from scanner.probes.net import Connector
from scanner.probes.snmp import (
    SYS_DESCR,
    SYS_OBJECT_ID,
    SnmpProbe,
    _int,
    _tlv,
    get_request,
    parse_answer,
    parse_sys_descr,
)
from scanner.scope import build_scope
from tests.probes.loopback import Peer, peers


def test_crc16_matches_the_sdk_table() -> None:
    # The SDK's table starts 0x0000, 0x1189, 0x2312: entry i is the CRC step of byte i.
    def step(i: int) -> int:
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
        return crc

    assert [step(i) for i in range(3)] == [0x0000, 0x1189, 0x2312]
    assert crc16(b"123456789") == 0x6F91  # CRC-16/MCRF4XX check value


def test_request_frame_layout() -> None:
    frame = build(GET_DEVICE_TYPE)
    assert frame[:8] == bytes([0xA5, 0, 0, 0, 0, 0x48, 0, 0])
    assert struct.unpack("<H", frame[8:10])[0] == crc16(frame[:8])


def anviz_answer(code: bytes, ret: int = 0) -> bytes:
    body = struct.pack(">BIBBH", 0xA5, 1, GET_DEVICE_TYPE + 0x80, ret, len(code)) + code
    return body + struct.pack("<H", crc16(body))


def test_parse_answer_and_reject_bad_crc() -> None:
    assert parse(anviz_answer(b"FACE7")) == (0xC8, 0, b"FACE7")
    bad = bytearray(anviz_answer(b"FACE7"))
    bad[-1] ^= 0xFF
    with pytest.raises(ParseError, match="CRC"):
        parse(bytes(bad))


def test_anviz_probe_reads_the_device_type() -> None:
    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _peer: Peer
    ) -> None:
        await reader.readexactly(10)
        writer.write(anviz_answer(b"FACE7\x00"))
        await writer.drain()

    async def main() -> tuple[list[Observation], Peer]:
        async with peers(("127.0.50.1", 5010, handle)) as (peer,):
            scope = build_scope(["127.0.50.1"])
            return await AnvizProbe().probe(
                ProbeContext(scope, Connector(scope)), "127.0.50.1", 5010
            ), peer

    obs, peer = asyncio.run(main())
    assert {(o.field, o.value) for o in obs} == {
        ("tcp.service", "anviz"),
        ("anviz.device_type", "FACE7"),
    }
    assert peer.all_received == build(GET_DEVICE_TYPE)


#: Hikvision's enterprise arc (IANA PEN 39165) and a product below it, BER-encoded.
HIK_OID = bytes([0x2B, 6, 1, 4, 1, 0x82, 0xB1, 0x7D, 1, 1])


def snmp_answer(request_id: int, text: bytes, object_id: bytes | None = None) -> bytes:
    """A GetResponse; without ``object_id`` sysObjectID.0 is ``noSuchObject`` (0x80)."""
    second = _tlv(0x06, object_id) if object_id is not None else b"\x80\x00"
    varbinds = _tlv(0x30, _tlv(0x06, SYS_DESCR) + _tlv(0x04, text))
    varbinds += _tlv(0x30, _tlv(0x06, SYS_OBJECT_ID) + second)
    pdu = _tlv(0xA2, _int(request_id) + _int(0) + _int(0) + _tlv(0x30, varbinds))
    return _tlv(0x30, _int(1) + _tlv(0x04, b"public") + pdu)


def test_snmp_request_asks_sys_descr_and_sys_object_id_with_public() -> None:
    req = get_request(7)
    assert b"public" in req and SYS_DESCR in req and SYS_OBJECT_ID in req
    assert req.count(b"\x06\x08") == 2  # two OIDs in the one request


def test_snmp_sys_object_id_is_dotted_and_a_missing_one_is_left_out() -> None:
    both = parse_answer(snmp_answer(7, b"DS-2CD2143G2-I", HIK_OID), 7)
    assert both == {
        "snmp.sys_descr": "DS-2CD2143G2-I",
        "snmp.sys_object_id": "1.3.6.1.4.1.39165.1.1",
    }
    assert parse_answer(snmp_answer(7, b"Linux"), 7) == {"snmp.sys_descr": "Linux"}
    with pytest.raises(ParseError):
        parse_answer(snmp_answer(7, b"x", b"\x2b\x86"), 7)  # an arc cut short


def test_snmp_parse_and_hostile_lengths() -> None:
    assert (
        parse_sys_descr(snmp_answer(7, b"Canon Network Camera VB-C60"), 7)
        == "Canon Network Camera VB-C60"
    )
    for bad in (b"\x30\x84\xff\xff\xff\xff", b"\x30", snmp_answer(7, b"x")[:-3], b"\x04\x01x"):
        with pytest.raises(ParseError):
            parse_sys_descr(bad, 7)
    with pytest.raises(ParseError, match="another request"):
        parse_sys_descr(snmp_answer(8, b"x"), 7)


def test_snmp_is_opt_in() -> None:
    assert "snmp" not in DEFAULT_PROBES


class _Agent(asyncio.DatagramProtocol):
    def __init__(self, log: list[bytes]) -> None:
        self.log = log

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.log.append(data)
        rid = int.from_bytes(
            data[data.index(b"\xa0") + 4 : data.index(b"\xa0") + 4 + data[data.index(b"\xa0") + 3]],
            "big",
        )
        reply = snmp_answer(rid, b"Linux camera 4.9", HIK_OID)
        self.transport.sendto(reply, addr)  # type: ignore[attr-defined]


def test_snmp_probe_against_a_loopback_agent() -> None:
    log: list[bytes] = []

    async def main() -> list[Observation]:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Agent(log), local_addr=("127.0.51.1", 161)
        )
        try:
            scope = build_scope(["127.0.51.1"])
            return await SnmpProbe().probe(ProbeContext(scope, Connector(scope)), "127.0.51.1", 161)
        finally:
            transport.close()

    obs = asyncio.run(main())
    assert [(o.field, o.value) for o in obs] == [
        ("snmp.sys_descr", "Linux camera 4.9"),
        ("snmp.sys_object_id", "1.3.6.1.4.1.39165.1.1"),
    ]
    assert len(log) == 1
