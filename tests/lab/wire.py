"""Bring a catalogue device's emulators up on 127.0.0.1 and read their wire format.

:func:`observe` serves every service of one resolved device on ephemeral loopback ports
(in-process, no root), talks to each one as a client built from the protocol's public
specification (not from the emulator's code), asserts the framing that specification
requires, and returns what it saw as ``{(proto, port, field): value}`` so a test can compare
model-specific strings with the public captures they cite. Each checker names its source.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import ssl
import struct
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from defusedxml import ElementTree as DefusedET
from defusedxml.common import EntitiesForbidden
from zeroconf import DNSIncoming

from scanner.lab.emulators import (
    EventLog,
    LogEvent,
    ServiceSpec,
    datagram_emulator_for,
    emulator_for,
    read_events,
)
from scanner.lab.emulators.discovery import DatagramEmulator

ADDRESS = "127.0.0.1"
QUIET = 0.3  # seconds a silent service is given to (wrongly) say something
Observed = dict[tuple[str, int, str], str]


@dataclass
class Served:
    """One device's emulators on loopback: spec port → bound port, and the event log."""

    log_path: Path
    strict: bool = True  # hold header values to RFC 9110 §5.5 (hostile models break it)
    tcp: dict[int, int] = field(default_factory=dict)
    udp: dict[int, int] = field(default_factory=dict)
    seen: Observed = field(default_factory=dict)
    datagram: dict[int, DatagramEmulator] = field(default_factory=dict)

    def events(self) -> list[LogEvent]:
        return read_events(self.log_path)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, emulator: DatagramEmulator) -> None:
        self.emulator = emulator
        self.transport: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        reply = self.emulator.received(data, (str(addr[0]), addr[1]), ADDRESS)
        if reply is not None:
            self.transport.sendto(reply, addr)


# --- clients ------------------------------------------------------------------------------


async def exchange(port: int, data: bytes, *, tls: bool = False, limit: int = 1 << 20) -> bytes:
    """Send ``data`` on a fresh TCP (or TLS) connection, read until the peer closes."""
    context = None
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    reader, writer = await asyncio.open_connection(ADDRESS, port, ssl=context)
    try:
        writer.write(data)
        await writer.drain()
        out = b""
        while len(out) < limit:
            chunk = await asyncio.wait_for(reader.read(65536), 5)
            if not chunk:
                break
            out += chunk
        return out
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError, ssl.SSLError):
            await writer.wait_closed()


async def peer_certificate(port: int) -> bytes:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    _reader, writer = await asyncio.open_connection(ADDRESS, port, ssl=context)
    der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    writer.close()
    with contextlib.suppress(ConnectionError, OSError, ssl.SSLError):
        await writer.wait_closed()
    return bytes(der)


async def silence(port: int, send: bytes = b"") -> bytes:
    """What a TCP service says within QUIET seconds of the connect (and of ``send``)."""
    reader, writer = await asyncio.open_connection(ADDRESS, port)
    try:
        if send:
            writer.write(send)
            await writer.drain()
        try:
            return await asyncio.wait_for(reader.read(4096), QUIET)
        except TimeoutError:
            return b""
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()


async def udp_ask(port: int, data: bytes, wait: float = 5.0) -> list[bytes]:
    """Every datagram that comes back within ``wait`` seconds of sending ``data`` (a loaded
    machine may take seconds to schedule the emulator; the wait ends at the first answer)."""
    loop = asyncio.get_running_loop()
    got: list[bytes] = []

    class Collect(asyncio.DatagramProtocol):
        def datagram_received(self, reply: bytes, addr: tuple[str | Any, int]) -> None:
            got.append(reply)

    transport, _ = await loop.create_datagram_endpoint(Collect, local_addr=(ADDRESS, 0))
    try:
        transport.sendto(data, (ADDRESS, port))
        deadline = loop.time() + wait
        while loop.time() < deadline and not got:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)  # the rest of a multi-datagram answer
        return got
    finally:
        transport.close()


# --- HTTP (RFC 9112, RFC 9110) ------------------------------------------------------------

_STATUS = re.compile(r"HTTP/1\.1 ([1-5]\d\d) ([\t\x20-\x7e\x80-\xff]*)")
_FIELD = re.compile(r"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*")  # RFC 9110 §5.1, §5.5
_CHALLENGE = re.compile(r'([!#$%&\'*+.^_`|~0-9A-Za-z-]+) .*\brealm="[^"]*"')  # RFC 9110 §11.6.1


