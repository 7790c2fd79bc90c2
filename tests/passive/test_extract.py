"""Passive extraction from captures built in memory with scapy and written as pcap/pcapng:
ARP, DHCP, mDNS, SSDP, LLDP, CDP, HTTP headers, Wi-Fi headers; garbage survives."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("scapy", reason="scapy is needed to build and read captures")

from scapy.contrib.cdp import CDPMsgDeviceID, CDPMsgPlatform, CDPMsgSoftwareVersion, CDPv2_HDR
from scapy.contrib.lldp import (
    LLDPDU,
    LLDPDUChassisID,
    LLDPDUEndOfLLDPDU,
    LLDPDUPortID,
    LLDPDUSystemDescription,
    LLDPDUSystemName,
    LLDPDUTimeToLive,
)
from scapy.layers.dhcp import BOOTP, DHCP
from scapy.layers.dot11 import Dot11, Dot11Beacon, RadioTap
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import ARP, LLC, SNAP, Dot3, Ether
from scapy.packet import Raw
from scapy.utils import wrpcap, wrpcapng

from scanner.identify import identify
from scanner.passive import keep_wifi, read_capture
from scanner.passive.wifi import VIDEO_LIKE
from tests.multicast.test_mdns import VALID as MDNS_ANSWER

CAM = "44:19:b6:12:34:56"
NOTIFY = (
    b"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n"
    b"SERVER: Linux/4.14-axis8, UPnP/1.0, Portable SDK for UPnP devices/1.8.4\r\n"
    b"USN: uuid:abc::upnp:rootdevice\r\nLOCATION: http://10.99.0.43/d.xml\r\n\r\n"
)


def wired() -> list[object]:
    eth = Ether(src=CAM, dst="ff:ff:ff:ff:ff:ff")
    return [
        eth / ARP(op=1, hwsrc=CAM, psrc="10.99.0.41", pdst="10.99.0.1"),
        Ether(src="a4:83:e7:06:a0:20")
        / IP(src="0.0.0.0", dst="255.255.255.255")
        / UDP(sport=68, dport=67)
        / BOOTP(chaddr=bytes.fromhex("a483e706a020") + bytes(10))
        / DHCP(
            options=[
                ("message-type", "request"),
                ("hostname", b"ipcam-lobby"),
                ("vendor_class_id", b"udhcp 1.30.1"),
                ("param_req_list", [1, 3, 6, 12, 15, 28, 42]),
                "end",
            ]
        ),
        Ether(src="ac:cc:8e:5a:c0:43")
        / IP(src="10.99.0.43", dst="224.0.0.251")
        / UDP(sport=5353, dport=5353)
        / Raw(MDNS_ANSWER),
        Ether(src="ac:cc:8e:5a:c0:43")
        / IP(src="10.99.0.43", dst="239.255.255.250")
        / UDP(sport=1900, dport=1900)
        / Raw(NOTIFY),
        Ether(src="4c:5e:0c:3a:11:01", dst="01:80:c2:00:00:0e")
        / LLDPDU()
        / LLDPDUChassisID(subtype=4, id="4c:5e:0c:3a:11:01")
        / LLDPDUPortID(subtype=5, id=b"ether1")
        / LLDPDUTimeToLive(ttl=120)
        / LLDPDUSystemName(system_name=b"gw-router")
        / LLDPDUSystemDescription(description=b"MikroTik RouterOS 7.14")
        / LLDPDUEndOfLLDPDU(),
        Dot3(src="00:1b:54:aa:bb:cc", dst="01:00:0c:cc:cc:cc")
        / LLC()
        / SNAP(OUI=0x0C, code=0x2000)
        / CDPv2_HDR(
            msg=[
                CDPMsgDeviceID(val=b"core-sw"),
                CDPMsgPlatform(val=b"cisco WS-C2960"),
                CDPMsgSoftwareVersion(val=b"IOS 15.0"),
            ]
        ),
        Ether(src="bc:ad:28:5a:c0:45")
        / IP(src="10.99.0.45", dst="10.99.0.9")
        / TCP(sport=80, dport=40000, flags="PA")
        / Raw(b"HTTP/1.1 200 OK\r\nServer: DNVRS-Webs\r\nContent-Length: 0\r\n\r\n"),
        Ether()
        / IP(src="10.99.0.9", dst="10.99.0.45")
        / TCP(sport=40001, dport=80, flags="PA")
        / Raw(b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: HikCentral/2.0\r\n\r\n"),
        Ether()
        / IP(src="10.99.0.66", dst="224.0.0.251")
        / UDP(sport=5353, dport=5353)
        / Raw(b"\x00\x00\x84\x00\x00\x00\x00\x01\x00\x00\x00\x00\xc0\x0c"),
        Ether() / Raw(b"\x00" * 10),
    ]


def by_field(obs: list[object]) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    for o in obs:
        out.setdefault(o.field, set()).add((o.subject, o.value))  # type: ignore[attr-defined]
    return out


@pytest.mark.parametrize("writer", [wrpcap, wrpcapng], ids=["pcap", "pcapng"])
def test_wired_capture_gives_every_protocol(tmp_path: Path, writer: object) -> None:
    path = tmp_path / "site.cap"
    writer(str(path), wired())  # type: ignore[operator]
    extractor = read_capture(path)
    got = by_field(extractor.observations())
    assert (f"mac:{CAM}", "10.99.0.41") in got["ip.address"]
    assert ("mac:a4:83:e7:06:a0:20", "ipcam-lobby") in got["dhcp.hostname"]
    assert ("mac:a4:83:e7:06:a0:20", "udhcp 1.30.1") in got["dhcp.vendor_class"]
    assert ("mac:a4:83:e7:06:a0:20", "1,3,6,12,15,28,42") in got["dhcp.param_list"]
    assert ("ip:10.99.0.43", "_axis-video._tcp.local") in got["mdns.service_type"]
    assert ("ip:10.99.0.43", "upnp:rootdevice") in got["ssdp.st"]
    assert ("mac:4c:5e:0c:3a:11:01", "gw-router") in got["lldp.system_name"]
    assert ("mac:4c:5e:0c:3a:11:01", "MikroTik RouterOS 7.14") in got["lldp.system_description"]
    assert ("mac:00:1b:54:aa:bb:cc", "cisco WS-C2960") in got["cdp.platform"]
    assert ("ip:10.99.0.45", "DNVRS-Webs") in got["http.server"]
    assert ("ip:10.99.0.9", "HikCentral/2.0") in got["http.user_agent"]
    assert extractor.packets == len(wired())
    assert extractor.drops.counts["mdns"] >= 1  # the hostile mDNS packet was counted, not raised
    devices = {d.id: d for d in identify(extractor.observations())}
    nvr = next(d for d in devices.values() if "10.99.0.45" in d.ips)
    assert nvr.is_collector and nvr.best is not None and nvr.best.vendor == "Hikvision"


def wifi(tmp_path: Path) -> Path:
    frames = []
    ap, cam, phone = "24:a4:3c:00:00:01", "44:19:b6:77:88:99", "f0:18:98:06:a0:19"
    for t in range(20):
        for k in range(30):  # 30 frames of about 1,400 bytes a second: over 256 kbit/s
            pkt = (
                RadioTap(dBm_AntSignal=-48, present="dBm_AntSignal")
                / Dot11(type=2, subtype=0, FCfield=0x01, addr1=ap, addr2=cam, addr3=ap)
                / Raw(b"\x00" * 1400)
            )
            pkt.time = 1_700_000_000 + t + k / 30
            frames.append(pkt)
        slow = (
            RadioTap(dBm_AntSignal=-70, present="dBm_AntSignal")
            / Dot11(type=2, subtype=0, FCfield=0x01, addr1=ap, addr2=phone, addr3=ap)
            / Raw(b"\x00" * 100)
        )
        slow.time = 1_700_000_000 + t
        frames.append(slow)
    beacon = (
        RadioTap()
        / Dot11(type=0, subtype=8, addr1="ff:ff:ff:ff:ff:ff", addr2=ap, addr3=ap)
        / Dot11Beacon()
    )
    frames.append(beacon)
    path = tmp_path / "wifi.pcap"
    wrpcap(str(path), frames)
    return path


def test_wifi_headers_flag_a_video_like_camera_with_rssi_and_drop_passers_by(
    tmp_path: Path,
) -> None:
    observations = read_capture(wifi(tmp_path)).observations()
    got = by_field(observations)
    assert ("mac:44:19:b6:77:88:99", VIDEO_LIKE) in got["wifi.traffic"]
    assert ("mac:44:19:b6:77:88:99", "-48") in got["wifi.rssi"]
    assert not any(s == "mac:f0:18:98:06:a0:19" for s, _ in got["wifi.traffic"])
    kept = {d.id for d in keep_wifi(identify(observations))}
    assert "mac:44:19:b6:77:88:99" in kept  # a camera vendor's transmitter, streaming
    assert "mac:f0:18:98:06:a0:19" not in kept  # a phone passing by is not reported
    assert "mac:24:a4:3c:00:00:01" not in kept  # nor the access point


def test_a_file_that_is_not_a_capture_is_an_input_error(tmp_path: Path) -> None:
    from scanner.errors import InputError

    bad = tmp_path / "x.pcap"
    bad.write_bytes(b"definitely not a capture")
    with pytest.raises(InputError):
        read_capture(bad)
    with pytest.raises(InputError):
        read_capture(tmp_path / "missing.pcap")
