"""HTTP responses and service greetings reassembled from a capture's TCP segments, bounded.

What a device says over TCP when someone else asks it: the UPnP description a control point
fetched from its ``LOCATION`` (UDA 2.0 §2.3: ``modelName``, ``manufacturer``, ``serialNumber``…),
the title of its web page, the greeting of its Telnet, FTP or SSH service.

Reassembly, per flow (server address and port, client address and port): the payload of
in-order segments from the segment that starts a response (``HTTP/1.x``) or from the first
data a greeting port (21, 22, 23, 2323) sends, at most :data:`MAX_FLOW_BYTES` per flow and
:data:`MAX_FLOWS` flows at once (the least recently extended is read as it stands and
dropped). A gap (a lost or reordered segment) ends the flow with what came before it;
retransmissions are ignored. A flow is read when it is complete: its ``Content-Length`` or
final chunk reached, FIN or RST, the cap reached, or the end of the capture. Only flows whose
server has a non-global address (a LAN device, not a web site someone browsed) are followed;
a response whose ``Content-Type`` is neither XML nor HTML is not kept past its head.

Reading: the head with the active probes' parser (:mod:`scanner.probes.httphead`, 100 headers),
a chunked body decoded within the cap; an XML body through the SSDP probe's description parser
(:func:`scanner.probes.multicast.ssdp.parse_description`, defusedxml, the 512 KiB XML cap) into
``upnp.*`` under the server's address, and an ONVIF ``GetDeviceInformationResponse`` through
the ONVIF probe's reader into ``onvif.*``; an HTML body's title as ``http.title`` (the HTTP
probe's extraction: 256 characters). Greetings as the banner probe decodes them: Telnet's
up to the first byte the client types (so a typed user name is never kept), FTP's and SSH's
first line.
"""

from __future__ import annotations

import ipaddress
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from scanner.errors import ParseError
from scanner.models import Observation
from scanner.probes.banner import FIELDS as BANNER_FIELDS
from scanner.probes.banner import decode_banner
from scanner.probes.http import title
from scanner.probes.httphead import Head, HttpParseError, Response, parse_header, parse_status
from scanner.probes.multicast.ssdp import description_pairs
from scanner.probes.onvif import device_information
from scanner.probes.xmlsafe import parse_xml
from scanner.scope import Limits

MAX_FLOW_BYTES = 64 * 1024
MAX_FLOWS = 128
_LIMITS = Limits()
FlowKey = tuple[str, int, str, int]  # server address, server port, client address, client port
Sink = Callable[[list[Observation]], None]
Problem = Callable[[str, str], None]


@dataclass
class _Flow:
    kind: str  # "http" or the banner field
    next_seq: int
    data: bytearray = field(default_factory=bytearray)


def _lan(address: str) -> bool:
    try:
        return not ipaddress.ip_address(address).is_global
    except ValueError:
        return False