@dataclass
class HttpAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def parse_http(raw: bytes, strict: bool = True) -> HttpAnswer:
    """An HTTP/1.1 response per RFC 9112 §4 (status line), §5 (fields), §6.2 (length)."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    assert sep, "no CRLF CRLF after the head (RFC 9112 §2.1)"
    lines = head.decode("latin-1").split("\r\n")
    status = _STATUS.fullmatch(lines[0])
    assert status, f"bad status line {lines[0]!r} (RFC 9112 §4)"
    headers = []
    for line in lines[1:]:
        found = _FIELD.fullmatch(line)
        assert found, f"bad field line {line!r} (RFC 9110 §5.1)"
        if strict:
            assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", found.group(2)), line
        headers.append((found.group(1), found.group(2)))
    answer = HttpAnswer(int(status.group(1)), headers, body)
    length = answer.header("content-length")
    assert length is not None and int(length) == len(body), "Content-Length (RFC 9112 §6.2)"
    return answer


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: device\r\nConnection: close\r\n\r\n".encode()


def check_ico(data: bytes) -> None:
    """Microsoft ICO layout: ICONDIR (0, 1, count) then 16-byte entries inside the file."""
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1) and count >= 1, "ICONDIR"
    for i in range(count):
        size, offset = struct.unpack_from("<II", data, 6 + 16 * i + 8)
        assert offset + size <= len(data), "ICONDIRENTRY points past the file"


async def check_http(served: Served, spec: Any) -> None:
    port, tls = served.tcp[spec.port], bool(spec.tls_cert)
    key = "https" if tls else "http"
    paths = ["/"] + [r.path.replace("*", "x") for r in spec.routes if r.path != "/"]
    for path in paths:
        answer = parse_http(await exchange(port, get(path), tls=tls), served.strict)
        if path == "/":
            served.seen[(key, spec.port, "status")] = str(answer.status)
            served.seen[(key, spec.port, "server")] = answer.header("server") or ""
            title = re.search(rb"<title>(.*?)</title>", answer.body, re.S)
            served.seen[(key, spec.port, "title")] = title.group(1).decode() if title else ""
        if answer.status == 401:  # RFC 9110 §15.5.2: a 401 carries a challenge
            challenge = answer.header("www-authenticate")
            assert challenge and _CHALLENGE.match(challenge), f"{path}: {challenge!r}"
            served.seen[(key, spec.port, "www-authenticate")] = challenge
        if path == "/favicon.ico":
            assert answer.status == 200 and answer.header("content-type") == "image/x-icon"
            check_ico(answer.body)
        if path.startswith("/upnp/"):
            served.seen[(key, spec.port, path)] = answer.body.decode("utf-8")
    if tls:
        cert = x509.load_der_x509_certificate(await peer_certificate(port))
        served.seen[("tls", spec.port, "subject")] = cert.subject.rfc4514_string()
        served.seen[("tls", spec.port, "issuer")] = cert.issuer.rfc4514_string()
        # a peer that speaks plain HTTP to the TLS port is logged (RFC 8446 §5.1: not a record)
        await silence(port, get("/"))


# --- RTSP (RFC 2326) ----------------------------------------------------------------------


async def check_rtsp(served: Served, spec: Any) -> None:
    port = served.tcp[spec.port]
    reader, writer = await asyncio.open_connection(ADDRESS, port)
    try:
        answers = {}
        for cseq, method in ((3, "OPTIONS"), (4, "DESCRIBE")):
            writer.write(f"{method} rtsp://device/ RTSP/1.0\r\nCSeq: {cseq}\r\n\r\n".encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            lines = head.decode("latin-1").split("\r\n")
            status = re.fullmatch(r"RTSP/1\.0 (\d{3}) .+", lines[0])  # RFC 2326 §7.1
            assert status, lines[0]
            fields = dict(line.split(": ", 1) for line in lines[1:] if line)
            assert fields.get("CSeq") == str(cseq), "CSeq echoed (RFC 2326 §12.17)"
            answers[method] = (int(status.group(1)), fields)
    finally:
        writer.close()
    code, fields = answers["OPTIONS"]
    assert code == 200 and "DESCRIBE" in fields["Public"]  # RFC 2326 §10.1
    served.seen[("rtsp", spec.port, "public")] = fields["Public"]
    served.seen[("rtsp", spec.port, "server")] = fields.get("Server", "")
    code, fields = answers["DESCRIBE"]
    assert code == 401 and _CHALLENGE.match(fields["WWW-Authenticate"])  # RFC 2326 §11.4.2
    served.seen[("rtsp", spec.port, "www-authenticate")] = fields["WWW-Authenticate"]


# --- ZKTeco (pyzk zk/base.py, zk/const.py) ------------------------------------------------

#: pyzk connect(): prefix 0x5050 0x7D82, length 8, CMD_CONNECT 1000, checksum, session 0,
#: reply id USHRT_MAX - 1 (checksum worked by hand from pyzk's __create_checksum).
ZK_CONNECT = bytes.fromhex("5050827d08000000e80317fc0000feff")


def zk_checksum(payload: bytes) -> int:
    """pyzk ``__create_checksum`` (its fold by 65535, not 65536, included)."""
    total = 0
    for i in range(0, len(payload) - 1, 2):
        total += payload[i] | payload[i + 1] << 8
        if total > 65535:
            total -= 65535
    if len(payload) % 2:
        total += payload[-1]
    while total > 65535:
        total -= 65535
    total = ~total
    while total < 0:
        total += 65535
    return total


async def check_zk(served: Served, spec: Any) -> None:
    reply = await exchange(served.tcp[spec.port], ZK_CONNECT, limit=16)
    one, two, length = struct.unpack_from("<HHI", reply)
    assert (one, two, length) == (0x5050, 0x7D82, len(reply) - 8)
    command, checksum, _session, reply_id = struct.unpack_from("<4H", reply, 8)
    unsummed = struct.pack("<4H", command, 0, _session, reply_id) + reply[16:]
    assert checksum == zk_checksum(unsummed) and reply_id == 65534
    assert command in (2000, 2005), "CMD_ACK_OK or CMD_ACK_UNAUTH (pyzk const.py)"
    served.seen[("zk", spec.port, "ack")] = str(command)


# --- SMB2 ([MS-SMB2]) ---------------------------------------------------------------------


def smb2_negotiate(dialects: list[int], message_id: int = 7) -> bytes:
    """An SMB2 NEGOTIATE request (§2.2.1.2 header, §2.2.3 body) in its §2.1 transport frame."""
    header = b"\xfeSMB" + struct.pack(
        "<HHIHHIIQIIQ16s", 64, 0, 0, 0, 1, 0, 0, message_id, 0, 0, 0, bytes(16)
    )
    body = struct.pack("<HHHHI16sQ", 36, len(dialects), 1, 0, 0, uuid.uuid4().bytes, 0)
    body += struct.pack(f"<{len(dialects)}H", *dialects)
    message = header + body
    return struct.pack(">I", len(message)) + message


def smb1_negotiate(names: list[str]) -> bytes:
    """SMB_COM_NEGOTIATE ([MS-CIFS] §2.2.4.52.1) listing ``names`` ([MS-SMB2] §3.3.5.3.1)."""
    data = b"".join(b"\x02" + n.encode() + b"\x00" for n in names)
    message = b"\xffSMB\x72" + bytes(27) + b"\x00" + struct.pack("<H", len(data)) + data
    return struct.pack(">I", len(message)) + message


def parse_negotiate_response(raw: bytes, message_id: int) -> int:
    """The DialectRevision of a §2.2.4 NEGOTIATE response, its framing checked."""
    assert raw[0] == 0 and int.from_bytes(raw[1:4], "big") == len(raw) - 4, "§2.1 framing"
    message = raw[4:]
    proto, size, _c, status, command, _cr, flags = struct.unpack_from("<4sHHIHHI", message)
    assert (proto, size, status, command) == (b"\xfeSMB", 64, 0, 0), "§2.2.1.2 header"
    assert flags & 1, "SMB2_FLAGS_SERVER_TO_REDIR"
    assert struct.unpack_from("<Q", message, 24)[0] == message_id, "MessageId echoed"
    structure, _mode, dialect = struct.unpack_from("<HHH", message, 64)
    assert structure == 65, "§2.2.4 StructureSize"
    offset, length = struct.unpack_from("<HH", message, 64 + 56)
    token = message[offset : offset + length]
    assert len(token) == length and token[:1] == b"\x60", "GSS token (RFC 2743 §3.1)"
    assert bytes.fromhex("2b0601050502") in token, "SPNEGO OID 1.3.6.1.5.5.2 (RFC 4178)"
    return int(dialect)


async def smb_exchange(port: int, request: bytes) -> bytes:
    """One SMB message and its answer, read by the §2.1 length (the server keeps the line)."""
    reader, writer = await asyncio.open_connection(ADDRESS, port)
    try:
        writer.write(request)
        top = await asyncio.wait_for(reader.readexactly(4), 5)
        return top + await asyncio.wait_for(reader.readexactly(int.from_bytes(top[1:], "big")), 5)
    finally:
        writer.close()


async def check_smb(served: Served, spec: Any) -> None:
    port = served.tcp[spec.port]
    offered = [0x0202, 0x0210, 0x0300, 0x0302, 0x0311]
    reply = await smb_exchange(port, smb2_negotiate(offered))
    dialect = parse_negotiate_response(reply, 7)
    assert dialect in offered[:4], "a dialect the client offered (3.1.1 needs contexts)"
    served.seen[("smb", spec.port, "dialect")] = f"0x{dialect:04x}"
    wildcard = await smb_exchange(port, smb1_negotiate(["NT LM 0.12", "SMB 2.002", "SMB 2.???"]))
    assert parse_negotiate_response(wildcard, 0) == 0x02FF, "§3.3.5.3.1 multi-protocol"


# --- silent ports: JetDirect, Suprema, banners -------------------------------------------


async def check_silent(served: Served, spec: Any) -> None:
    assert await silence(served.tcp[spec.port]) == b"", f"{spec.proto} must not speak first"


async def check_banner(served: Served, spec: Any) -> None:
    said = await silence(served.tcp[spec.port])
    if not spec.banner:
        assert said == b""
        return
    # RFC 4253 §4.2: SSH-protoversion-softwareversion SP comments CR LF
    assert re.fullmatch(rb"SSH-2\.0-[!-,.-~]+( [ -~]*)?\r\n", said), said
    served.seen[("banner", spec.port, "line")] = said.decode().strip()


async def check_suprema(served: Served, spec: Any) -> None:
    assert await silence(served.tcp[spec.port], b"\x00probe") == b""


async def check_suprema_udp(served: Served, spec: Any) -> None:
    assert await udp_ask(served.udp[spec.port], b"\x00probe", wait=QUIET) == []


# --- vendor UDP discovery -----------------------------------------------------------------


async def check_sadp(served: Served, spec: Any) -> None:
    # UniversalScanner Hikvision.cs L15-16, L62-75: inquiry and the elements read from a reply
    inquiry = b'<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>7E57-1D</Uuid><Types>inquiry</Types></Probe>'
    [reply] = await udp_ask(served.udp[spec.port], inquiry)
    match = DefusedET.fromstring(reply)
    assert match.tag == "ProbeMatch" and match.findtext("Uuid") == "7E57-1D"
    for name in ("DeviceDescription", "DeviceSN", "MAC", "IPv4Address"):
        served.seen[("sadp", spec.port, name)] = match.findtext(name) or ""


async def check_dhip(served: Served, spec: Any) -> None:
    # UniversalScanner Dahua2.cs L13-36, L141-178: 32-byte header, magic DHIP, JSON body
    body = b'{"method":"DHDiscover.search","params":{"mac":"","uni":1}}'
    request = (
        struct.pack("<I", 0x20)
        + b"DHIP"
        + bytes(8)
        + struct.pack("<I4xI4x", len(body), len(body))
        + body
    )
    [reply] = await udp_ask(served.udp[spec.port], request)
    assert reply[4:8] == b"DHIP" and struct.unpack_from("<I", reply, 16)[0] == len(reply) - 32
    info = json.loads(reply[32:])["params"]["deviceInfo"]
    served.seen[("dhip", spec.port, "DeviceType")] = info["DeviceType"]
    served.seen[("dhip", spec.port, "SerialNo")] = info["SerialNo"]


async def check_hid(served: Served, spec: Any) -> None:
    # msf hid_discoveryd.rb parse_discovered_response: 9 fields, [1] = length of the answer
    [reply] = await udp_ask(served.udp[spec.port], b"discover;013;")
    text = reply.decode("ascii")
    fields = text.split(";")
    assert len(fields) == 9 and fields[0] == "discovered" and int(fields[1]) == len(text)
    assert re.fullmatch(r"([0-9A-F]{2}:){5}[0-9A-F]{2}", fields[2]), fields[2]
    assert fields[4] == ADDRESS and fields[5] == "1"
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", fields[8]), fields[8]
    for name, value in zip(("model", "version", "date"), fields[6:], strict=True):
        served.seen[("hid", spec.port, name)] = value


# --- SSDP / UPnP (UDA 2.0), mDNS (RFC 6762/6763), WS-Discovery -----------------------------

UPNP = "{urn:schemas-upnp-org:device-1-0}"
SCPD = "{urn:schemas-upnp-org:service-1-0}"
DLNA = "{urn:schemas-dlna-org:device-1-0}"
MSEARCH = (
    b'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\n'
    b"MX: 1\r\nST: ssdp:all\r\n\r\n"
)


async def check_ssdp(served: Served, spec: Any) -> None:
    # unicast (one answer) and as the group sees it (one answer per target, UDA 2.0 §1.3.3)
    replies = await udp_ask(served.udp[spec.port], MSEARCH)
    assert len(replies) == 1, f"M-SEARCH answered by unicast, once: got {len(replies)}"
    replies += [s.data for s in served.datagram[spec.port].on_group(MSEARCH, (ADDRESS, 1), ADDRESS)]
    targets = set()
    for reply in replies:
        lines = reply.decode("utf-8").split("\r\n")
        assert lines[0] == "HTTP/1.1 200 OK"
        fields = {k.upper(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)}
        assert {"CACHE-CONTROL", "EXT", "LOCATION", "SERVER", "ST", "USN"} <= set(fields)
        assert fields["USN"].startswith(spec.udn)
        targets.add(fields["ST"])
        served.seen[("ssdp", spec.port, "server")] = fields["SERVER"]
    assert {"upnp:rootdevice", spec.udn, spec.device_type, *spec.services} <= targets
    location = urlsplit(fields["LOCATION"])
    web = served.tcp[location.port or 80]
    raw = parse_http(await exchange(web, get(location.path)), served.strict).body
    try:
        doc = DefusedET.fromstring(raw)
    except EntitiesForbidden:  # a billion-laughs description (hostile): refused unexpanded
        served.seen[("upnp", spec.port, "entities")] = "forbidden"
        return
    version = doc.find(f"{UPNP}specVersion")
    assert doc.tag == f"{UPNP}root" and version is not None
    device = doc.find(f"{UPNP}device")
    assert device is not None and device.findtext(f"{UPNP}UDN") == spec.udn
    for name in ("deviceType", "friendlyName", "manufacturer", "modelName"):  # UDA §2.3 required
        served.seen[("upnp", spec.port, name)] = device.findtext(f"{UPNP}{name}") or ""
    served.seen[("upnp", spec.port, "X_DLNADOC")] = device.findtext(f"{DLNA}X_DLNADOC") or ""
    types = []
    for service in device.iter(f"{UPNP}service"):
        parts = {
            p: service.findtext(f"{UPNP}{p}")
            for p in ("serviceType", "serviceId", "SCPDURL", "controlURL", "eventSubURL")
        }
        assert all(parts.values()), parts
        types.append(parts["serviceType"] or "")
        if spec.services:  # documented services: their SCPD is served (UDA §2.5)
            scpd = DefusedET.fromstring(
                parse_http(await exchange(web, get(parts["SCPDURL"] or ""))).body
            )
            variables = {v.findtext(f"{SCPD}name") for v in scpd.iter(f"{SCPD}stateVariable")}
            related = {r.text for r in scpd.iter(f"{SCPD}relatedStateVariable")}
            assert scpd.tag == f"{SCPD}scpd" and related <= variables and variables
    served.seen[("upnp", spec.port, "services")] = " ".join(sorted(types))


def mdns_query(names: list[str]) -> bytes:
    """A one-shot (legacy unicast) DNS query for PTR records (RFC 1035 §4.1, RFC 6762 §6.7)."""
    out = struct.pack("!6H", 0x4242, 0, len(names), 0, 0, 0)
    for name in names:
        out += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\x00"
        out += struct.pack("!HH", 12, 1)
    return out


async def check_mdns(served: Served, spec: Any) -> None:
    types = [f"{s.stype}.local" for s in spec.services]
    [reply] = await udp_ask(served.udp[spec.port], mdns_query(types))
    incoming = DNSIncoming(reply)  # python-zeroconf's parser, an independent reading
    assert incoming.valid and incoming.id == 0x4242 and incoming.is_response()
    records = incoming.answers()
    kinds = {(r.type, r.name.lower().rstrip(".")) for r in records}
    for s in spec.services:
        assert (12, f"{s.stype}.local".lower()) in kinds, f"PTR {s.stype} (RFC 6763 §4)"
    srv = [r for r in records if r.type == 33]
    assert srv and {r.port for r in srv} == {s.port for s in spec.services}  # type: ignore[attr-defined]
    a = [r for r in records if r.type == 1]
    assert a and socket.inet_ntoa(a[0].address) == ADDRESS  # type: ignore[attr-defined]
    served.seen[("mdns", spec.port, "types")] = " ".join(sorted(s.stype for s in spec.services))
    served.seen[("mdns", spec.port, "instances")] = " | ".join(
        sorted(r.alias for r in records if r.type == 12)  # type: ignore[attr-defined]
    )
    for record in (r for r in records if r.type == 16):  # RFC 6763 §6.1 length-prefixed
        text: bytes = record.text  # type: ignore[attr-defined]
        served.seen[("mdns", spec.port, "txt")] = text[1 : 1 + text[0]].decode()


WSD = "{http://schemas.xmlsoap.org/ws/2005/04/discovery}"
WSA = "{http://schemas.xmlsoap.org/ws/2004/08/addressing}"
PROBE = (
    b'<?xml version="1.0" encoding="UTF-8"?><e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" '
    b'xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
    b'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
    b'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><e:Header>'
    b"<w:MessageID>uuid:0a6dc791-2be6-4991-9af1-454778a1917a</w:MessageID>"
    b"<w:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>"
    b"<w:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>"
    b"<e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body></e:Envelope>"
)


async def check_wsd(served: Served, spec: Any) -> None:
    [reply] = await udp_ask(served.udp[spec.port], PROBE)
    envelope = DefusedET.fromstring(reply)
    action = envelope.findtext(f".//{WSA}Action")
    assert action == "http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches"
    assert envelope.findtext(f".//{WSA}RelatesTo") == "uuid:0a6dc791-2be6-4991-9af1-454778a1917a"
    match = envelope.find(f".//{WSD}ProbeMatch")
    assert match is not None and match.findtext(f"{WSA}EndpointReference/{WSA}Address")
    assert "Device" in (match.findtext(f"{WSD}Types") or "")  # ONVIF Core: tds:Device
    scopes = (match.findtext(f"{WSD}Scopes") or "").split()
    for category in ("Profile", "hardware", "name"):  # ONVIF Core "Discovery" scopes
        assert any(s.startswith(f"onvif://www.onvif.org/{category}/") for s in scopes), category
    assert urlsplit(match.findtext(f"{WSD}XAddrs") or "").scheme == "http"
    served.seen[("wsd", spec.port, "scopes")] = " ".join(scopes)


# --- hostile shapes: they break the protocols on purpose, in the documented way ------------


async def check_tarpit(served: Served, spec: Any) -> None:
    assert await silence(served.tcp[spec.port], b"GET / HTTP/1.1\r\n\r\n") == b""


async def check_drip(served: Served, spec: Any) -> None:
    reader, writer = await asyncio.open_connection(ADDRESS, served.tcp[spec.port])
    try:
        writer.write(
            get("/") if spec.protocol == "HTTP" else b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n"
        )
        first = await asyncio.wait_for(reader.readuntil(b"X-Drip: "), 3)
        drop = await asyncio.wait_for(reader.read(16), 3)
    finally:
        writer.close()
    assert first.startswith(f"{spec.protocol}/1.0 200 OK\r\n".encode()) and drop == b"a"


#: What each flood shape starts with (hostile.py SHAPES; SAFETY-CATALOGUE cases 12-16, 37, 38).
FLOOD_START = {
    "headers": "{p}/1.0 200 OK\r\n", "long_line": "{p}/1.0 200 OK\r\n",
    "endless_body": "{p}/1.0 200 OK\r\n", "gzip_bomb": "{p}/1.0 200 OK\r\n",
    "gzip_chain": "{p}/1.0 200 OK\r\n", "continue": "HTTP/1.1 100 Continue\r\n\r\n",
    "bad_status": "HTTP/9.9 999 X", "empty": "",
    "interleaved": "$\x00",  # RFC 2326 §10.12 interleaved binary frame
    "tls_stall": "\x16\x03\x03",  # RFC 5246 §6.2.1 handshake record, TLS 1.2
    "garbage": "",
}  # fmt: skip


async def check_flood(served: Served, spec: Any) -> None:
    request = get("/") if spec.protocol == "HTTP" else b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n"
    reader, writer = await asyncio.open_connection(ADDRESS, served.tcp[spec.port])
    data = b""
    try:
        writer.write(request)
        with contextlib.suppress(TimeoutError, ConnectionError):
            data = await asyncio.wait_for(reader.read(64), 3)
    finally:
        writer.close()
    start = FLOOD_START[spec.shape].format(p=spec.protocol).encode("latin-1")
    assert data.startswith(start), (spec.shape, data[:20])
    assert (data == b"") == (spec.shape == "empty")


async def check_mdns_loop(served: Served, spec: Any) -> None:
    # RFC 1035 §4.1.4 broken on purpose: an independent parser must find nothing usable
    answers = served.datagram[spec.port].on_group(
        mdns_query(["_http._tcp.local"]), (ADDRESS, 40000), ADDRESS
    )
    assert len(answers) >= 4
    for send in answers:
        incoming = DNSIncoming(send.data)
        assert not incoming.valid or not incoming.answers()


async def check_ssdp_flood(served: Served, spec: Any) -> None:
    answers = served.datagram[spec.port].on_group(MSEARCH, (ADDRESS, 40000), ADDRESS)
    assert len(answers) > 100 and any(len(a.data) > 9000 for a in answers)  # UDA §1.3.3 flood


async def check_sadp_bomb(served: Served, spec: Any) -> None:
    inquiry = b"<Probe><Uuid>1</Uuid><Types>inquiry</Types></Probe>"
    [reply] = await udp_ask(served.udp[spec.port], inquiry)
    assert b"<!DOCTYPE" in reply and b"<!ENTITY" in reply


Check = Callable[[Served, Any], Awaitable[None]]


#: Checker per proto tag (a new proto without one fails the wire-format test).
CHECKS: dict[str, Check] = {
    "http": check_http, "fragile_http": check_http, "rtsp": check_rtsp, "zk": check_zk,
    "jetdirect": check_silent, "fragile_jetdirect": check_silent, "banner": check_banner,
    "smb": check_smb, "suprema": check_suprema, "suprema_udp": check_suprema_udp,
    "sadp": check_sadp, "dhip": check_dhip, "hid": check_hid, "ssdp": check_ssdp,
    "mdns": check_mdns, "wsd": check_wsd, "tarpit": check_tarpit, "drip": check_drip,
    "flood": check_flood, "mdns_loop": check_mdns_loop, "ssdp_flood": check_ssdp_flood,
    "sadp_bomb": check_sadp_bomb,
}  # fmt: skip


async def _observe(specs: tuple[ServiceSpec, ...], log_path: Path, strict: bool) -> Served:
    served = Served(log_path, strict)
    log = EventLog(log_path)
    loop = asyncio.get_running_loop()
    servers: list[asyncio.Server] = []
    transports: list[asyncio.BaseTransport] = []
    try:
        for spec in specs:
            if spec.transport == "udp":
                protocol = _Udp(datagram_emulator_for(spec, "dev", log))
                served.datagram[spec.port] = protocol.emulator
                transport, _ = await loop.create_datagram_endpoint(
                    lambda p=protocol: p, local_addr=(ADDRESS, 0)
                )
                transports.append(transport)
                served.udp[spec.port] = transport.get_extra_info("sockname")[1]
            else:
                server = await asyncio.start_server(
                    emulator_for(spec, "dev", log).handle, ADDRESS, 0
                )
                servers.append(server)
                served.tcp[spec.port] = server.sockets[0].getsockname()[1]
        for spec in specs:
            assert spec.proto in CHECKS, f"no wire-format check for proto {spec.proto!r}"
            await CHECKS[spec.proto](served, spec)
        await asyncio.sleep(0.1)  # let the emulators log the last connections
    finally:
        for server in servers:
            server.close()
        for transport in transports:
            transport.close()
        log.close()
    return served


def observe(specs: tuple[ServiceSpec, ...], log_path: Path, strict: bool = True) -> Served:
    """Serve ``specs`` on loopback, check each against its protocol, return what was seen."""
    return asyncio.run(_observe(specs, log_path, strict))
