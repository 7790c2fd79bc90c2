"""The fast decoder: capture records in, the extractor's plain-value readers called, scapy only
for what it does not cover.

Every packet (:meth:`FastPath.packet`):

1. Frames over 65,535 bytes are a counted drop (as scapy's path counts them).
2. The capture filter (:mod:`scanner.passive.selection`, libpcap's compiled program) runs on
   its bytes. A packet it rejects whose headers read cleanly (Ethernet with at most one VLAN
   tag, IPv4 without options or IPv6 without extension headers, whole, lengths consistent, TCP,
   UDP, ICMP, IGMP or ESP) gives only its frame evidence: source MAC, source address and TTL,
   noted once per distinct triple (:class:`~scanner.passive.frames.FrameEvidence` ignores
   repeats, so the result is the same as noting every packet), and a TCP segment of an HTTP
   response being reassembled is decoded as well. Nothing else of it is read.
3. A packet the filter passes, or whose headers are not clean, is decoded here (Ethernet,
   802.1Q/802.1ad, Linux cooked v1/v2, raw IP; ARP; IPv4/IPv6; UDP/TCP; ICMPv6 neighbour
   discovery) when its headers are of the forms above, and by scapy otherwise (LLDP, CDP and
   802.3, IP options, tunnels, fragments of unclear length, truncated frames, other link
   types scapy knows). Payloads go to the same readers either way (DHCP through scapy's BOOTP).

The decoders reach the same observations as scapy's path packet for packet; a differential
test holds them to it on the lab's capture and on hostile captures (tests/passive).
"""

from __future__ import annotations

import functools
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from scanner.errors import ParseError
from scanner.passive import selection
from scanner.passive.bpf import Filter, FilterError, compile_filter
from scanner.passive.extract import (
    FILTER_TCP_PORTS,
    FILTER_UDP_PORTS,
    HTTP_STARTS,
    MAX_FRAME,
    Extractor,
    Route,
)
from scanner.passive.headers import l3_start, nd_options, transport_fits, v4_header
from scanner.passive.layers import scapy
from scanner.passive.live import KernelStats
from scanner.passive.radiotap import IEEE802_11, NO_TRANSMITTER, RADIOTAP, wifi_frame

MAX_SEEN = 1 << 16  # distinct (MAC, address, TTL) triples remembered before starting afresh
_ETHERNET = 1
_WIFI = frozenset({RADIOTAP, IEEE802_11})
_DLT = {101: 12}  # LINKTYPE_RAW → DLT_RAW: libpcap compiles for DLTs
_IPV4, _IPV6, _ARP = b"\x08\x00", b"\x86\xdd", b"\x08\x06"
_TAGS = (b"\x81\x00", b"\x88\xa8")  # 802.1Q and 802.1ad: scapy's Dot1Q and Dot1AD
_FRAME_ONLY_V4 = frozenset({1, 2, 50})  # ICMP, IGMP, ESP: scapy reads no further layer
_ND_NS, _ND_NA = 135, 136
_PLAIN_V4 = b"\x08\x00\x45"  # EtherType IPv4, version 4 with a 20-byte header
_TCP, _UDP = FILTER_TCP_PORTS, FILTER_UDP_PORTS
_PREFIXES = frozenset(start[:4] for start in HTTP_STARTS)
Plan = tuple[Callable[[], None], Callable[[], Route | None]]


@dataclass
class Counts:
    """What the run's notes say of the packets."""

    read: int = 0
    selected: int = 0  # passed by the filter
    decoded: int = 0  # the selected, segments of responses being reassembled, unclear headers
    scapy: int = 0  # of the decoded, by scapy (what the fast path does not cover)
    unread_links: dict[int, int] = field(default_factory=dict)  # link type → packets skipped
    filtered: bool = True  # False when libpcap was missing: every packet decoded
    seconds: float | None = None  # how long a capture file took to read


