"""Bounded readers of packet headers, shared by the fast decoder's paths
(:mod:`scanner.passive.fastpath`): plain values out, ``None`` when a header is of a form left
to scapy. Every offset is checked against the captured length before it is read."""

from __future__ import annotations

_SLL, _SLL2 = 113, 276  # Linux cooked capture v1 and v2
_RAW = frozenset({101, 12})  # LINKTYPE_RAW, and DLT_RAW as some writers put it
_IPV4, _IPV6 = b"\x08\x00", b"\x86\xdd"
_ROUTER_ALERT = b"\x94\x04\x00\x00"


def v4_header(data: bytes, off: int) -> int | None:
    """The length of a clean IPv4 header at ``off``: 20, or 24 with the Router Alert option
    (RFC 2113, as IGMP sends it); None otherwise (other options are left to scapy)."""
    if len(data) < off + 20:
        return None
    if data[off] == 0x45:
        return 20
    if data[off] == 0x46 and data[off + 20 : off + 24] == _ROUTER_ALERT:
        return 24
    return None


def transport_fits(data: bytes, off: int, header: int, total: int, proto: int) -> bool:
    """Does a whole TCP or UDP header fit in the IP payload (``total`` bytes from ``off``,
    the IP header being ``header`` bytes), with a length scapy reads as given?"""
    at, room = off + header, total - header
    if proto == 17:
        if room < 8:
            return False
        length = (data[at + 4] << 8) | data[at + 5]
        return 8 <= length <= room
    if room < 20:
        return False
    offset = (data[at + 12] >> 4) * 4
    return 20 <= offset <= room


def nd_options(data: bytes, at: int, end: int) -> dict[int, str] | None:
    """Source (1) and target (2) link-layer address options, the first of each; None when an
    option is of another kind or length (scapy's reading of those is left to scapy)."""
    found: dict[int, str] = {}
    while at < end:
        if end - at < 8:
            return None
        kind, length = data[at], data[at + 1]
        if kind not in (1, 2) or length != 1:
            return None
        found.setdefault(kind, data[at + 2 : at + 8].hex(":"))
        at += 8
    return found


def l3_start(linktype: int, data: bytes) -> tuple[bytes, int] | None:
    """(EtherType, offset) of the network layer of a cooked or raw-IP packet."""
    if linktype == _SLL and len(data) >= 16:
        return data[14:16], 16
    if linktype == _SLL2 and len(data) >= 20:
        return data[0:2], 20
    if linktype in _RAW or linktype in (228, 229):
        if not data:
            return None
        version = data[0] >> 4
        if linktype == 228 or (linktype != 229 and version == 4):
            return _IPV4, 0
        if linktype == 229 or version == 6:
            return _IPV6, 0
    return None