class Flows:
    """Follows server-to-client TCP data; observations go to ``sink``, problems to ``problem``."""

    def __init__(self, source: str, sink: Sink, problem: Problem) -> None:
        self.source = source
        self._sink = sink
        self._problem = problem
        self._flows: OrderedDict[FlowKey, _Flow] = OrderedDict()
        self._greetings: OrderedDict[FlowKey, int] = OrderedDict()  # SYN-ACKs: first data seq
        self.opened = 0  # flows started so far (a decoder watching which flows are open)

    def feed(self, src: str, sport: int, dst: str, dport: int, tcp: tuple[int, int, bytes]) -> None:
        """One segment: (sequence number, flags, payload)."""
        seq, flags, payload = tcp
        key = (src, sport, dst, dport)
        if dport in BANNER_FIELDS and payload and decode_banner(dport, payload):
            self._finish((dst, dport, src, sport))  # the client typed: the greeting is over
        if flags & 0x12 == 0x12 and sport in BANNER_FIELDS and _lan(src):
            self._opened(key, seq)
            return
        flow = self._flows.get(key)
        if flow is None and payload and _opens(payload, key in self._greetings) and _lan(src):
            flow = self._start(key, sport, seq, payload)
        elif flow is not None and payload:
            self._extend(key, flow, seq, payload)
        if flow is not None and flags & 0x05:  # FIN or RST
            self._finish(key)

    limit = MAX_FLOWS

    def open_keys(self) -> list[FlowKey]:
        return list(self._flows)

    def flush(self) -> None:
        """Read every flow still open (the end of a capture or of a listen)."""
        for key in list(self._flows):
            self._finish(key)

    def _opened(self, key: FlowKey, seq: int) -> None:
        """A SYN-ACK from a greeting port: its first data byte is ``seq + 1``. A greeting is
        read only from there, never from the middle of a session (a shell's output)."""
        if len(self._greetings) >= MAX_FLOWS:
            self._greetings.popitem(last=False)
        self._greetings[key] = (seq + 1) & 0xFFFFFFFF

    def _start(self, key: FlowKey, sport: int, seq: int, payload: bytes) -> _Flow | None:
        if payload.startswith(b"HTTP/1."):
            kind = "http"
        elif self._greetings.pop(key, None) == seq:
            kind = BANNER_FIELDS[sport]
        else:
            return None
        if len(self._flows) >= MAX_FLOWS:
            self._finish(next(iter(self._flows)))
        flow = self._flows[key] = _Flow(kind, seq)
        self.opened += 1
        self._extend(key, flow, seq, payload)
        return flow

    def _extend(self, key: FlowKey, flow: _Flow, seq: int, payload: bytes) -> None:
        delta = (seq - flow.next_seq) & 0xFFFFFFFF
        if delta >= 0x80000000:  # before what we have: a retransmission, perhaps overlapping
            payload = payload[(flow.next_seq - seq) & 0xFFFFFFFF :]
        elif delta:
            self._finish(key)  # a gap: what came after it cannot be placed
            return
        if not payload:
            return
        flow.data += payload[: MAX_FLOW_BYTES - len(flow.data)]
        flow.next_seq = (flow.next_seq + len(payload)) & 0xFFFFFFFF
        self._flows.move_to_end(key)
        if len(flow.data) >= MAX_FLOW_BYTES or _complete(flow):
            self._finish(key)

    def _finish(self, key: FlowKey) -> None:
        flow = self._flows.pop(key, None)
        if flow is None or not flow.data:
            return
        subject = f"ip:{key[0]}"
        try:
            if flow.kind == "http":
                found = self._response(subject, bytes(flow.data))
            else:
                found = _greeting(subject, key[1], bytes(flow.data), f"{self.source}:banner")
        except ParseError as exc:
            self._problem(flow.kind, str(exc))
            return
        self._sink(found)

    def _response(self, subject: str, data: bytes) -> list[Observation]:
        head, body, truncated = parse_response(data)
        kind = (head.get("content-type") or "").lower()
        if "xml" in kind or body.lstrip()[:5] == b"<?xml":
            if head.status != 200 or truncated:
                return []
            root = parse_xml(body, _LIMITS.max_xml)
            upnp = [(f, v, "upnp") for f, v in description_pairs(root)]
            onvif = [(f, v, "onvif") for f, v in device_information(root)]
            return [Observation(subject, f, v, f"{self.source}:{k}") for f, v, k in upnp + onvif]
        found = title(Response(head, body, truncated))
        return [Observation(subject, "http.title", found, f"{self.source}:http")] if found else []


def _opens(payload: bytes, greeting: bool) -> bool:
    """Could this segment start a flow: a response's status line, or a greeting's first data."""
    return greeting or payload.startswith(b"HTTP/1.")


def _greeting(subject: str, port: int, data: bytes, source: str) -> list[Observation]:
    if BANNER_FIELDS[port] != "telnet.banner":
        data = data.split(b"\n", 1)[0]
    text = decode_banner(port, data)
    return [Observation(subject, BANNER_FIELDS[port], text, source)] if text else []


def _complete(flow: _Flow) -> bool:
    """A greeting line ended, or an HTTP response's declared length or final chunk arrived."""
    data = flow.data
    if flow.kind != "http":
        return flow.kind != "telnet.banner" and b"\n" in data
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return False
    head = bytes(data[:end]).lower()
    if b"\r\ntransfer-encoding: chunked" in head:
        return data.endswith(b"0\r\n\r\n")
    marker = head.find(b"\r\ncontent-length:")
    if marker < 0:
        return False
    number = head[marker + 17 :].split(b"\r\n", 1)[0].strip()
    return number.isdigit() and len(data) - end - 4 >= int(number[:18])


def parse_response(data: bytes) -> tuple[Head, bytes, bool]:
    """(head, body, truncated) of a reassembled response, with the active probes' head parser
    and header cap; a chunked body decoded as far as it arrived."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        raise HttpParseError("response head cut short")
    lines = data[:end].split(b"\r\n")
    protocol, status, reason = parse_status(lines[0] + b"\r\n")
    if len(lines) - 1 > _LIMITS.max_headers:
        raise HttpParseError("too many headers")
    head = Head(protocol, status, reason, tuple(parse_header(line) for line in lines[1:]))
    body = data[end + 4 :]
    if (head.get("transfer-encoding") or "").lower().strip() == "chunked":
        return head, *dechunk(body)
    length = (head.get("content-length") or "").strip()
    if length.isascii() and length.isdigit() and len(length) <= 18:
        return head, body[: int(length)], len(body) < int(length)
    return head, body, False


def dechunk(data: bytes) -> tuple[bytes, bool]:
    """A chunked body (RFC 9112 §7.1) as far as it arrived: (body, truncated)."""
    body = bytearray()
    at = 0
    while True:
        eol = data.find(b"\r\n", at)
        if eol < 0:
            return bytes(body), True
        try:
            size = int(data[at:eol].split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise HttpParseError("invalid chunk size") from None
        if size == 0:
            return bytes(body), False
        chunk = data[eol + 2 : eol + 2 + size]
        body += chunk
        if len(chunk) < size:
            return bytes(body), True
        at = eol + 2 + size + 2