class FastPath:
    """Feeds capture records to one :class:`Extractor`."""

    def __init__(self, extractor: Extractor) -> None:
        self.ex = extractor
        self.counts = Counts()
        self._filters: dict[int, Filter | None] = {}
        self._seen: set[bytes] = set()
        self.open_flows: set[bytes] = set()  # raw keys of flows tcpflow may have open
        self.kernel: KernelStats | None = None  # a live capture's kernel counts
        self._plain = False  # Ethernet's filter compiled: :meth:`_plain_bulk` may answer

    def prepare(self) -> None:
        """Import scapy and compile the common link types' filters ahead of a live capture:
        each takes a moment the kernel would otherwise fill with queued frames."""
        scapy()
        for linktype in (_ETHERNET, 127, 101):
            if linktype not in self._filters:
                self._filter(linktype)

    def notes(self) -> list[str]:
        """The run's notes on what was read, selected and decoded."""
        c = self.counts
        how = "by the capture filter" if c.filtered else "(libpcap missing: no filter)"
        took = ""
        if c.seconds:
            took = f" in {c.seconds:.1f} s ({c.read / c.seconds:,.0f}/s)"
        out = [
            f"passive: {c.read:,} packets read{took}, {c.selected:,} selected {how}, "
            f"{c.decoded:,} decoded ({c.scapy:,} by scapy), "
            f"{self.ex.drops.total:,} decode errors"
        ]
        if self.kernel is not None:
            out.append(
                f"passive: the kernel dropped {self.kernel.drops:,} of {self.kernel.packets:,} "
                "packets it could not hand over (ps_drop)"
            )
        for linktype, n in sorted(c.unread_links.items()):
            out.append(f"passive: {n:,} packets of link type {linktype} skipped: not read")
        return out

    def packet(self, linktype: int, ts: float, data: bytes, wirelen: int) -> None:
        """One captured packet: ``data`` (its captured bytes) of a ``wirelen`` frame."""
        counts = self.counts
        counts.read += 1
        self.ex.packets += 1
        if linktype == _ETHERNET and self._plain and len(data) == wirelen <= MAX_FRAME:
            key = self._plain_bulk(data)  # the commonest packet: bulk TCP or UDP, not selected
            if key is not None:
                if key not in self._seen:
                    self._note_frame(key)
                return
        if len(data) > MAX_FRAME:
            self.ex.drops.add("frame", ParseError(f"frame over {MAX_FRAME} bytes"))
            return
        flt = self._filters[linktype] if linktype in self._filters else self._filter(linktype)
        known = selection.plain_ipv4(data) if linktype == _ETHERNET and flt else None
        if flt is None or known or (known is None and flt.matches(data, wirelen)):
            counts.selected += 1
        elif linktype == _ETHERNET:
            if len(data) == wirelen and self._bulk_ether(data):
                return
        elif self._bulk_other(linktype, data, wirelen):
            return
        counts.decoded += 1
        self.decode(linktype, ts, data, wirelen)

    def _filter(self, linktype: int) -> Filter | None:
        if linktype in _WIFI:  # every 802.11 frame's header is read (transmitters)
            self._filters[linktype] = None
            return None
        try:
            flt = compile_filter(selection.expression(linktype), _DLT.get(linktype, linktype))
        except FilterError:
            flt = None  # a link type libpcap cannot filter: everything decoded
        if flt is None and linktype == _ETHERNET:
            self.counts.filtered = False
        self._plain = self._plain or (flt is not None and linktype == _ETHERNET)
        self._filters[linktype] = flt
        return flt

    # -- packets the filter rejected: headers only ------------------------------------------

    def _plain_bulk(self, data: bytes) -> bytes | None:
        """The (MAC, TTL, source) key of a whole untagged Ethernet frame with a 20-byte IPv4
        header, not a later fragment, carrying a whole TCP or UDP header, that the capture
        filter rejects; None for every other frame (the general path reads those).

        Nine packets in ten of a busy capture are of this kind: this is
        :func:`selection.plain_ipv4` and :meth:`_bulk_v4` in one function, without their
        calls, and a test holds it to them (and to libpcap's program) frame by frame."""
        if len(data) < 42 or data[12:15] != _PLAIN_V4 or data[20] & 0x1F or data[21]:
            return None  # 42: the shortest frame with a whole UDP header
        total, proto = (data[16] << 8) | data[17], data[23]
        if 14 + total > len(data):
            return None
        if proto == 6:
            rejected = self._plain_tcp_rejected(data, total)
        elif proto == 17:
            rejected = _plain_udp_rejected(data, total)
        else:
            return None
        return data[6:12] + data[22:23] + data[26:30] if rejected else None

    def _plain_tcp_rejected(self, data: bytes, total: int) -> bool:
        """A whole TCP header the filter rejects, not continuing a response being read."""
        if total < 40 or len(data) < 54:
            return False
        offset = (data[46] >> 4) * 4
        if not 20 <= offset <= total - 20 or data[47] & 0x12 == 0x12:
            return False
        if (data[34] << 8) | data[35] in _TCP or (data[36] << 8) | data[37] in _TCP:
            return False
        if data[34 + offset : 38 + offset] in _PREFIXES:
            return False
        return not (self.open_flows and data[26:38] in self.open_flows)

    def _bulk_ether(self, data: bytes) -> bool:
        """Frame evidence of a whole rejected Ethernet frame; False if it must be decoded."""
        ethertype, off = data[12:14], 14
        if ethertype in _TAGS:
            ethertype, off = data[16:18], 18
        if ethertype == _IPV4:
            key = self._bulk_v4(data, off)
        elif ethertype == _IPV6:
            key = self._bulk_v6(data, off)
        else:
            return False
        if key is None:
            return False
        if key not in self._seen:
            self._note_frame(key)
        return True

    def _bulk_v4(self, data: bytes, off: int) -> bytes | None:
        """The (MAC, TTL, source) key of a clean rejected IPv4 packet, or None. Options are
        clean only as the one Router Alert option (RFC 2113) IGMP carries."""
        hl = 20 if len(data) >= off + 20 and data[off] == 0x45 else v4_header(data, off)
        if hl is None:
            return None
        total = (data[off + 2] << 8) | data[off + 3]
        proto = data[off + 9]
        if total < hl or off + total > len(data):
            return None
        later_fragment = (data[off + 6] & 0x1F or data[off + 7]) and proto != 41
        if later_fragment or proto in _FRAME_ONLY_V4:
            pass  # scapy reads no transport header in these
        elif proto not in {6, 17} or not transport_fits(data, off, hl, total, proto):
            return None
        elif proto == 6 and self.open_flows and self._continues(data, off, hl):
            return None  # the next segment of a response being reassembled
        return data[6:12] + data[off + 8 : off + 9] + data[off + 12 : off + 16]

    def _continues(self, data: bytes, off: int, hl: int) -> bool:
        """Is this IPv4 TCP segment's flow one tcpflow may be reassembling?"""
        return data[off + 12 : off + 20] + data[off + hl : off + hl + 4] in self.open_flows

    def _bulk_v6(self, data: bytes, off: int) -> bytes | None:
        """The (MAC, hop limit, source) key of a clean rejected IPv6 packet, or None."""
        if len(data) < off + 40 or data[off] >> 4 != 6:
            return None
        plen = (data[off + 4] << 8) | data[off + 5]
        nh = data[off + 6]
        if plen == 0 or off + 40 + plen > len(data) or nh not in {6, 17}:
            return None
        if not transport_fits(data, off, 40, 40 + plen, nh):
            return None
        if nh == 6 and self.open_flows and data[off + 8 : off + 44] in self.open_flows:
            return None  # addresses, then ports: a response being reassembled
        return data[6:12] + data[off + 7 : off + 8] + data[off + 8 : off + 24]

    def _note_frame(self, key: bytes) -> None:
        if len(self._seen) >= MAX_SEEN:
            self._seen.clear()
        self._seen.add(key)
        family = socket.AF_INET if len(key) == 11 else socket.AF_INET6
        mac = key[:6].hex(":")
        self.ex.frames.frame(mac, socket.inet_ntop(family, key[7:]), key[6])

    def _bulk_other(self, linktype: int, data: bytes, wirelen: int) -> bool:
        """A rejected packet without Ethernet (cooked, raw IP): no frame evidence; False if
        it must be decoded."""
        at = l3_start(linktype, data)
        if at is None or len(data) != wirelen:
            return False
        ethertype, off = at
        if ethertype == _IPV4:
            return self._bulk_v4(data, off) is not None
        if ethertype == _IPV6:
            return self._bulk_v6(data, off) is not None
        return False

    # -- packets decoded ---------------------------------------------------------------------

    def decode(self, linktype: int, ts: float, data: bytes, wirelen: int) -> None:
        """Decode one packet here, or hand it to scapy when its headers are not covered."""
        flows = self.ex.flows
        opened = flows.opened
        plan = self._plan(linktype, ts, data, wirelen)
        if plan is None:
            self._scapy(linktype, ts, data)
        else:
            self.ex.decoded(*plan)
        if flows.opened != opened:  # a response began: its next segments are wanted
            self.open_flows = {_raw_key(k) for k in flows.open_keys()}

    def _plan(self, linktype: int, ts: float, data: bytes, wirelen: int) -> Plan | None:
        if len(data) != wirelen:
            return None  # truncated by the snap length: scapy decodes what there is
        if linktype in _WIFI:
            return self._plan_wifi(linktype, ts, data)
        if linktype == _ETHERNET:
            return self._plan_ether(data)
        at = l3_start(linktype, data)
        if at is None:
            return None
        ethertype, off = at
        return self._plan_l3(ethertype, data, off, None)

    def _plan_wifi(self, linktype: int, ts: float, data: bytes) -> Plan | None:
        """A monitor-mode frame: its transmitter's facts (:mod:`scanner.passive.radiotap`)."""
        found = wifi_frame(linktype, data)
        if found is None:
            return None
        if found is NO_TRANSMITTER:
            return _nothing, lambda: ("wifi", _nothing)
        addr2, signal, header = found
        read = functools.partial(self.ex.wifi.frame, addr2, signal, header, int(ts), len(data))
        return _nothing, lambda: ("wifi", read)

    def _plan_ether(self, data: bytes) -> Plan | None:
        if len(data) < 14:
            return None
        ethertype, off = data[12:14], 14
        for _ in range(2):
            if ethertype not in _TAGS:
                break
            if len(data) < off + 4:
                return None
            ethertype, off = data[off + 2 : off + 4], off + 4
        return self._plan_l3(ethertype, data, off, data[6:12].hex(":"))

    def _plan_l3(self, ethertype: bytes, data: bytes, off: int, mac: str | None) -> Plan | None:
        if ethertype == _ARP:
            return self._plan_arp(data, off, mac)
        if ethertype == _IPV4:
            return self._plan_v4(data, off, mac)
        if ethertype == _IPV6:
            return self._plan_v6(data, off, mac)
        return None

    def _plan_arp(self, data: bytes, off: int, mac: str | None) -> Plan | None:
        """RFC 826 for Ethernet and IPv4 only (hardware type 1, protocol 0x0800, 6 and 4)."""
        if len(data) < off + 28 or data[off : off + 6] != b"\x00\x01\x08\x00\x06\x04":
            return None
        hwsrc = data[off + 8 : off + 14].hex(":")
        psrc = socket.inet_ntoa(data[off + 14 : off + 18])
        frames = self.ex.frames
        frame = (lambda: frames.frame(mac)) if mac else _nothing
        return frame, lambda: ("arp", functools.partial(self.ex.arp, hwsrc, psrc))

    def _plan_v4(self, data: bytes, off: int, mac: str | None) -> Plan | None:
        hl = v4_header(data, off)
        if hl is None:
            return None  # not IPv4, or options other than Router Alert: scapy
        total = (data[off + 2] << 8) | data[off + 3]
        if total < hl or off + total > len(data):
            return None
        proto, ttl = data[off + 9], data[off + 8]
        src = socket.inet_ntoa(data[off + 12 : off + 16])
        dst = socket.inet_ntoa(data[off + 16 : off + 20])
        if (data[off + 6] & 0x1F or data[off + 7]) and proto != 41:
            return self._frame(mac, src, ttl), _no_route  # a later fragment: no transport
        if proto in _FRAME_ONLY_V4:
            return self._frame(mac, src, ttl), _no_route
        if proto not in (6, 17):
            return None
        return self._transport(data, off + hl, off + total, proto, (mac, src, dst, ttl))

    def _plan_v6(self, data: bytes, off: int, mac: str | None) -> Plan | None:
        if len(data) < off + 40 or data[off] >> 4 != 6:
            return None
        plen = (data[off + 4] << 8) | data[off + 5]
        nh, hlim = data[off + 6], data[off + 7]
        end = off + 40 + plen
        if plen == 0 or end > len(data):
            return None
        src = socket.inet_ntop(socket.AF_INET6, data[off + 8 : off + 24])
        dst = socket.inet_ntop(socket.AF_INET6, data[off + 24 : off + 40])
        if nh == 58:
            return self._plan_icmp6(data, off + 40, end, (mac, src, hlim))
        if nh not in (6, 17):
            return None  # extension headers, tunnels: scapy
        return self._transport(data, off + 40, end, nh, (mac, src, dst, hlim))

    def _frame(self, mac: str | None, src: str, ttl: int) -> Callable[[], None]:
        if mac is None:
            return _nothing
        return functools.partial(self.ex.frames.frame, mac, src, ttl)

    def _transport(
        self, data: bytes, at: int, end: int, proto: int, ip: tuple[str | None, str, str, int]
    ) -> Plan | None:
        mac, src, dst, ttl = ip
        if not transport_fits(data, at, 0, end - at, proto):
            return None
        sport = (data[at] << 8) | data[at + 1]
        dport = (data[at + 2] << 8) | data[at + 3]
        frame = self._frame(mac, src, ttl)
        ex = self.ex
        if proto == 17:
            if dport in selection.SCAPY_UDP_PORTS:
                return None
            length = (data[at + 4] << 8) | data[at + 5]
            payload = data[at + 8 : at + length]
            dhcp = functools.partial(ex.dhcp_payload, sport, dport, payload)
            # the route is read inside Extractor.decoded: what raises there is counted
            return frame, lambda: ex.datagram(src, sport, dport, payload, dhcp)
        seq = int.from_bytes(data[at + 4 : at + 8], "big")
        flags = ((data[at + 12] & 1) << 8) | data[at + 13]
        payload = data[at + (data[at + 12] >> 4) * 4 : end]
        if flags & 0x12 == 0x12 and mac is not None:  # frame evidence needs Ethernet
            frame = _then(frame, functools.partial(ex.frames.syn_ack, src, sport))
        segment = (sport, dport, seq, flags, payload)
        return frame, lambda: ("http", functools.partial(ex.segment, src, dst, segment))

    def _plan_icmp6(
        self, data: bytes, at: int, end: int, ip: tuple[str | None, str, int]
    ) -> Plan | None:
        """ICMPv6: neighbour solicitations and advertisements (RFC 4861 §4.3-4.4) read here,
        every other type gives frame evidence only (scapy reads nothing further either)."""
        mac, src, hlim = ip
        frame = self._frame(mac, src, hlim)
        if end - at < 4:
            return None
        kind = data[at]
        if kind not in (_ND_NS, _ND_NA):
            return frame, _no_route
        if end - at < 24:
            return None
        options = nd_options(data, at + 24, end)
        if options is None:
            return None
        target = socket.inet_ntop(socket.AF_INET6, data[at + 8 : at + 24])
        frames = self.ex.frames
        if mac is None:
            frame = _nothing
        elif kind == _ND_NA and 2 in options:
            frame = _then(frame, functools.partial(frames.neighbour, options[2], target))
        elif kind == _ND_NS and 1 in options and src != "::":
            frame = _then(frame, functools.partial(frames.neighbour, options[1], src))
        return frame, _no_route

    # -- scapy ---------------------------------------------------------------------------------

    def _scapy(self, linktype: int, ts: float, data: bytes) -> None:
        """Decode with scapy's class for the link type; a link type scapy does not know
        either is counted and skipped."""
        layer = scapy().l2types.num2layer.get(linktype)
        if layer is None:
            unread = self.counts.unread_links
            unread[linktype] = unread.get(linktype, 0) + 1
            return
        self.counts.scapy += 1
        try:
            pkt = layer(data)
        except Exception:  # scapy's reader keeps such a packet as raw bytes: nothing to read
            return
        pkt.time = ts
        self.ex.packets -= 1  # feed counts it again
        self.ex.feed(pkt)


def _nothing() -> None:
    return None


def _no_route() -> Route | None:
    return None


def _then(first: Callable[[], None], second: Callable[[], None]) -> Callable[[], None]:
    def both() -> None:
        first()
        second()

    return both


def _plain_udp_rejected(data: bytes, total: int) -> bool:
    """A whole UDP header (after a 20-byte IPv4 one, in a frame of 42 bytes or more) the
    filter rejects."""
    if total < 28 or not 8 <= (data[38] << 8) | data[39] <= total - 20:
        return False
    sport, dport = (data[34] << 8) | data[35], (data[36] << 8) | data[37]
    return not (sport in _UDP or dport in _UDP or dport in selection.SCAPY_UDP_PORTS)


def _raw_key(key: tuple[str, int, str, int]) -> bytes:
    src, sport, dst, dport = key
    family = socket.AF_INET6 if ":" in src else socket.AF_INET
    addresses = socket.inet_pton(family, src) + socket.inet_pton(family, dst)
    return addresses + sport.to_bytes(2, "big") + dport.to_bytes(2, "big")
