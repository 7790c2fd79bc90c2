"""Unicast vendor discovery (SADP, DHIP, HID discoveryd): parsers on bytes, probes on loopback."""

from __future__ import annotations

import asyncio
import json
import struct
from collections.abc import Awaitable
from typing import Any

import pytest

from scanner import scan
from scanner.errors import ParseError
from scanner.identify import identify
from scanner.models import Observation
from scanner.probes import DEFAULT_PROBES, udp_probes
from scanner.probes.base import ProbeContext
from scanner.probes.net import Connector
from scanner.probes.source import SourceResult
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
from scanner.scope import Limits, build_scope
from tests.probes.loopback import Peer, drain, peers
from tests.probes.sweeping import collect_into

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


def hid_answer(*fields: str | bytes, adjust: int = 0) -> bytes:
    """A discoveryd answer whose length field is the answer's own length (+ ``adjust``)."""
    rest = b"".join(b";" + (f if isinstance(f, bytes) else f.encode()) for f in fields)
    return b"discovered;%03d" % (len(b"discovered;000") + len(rest) + adjust) + rest


HID_FIELDS = ("00:06:8E:01:02:03", "EdgeEH400-001", "10.0.0.60", "1", "EH400", "3.5.1.1483")
HID_ANSWER = hid_answer(*HID_FIELDS, "07/02/2015")


def test_parse_hid_reads_model_name_version_and_mac() -> None:
    assert parse_hid(HID_ANSWER) == [
        ("hid.model", "EH400"),
        ("hid.name", "EdgeEH400-001"),
        ("hid.version", "3.5.1.1483"),
        ("mac.address", "00:06:8e:01:02:03"),
    ]
    assert parse_hid(HID_ANSWER + b";") == parse_hid(HID_ANSWER)  # msf drops a trailing ";"
    assert parse_hid(HID_ANSWER + b"\x00") == parse_hid(HID_ANSWER)


def test_parse_hid_cleans_and_caps_untrusted_text() -> None:
    hostile = hid_answer(
        "not-a-mac", "\x1b[2J\u202evertx\x07" + "n" * 500, "10.0.0.60", "1",
        b"V2000\x00\xff", "x" * 100, "date",
    )  # fmt: skip
    got = dict(parse_hid(hostile))
    assert got["hid.model"] == "V2000\ufffd"  # invalid UTF-8 replaced, NUL removed
    assert got["hid.name"] == ("[2Jvertx" + "n" * 500)[:64]
    assert got["hid.version"] == "x" * 32
    assert "mac.address" not in got


@pytest.mark.parametrize(
    "data",
    [
        hid_answer(*HID_FIELDS, "07/02/2015", "extra"),  # too many fields
        hid_answer(*HID_FIELDS),  # too few
        hid_answer(*HID_FIELDS, "07/02/2015", adjust=1),  # length disagrees
        HID_ANSWER.replace(b"discovered;", b"discovered;99999999999999999999", 1),
        HID_ANSWER.replace(b"discovered;", b"discovered;-", 1),
        b"discovered;" + b";" * 5000,
        b"discover;013;",  # our own probe echoed back
        "discovered;٠٩٠;a;b;c;1;d;e;f".encode(),  # non-ASCII digits are no length
    ],
    ids=[
        "too-many",
        "too-few",
        "length",
        "huge-length",
        "negative",
        "semicolons",
        "echo",
        "digits",
    ],
)
def test_hostile_hid_answers_are_parse_errors(data: bytes) -> None:
    with pytest.raises(ParseError):
        parse_hid(data)


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
        (HidProbe(), 4070, HID_ANSWER, "hid.model"),
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


def _discoveryd(host: str, answer: bytes, log: list[bytes]) -> Awaitable[Any]:
    loop = asyncio.get_running_loop()
    return loop.create_datagram_endpoint(lambda: _Udp(answer, log), local_addr=(host, 4070))


def test_hid_probe_sends_only_the_discover_message_once() -> None:
    host, log = "127.204.70.1", []

    async def main() -> list[Observation]:
        transport, _ = await _discoveryd(host, HID_ANSWER, log)
        try:
            scope = build_scope([host])
            return await HidProbe().probe(ProbeContext(scope, Connector(scope)), host, 4070)
        finally:
            transport.close()

    obs = asyncio.run(main())
    assert log == [b"discover;013;"]
    assert {(o.field, o.value) for o in obs} >= {("hid.name", "EdgeEH400-001")}


def test_a_swept_discoveryd_answer_identifies_an_hid_access_panel() -> None:
    """The whole path: the sweep asks UDP 4070, identify names the controller and its model."""
    host, log = "127.204.70.2", []

    async def main() -> SourceResult:
        transport, _ = await _discoveryd(host, HID_ANSWER, log)
        try:
            scope = build_scope([host], limits=Limits(request_deadline=1.0, connect_timeout=0.5))
            res = SourceResult()
            opts = scan.SweepOptions(ports=(80,), probes=frozenset({"hid"}))
            await collect_into(res, scope, Connector(scope), opts)
            return res
        finally:
            transport.close()

    (device,) = identify(asyncio.run(main()).observations)
    best = device.identifications[0]
    assert (best.signature_id, best.vendor, best.device_class.value) == (
        "hid.discoveryd-controller",
        "HID Global",
        "access_control",
    )
    assert dict(best.attributes) == {"model": "EH400", "firmware": "3.5.1.1483"}
    assert "00:06:8e:01:02:03" in device.macs
    assert log == [b"discover;013;"]


def test_suprema_is_reported_by_its_port_and_sent_no_byte() -> None:
    """No public packet layout exists for the BioStar 2 device protocol (vendor_udp's
    docstring): TCP 51211 is connect-checked and reported, UDP 51210 is never asked."""
    host = "127.204.71.1"
    assert 51210 not in {port for _, port in udp_probes(DEFAULT_PROBES)}

    async def main() -> tuple[SourceResult, Peer]:
        async with peers((host, 51211, drain)) as (terminal,):
            scope = build_scope([host], limits=Limits(request_deadline=1.0, connect_timeout=0.5))
            res = SourceResult()
            opts = scan.SweepOptions(ports=(51211,), probes=DEFAULT_PROBES)
            await collect_into(res, scope, Connector(scope), opts)
            return res, terminal

    res, terminal = asyncio.run(main())
    assert terminal.connections >= 1 and terminal.all_received == b""
    ports = {o.value for o in res.observations if o.field == "tcp.open_port"}
    assert ports == {"51211"}
