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

Nothing is sent; payloads are never stored. Every packet is untrusted: parse failures are
counted and logged at most once per minute per kind (catalogue case 32); observations are
capped (:data:`MAX_OBSERVATIONS`) so a hostile capture cannot exhaust memory.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
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
from scanner.probes.multicast import mdns, ssdp, wsd
from scanner.probes.multicast.base import RateLimitedLog, is_excluded
from scanner.probes.multicast.vendor import dhip_address, sadp_address, vendor_observations
from scanner.probes.vendor_udp import parse_dhip, parse_sadp
from scanner.scope import Scope

MAX_OBSERVATIONS = 200_000
MAX_HTTP_HEAD = 8 * 1024
UNSPECIFIED = str(ipaddress.IPv4Address(0))  # "this host": an ARP probe or a DHCP client
_HTTP_METHODS = (b"GET ", b"POST ", b"HEAD ", b"PUT ", b"OPTIONS ", b"DELETE ", b"SUBSCRIBE ")
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
        self.errors = RateLimitedLog(log)
        self.stopped: str | None = None  # why a capture was not read to its end
        self._out: dict[Observation, None] = {}
        self.queries = dns.DnsQueries()
        self.flows = Flows(source, self._add, self.errors.problem)
        self.frames = FrameEvidence()  # source MACs, MAC ↔ address links, open ports

    def observations(self) -> list[Observation]:
        self.flows.flush()
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
        """Read one packet; a packet that does not parse is counted, never raised."""
        self.packets += 1
        try:
            record_frame(pkt, self.frames)
            self._feed(pkt)
        except (ParseError, InputError, ValueError, IndexError, TypeError, AttributeError) as exc:
            self.errors.problem(type(exc).__name__, str(exc))

    def _feed(self, pkt: Any) -> None:
        s = scapy()
        if pkt.haslayer(s.Dot11):
            self.wifi.feed(pkt)
            return
        if pkt.haslayer(s.ARP):
            self._arp(pkt[s.ARP])
        elif pkt.haslayer(s.LLDPDU):
            self._lldp(pkt)
        elif pkt.haslayer(s.CDP):
            self._cdp(pkt)
        elif pkt.haslayer(s.IP) and pkt.haslayer(s.UDP):
            self._udp(pkt, str(pkt[s.IP].src), pkt[s.UDP])
        elif pkt.haslayer(s.IP) and pkt.haslayer(s.TCP):
            self._tcp(str(pkt[s.IP].src), str(pkt[s.IP].dst), pkt[s.TCP])
        elif pkt.haslayer(s.IPv6) and pkt.haslayer(s.UDP):  # mDNS, SSDP, WSD over IPv6 too
            self._udp(pkt, str(pkt[s.IPv6].src), pkt[s.UDP])
        elif pkt.haslayer(s.IPv6) and pkt.haslayer(s.TCP):
            self._tcp(str(pkt[s.IPv6].src), str(pkt[s.IPv6].dst), pkt[s.TCP])

    def _arp(self, arp: Any) -> None:
        sender, ip = _mac_or_none(str(arp.hwsrc)), str(arp.psrc)
        if sender and ip != UNSPECIFIED:
            self._add([self._obs(f"mac:{sender}", "ip.address", ip, "arp")])

    def _udp(self, pkt: Any, src: str, udp: Any) -> None:
        ports = {int(udp.sport), int(udp.dport)}
        data = _raw(udp)
        subject = f"ip:{src}"
        if ports & {67, 68}:
            self._dhcp(pkt)
        elif int(udp.dport) == dns.PORT:
            self.queries.feed(src, data)
        elif _question(data, ports):
            return  # someone's question (ours, during a sweep): it says nothing about a device
        elif mdns.PORT in ports:
            r = mdns.decode(data)
            self._add(mdns.responder_observations(src, r, f"{self.source}:mdns"))
        elif ssdp.PORT in ports:
            msg = ssdp.parse_ssdp(data)
            if msg.kind != "search":
                self._add([self._obs(subject, "ip.address", src, "ssdp")])
                self._add(ssdp.message_observations(subject, msg, f"{self.source}:ssdp"))
        elif wsd.PORT in ports:
            for m in wsd.parse_wsd(data):
                self._add(wsd.match_observations(subject, src, m, f"{self.source}:wsd"))
        elif 37020 in ports:
            _, found = vendor_observations(src, data, parse_sadp, sadp_address, "passive:sadp")
            self._add(found)
        elif 37810 in ports:
            _, found = vendor_observations(src, data, parse_dhip, dhip_address, "passive:dhip")
            self._add(found)
        elif int(udp.sport) == snmp.PORT:  # an agent's answer to a monitoring system's poll
            identity = snmp.response_values(data)
            self._add(self._obs(subject, f, v, "snmp") for f, v in identity.items())

    def _dhcp(self, pkt: Any) -> None:
        s = scapy()
        if not pkt.haslayer(s.BOOTP) or not pkt.haslayer(s.DHCP):
            return
        client = _mac_or_none(bytes(pkt[s.BOOTP].chaddr)[:6].hex())
        if client is None:
            return
        subject = f"mac:{client}"
        options = {o[0]: o[1:] for o in pkt[s.DHCP].options if isinstance(o, tuple) and o}
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
        assigned = str(pkt[s.BOOTP].yiaddr)
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

    def _tcp(self, src: str, dst: str, tcp: Any) -> None:
        data = _raw(tcp)
        self._http(src, data)
        segment = (int(tcp.seq), int(tcp.flags), data)
        self.flows.feed(src, int(tcp.sport), dst, int(tcp.dport), segment)

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
