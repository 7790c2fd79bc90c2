"""Captures of real devices' self-announcements, rebuilt packet by packet from public records.

Each builder returns the frames one device (or bystander) puts on a LAN; the payloads follow a
public record of that device's traffic, cited on the builder. MAC addresses are locally
administered (``02:…``) so that no vendor prefix helps: the evidence under test is the one
kind each builder names.
"""

from __future__ import annotations

import socket
import struct

from scapy.layers.dhcp import BOOTP, DHCP
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Packet, Raw

GATEWAY = "192.168.1.1"
CONTROL_POINT = "192.168.1.9"


def _name(text: str) -> bytes:
    return b"".join(bytes([len(p)]) + p for p in (x.encode() for x in text.split("."))) + b"\0"


def _rr(owner: str, rtype: int, rdata: bytes, ttl: int = 120, flush: bool = False) -> bytes:
    klass = 0x8001 if flush else 1
    return _name(owner) + struct.pack("!HHIH", rtype, klass, ttl, len(rdata)) + rdata


def mdns_response(answers: list[bytes], additionals: list[bytes]) -> bytes:
    """An unsolicited mDNS response (RFC 6762 §8.3: ID 0, QR and AA set)."""
    header = struct.pack("!6H", 0, 0x8400, 0, len(answers), 0, len(additionals))
    return header + b"".join(answers) + b"".join(additionals)


def dhcp_request(mac: str, hostname: str, xid: int = 0x3903F326) -> Packet:
    """A DHCPREQUEST carrying option 12 (RFC 2132 §3.14), broadcast from 0.0.0.0."""
    return (
        Ether(src=mac, dst="ff:ff:ff:ff:ff:ff")
        / IP(src="0.0.0.0", dst="255.255.255.255")
        / UDP(sport=68, dport=67)
        / BOOTP(chaddr=bytes.fromhex(mac.replace(":", "")) + bytes(10), xid=xid)
        / DHCP(
            options=[
                ("message-type", "request"),
                ("hostname", hostname.encode()),
                ("param_req_list", [1, 3, 6, 12, 15, 28, 42]),
                "end",
            ]
        )
    )


def dhcp_ack(mac: str, address: str, xid: int = 0x3903F326) -> Packet:
    return (
        Ether(src="02:00:00:00:00:01", dst=mac)
        / IP(src=GATEWAY, dst=address)
        / UDP(sport=67, dport=68)
        / BOOTP(
            op=2, yiaddr=address, chaddr=bytes.fromhex(mac.replace(":", "")) + bytes(10), xid=xid
        )
        / DHCP(options=[("message-type", "ack"), ("server_id", GATEWAY), "end"])
    )


def axis_dhcp(mac: str = "02:00:00:00:43:01", address: str = "192.168.1.43") -> list[Packet]:
    """An Axis camera asking for its lease with its factory host name ``axis-<MAC>`` (Home
    Assistant ``homeassistant/generated/dhcp.py``, domain axis: hostname ``axis-*``; Axis's
    factory MAC ACCC8E5AC043 as in the Axis VAPIX examples the lab also uses)."""
    return [dhcp_request(mac, "axis-accc8e5ac043"), dhcp_ack(mac, address)]


HIK_INSTANCE = "HIKVISION DS-2CD2722FWD-IZS - 733050075"
HIK_HOST = "DS-2CD2722FWD-IZS20170321BBWR733050075.local"
HIK_ADDRESS = "10.0.1.164"


def hikvision_mdns(mac: str = "02:00:00:01:64:01") -> list[Packet]:
    """A Hikvision DS-2CD2722FWD-IZS announcing ``_CGI._tcp``: the packet recorded in github
    128keaton/hikvision-mdns ``test/cameras.json`` (first entry, 10.0.1.164): PTR to the
    instance, TXT ``path=/``, SRV port 80 on the host named by model and serial, its A and
    AAAA records."""
    stype = "_CGI._tcp.local"
    full = f"{HIK_INSTANCE}.{stype}"
    srv = struct.pack("!HHH", 0, 0, 80) + _name(HIK_HOST)
    payload = mdns_response(
        [_rr(stype, 12, _name(full), 4500)],
        [
            _rr(full, 16, b"\x06path=/", 4500, flush=True),
            _rr(full, 33, srv, flush=True),
            _rr(HIK_HOST, 1, socket.inet_aton(HIK_ADDRESS), flush=True),
            _rr(HIK_HOST, 28, socket.inet_pton(socket.AF_INET6, "fe80::1a68:cbff:fe15:b284")),
        ],
    )
    return [
        Ether(src=mac, dst="01:00:5e:00:00:fb")
        / IP(src=HIK_ADDRESS, dst="224.0.0.251", ttl=255)
        / UDP(sport=5353, dport=5353)
        / Raw(payload)
    ]


AXIS_SERVER = "Linux/4.9.94-axis5, UPnP/1.0, Portable SDK for UPnP devices/1.8.4"
AXIS_DESCRIPTION = (
    '<?xml version="1.0"?>\r\n<root xmlns="urn:schemas-upnp-org:device-1-0">'
    "<specVersion><major>1</major><minor>0</minor></specVersion><device>"
    "<deviceType>urn:axis-com:device:Basic:1</deviceType>"
    "<friendlyName>AXIS P3245-LVE - ACCC8E5AC043</friendlyName>"
    "<manufacturer>AXIS</manufacturer><manufacturerURL>http://www.axis.com/</manufacturerURL>"
    "<modelDescription>AXIS P3245-LVE Network Camera</modelDescription>"
    "<modelName>AXIS P3245-LVE</modelName><modelNumber>P3245-LVE</modelNumber>"
    "<serialNumber>ACCC8E5AC043</serialNumber><UDN>uuid:Upnp-BasicDevice-1_0-ACCC8E5AC043</UDN>"
    "</device></root>"
)


