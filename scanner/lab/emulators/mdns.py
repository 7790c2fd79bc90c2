"""mDNS/DNS-SD for lab devices: answers PTR browses for its service types, announces them.

Wire format: RFC 1035 §4.1 (header, question and resource-record layout, §4.1.4 name
compression), RFC 6762 (224.0.0.251:5353; §6.7 a query from a port other than 5353 is
answered by unicast to that port, echoing the ID and the question; §8.3 announcements are
unsolicited responses with ID 0; §10.2 the cache-flush bit on unique records) and RFC 6763
(``PTR`` type → instance, ``SRV`` instance → host, ``TXT`` key=value, §9 the
``_services._dns-sd._udp.local`` meta-query). Written here independently of the scanner's
python-zeroconf reading, with no compression in answers and a bounded, backwards-only
pointer walk for questions.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from typing import Any, ClassVar

from scanner.lab.emulators.base import ServiceSpec
from scanner.lab.emulators.discovery import DatagramEmulator, Send

GROUP, PORT = "224.0.0.251", 5353
META = "_services._dns-sd._udp.local"
A, PTR, TXT, SRV = 1, 12, 16, 33
CACHE_FLUSH = 0x8000


@dataclass(frozen=True, slots=True)
class Service:
    """One DNS-SD service: ``stype`` like ``_axis-video._tcp``, the instance label, port, TXT."""

    stype: str
    instance: str
    port: int
    txt: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MdnsSpec(ServiceSpec):
    proto: ClassVar[str] = "mdns"
    transport: ClassVar[str] = "udp"
    hostname: str  # without ".local"
    services: tuple[Service, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MdnsSpec:
        services = tuple(
            Service(s["stype"], s["instance"], s["port"], tuple((k, v) for k, v in s["txt"]))
            for s in data["services"]
        )
        return cls(port=data["port"], hostname=data["hostname"], services=services)


def encode_name(name: str) -> bytes:
    out = b""
    for label in name.rstrip(".").split("."):
        raw = label.encode("utf-8")[:63]
        out += bytes([len(raw)]) + raw
    return out + b"\x00"


def read_name(data: bytes, offset: int) -> tuple[str, int]:
    """(name, offset after it); compression pointers must point backwards (RFC 1035 §4.1.4)."""
    labels: list[str] = []
    end: int | None = None
    start = offset
    for _ in range(128):
        if offset >= len(data):
            raise ValueError("name past the end")
        length = data[offset]
        if length == 0:
            return ".".join(labels), end if end is not None else offset + 1
        if length & 0xC0 == 0xC0:
            target = ((length & 0x3F) << 8) | data[offset + 1]
            if target >= start:
                raise ValueError("pointer does not point backwards")
            end = offset + 2 if end is None else end
            offset = start = target
            continue
        labels.append(data[offset + 1 : offset + 1 + length].decode("utf-8", "replace"))
        offset += 1 + length
    raise ValueError("too many labels")


def questions(data: bytes) -> tuple[int, list[str]] | None:
    """(query id, lower-case question names) of a query, or None if it is not one."""
    if len(data) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", data[:6])
    if flags & 0x8000:
        return None  # a response (someone else's answer)
    names, offset = [], 12
    try:
        for _ in range(min(qd, 64)):
            name, offset = read_name(data, offset)
            offset += 4
            names.append(name.lower())
    except (ValueError, IndexError):
        return None
    return qid, names


def _rr(name: str, rtype: int, rdata: bytes, ttl: int = 120, unique: bool = False) -> bytes:
    klass = 1 | (CACHE_FLUSH if unique else 0)
    return encode_name(name) + struct.pack("!HHIH", rtype, klass, ttl, len(rdata)) + rdata


def _txt(pairs: tuple[tuple[str, str], ...]) -> bytes:
    items = [f"{k}={v}".encode()[:255] for k, v in pairs] or [b""]
    return b"".join(bytes([len(i)]) + i for i in items)


class MdnsEmulator(DatagramEmulator):
    proto: ClassVar[str] = "mdns"
    group: ClassVar[str] = GROUP

    def records(self, address: str, wanted: set[str] | None) -> list[bytes]:
        s: MdnsSpec = self.spec
        host = f"{s.hostname}.local"
        out: list[bytes] = []
        types = {f"{v.stype}.local".lower() for v in s.services}
        if wanted is None or META in wanted:
            out += [_rr(META, PTR, encode_name(t), 4500) for t in sorted(types)]
        for v in s.services:
            stype = f"{v.stype}.local"
            if wanted is not None and stype.lower() not in wanted:
                continue
            full = f"{v.instance}.{stype}"
            out.append(_rr(stype, PTR, encode_name(full), 4500))
            srv = struct.pack("!HHH", 0, 0, v.port) + encode_name(host)
            out.append(_rr(full, SRV, srv, 120, unique=True))
            out.append(_rr(full, TXT, _txt(v.txt), 4500, unique=True))
        if out:
            out.append(_rr(host, A, socket.inet_aton(address), 120, unique=True))
        return out

    def response(self, qid: int, names: list[str], address: str, echo: bool) -> bytes | None:
        records = self.records(address, set(names))
        if not records:
            return None
        qs = b"".join(encode_name(n) + struct.pack("!HH", PTR, 1) for n in names) if echo else b""
        header = struct.pack("!6H", qid, 0x8400, len(names) if echo else 0, len(records), 0, 0)
        return header + qs + b"".join(records)

    def answer(self, data: bytes, address: str) -> bytes | None:
        asked = questions(data)
        return self.response(asked[0], asked[1], address, True) if asked else None

    def on_group(self, data: bytes, peer: tuple[str, int], address: str) -> list[Send]:
        asked = questions(data)
        if asked is None:
            return []
        legacy = peer[1] != PORT  # RFC 6762 §6.7: unicast to the asker, ID and question echoed
        reply = self.response(asked[0] if legacy else 0, asked[1], address, legacy)
        if reply is None:
            return []
        self._log(peer, "request", len(data), "multicast")
        return [Send(reply, peer if legacy else None)]

    def announcements(self, address: str) -> list[bytes]:
        records = self.records(address, None)
        header = struct.pack("!6H", 0, 0x8400, 0, len(records), 0, 0)
        return [header + b"".join(records)] if records else []
