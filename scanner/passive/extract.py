"""Packets in, observations out: what devices say on the wire without being asked.

One :class:`Extractor` reads packets (from a live interface or a capture) and keeps:

- ARP (RFC 826): the sender's MAC ↔ IPv4 address of every request and reply;
- DHCP (RFC 2131/2132): client MAC, option 12 host name, option 60 vendor class, option 55
  parameter-request list (a DHCP fingerprint, as fingerbank uses), the address an ACK assigns;
- mDNS, SSDP, WS-Discovery, SADP and DHIP answers and announcements, decoded by the same
  parsers as the active probes (:mod:`scanner.probes.multicast`);
- LLDP (IEEE 802.1AB: system name, system description, chassis MAC) and CDP (device ID,
  platform, software version);
- unencrypted HTTP: the ``Server`` header of responses and the ``User-Agent`` of requests,
  from the first segment of each message; from LAN devices' responses reassembled (bounded,
  :mod:`scanner.passive.tcpflow`) the UPnP description or ONVIF device information they carry
  and an HTML page's title; Telnet, FTP and SSH greetings;
- the names devices look up (DNS queries to port 53: :mod:`scanner.passive.dns`);
- SNMP GetResponses (an agent answering a monitoring system's poll): its ``sysDescr`` and
  ``sysObjectID`` when the answer carries them (:func:`scanner.probes.snmp.response_values`);
- from every Ethernet frame, its sender: source MAC, MAC ↔ local address, the ports a local
  host accepts connections on, IPv6 neighbour discovery (:mod:`scanner.passive.frames`);
- 802.11 frame headers (radiotap captures): see :mod:`scanner.passive.wifi`.

Nothing is sent; payloads are never stored. Every packet is untrusted: a packet that does not
decode, whatever raised, is one drop counted per kind (``mdns``, ``dhip``, ...) and logged at
most once per minute per kind (catalogue case 32); the other packets go on; observations are
capped (:data:`MAX_OBSERVATIONS`) so a hostile capture cannot exhaust memory.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import logging
from collections.abc import Callable, Iterable
from typing import Any

from scanner.errors import InputError, ParseError
from scanner.models import Observation
from scanner.normalize import clean_text, mac
from scanner.passive import dns
from scanner.passive.framehook import record_frame
from scanner.passive.frames import FrameEvidence
from scanner.passive.layers import scapy
from scanner.passive.tcpflow import Flows
from scanner.passive.wifi import WifiStats
from scanner.probes import snmp
from scanner.probes.banner import FIELDS as BANNER_FIELDS
from scanner.probes.derived import is_excluded
from scanner.probes.multicast import mdns, ssdp, wsd
from scanner.probes.multicast.base import Drops
from scanner.probes.multicast.vendor import dhip_address, sadp_address, vendor_observations
from scanner.probes.vendor_udp import NotAnAnswer, parse_dhip, parse_sadp
from scanner.scope import Scope

MAX_OBSERVATIONS = 200_000
MAX_HTTP_HEAD = 8 * 1024
MAX_FRAME = 65_535
UNSPECIFIED = str(ipaddress.IPv4Address(0))  # "this host": an ARP probe or a DHCP client
_HTTP_METHODS = (b"GET ", b"POST ", b"HEAD ", b"PUT ", b"OPTIONS ", b"DELETE ", b"SUBSCRIBE ")

# What the readers below need, in one place: the capture filter (scanner.passive.selection)
# is built from these tables, so a packet a reader takes is never left out before decoding.
DHCP_PORTS = frozenset({67, 68})
#: UDP announcements and answers: port → kind (and reader), tried in this order
DATAGRAM_PORTS = {
    mdns.PORT: "mdns", ssdp.PORT: "ssdp", wsd.PORT: "wsd", 37020: "sadp", 37810: "dhip",
}  # fmt: skip
FILTER_UDP_PORTS = frozenset({*DHCP_PORTS, dns.PORT, *DATAGRAM_PORTS, snmp.PORT})
#: TCP ports whose greetings tcpflow reads (and whose clients' first bytes end them)
FILTER_TCP_PORTS = frozenset(BANNER_FIELDS)
#: how a TCP payload read by :meth:`Extractor._http` or a reassembled response begins
HTTP_STARTS = (b"HTTP/1.", *_HTTP_METHODS)
Route = tuple[str, Callable[[], None]]  # a packet's kind and the reader that takes it
Segment = tuple[int, int, int, int, bytes]  # TCP sport, dport, seq, flags, payload
log = logging.getLogger(__name__)


def _raw(layer: Any) -> bytes:
    payload = layer.payload
    original = getattr(payload, "original", None)
    return bytes(original) if original else bytes(payload)


def _mac_or_none(raw: str) -> str | None:
    try:
        found = mac(raw)
    except InputError:
        return None
    return None if found in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff") else found


class Extractor:
    """Accumulates observations from packets; :meth:`observations` returns them in order."""

    def __init__(self, scope: Scope | None = None, source: str = "passive") -> None:
        self.scope = scope
        self.source = source
        self.packets = 0
        self.wifi = WifiStats()
        self.drops = Drops(log)
        self.stopped: str | None = None  # why a capture was not read to its end
        self._out: dict[Observation, None] = {}
        self.queries = dns.DnsQueries()
        self.flows = Flows(source, self._add, self.drops.count)
        self.frames = FrameEvidence()  # source MACs, MAC ↔ address links, open ports
        self.cost: Callable[[], list[str]] | None = None  # the decoder's counts, as notes

    def notes(self) -> list[str]:
        """What the run's notes say of the packets: drops per kind, an early stop."""
        out = self.cost() if self.cost is not None else []
        if self.drops.total:
            out.append(f"passive: {self.drops.total} packets dropped: {self.drops.summary()}")
        if self.queries.resolvers:
            out.append(
                f"passive: DNS queries of {self.queries.resolvers} sources left out "
                "(each asked over 32 names: a resolver or a computer, not a device)"
            )
        if self.stopped:
            out.append(f"passive: stopped reading: {self.stopped}")
        return out

    def observations(self) -> list[Observation]:
        try:
            self.flows.flush()
        except Exception as exc:  # a flow's reader failing at the end is one more drop
            self.drops.add("http", exc)
        found = [
            *self._out,
            *self.queries.observations(f"{self.source}:dns"),
            *self.wifi.observations(f"{self.source}:wifi"),
            *self.frames.observations(f"{self.source}:frame"),
        ]
        if self.scope is None:
            return found
        dropped = {o.subject for o in found if o.field == "ip.address" and self._excluded(o.value)}
        dropped |= {o.subject for o in found if self._excluded(o.subject.partition(":")[2])}
        return [o for o in found if o.subject not in dropped]

    def _excluded(self, address: str) -> bool:
        return self.scope is not None and is_excluded(self.scope, address)

    def _add(self, items: Iterable[Observation]) -> None:
        for obs in items:
            if len(self._out) >= MAX_OBSERVATIONS:
                return
            self._out.setdefault(obs, None)

    def _obs(self, subject: str, field: str, value: str, kind: str) -> Observation:
        return Observation(subject, field, value, f"{self.source}:{kind}")

    def feed(self, pkt: Any) -> None:
        """Read one packet decoded by scapy. A packet that does not decode is one counted drop
        of its kind, whatever raised (a parse error, or a bug a device's bytes found)."""
        self.packets += 1
        if len(pkt) > MAX_FRAME:
            self.drops.add("frame", ParseError(f"frame over {MAX_FRAME} bytes"))
            return
        self.decoded(functools.partial(record_frame, pkt, self.frames), lambda: self._route(pkt))

    def decoded(self, frame: Callable[[], None], route: Callable[[], Route | None]) -> None:
        """One packet's frame evidence, then its reader (see :meth:`_route`), whichever decoder
        (scapy or :mod:`scanner.passive.fastpath`) made them: what raises is a counted drop,
        of the reader's kind once the packet was routed, of kind ``frame`` before."""
        kind = "frame"
        try:
            frame()
            found = route()
            if found is None:
                return
            kind, read = found
            read()
        except Exception as exc:
            self.drops.add(kind, exc)

    def _route(self, pkt: Any) -> Route | None:
        """The packet's kind and the reader that takes it, or None when nothing reads it."""
        s = scapy()
        layers: tuple[tuple[Any, str, Callable[[Any], None]], ...] = (
            (s.Dot11, "wifi", self.wifi.feed),
            (s.ARP, "arp", self._arp),
            (s.LLDPDU, "lldp", self._lldp),
            (s.CDP, "cdp", self._cdp),
        )
        for layer, kind, read in layers:
            if pkt.haslayer(layer):
                return kind, functools.partial(read, pkt)
        ip = s.IP if pkt.haslayer(s.IP) else s.IPv6 if pkt.haslayer(s.IPv6) else None
        if ip is None:
            return None  # mDNS, SSDP, WSD and HTTP are read over IPv6 too
        src, dst = str(pkt[ip].src), str(pkt[ip].dst)
        if pkt.haslayer(s.UDP):
            udp = pkt[s.UDP]
            dhcp = functools.partial(self._dhcp, pkt)
            return self.datagram(src, int(udp.sport), int(udp.dport), _raw(udp), dhcp)
        if pkt.haslayer(s.TCP):
            tcp = pkt[s.TCP]
            segment = (int(tcp.sport), int(tcp.dport), int(tcp.seq), int(tcp.flags), _raw(tcp))
            return "http", functools.partial(self.segment, src, dst, segment)
        return None

    def arp(self, hwsrc: str, psrc: str) -> None:
        """An ARP packet's sender: its MAC and IPv4 address (RFC 826)."""
        sender = _mac_or_none(hwsrc)
        if sender and psrc != UNSPECIFIED:
            self._add([self._obs(f"mac:{sender}", "ip.address", psrc, "arp")])

    def _arp(self, pkt: Any) -> None:
        arp = pkt[scapy().ARP]
        self.arp(str(arp.hwsrc), str(arp.psrc))

    def datagram(
        self, src: str, sport: int, dport: int, data: bytes, dhcp: Callable[[], None]
    ) -> Route | None:
        """The reader of one UDP datagram from ``src`` (``dhcp`` reads it as BOOTP), or None.
        Every port read here is in :data:`FILTER_UDP_PORTS`, which the capture filter passes."""
        ports = {sport, dport}
        if ports & DHCP_PORTS:
            return "dhcp", dhcp
        if dport == dns.PORT:
            return "dns", functools.partial(self.queries.feed, src, data)
        if _question(data, ports):
            return None  # someone's question (ours, during a sweep): it says nothing of a device
        readers = {
            "mdns": self._mdns, "ssdp": self._ssdp, "wsd": self._wsd, "sadp": self._sadp,
            "dhip": self._dhip,
        }  # fmt: skip
        for port, kind in DATAGRAM_PORTS.items():
            if port in ports:
                return kind, functools.partial(readers[kind], src, data)
        if sport == snmp.PORT:  # an agent's answer to a monitoring system's poll
            return "snmp", functools.partial(self._snmp, src, data)
        return None

    def _snmp(self, src: str, data: bytes) -> None:
        identity = snmp.response_values(data)
        self._add(self._obs(f"ip:{src}", f, v, "snmp") for f, v in identity.items())

    def _mdns(self, src: str, data: bytes) -> None:
        self._add(mdns.responder_observations(src, mdns.decode(data), f"{self.source}:mdns"))

    def _ssdp(self, src: str, data: bytes) -> None:
        msg = ssdp.parse_ssdp(data)
        if msg.kind != "search":
            subject = f"ip:{src}"
            self._add([self._obs(subject, "ip.address", src, "ssdp")])
            self._add(ssdp.message_observations(subject, msg, f"{self.source}:ssdp"))

    def _wsd(self, src: str, data: bytes) -> None:
        for m in wsd.parse_wsd(data):
            self._add(wsd.match_observations(f"ip:{src}", src, m, f"{self.source}:wsd"))

    def _sadp(self, src: str, data: bytes) -> None:
        with contextlib.suppress(NotAnAnswer):  # another method than an identity answer
            self._add(vendor_observations(src, data, parse_sadp, sadp_address, "passive:sadp")[1])

    def _dhip(self, src: str, data: bytes) -> None:
        with contextlib.suppress(NotAnAnswer):
            self._add(vendor_observations(src, data, parse_dhip, dhip_address, "passive:dhip")[1])

    def _dhcp(self, pkt: Any) -> None:
        s = scapy()
        if pkt.haslayer(s.BOOTP) and pkt.haslayer(s.DHCP):
            self._bootp(pkt[s.BOOTP], pkt[s.DHCP])

    def dhcp_payload(self, sport: int, dport: int, data: bytes) -> None:
        """A UDP payload on the DHCP ports, read as scapy reads it: as BOOTP only between the
        port pairs scapy binds (68→67, 67→68, 67→67 relays), as DHCP only after the magic
        cookie (RFC 2131 §3)."""
        if (sport, dport) not in ((68, 67), (67, 68), (67, 67)) or not data:
            return
        s = scapy()
        try:
            bootp = s.BOOTP(data)
        except Exception:  # scapy keeps a datagram it cannot dissect as raw bytes: no BOOTP
            return
        if bootp.haslayer(s.DHCP):
            self._bootp(bootp, bootp[s.DHCP])

    def _bootp(self, bootp: Any, dhcp: Any) -> None:
        client = _mac_or_none(bytes(bootp.chaddr)[:6].hex())
        if client is None:
            return
        subject = f"mac:{client}"
        options = {o[0]: o[1:] for o in dhcp.options if isinstance(o, tuple) and o}
        out = []
        if "hostname" in options:
            out.append(self._obs(subject, "dhcp.hostname", _text(options["hostname"][0]), "dhcp"))
        if "vendor_class_id" in options:
            vendor = _text(options["vendor_class_id"][0])
            out.append(self._obs(subject, "dhcp.vendor_class", vendor, "dhcp"))
        if "param_req_list" in options:
            values = options["param_req_list"]
            flat = values[0] if len(values) == 1 and isinstance(values[0], list) else values
            listed = ",".join(str(int(v)) for v in flat[:64])
            out.append(self._obs(subject, "dhcp.param_list", listed, "dhcp"))
        kind = options.get("message-type", (0,))[0]
        assigned = str(bootp.yiaddr)
        if kind in (5, "ack") and assigned != UNSPECIFIED:
            out.append(self._obs(subject, "ip.address", assigned, "dhcp"))
        self._add(o for o in out if o.value)

    def _lldp(self, pkt: Any) -> None:
        s = scapy()
        sender = _mac_or_none(str(getattr(pkt, "src", "")))  # Ethernet II or 802.3 source
        if sender is None:
            return
        subject, out = f"mac:{sender}", []
        layer = pkt[s.LLDPDU]
        while layer is not None and hasattr(layer, "_type"):
            name = type(layer).__name__
            if name == "LLDPDUSystemName":
                value = _text(layer.system_name)
                out.append(self._obs(subject, "lldp.system_name", value, "lldp"))
            elif name == "LLDPDUSystemDescription":
                value = _text(layer.description)
                out.append(self._obs(subject, "lldp.system_description", value, "lldp"))
            layer = layer.payload if layer.payload else None
        self._add(o for o in out if o.value)

    def _cdp(self, pkt: Any) -> None:
        s = scapy()
        sender = _mac_or_none(str(getattr(pkt, "src", "")))  # CDP rides on 802.3 + SNAP
        if sender is None:
            return
        fields = {
            "CDPMsgDeviceID": "cdp.device_id",
            "CDPMsgPlatform": "cdp.platform",
            "CDPMsgSoftwareVersion": "cdp.software",
        }
        out = [
            self._obs(f"mac:{sender}", fields[type(m).__name__], _text(m.val), "cdp")
            for m in pkt[s.CDP].msg or []
            if type(m).__name__ in fields
        ]
        self._add(o for o in out if o.value)

    def segment(self, src: str, dst: str, segment: Segment) -> None:
        """One TCP segment: (source port, destination port, sequence number, flags, payload)."""
        sport, dport, seq, flags, data = segment
        self._http(src, data)
        self.flows.feed(src, sport, dst, dport, (seq, flags, data))

    def _http(self, src: str, data: bytes) -> None:
        head = data[:MAX_HTTP_HEAD]
        if head.startswith(b"HTTP/1."):
            name, field = b"server", "http.server"
        elif head.startswith(_HTTP_METHODS):
            name, field = b"user-agent", "http.user_agent"
        else:
            return
        for line in head.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:101]:
            key, sep, value = line.partition(b":")
            if sep and key.strip().lower() == name:
                text = clean_text(value.decode("latin-1"), 256)
                if text:
                    self._add([self._obs(f"ip:{src}", field, text, "http")])
                return


def _question(data: bytes, ports: set[int]) -> bool:
    """An mDNS query, a SADP inquiry or a DHIP search: questions, not announcements."""
    if mdns.PORT in ports:
        return len(data) >= 12 and not data[2] & 0x80  # QR bit clear (RFC 1035 §4.1.1)
    if 37020 in ports:
        return b"<Probe>" in data[:512]
    return 37810 in ports and b"DHDiscover.search" in data[:512]


def _text(value: Any) -> str:
    raw = value if isinstance(value, bytes) else str(value).encode("utf-8", "replace")
    return clean_text(raw.decode("utf-8", "replace"), 256)