def axis_ssdp(mac: str = "02:00:00:00:43:02", address: str = "192.168.1.44") -> list[Packet]:
    """An Axis camera's ``NOTIFY ssdp:alive`` (UDA 2.0 §1.2.2) with its SERVER token (rapid7/recog
    ``xml/http_servers.xml``: ``Linux/4.9.94-axis5, UPnP/1.0, Portable SDK for UPnP
    devices/1.8.4``)."""
    notify = (
        "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n"
        f"LOCATION: http://{address}:49152/rootdesc1.xml\r\nNT: upnp:rootdevice\r\n"
        f"NTS: ssdp:alive\r\nSERVER: {AXIS_SERVER}\r\n"
        "USN: uuid:Upnp-BasicDevice-1_0-ACCC8E5AC043::upnp:rootdevice\r\n\r\n"
    )
    return [
        Ether(src=mac, dst="01:00:5e:7f:ff:fa")
        / IP(src=address, dst="239.255.255.250", ttl=4)
        / UDP(sport=1900, dport=1900)
        / Raw(notify.encode())
    ]


def axis_description(mac: str = "02:00:00:00:43:02", address: str = "192.168.1.44") -> list[Packet]:
    """A control point (a VMS) fetching that camera's description (UDA 2.0 §2.1 ``GET`` of the
    LOCATION), and the camera's ``200 OK`` with the XML in two segments."""
    body = AXIS_DESCRIPTION.encode()
    head = (
        "HTTP/1.1 200 OK\r\nCONTENT-TYPE: text/xml\r\n"
        f"CONTENT-LENGTH: {len(body)}\r\nSERVER: {AXIS_SERVER}\r\n\r\n"
    ).encode()
    response = head + body
    cut = len(head) + 100
    client = Ether(dst=mac) / IP(src=CONTROL_POINT, dst=address)
    server = Ether(src=mac) / IP(src=address, dst=CONTROL_POINT)
    seq = 7000
    return [
        client
        / TCP(sport=51000, dport=49152, flags="PA", seq=100, ack=seq)
        / Raw(f"GET /rootdesc1.xml HTTP/1.1\r\nHOST: {address}:49152\r\n\r\n".encode()),
        server / TCP(sport=49152, dport=51000, flags="PA", seq=seq) / Raw(response[:cut]),
        server / TCP(sport=49152, dport=51000, flags="PA", seq=seq) / Raw(response[:cut]),  # again
        server / TCP(sport=49152, dport=51000, flags="PA", seq=seq + cut) / Raw(response[cut:]),
        server / TCP(sport=49152, dport=51000, flags="FA", seq=seq + len(response)),
    ]


def dns_query(source: str, name: str, qid: int, mac: str) -> Packet:
    """A standard query for ``name`` A (RFC 1035 §4.1.1: RD set) to the gateway's resolver."""
    question = _name(name) + struct.pack("!HH", 1, 1)
    return (
        Ether(src=mac)
        / IP(src=source, dst=GATEWAY)
        / UDP(sport=40000 + qid, dport=53)
        / Raw(struct.pack("!6H", qid, 0x0100, 1, 0, 0, 0) + question)
    )


def ezviz_dns(source: str = "192.168.1.60", mac: str = "02:00:00:00:60:01") -> list[Packet]:
    """An EZVIZ DB1 doorbell after boot: it resolves its NTP server and its cloud entry
    (seanblanchfield.com, "Deep Dive into the EZVIZ DB1 Doorbell with Home Assistant", 2022,
    "Housekeeping Traffic": ``time.ys7.com``, ``litedev.ezvizlife.com``)."""
    return [
        dns_query(source, "time.ys7.com", 1, mac),
        dns_query(source, "litedev.ezvizlife.com", 2, mac),
    ]


PHONE = "Zhang-San-iPhone"


def phone(mac: str = "02:00:00:00:23:01", address: str = "192.168.1.23") -> list[Packet]:
    """A bystander's phone: its DHCP host name, its Companion Link mDNS service (instance and
    host named after its owner, as iOS does), and the sites its owner looks up."""
    stype = "_companion-link._tcp.local"
    full = f"Zhang San's iPhone.{stype}"
    host = f"{PHONE}.local"
    srv = struct.pack("!HHH", 0, 0, 49152) + _name(host)
    answer = mdns_response(
        [_rr(stype, 12, _name(full), 4500)],
        [
            _rr(full, 33, srv, flush=True),
            _rr(full, 16, b"\x13rpBA=ZHANGSAN:PHONE", 4500, flush=True),
            _rr(host, 1, socket.inet_aton(address), flush=True),
        ],
    )
    return [
        dhcp_request(mac, PHONE, xid=0x11),
        dhcp_ack(mac, address, xid=0x11),
        Ether(src=mac)
        / IP(src=address, dst="224.0.0.251")
        / UDP(sport=5353, dport=5353)
        / Raw(answer),
        dns_query(address, "zhangsan-clinic-booking.example.com", 7, mac),
    ]
