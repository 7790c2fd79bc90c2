"""Ethernet frames rebuilt from recorded values (scapy), for :mod:`real_artefacts` captures.

A frame spec is a dict with ``type`` and the recorded values; MACs and addresses are the
recorded ones (or, where a source masks them, the recorded vendor block with the masked
octets filled in, said so in the record).
"""

from __future__ import annotations

from typing import Any

from real_paths import mdns_response, snmp_response, ssdp_bytes
from scapy.layers.dhcp import BOOTP, DHCP
from scapy.layers.dns import DNS, DNSQR
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import ICMPv6ND_NA, ICMPv6NDOptDstLLAddr, IPv6
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Packet, Raw

BROADCAST = "ff:ff:ff:ff:ff:ff"
GATEWAY_MAC = "02:00:00:00:00:01"


def _dhcp(f: dict[str, Any]) -> Packet:
    options: list[Any] = [("message-type", "request")]
    if "hostname" in f:
        options.append(("hostname", f["hostname"].encode()))
    if "vendor_class" in f:
        options.append(("vendor_class_id", f["vendor_class"].encode()))
    if "params" in f:
        options.append(("param_req_list", f["params"]))
    chaddr = bytes.fromhex(f["mac"].replace(":", "")) + bytes(10)
    return (
        Ether(src=f["mac"], dst=BROADCAST)
        / IP(src="0.0.0.0", dst="255.255.255.255")
        / UDP(sport=68, dport=67)
        / BOOTP(chaddr=chaddr, xid=0x1234)
        / DHCP(options=[*options, "end"])
    )


def _ip(f: dict[str, Any], dst: str, dst_mac: str) -> Packet:
    if ":" in f["ip"]:
        return Ether(src=f["mac"], dst=dst_mac) / IPv6(src=f["ip"], dst=dst)
    return Ether(src=f["mac"], dst=dst_mac) / IP(src=f["ip"], dst=dst)


def _arp(f: dict[str, Any]) -> Packet:
    arp = ARP(op=1, hwsrc=f["mac"], psrc=f["ip"], pdst=f.get("target", f["ip"]))
    return Ether(src=f["mac"], dst=BROADCAST) / arp


def _mdns(f: dict[str, Any]) -> Packet:
    v6 = ":" in f["ip"]
    dst, dst_mac = ("ff02::fb", "33:33:00:00:00:fb") if v6 else ("224.0.0.251", "01:00:5e:00:00:fb")
    payload = mdns_response(f["services"], f.get("a", f["ip"]))
    return _ip(f, dst, dst_mac) / UDP(sport=5353, dport=5353) / Raw(payload)


def _ssdp(f: dict[str, Any]) -> Packet:
    udp = UDP(sport=f.get("sport", 1900), dport=1900)
    return _ip(f, "239.255.255.250", "01:00:5e:7f:ff:fa") / udp / Raw(ssdp_bytes(f))


def _dns(f: dict[str, Any]) -> Packet:
    query = DNS(rd=1, qd=DNSQR(qname=f["name"]))
    return (
        _ip(f, f.get("resolver", "192.168.1.1"), GATEWAY_MAC) / UDP(sport=53000, dport=53) / query
    )


def _tcp(f: dict[str, Any]) -> Packet:
    tcp = TCP(
        sport=f["sport"], dport=f["dport"], flags=f.get("flags", "PA"), seq=f.get("seq", 1000)
    )
    payload = Raw(f.get("payload", "").encode("latin-1"))
    return _ip(f, f["dst"], f.get("dst_mac", GATEWAY_MAC)) / tcp / payload


def _udp(f: dict[str, Any]) -> Packet:
    payload = Raw(f.get("payload", "").encode("latin-1"))
    return (
        _ip(f, f["dst"], f.get("dst_mac", GATEWAY_MAC))
        / UDP(sport=f["sport"], dport=f["dport"])
        / payload
    )


def _snmp(f: dict[str, Any]) -> Packet:
    """An agent's GetResponse to a manager's poll (UDP 161 → the manager's port)."""
    payload = snmp_response(f.get("sys_descr"), f.get("sys_object_id"))
    udp = UDP(sport=161, dport=f.get("dport", 50161))
    return _ip(f, f["dst"], f.get("dst_mac", GATEWAY_MAC)) / udp / Raw(payload)


def _na(f: dict[str, Any]) -> Packet:
    return (
        Ether(src=f["mac"], dst="33:33:00:00:00:01")
        / IPv6(src=f["ip"], dst="ff02::1")
        / ICMPv6ND_NA(tgt=f["ip"], R=0, S=0, O=1)
        / ICMPv6NDOptDstLLAddr(lladdr=f["mac"])
    )


BUILDERS = {"dhcp": _dhcp, "arp": _arp, "mdns": _mdns, "ssdp": _ssdp, "dns": _dns, "tcp": _tcp,
            "udp": _udp, "na": _na, "snmp": _snmp}  # fmt: skip


def build_frame(f: dict[str, Any]) -> Packet:
    """The frame a recorded value stands for (see the module doc)."""
    return BUILDERS[f["type"]](f)
