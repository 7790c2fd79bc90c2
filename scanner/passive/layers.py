"""scapy, imported lazily and in this one place (it is slow to import and only listening and
capture reading need it). A missing install becomes one line with the fix."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

from scanner.errors import ProbeError


@cache
def scapy() -> SimpleNamespace:
    """The scapy classes the passive extractor uses."""
    try:
        from scapy.config import conf
        from scapy.contrib.cdp import CDPv2_HDR
        from scapy.contrib.lldp import LLDPDU
        from scapy.error import Scapy_Exception
        from scapy.layers.dhcp import BOOTP, DHCP
        from scapy.layers.dot11 import Dot11, RadioTap
        from scapy.layers.inet import IP, TCP, UDP
        from scapy.layers.inet6 import (
            ICMPv6ND_NA,
            ICMPv6ND_NS,
            ICMPv6NDOptDstLLAddr,
            ICMPv6NDOptSrcLLAddr,
            IPv6,
        )
        from scapy.layers.l2 import ARP, Ether
        from scapy.packet import Packet
        from scapy.sendrecv import AsyncSniffer
        from scapy.utils import PcapReader
    except ImportError as exc:
        raise ProbeError(f"scapy is not installed ({exc}): pip install scapy") from None
    conf.verb = 0
    return SimpleNamespace(
        ARP=ARP, BOOTP=BOOTP, CDP=CDPv2_HDR, DHCP=DHCP, Dot11=Dot11, Ether=Ether, IP=IP,
        IPv6=IPv6, ND_NA=ICMPv6ND_NA, ND_NS=ICMPv6ND_NS, ND_TLL=ICMPv6NDOptDstLLAddr,
        ND_SLL=ICMPv6NDOptSrcLLAddr,
        LLDPDU=LLDPDU, Packet=Packet, PcapReader=PcapReader, RadioTap=RadioTap, TCP=TCP,
        UDP=UDP, AsyncSniffer=AsyncSniffer, ScapyError=Scapy_Exception, l2types=conf.l2types,
    )  # fmt: skip
