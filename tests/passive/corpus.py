"""Frames for the differential test of the fast path against scapy's path: every kind of
evidence the extractors read, every header form the fast path decodes itself, and the forms it
leaves to scapy (VLAN tags, IP options, fragments, tunnels, 802.3, truncation, other link
types), plus seeded mutations of all of them."""

from __future__ import annotations

import random
import struct

from scapy.contrib.cdp import CDPMsgDeviceID, CDPMsgPlatform, CDPv2_HDR
from scapy.contrib.lldp import (
    LLDPDUChassisID,
    LLDPDUEndOfLLDPDU,
    LLDPDUPortID,
    LLDPDUSystemName,
    LLDPDUTimeToLive,
)
from scapy.layers.inet import GRE, ICMP, IP, TCP, UDP, IPOption_Router_Alert
from scapy.layers.inet6 import (
    ICMPv6ND_NA,
    ICMPv6ND_NS,
    ICMPv6NDOptDstLLAddr,
    ICMPv6NDOptSrcLLAddr,
    IPv6,
    IPv6ExtHdrHopByHop,
)
from scapy.layers.l2 import ARP, LLC, SNAP, Dot1AD, Dot1Q, Dot3, Ether
from scapy.packet import Packet, Raw

from tests.passive import captures
from tests.passive.test_extract import wired

CAM, CAM_MAC = "192.168.1.64", "02:00:00:00:64:01"
NVR, NVR_MAC = "192.168.1.30", "02:00:00:00:30:01"
CAM6 = "fe80::64"
PAGE = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 60\r\nServer: Boa\r\n\r\n"


def _tcp(
    src: str, dst: str, sport: int, dport: int, seq: int, flags: str, data: bytes = b""
) -> Packet:
    smac, dmac = (CAM_MAC, NVR_MAC) if src == CAM else (NVR_MAC, CAM_MAC)
    return (
        Ether(src=smac, dst=dmac)
        / IP(src=src, dst=dst)
        / TCP(sport=sport, dport=dport, seq=seq, flags=flags)
        / Raw(data)
    )


def streams() -> list[Packet]:
    """A camera answering a page in three segments among its video stream, and a greeting."""
    body = b"<html><title>Network Camera</title>" + b"x" * 24
    out = [
        _tcp(NVR, CAM, 40000, 80, 1, "S"),
        _tcp(CAM, NVR, 80, 40000, 100, "SA"),
        _tcp(NVR, CAM, 40000, 80, 2, "PA", b"GET / HTTP/1.1\r\nUser-Agent: NVR/1.0\r\n\r\n"),
        _tcp(CAM, NVR, 80, 40000, 101, "A", PAGE[:30]),
    ]
    for n in range(20):  # video on 554, interleaved: rejected by the filter, frame evidence only
        out.append(_tcp(CAM, NVR, 554, 40002, 5000 + n * 1000, "A", bytes([n]) * 1000))
    out += [
        _tcp(CAM, NVR, 80, 40000, 131, "A", PAGE[30:]),
        _tcp(CAM, NVR, 80, 40000, 101 + len(PAGE), "PA", body),
        _tcp(CAM, NVR, 23, 40001, 7, "SA"),
        _tcp(CAM, NVR, 23, 40001, 8, "PA", b"\xff\xfb\x01camera login: "),
        _tcp(NVR, CAM, 40001, 23, 9, "PA", b"admin\r\n"),
    ]
    return out


