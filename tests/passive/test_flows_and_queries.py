"""Passive TCP reassembly (HTTP titles, UPnP/ONVIF documents, greetings) and DNS queries:
what is kept, and the bounds that keep a hostile or busy capture from costing memory or
privacy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("scapy", reason="scapy is needed to build captures")
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.utils import wrpcap

from scanner.passive import dns, read_capture, tcpflow
from scanner.passive.extract import Extractor
from tests.passive import captures

CAM, CLIENT = "192.168.1.50", "192.168.1.9"


def got(frames: list[Any], tmp_path: Path) -> set[tuple[str, str, str]]:
    path = tmp_path / "c.pcap"
    wrpcap(str(path), frames)
    return {(o.subject, o.field, o.value) for o in read_capture(path).observations()}


def segment(src: str, sport: int, dst: str, dport: int, seq: int, data: bytes, flags: str = "PA"):  # type: ignore[no-untyped-def]
    return (
        Ether()
        / IP(src=src, dst=dst)
        / TCP(sport=sport, dport=dport, seq=seq, flags=flags)
        / Raw(data)
    )


def test_a_page_title_and_a_chunked_response_are_read(tmp_path: Path) -> None:
    html = b"<html><head><title>DS-7608NI-K2 Web</title></head></html>"
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(html), html)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
    frames = [
        segment(CAM, 80, CLIENT, 40000, 1, head + chunked[:20]),
        segment(CAM, 80, CLIENT, 40000, 1 + len(head) + 20, chunked[20:]),
    ]
    assert (f"ip:{CAM}", "http.title", "DS-7608NI-K2 Web") in got(frames, tmp_path)


def test_onvif_device_information_in_a_capture_is_read(tmp_path: Path) -> None:
    body = (
        b'<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
        b'<s:Body><tds:GetDeviceInformationResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl">'
        b"<tds:Manufacturer>Dahua</tds:Manufacturer><tds:Model>IPC-HFW2431S-S-S2</tds:Model>"
        b"<tds:SerialNumber>6J0A1B2PAZ</tds:SerialNumber></tds:GetDeviceInformationResponse>"
        b"</s:Body></s:Envelope>"
    )
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: %d\r\n\r\n"
    found = got([segment(CAM, 80, CLIENT, 40001, 9, head % len(body) + body)], tmp_path)
    assert (f"ip:{CAM}", "onvif.model", "IPC-HFW2431S-S-S2") in found
    assert (f"ip:{CAM}", "onvif.serial", "6J0A1B2PAZ") in found


def test_a_gap_ends_a_flow_and_a_web_site_on_the_internet_is_not_followed(tmp_path: Path) -> None:
    page = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><title>"
    frames = [
        segment(CAM, 80, CLIENT, 40002, 1, page),
        segment(CAM, 80, CLIENT, 40002, 1 + len(page) + 50, b"Lost</title>"),  # a gap
        segment("93.184.216.34", 80, CLIENT, 40003, 1, page + b"Example</title>"),
    ]
    found = got(frames, tmp_path)
    assert not any(f == "http.title" for _s, f, _v in found)
    assert ("ip:93.184.216.34", "http.server") not in {(s, f) for s, f, _v in found}


def test_telnet_greeting_stops_where_the_client_types_and_mid_session_data_is_ignored(
    tmp_path: Path,
) -> None:
    other = "192.168.1.51"
    frames = [
        segment(CAM, 23, CLIENT, 40010, 500, b"", flags="SA"),
        segment(CAM, 23, CLIENT, 40010, 501, b"\xff\xfb\x01\xff\xfb\x03"),
        segment(CLIENT, 40010, CAM, 23, 77, b"\xff\xfd\x01\xff\xfd\x03"),  # negotiation only
        segment(CAM, 23, CLIENT, 40010, 507, b"\r\nHC2 login: "),
        segment(CLIENT, 40010, CAM, 23, 83, b"zhangsan\r\n"),  # the user types
        segment(CAM, 23, CLIENT, 40010, 519, b"zhangsan\r\nPassword: "),
        # a session already running when the capture began: no SYN-ACK, never a greeting
        segment(other, 23, CLIENT, 40011, 9000, b"# cat /etc/shadow\r\nroot:x:0:0"),
        segment(other, 21, CLIENT, 40012, 1, b"", flags="SA"),
        segment(other, 21, CLIENT, 40012, 2, b"220 (vsFTPd 3.0.3)\r\n230 more\r\n"),
    ]
    found = got(frames, tmp_path)
    banners = {(s, f, v) for s, f, v in found if f.endswith(".banner")}
    assert banners == {
        (f"ip:{CAM}", "telnet.banner", "HC2 login:"),
        (f"ip:{other}", "ftp.banner", "220 (vsFTPd 3.0.3)"),
    }


def test_flows_are_bounded_in_number_and_size() -> None:
    seen: list[Any] = []
    flows = tcpflow.Flows("t", seen.extend, lambda _k, _m: None)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
    for n in range(tcpflow.MAX_FLOWS * 3):
        flows.feed(CAM, 80, CLIENT, 20000 + n, (1, 0x18, head + b"<title>"))
    assert len(flows._flows) == tcpflow.MAX_FLOWS
    big = head + b"<title>x" + b"y" * (tcpflow.MAX_FLOW_BYTES * 2)
    flows.feed(CAM, 81, CLIENT, 1, (1, 0x18, big))
    assert (CAM, 81, CLIENT, 1) not in flows._flows  # read at the cap, not kept growing


def test_dns_queries_are_kept_per_device_and_a_resolver_is_left_out(tmp_path: Path) -> None:
    resolver = "192.168.1.2"
    many = [
        captures.dns_query(resolver, f"site{n}.example.com", n, "02:00:00:00:02:02")
        for n in range(dns.MAX_NAMES + 1)
    ]
    reverse = captures.dns_query(
        "192.168.1.60", "1.1.168.192.in-addr.arpa", 99, "02:00:00:00:60:01"
    )
    answer = (
        Ether()
        / IP(src="192.168.1.1", dst="192.168.1.60")
        / UDP(sport=53, dport=40001)
        / Raw(
            b"\x00\x01\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00\x07evil-cn\x03com\x00\x00\x01\x00\x01"
        )
    )
    found = got([*captures.ezviz_dns(), *many, reverse, answer], tmp_path)
    queries = {(s, v) for s, f, v in found if f == "dns.query"}
    assert queries == {
        ("ip:192.168.1.60", "time.ys7.com"),
        ("ip:192.168.1.60", "litedev.ezvizlife.com"),
    }


def test_hostile_dns_queries_are_counted_not_raised() -> None:
    extractor = Extractor()
    one_question = b"\x00\x01\x01\x00\x00\x01" + bytes(6)
    for payload in (b"\x00", one_question + b"\xc0\x0c", one_question + b"\x40" + b"a" * 64):
        pkt = Ether() / IP(src=CAM, dst="192.168.1.1") / UDP(sport=5000, dport=53) / Raw(payload)
        extractor.feed(pkt)
    assert extractor.drops.counts["dns"] == 3
    # the frames still name their sender (frame-level evidence); no query is kept
    assert [o for o in extractor.observations() if o.source != "passive:frame"] == []


def test_listen_notes_how_many_sources_were_left_out_as_resolvers(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from scanner.cli.app import app

    frames = [
        captures.dns_query("192.168.1.2", f"site{n}.example.com", n, "02:00:00:00:02:02")
        for n in range(dns.MAX_NAMES + 1)
    ]
    path = tmp_path / "r.pcap"
    wrpcap(str(path), [*frames, *captures.ezviz_dns()])
    result = CliRunner().invoke(app, ["listen", "--pcap", str(path), "--json"])
    assert result.exit_code == 1, result.output
    notes = json.loads(result.stdout)["notes"]
    assert any("DNS queries of 1 sources left out" in n for n in notes)
    assert "site1.example.com" not in result.stdout
