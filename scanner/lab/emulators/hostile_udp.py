"""Hostile lab devices on UDP: mDNS pointer loops, an SSDP flood, a SADP billion laughs.

The datagram half of :mod:`scanner.lab.emulators.hostile` (the shapes, the cases of the safety
catalogue they play and the reworks that install them are documented there).
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass
from typing import ClassVar

from scanner.lab.emulators.base import ServiceSpec
from scanner.lab.emulators.discovery import DatagramEmulator, Send
from scanner.lab.emulators.mdns import GROUP as MDNS_GROUP
from scanner.lab.emulators.mdns import PORT as MDNS_PORT
from scanner.lab.emulators.mdns import questions
from scanner.lab.emulators.nesting import pointer_chain_answer

#: Entity expansion to ~3 GB (the classic "billion laughs", Python XML vulnerabilities table).
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + ']>\n<root xmlns="urn:schemas-upnp-org:device-1-0"><device><friendlyName>&lol9;'
    "</friendlyName></device></root>\n"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class LoopingMdnsSpec(ServiceSpec):
    """An mDNS responder whose every answer has hostile framing."""

    proto: ClassVar[str] = "mdns_loop"
    transport: ClassVar[str] = "udp"


def looping_answers(qid: int) -> list[bytes]:
    """One answer per framing attack, each a response (QR set) to query ``qid``."""

    def header(an: int) -> bytes:
        return struct.pack("!6H", qid, 0x8400, 0, an, 0, 0)

    ptr_rr = struct.pack("!HHIH", 12, 1, 120, 2)  # PTR IN, TTL 120, RDLENGTH 2
    return [
        header(1) + b"\xc0\x0c" + ptr_rr + b"\xc0\x0c",  # name points to itself (offset 12)
        header(1) + b"\x01a\xc0\x0c" + ptr_rr + b"\xc0\x0c",  # a -> itself: a two-step cycle
        header(1) + b"\xc0\xff" + ptr_rr + b"\xc0\x0c",  # a pointer past the end
        header(0xFFFF) + b"\x01a\x00" + ptr_rr + b"\xc0\x0c",  # ANCOUNT 65535, one record
        header(1) + b"\x01a\x00" + struct.pack("!HHIH", 12, 1, 120, 4000) + b"\x00",  # RDLENGTH
        pointer_chain_answer(qid),  # 3,000 backward pointers: no cycle, only depth
    ]


class LoopingMdnsEmulator(DatagramEmulator):
    proto: ClassVar[str] = "mdns_loop"
    group: ClassVar[str] = MDNS_GROUP

    def answer(self, data: bytes, address: str) -> bytes | None:
        asked = questions(data)
        return looping_answers(asked[0])[0] if asked else None

    def on_group(self, data: bytes, peer: tuple[str, int], address: str) -> list[Send]:
        asked = questions(data)
        if asked is None or peer[1] == MDNS_PORT:
            return []  # answer legacy-unicast askers (RFC 6762 §6.7) only, by unicast
        self._log(peer, "request", len(data), "multicast")
        return [Send(a, peer) for a in looping_answers(asked[0])]


@dataclass(frozen=True, slots=True, kw_only=True)
class SsdpFloodSpec(ServiceSpec):
    """An SSDP responder that floods every M-SEARCH (``answers`` random-USN answers)."""

    proto: ClassVar[str] = "ssdp_flood"
    transport: ClassVar[str] = "udp"
    answers: int = 100
    location_port: int = 1  # nothing listens there: the description fetch is refused


class SsdpFloodEmulator(DatagramEmulator):
    proto: ClassVar[str] = "ssdp_flood"
    group: ClassVar[str] = "239.255.255.250"

    def answer(self, data: bytes, address: str) -> bytes | None:
        return None  # unicast M-SEARCH is not something the scanner sends

    def on_group(self, data: bytes, peer: tuple[str, int], address: str) -> list[Send]:
        if not data.upper().startswith(b"M-SEARCH * HTTP/1.1"):
            return []
        self._log(peer, "request", len(data), "multicast")
        s: SsdpFloodSpec = self.spec
        location = f"LOCATION: http://{address}:{s.location_port}/d.xml"
        malformed = f"HTTP/1.1 200 OK\r\n{location}\r\nthis line has no colon\r\n\r\n"
        oversized = "HTTP/1.1 200 OK\r\nX-Pad: " + "p" * 20000 + "\r\n\r\n"
        flood = [
            f"HTTP/1.1 200 OK\r\n{location}\r\nSERVER: flood/1.0 UPnP/1.0\r\nST: ssdp:all\r\n"
            f"USN: uuid:{uuid.uuid4()}::upnp:rootdevice\r\n\r\n"
            for _ in range(s.answers)
        ]
        return [Send(m.encode(), peer) for m in (malformed, oversized, *flood)]


@dataclass(frozen=True, slots=True, kw_only=True)
class SadpBombSpec(ServiceSpec):
    """A SADP responder whose ProbeMatch is a billion-laughs document."""

    proto: ClassVar[str] = "sadp_bomb"
    transport: ClassVar[str] = "udp"


class SadpBombEmulator(DatagramEmulator):
    proto: ClassVar[str] = "sadp_bomb"
    group: ClassVar[str] = "239.255.255.250"

    def answer(self, data: bytes, address: str) -> bytes | None:
        if b"<Probe>" not in data or b"<Types>inquiry</Types>" not in data:
            return None
        return BILLION_LAUGHS.replace("root", "ProbeMatch").encode()

    def on_group(self, data: bytes, peer: tuple[str, int], address: str) -> list[Send]:
        reply = self.answer(data, address)
        return [Send(reply, peer)] if reply is not None else []


#: UDP services by proto tag.
HOSTILE_DATAGRAM_EMULATORS: dict[str, tuple[type[ServiceSpec], type[DatagramEmulator]]] = {
    "mdns_loop": (LoopingMdnsSpec, LoopingMdnsEmulator),
    "ssdp_flood": (SsdpFloodSpec, SsdpFloodEmulator),
    "sadp_bomb": (SadpBombSpec, SadpBombEmulator),
}