def forms() -> list[Packet]:
    """Header forms: tags, IPv6, neighbour discovery, options, fragments, tunnels, 802.3."""
    mdns = captures.hikvision_mdns()[0]
    udp_payload = bytes(mdns[UDP].payload)
    ns = (
        IPv6(src=CAM6, dst="ff02::1:ff00:1")
        / ICMPv6ND_NS(tgt="fe80::1")
        / ICMPv6NDOptSrcLLAddr(lladdr=CAM_MAC)
    )
    na = (
        IPv6(src=CAM6, dst="fe80::1") / ICMPv6ND_NA(tgt=CAM6) / ICMPv6NDOptDstLLAddr(lladdr=CAM_MAC)
    )
    return [
        Ether(src=CAM_MAC, dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=10) / mdns[IP],
        Ether(src=CAM_MAC, dst="ff:ff:ff:ff:ff:ff") / Dot1AD(vlan=20) / Dot1Q(vlan=10) / mdns[IP],
        Ether(src=CAM_MAC) / ARP(hwsrc=CAM_MAC, psrc=CAM, pdst=NVR),
        Ether(src=CAM_MAC) / Dot1Q(vlan=10) / ARP(hwsrc=CAM_MAC, psrc=CAM, pdst=NVR),
        Ether(src=CAM_MAC, dst="33:33:00:00:00:01") / ns,
        Ether(src=CAM_MAC, dst="33:33:00:00:00:01") / na,
        Ether(src=CAM_MAC)
        / IPv6(src=CAM6, dst="ff02::fb")
        / UDP(sport=5353, dport=5353)
        / udp_payload,
        Ether(src=CAM_MAC)
        / IPv6(src=CAM6, dst="fe80::30")
        / TCP(sport=8000, dport=4000, flags="SA"),
        Ether(src=CAM_MAC)
        / IPv6(src=CAM6, dst="fe80::30")
        / IPv6ExtHdrHopByHop()
        / UDP(sport=5353, dport=5353)
        / udp_payload,
        Ether(src=CAM_MAC)
        / IP(src=CAM, dst="224.0.0.22", proto=2, options=[IPOption_Router_Alert()])
        / Raw(b"\x22" + bytes(15)),
        Ether(src=CAM_MAC)
        / IP(src=CAM, dst="224.0.0.251", flags="MF")
        / UDP(sport=5353, dport=5353, len=3000)
        / udp_payload,
        Ether(src=CAM_MAC) / IP(src=CAM, dst="224.0.0.251", frag=100) / Raw(udp_payload),
        Ether(src=CAM_MAC)
        / IP(src=CAM, dst=NVR)
        / GRE()
        / IP(src="10.0.0.9", dst=NVR)
        / UDP(sport=5353, dport=5353)
        / udp_payload,
        Ether(src=CAM_MAC)
        / IP(src=CAM, dst=NVR)
        / IPv6(src=CAM6, dst="ff02::fb")
        / UDP(sport=5353, dport=5353)
        / udp_payload,
        Ether(src=CAM_MAC)
        / IP(src=CAM, dst=NVR)
        / UDP(sport=999, dport=4754)
        / GRE(proto=0x0806)
        / ARP(hwsrc="02:00:00:00:99:99", psrc="10.9.9.9"),
        Ether(src=CAM_MAC)
        / IP(src=CAM, dst=NVR)
        / ICMP(type=3)
        / IP(src=NVR, dst=CAM)
        / UDP(sport=5353, dport=5353),
        Ether(src=CAM_MAC, dst="01:80:c2:00:00:0e", type=0x88CC)
        / LLDPDUChassisID(subtype=4, id=CAM_MAC)
        / LLDPDUPortID(subtype=7, id="1")
        / LLDPDUTimeToLive(ttl=120)
        / LLDPDUSystemName(system_name="cam-lobby")
        / LLDPDUEndOfLLDPDU(),
        Dot3(src=CAM_MAC, dst="01:00:0c:cc:cc:cc")
        / LLC()
        / SNAP()
        / CDPv2_HDR(msg=[CDPMsgDeviceID(val=b"cam-1"), CDPMsgPlatform(val=b"IPC")]),
        Ether(src=CAM_MAC)
        / IP(src=CAM, dst=NVR, ttl=63)
        / UDP(sport=40000, dport=9999)
        / Raw(b"bulk"),
        Ether(src="01:00:5e:00:00:fb") / IP(src=CAM, dst=NVR) / UDP(sport=1, dport=2),
    ]


def base() -> list[bytes]:
    """Every frame of the corpus, as bytes."""
    frames: list[Packet] = [*wired(), *streams(), *forms()]
    for build in (captures.axis_dhcp, captures.hikvision_mdns, captures.axis_ssdp,
                  captures.axis_description, captures.ezviz_dns, captures.phone):  # fmt: skip
        frames += build()
    return [bytes(f) for f in frames]


