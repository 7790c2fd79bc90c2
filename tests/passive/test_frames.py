"""Frame-level evidence (scanner.passive.frames): every frame names its sender, bounded, and a
router's forwarded traffic never links a remote host's address to the router's MAC."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("scapy", reason="scapy is needed to write captures")
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import ICMPv6ND_NA, ICMPv6NDOptDstLLAddr, IPv6
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.utils import wrpcap

from scanner.identify import identify
from scanner.passive import frames as fr
from scanner.passive import read_capture

CAM_MAC, CAM_IP = "ac:cc:8e:12:34:56", "192.168.1.64"  # Axis Communications AB block
VIEWER = "192.168.1.10"


def facts(frames: list[object], tmp_path: Path) -> set[tuple[str, str, str]]:
    path = tmp_path / "f.pcap"
    wrpcap(str(path), frames)
    return {(o.subject, o.field, o.value) for o in read_capture(path).observations()}


def test_a_silent_camera_is_its_mac_its_address_and_its_open_port(tmp_path: Path) -> None:
    """A camera that only streams: no discovery packet at all, yet its vendor block, address
    and RTSP port reach identify, merged as one device."""
    synack = (
        Ether(src=CAM_MAC, dst="02:00:00:00:00:10")
        / IP(src=CAM_IP, dst=VIEWER, ttl=64)
        / TCP(sport=554, dport=40000, flags="SA")
    )
    data = Ether(src=CAM_MAC) / IP(src=CAM_IP, dst=VIEWER, ttl=64) / UDP(sport=5000, dport=6000)
    found = facts([synack, data], tmp_path)
    assert (f"mac:{CAM_MAC}", "mac.address", CAM_MAC) in found
    assert (f"mac:{CAM_MAC}", "ip.address", CAM_IP) in found
    assert (f"ip:{CAM_IP}", "tcp.open_port", "554") in found
    devices = identify(read_capture(tmp_path / "f.pcap").observations())
    cam = next(d for d in devices if CAM_MAC in d.macs)
    assert CAM_IP in cam.ips and cam.best is not None and "Axis" in (cam.best.vendor or "")


def test_a_router_mac_links_no_address_and_forwarded_packets_link_nothing(tmp_path: Path) -> None:
    router = "02:00:00:00:00:01"
    forwarded = [
        Ether(src=router) / IP(src=f"10.0.0.{n}", dst=VIEWER, ttl=64) / UDP(sport=1, dport=2)
        for n in range(2, 6)
    ]  # many local sources behind one MAC: a router
    routed = Ether(src="02:00:00:00:00:02") / IP(src="10.1.0.9", dst=VIEWER, ttl=63) / UDP()
    public = Ether(src="02:00:00:00:00:03") / IP(src="8.8.8.8", dst=VIEWER, ttl=64) / UDP()
    found = facts([*forwarded, routed, public], tmp_path)
    links = {(s, v) for s, f, v in found if f == "ip.address"}
    assert links == set()
    assert (f"mac:{router}", "mac.address", router) in found


def test_group_macs_are_not_devices_and_syn_without_ack_is_no_open_port(tmp_path: Path) -> None:
    multicast = Ether(src="01:00:5e:00:00:fb") / IP(src=CAM_IP, ttl=64) / UDP()
    syn = Ether(src=CAM_MAC) / IP(src=CAM_IP, dst=VIEWER, ttl=64) / TCP(dport=80, flags="S")
    found = facts([multicast, syn], tmp_path)
    assert not any(v == "01:00:5e:00:00:fb" for _, _, v in found)
    assert not any(f == "tcp.open_port" for _, f, _ in found)


def test_ipv6_neighbour_advertisement_and_mdns_over_ipv6_join_the_mac(tmp_path: Path) -> None:
    ll = "fe80::aecc:8eff:fe12:3456"
    na = (
        Ether(src=CAM_MAC, dst="33:33:00:00:00:01")
        / IPv6(src=ll, dst="ff02::1")
        / ICMPv6ND_NA(tgt=ll, O=1)
        / ICMPv6NDOptDstLLAddr(lladdr=CAM_MAC)
    )
    from tests.passive.captures import hikvision_mdns

    v4 = hikvision_mdns()[0]
    mdns6 = (
        Ether(src=CAM_MAC)
        / IPv6(src=ll, dst="ff02::fb", hlim=255)
        / UDP(sport=5353, dport=5353)
        / Raw(bytes(v4["UDP"].payload))
    )
    found = facts([na, mdns6], tmp_path)
    assert (f"mac:{CAM_MAC}", "ip.address", ll) in found
    assert any(f == "mdns.instance" for _, f, _ in found)
    devices = identify(read_capture(tmp_path / "f.pcap").observations())
    cam = next(d for d in devices if CAM_MAC in d.macs)
    assert any(o.field == "mdns.instance" for o in cam.observations)


def test_the_maps_are_bounded() -> None:
    ev = fr.FrameEvidence()
    for n in range(fr.MAX_MACS + 50):
        ev.frame(f"02:00:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:{n & 255:02x}:01")
    for port in range(1, fr.MAX_PORTS + 50):
        ev.syn_ack(CAM_IP, port)
    out = ev.observations("t")
    assert sum(o.field == "mac.address" for o in out) == fr.MAX_MACS
    assert sum(o.field == "tcp.open_port" for o in out) == fr.MAX_PORTS
    assert not fr.is_local("8.8.8.8") and fr.is_local("fd00::1") and fr.is_local("169.254.1.2")


def test_an_snmp_answer_to_someone_elses_poll_names_the_device(tmp_path: Path) -> None:
    """An NMS polls sysDescr; the camera's GetResponse on the wire is read (any request id),
    a malformed one is a counted parse error, and the poll itself says nothing."""
    from scanner.probes import snmp

    descr = b" ; AXIS M3045-V; Network Camera; 6.15.4.1; Aug 23 2016 13:57; 71B; 1; "
    bind = snmp._tlv(0x30, snmp._tlv(0x06, snmp.SYS_DESCR) + snmp._tlv(0x04, descr))
    pdu = snmp._tlv(0xA2, snmp._int(77) + snmp._int(0) + snmp._int(0) + snmp._tlv(0x30, bind))
    answer = snmp._tlv(0x30, snmp._int(1) + snmp._tlv(0x04, b"public") + pdu)
    frame = Ether(src=CAM_MAC) / IP(src=CAM_IP, dst=VIEWER, ttl=64) / UDP(sport=161, dport=40161)
    poll = (
        Ether(src="02:00:00:00:00:10")
        / IP(src=VIEWER, dst=CAM_IP, ttl=64)
        / UDP(sport=40161, dport=161)
        / Raw(snmp.get_request(77))
    )
    broken = frame / Raw(b"\x30\x05\x02\x01")
    found = facts([poll, frame / Raw(answer), broken], tmp_path)
    assert (f"ip:{CAM_IP}", "snmp.sys_descr", descr.decode().strip()) in found
    assert not any(f.startswith("snmp.") and s == f"ip:{VIEWER}" for s, f, _ in found)
