"""Unicast vendor discovery (SADP, DHIP, HID discoveryd): parsers on bytes, probes on loopback."""

from __future__ import annotations

import asyncio
import json
import struct

import pytest

from scanner.errors import ParseError
from scanner.models import Observation
from scanner.probes.base import ProbeContext
from scanner.probes.net import Connector
from scanner.probes.vendor_udp import (
    DhipProbe,
    HidProbe,
    SadpProbe,
    dhip_request,
    parse_dhip,
    parse_hid,
    parse_sadp,
    sadp_request,
)
from scanner.scope import build_scope

SADP_MATCH = (
    b'<?xml version="1.0" encoding="UTF-8"?><ProbeMatch><Uuid>X</Uuid><Types>inquiry</Types>'
    b"<DeviceType>139</DeviceType><DeviceDescription>DS-K1T671MF</DeviceDescription>"
    b"<DeviceSN>DS-K1T671MF20220101V010200ENJ12345678</DeviceSN><MAC>44-19-b6-12-34-56</MAC>"
    b"<IPv4Address>10.0.0.31</IPv4Address></ProbeMatch>"
)


def dhip_frame(doc: object) -> bytes:
    body = json.dumps(doc).encode()
    return (
        struct.pack("<I", 0x20)
        + b"DHIP"
        + bytes(8)
        + struct.pack("<I4xI4x", len(body), len(body))
        + body
    )


DHIP_ANSWER = dhip_frame(
    {
        "mac": "38:af:29:00:10:23",
        "method": "client.notifyDevInfo",
        "params": {
            "deviceInfo": {
                "DeviceType": "IPC-HDW2431T-AS-S2",
                "SerialNo": "6J0A1B2C3D4E5F6",
                "mac": "38:af:29:00:10:23",
            }
        },
    }
)


def test_sadp_request_is_the_documented_inquiry() -> None:
    req = sadp_request("ABC")
    assert (
        req
        == b'<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>ABC</Uuid><Types>inquiry</Types></Probe>'
    )


def test_parse_sadp_reads_model_serial_and_mac() -> None:
    assert parse_sadp(SADP_MATCH) == [
        ("sadp.device_description", "DS-K1T671MF"),
        ("sadp.device_type", "139"),
        ("sadp.serial", "DS-K1T671MF20220101V010200ENJ12345678"),
        ("mac.address", "44:19:b6:12:34:56"),
    ]


def test_dhip_request_header_matches_the_published_layout() -> None:
    req = dhip_request()
    size, magic = struct.unpack("<I4s", req[:8])
    len1, len2 = struct.unpack("<I4xI4x", req[16:32])
    assert (size, magic, req[8:16]) == (0x20, b"DHIP", bytes(8))
    assert len1 == len2 == len(req) - 32
    assert json.loads(req[32:])["method"] == "DHDiscover.search"


def test_parse_dhip_reads_device_type_serial_and_mac() -> None:
    assert parse_dhip(DHIP_ANSWER) == [
        ("dhip.device_type", "IPC-HDW2431T-AS-S2"),
        ("dhip.serial", "6J0A1B2C3D4E5F6"),
        ("mac.address", "38:af:29:00:10:23"),
    ]


def test_parse_hid_reads_model_and_mac() -> None:
    answer = b"discovered;090;00:06:8E:01:02:03;VertX;10.0.0.60;1;V1000;2.2.7.568;05/30/2014;"
    assert parse_hid(answer) == [("hid.model", "V1000"), ("mac.address", "00:06:8e:01:02:03")]


@pytest.mark.parametrize(
    ("parser", "data"),
    [
        (parse_sadp, b"<ProbeMatch"),
        (
            parse_sadp,
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><ProbeMatch>&a;</ProbeMatch>',
        ),
        (parse_sadp, b"<Other/>"),
        (parse_dhip, b"DHIP"),
        (parse_dhip, dhip_frame({"method": "x"})[:-3]),
        (parse_dhip, struct.pack("<I", 0x20) + b"DHIP" + bytes(24) + b"junk"),
        (parse_hid, b"hello"),
    ],
)
def test_malformed_answers_are_parse_errors(parser, data: bytes) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParseError):
        parser(data)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, answer: bytes, log: list[bytes]) -> None:
        self.answer, self.log = answer, log

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.log.append(data)
        self.transport.sendto(self.answer, addr)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("probe", "port", "answer", "field"),
    [
        (SadpProbe(), 37020, SADP_MATCH, "sadp.device_description"),
        (DhipProbe(), 37810, DHIP_ANSWER, "dhip.device_type"),
        (
            HidProbe(),
            4070,
            b"discovered;090;00:06:8E:01:02:03;VertX;10.0.0.60;1;V1000;2.2;x;",
            "hid.model",
        ),
    ],
)
def test_udp_probe_against_a_loopback_responder(
    probe, port: int, answer: bytes, field: str
) -> None:  # type: ignore[no-untyped-def]
    host = "127.0.37.1"
    log: list[bytes] = []

    async def main() -> list[Observation]:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Udp(answer, log), local_addr=(host, port)
        )
        try:
            scope = build_scope([host])
            return await probe.probe(ProbeContext(scope, Connector(scope)), host, port)
        finally:
            transport.close()

    obs = asyncio.run(main())
    assert field in {o.field for o in obs}
    assert len(log) == 1  # one question, no retries once answered


def test_udp_probe_to_a_closed_port_returns_nothing_quickly() -> None:
    scope = build_scope(["127.0.37.2"])
    obs = asyncio.run(SadpProbe().probe(ProbeContext(scope, Connector(scope)), "127.0.37.2", 37020))
    assert obs == []