def mutants(frames: list[bytes], count: int, seed: int) -> list[bytes]:
    """``count`` seeded mutations: a header byte or a length changed, a frame cut short."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        frame = bytearray(rng.choice(frames))
        how = rng.randrange(4)
        if how == 0 and len(frame) > 1:
            del frame[rng.randrange(1, len(frame)) :]
        elif how == 1:
            at = rng.randrange(min(len(frame), 80))
            frame[at] = rng.randrange(256)
        elif how == 2 and len(frame) > 40:  # a length, a port or flags of IP/UDP/TCP headers
            at = rng.choice(
                [16, 17, 20, 23, 24, 34, 35, 36, 37, 38, 39, 46, 47, 52, 53, 54, 58, 59]
            )
            frame[at % len(frame)] = rng.choice(
                [0, 1, 5, 6, 17, 0x12, 0x45, 0x46, 0xFF, 53, 67, 68]
            )
        else:
            frame += bytes(rng.randrange(4))
        out.append(bytes(frame))
    return out


def sll(frames: list[bytes]) -> list[bytes]:
    """The Ethernet frames as Linux cooked (v1) packets: 16-byte header, same EtherType."""
    return [
        struct.pack("!HHH8s", 0, 1, 6, f[6:12] + b"\0\0") + f[12:] for f in frames if len(f) >= 14
    ]


def raw_ip(frames: list[bytes]) -> list[bytes]:
    """The IP packets of the Ethernet frames, as raw-IP link type packets."""
    return [f[14:] for f in frames if f[12:14] in (b"\x08\x00", b"\x86\xdd")]


def radio() -> list[bytes]:
    """802.11 frames behind radiotap headers of several shapes (TSFT, channel, FCS, a second
    presence word, no signal), control frames with and without address 2, four addresses."""
    from scapy.layers.dot11 import Dot11, Dot11Beacon, Dot11FCS, RadioTap

    ap, cam = "24:a4:3c:00:00:01", "44:19:b6:77:88:99"
    heads = [
        RadioTap(present="dBm_AntSignal", dBm_AntSignal=-48),
        RadioTap(present="TSFT+Flags+Rate+Channel+dBm_AntSignal", dBm_AntSignal=-60,
                 ChannelFrequency=2437, Rate=2),
        RadioTap(present="Flags+dBm_AntSignal+Antenna+RXFlags", dBm_AntSignal=-71),
        RadioTap(present="Flags+Channel+Ext", Ext=[]),
        RadioTap(),
    ]  # fmt: skip
    bodies = [
        Dot11(type=2, subtype=0, FCfield=0x01, addr1=ap, addr2=cam, addr3=ap) / Raw(b"\0" * 200),
        Dot11(type=2, subtype=8, FCfield=0x03, addr1=ap, addr2=cam, addr3=ap, addr4=cam),
        Dot11(type=0, subtype=8, addr1="ff:ff:ff:ff:ff:ff", addr2=ap, addr3=ap) / Dot11Beacon(),
        Dot11(type=1, subtype=13, addr1=cam),  # ACK: no address 2
        Dot11(type=1, subtype=11, addr1=ap, addr2=cam),  # RTS
        Dot11(type=3, subtype=1),
    ]
    out = [bytes(h / b) for h in heads for b in bodies]
    # as Linux mac80211 writes it: three presence words (per-antenna signals), then the fields
    words = struct.pack("<III", 0xA000402E, 0xA0000820, 0x00000820)
    fields = (
        bytes([0x10, 0x02])
        + struct.pack("<HH", 2437, 0x00A0)
        + bytes([0xC4, 0])
        + (struct.pack("<H", 0) + bytes([0xC4, 0, 0xC6, 1]))
    )
    linux = struct.pack("<BBH", 0, 0, 8 + len(words) + len(fields)) + words + fields
    out += [linux + bytes(b) for b in bodies[:3]]
    fcs = RadioTap(present="Flags+dBm_AntSignal", Flags="FCS", dBm_AntSignal=-50)
    out.append(bytes(fcs / Dot11FCS(type=2, FCfield=0x01, addr1=ap, addr2=cam, addr3=ap)))
    return out
