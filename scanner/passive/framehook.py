"""The scapy side of :mod:`scanner.passive.frames`: one frame's plain values, nothing kept.

Reads the Ethernet source, the IP (v4 or v6) source and TTL/hop limit, a SYN-ACK's source port
and IPv6 neighbour discovery's link-layer options, and hands the values to
:class:`~scanner.passive.frames.FrameEvidence`. A fast decoder can call the same methods
without scapy.
"""

from __future__ import annotations

from typing import Any

from scanner.normalize import clean_text
from scanner.passive.frames import FrameEvidence
from scanner.passive.layers import scapy

_SYN, _ACK = 0x02, 0x10


def record_frame(pkt: Any, evidence: FrameEvidence) -> None:
    """Note what one Ethernet frame says of its sender (802.11 frames are left to wifi)."""
    s = scapy()
    if not pkt.haslayer(s.Ether) or pkt.haslayer(s.Dot11):
        return
    mac = clean_text(str(pkt[s.Ether].src), 17).lower()
    if pkt.haslayer(s.IP):
        ip, src, ttl = pkt[s.IP], str(pkt[s.IP].src), int(pkt[s.IP].ttl)
    elif pkt.haslayer(s.IPv6):
        ip, src, ttl = pkt[s.IPv6], str(pkt[s.IPv6].src), int(pkt[s.IPv6].hlim)
    else:
        evidence.frame(mac)
        return
    evidence.frame(mac, src, ttl)
    if pkt.haslayer(s.TCP) and ip.payload is pkt[s.TCP]:
        tcp = pkt[s.TCP]
        if int(tcp.flags) & (_SYN | _ACK) == _SYN | _ACK:
            evidence.syn_ack(src, int(tcp.sport))
    _neighbour(pkt, src, evidence)


def _neighbour(pkt: Any, src: str, evidence: FrameEvidence) -> None:
    """RFC 4861 §4.3/§4.4: an advertisement's target link-layer address is the target's; a
    solicitation's source link-layer address is its sender's."""
    s = scapy()
    if pkt.haslayer(s.ND_NA) and pkt.haslayer(s.ND_TLL):
        evidence.neighbour(str(pkt[s.ND_TLL].lladdr).lower(), str(pkt[s.ND_NA].tgt))
    elif pkt.haslayer(s.ND_NS) and pkt.haslayer(s.ND_SLL) and src != "::":
        evidence.neighbour(str(pkt[s.ND_SLL].lladdr).lower(), src)
