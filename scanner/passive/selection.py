"""Which packets are decoded: the capture filter, built from what the extractors read.

Every packet's link and IP headers are read (:mod:`scanner.passive.fastpath`: its sender's MAC
and address, a few bytes); its payload is decoded only when the filter passes it. The filter is
a libpcap expression (pcap-filter(7)) made from the tables of :mod:`scanner.passive.extract`
(UDP ports, greeting ports, how an HTTP message begins), so a reader added there is never
filtered out here. It passes:

- ARP (every request and reply: MAC ↔ IPv4);
- UDP to or from a port a reader takes (DHCP, DNS, mDNS, SSDP, WS-Discovery, SADP, DHIP,
  SNMP), IPv4 and IPv6;
- TCP to or from a greeting port (FTP, SSH, Telnet), every SYN-ACK (open ports, greetings),
  and every TCP payload that begins like an HTTP message (``HTTP``, ``GET ``, ``POST``, ...:
  the first four bytes; the readers check the rest);
- the same behind one or two 802.1Q / 802.1ad VLAN tags.

What the filter cannot know, :mod:`scanner.passive.fastpath` adds: segments of HTTP responses
being reassembled (their flows are open), and every packet whose headers it does not read
cleanly (not IPv4/IPv6, IP options, ICMPv6, tunnels, truncated frames): those are decoded
whatever the filter says. The payload-prefix tests come last in the expression: a program that
reads past a short packet's end rejects it (bpf_filter.c), and must have accepted it by then if
it is to be accepted at all.
"""

from __future__ import annotations

from scanner.passive.extract import FILTER_TCP_PORTS, FILTER_UDP_PORTS, HTTP_STARTS

ETHERNET = 1
#: link types whose frames carry an EtherType the filter can test for ARP and VLAN tags
_ETHER_LIKE = frozenset({ETHERNET, 113, 276})  # Ethernet, Linux cooked v1 and v2
#: UDP destination ports scapy unwraps into further layers (GRE in UDP, RFC 8086): decoded
SCAPY_UDP_PORTS = frozenset({4754})


def _prefixes() -> list[int]:
    """The first four bytes of every HTTP start, as big-endian integers, without repeats."""
    return sorted({int.from_bytes(start[:4], "big") for start in HTTP_STARTS})


def _ports(ports: frozenset[int]) -> str:
    return " or ".join(str(p) for p in sorted(ports))


def ip_terms() -> str:
    """The filter over IPv4 and IPv6, without link-layer terms."""
    tcp4 = "(tcp[((tcp[12] & 0xf0) >> 2):4] = {:#010x})"
    tcp6 = "(ip6[(40 + ((ip6[52] & 0xf0) >> 2)):4] = {:#010x})"
    udp = _ports(FILTER_UDP_PORTS)
    terms = [
        f"udp port ({udp})",
        f"udp dst port ({_ports(SCAPY_UDP_PORTS)})",
        f"tcp port ({_ports(FILTER_TCP_PORTS)})",
        "(ip and tcp[13] & 0x12 = 0x12)",
        "(ip6 and ip6[6] = 6 and ip6[53] & 0x12 = 0x12)",
        # last: these read payload bytes, past the end of a short segment
        "(ip and tcp and (" + " or ".join(tcp4.format(p) for p in _prefixes()) + "))",
        "(ip6 and ip6[6] = 6 and (" + " or ".join(tcp6.format(p) for p in _prefixes()) + "))",
    ]
    return " or ".join(terms)


def expression(linktype: int) -> str:
    """The capture filter for frames of ``linktype`` (pcap-filter(7) syntax)."""
    if linktype not in _ETHER_LIKE:
        return ip_terms()
    inner = f"arp or {ip_terms()}"
    if linktype != ETHERNET:
        return inner
    # "vlan" moves every later offset past one tag (pcap-filter(7)): untagged, one tag, two
    return f"{inner} or (vlan and ({inner})) or (vlan and vlan and ({inner}))"


_PREFIXES = frozenset(start[:4] for start in HTTP_STARTS)
_PLAIN_IPV4 = b"\x08\x00\x45"  # EtherType IPv4, version 4 with a 20-byte header


def plain_ipv4(data: bytes) -> bool | None:
    """The filter's answer for an untagged Ethernet frame with a 20-byte IPv4 header, from its
    header bytes alone; None for every other frame (libpcap's program answers those).

    The same terms as :func:`expression`, read in Python because a call into libpcap through
    ctypes costs more per packet than reading these few bytes; a test holds the two to the
    same answers. A later fragment is rejected, as the program's port and flag tests reject
    it; a frame too short for a whole UDP or TCP header is left to libpcap."""
    if data[12:15] != _PLAIN_IPV4:
        return None
    proto = data[23] if len(data) > 23 else -1
    if proto not in {6, 17}:
        return False if len(data) >= 34 else None  # no term reads another protocol
    if len(data) < (54 if proto == 6 else 42):
        return None
    if data[20] & 0x1F or data[21]:
        return False  # a later fragment: no transport header for a port or flags test
    sport, dport = (data[34] << 8) | data[35], (data[36] << 8) | data[37]
    if proto == 17:
        return sport in FILTER_UDP_PORTS or dport in FILTER_UDP_PORTS or dport in SCAPY_UDP_PORTS
    at = 34 + (data[46] >> 4) * 4
    return (
        sport in FILTER_TCP_PORTS
        or dport in FILTER_TCP_PORTS
        or data[47] & 0x12 == 0x12
        or data[at : at + 4] in _PREFIXES
    )
