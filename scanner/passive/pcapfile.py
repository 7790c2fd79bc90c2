"""pcap and pcapng records, streamed from a bounded capture without scapy.

Formats: classic pcap (tcpdump.org pcap-savefile(5); microsecond and nanosecond magic, either
byte order) and pcapng (IETF draft-ietf-opsawg-pcapng: Section Header, Interface Description,
Enhanced, Simple and obsolete Packet Blocks; every other block skipped by its length). Each
record is ``(link type, time, captured bytes, original length)``.

Bounded and streaming: the file is read in chunks of :data:`CHUNK` bytes through
:class:`~scanner.passive.capture.BoundedCapture`; a record or block longer than
:data:`~scanner.passive.capture.MAX_BLOCK`, or than what is left of the file, is never
allocated and raises :class:`~scanner.passive.capture.CaptureError` (the records before it are
kept); a block shorter than its own header, or a packet longer than its block, too.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from scanner.errors import InputError
from scanner.inputs import size_text
from scanner.passive.capture import MAX_BLOCK, BoundedCapture, CaptureError

CHUNK = 1 << 20
Record = tuple[int, float, bytes, int]  # link type, seconds since the epoch, data, wire length
_PCAP_MAGIC = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9), b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}  # fmt: skip
_SHB = b"\x0a\x0d\x0d\x0a"
_BYTE_ORDER = {b"\x4d\x3c\x2b\x1a": "<", b"\x1a\x2b\x3c\x4d": ">"}
_IDB, _PB, _SPB, _EPB = 1, 2, 3, 6


class _Buffer:
    """Bytes from the stream, refilled a chunk at a time; ``take(n)`` returns the next ``n``."""

    def __init__(self, stream: BoundedCapture) -> None:
        self._stream = stream
        self.data = b""
        self.pos = 0
        self.consumed = 0  # bytes of the file before ``data``

    def fill(self, n: int, what: str = "a block") -> bool:
        """At least ``n`` bytes after ``pos``, or False at the end of the file. A claim over
        :data:`MAX_BLOCK`, or past the end of a file of known size, raises CaptureError
        before anything is read for it."""
        name, have = self._stream.name, len(self.data) - self.pos
        if n > MAX_BLOCK:
            raise CaptureError(
                f"{name}: {what} at byte {self.offset} claims {n} bytes, more than the "
                f"{size_text(MAX_BLOCK)} a capture block may hold"
            )
        done, size = self._stream.progress()
        if have < n and self._stream.compressed is False and n - have > size - done:
            raise CaptureError(
                f"{name}: {what} at byte {self.offset} claims {n} bytes, past the end of the "
                f"file ({size} bytes): the capture is cut short or corrupt"
            )
        while len(self.data) - self.pos < n:
            more = self._stream.read_some(max(CHUNK, n))
            if not more:
                return False
            self.consumed += self.pos
            self.data = self.data[self.pos :] + more
            self.pos = 0
        return True

    @property
    def offset(self) -> int:
        return self.consumed + self.pos

    def exact(self, n: int, what: str) -> None:
        """``n`` more bytes must be there: a record cut short is a corrupt capture."""
        if not self.fill(n, what):
            raise CaptureError(
                f"{self._stream.name}: {what} at byte {self.offset} claims {n} bytes, past the "
                "end of the file: the capture is cut short or corrupt"
            )


def records(stream: BoundedCapture) -> Iterator[Record]:
    """Every record of a pcap or pcapng capture (InputError if it is neither)."""
    buf = _Buffer(stream)
    if not buf.fill(4):
        raise InputError(f"{stream.name}: empty file, not a pcap or pcapng capture")
    magic = buf.data[:4]
    if magic in _PCAP_MAGIC:
        return _pcap(buf, *_PCAP_MAGIC[magic])
    if magic == _SHB:
        return _pcapng(buf)
    raise InputError(f"{stream.name}: not a pcap or pcapng capture (magic {magic.hex()})")


def _pcap(buf: _Buffer, endian: str, unit: float) -> Iterator[Record]:
    buf.exact(24, "the file header")
    linktype = struct.unpack_from(endian + "I", buf.data, buf.pos + 20)[0] & 0xFFFF
    buf.pos += 24
    header = struct.Struct(endian + "IIII")
    while True:
        if len(buf.data) - buf.pos < 16 and not _more(buf, 16):
            if len(buf.data) > buf.pos:
                buf.exact(16, "a record header")
            return
        sec, frac, caplen, wirelen = header.unpack_from(buf.data, buf.pos)
        start = buf.pos + 16
        end = start + caplen
        if end > len(buf.data):
            buf.exact(16 + caplen, "a record")
            start, end = buf.pos + 16, buf.pos + 16 + caplen
        yield linktype, sec + frac * unit, buf.data[start:end], wirelen
        buf.pos = end


def _pcapng(buf: _Buffer) -> Iterator[Record]:
    endian = "<"
    interfaces: list[tuple[int, float]] = []  # (link type, seconds per timestamp unit)
    while _more(buf, 12) or buf.pos < len(buf.data):
        buf.exact(12, "a block header")
        kind_raw = buf.data[buf.pos : buf.pos + 4]
        if kind_raw == _SHB:
            buf.exact(12, "a section header")
            order = buf.data[buf.pos + 8 : buf.pos + 12]
            if order not in _BYTE_ORDER:
                raise CaptureError("a pcapng section header with an unknown byte-order magic")
            endian, interfaces = _BYTE_ORDER[order], []
        kind, length = struct.unpack_from(endian + "II", buf.data, buf.pos)
        if length < 12 or length % 4:
            raise CaptureError(f"a pcapng block at byte {buf.offset} has a length of {length}")
        buf.exact(length, "a block")
        body = memoryview(buf.data)[buf.pos + 8 : buf.pos + length - 4]
        buf.pos += length
        if kind == _IDB:
            interfaces.append(_interface(body, endian))
        elif kind in (_EPB, _SPB, _PB):
            record = _packet(kind, body, endian, interfaces)
            if record is not None:
                yield record


def _more(buf: _Buffer, n: int) -> bool:
    """``n`` bytes of a header there, False at (or just before) the end of the file."""
    try:
        return buf.fill(n, "a header")
    except CaptureError:
        return False  # fewer than n bytes left: the caller says the capture is cut short


def _interface(body: memoryview, endian: str) -> tuple[int, float]:
    """(link type, timestamp unit) of an Interface Description Block (if_tsresol, option 9)."""
    if len(body) < 8:
        raise CaptureError("a pcapng interface description shorter than its fields")
    linktype = struct.unpack_from(endian + "H", body, 0)[0]
    unit, at = 1e-6, 8
    while at + 4 <= len(body):
        code, size = struct.unpack_from(endian + "HH", body, at)
        if code == 0:
            break
        if code == 9 and size >= 1:
            value = body[at + 4]
            unit = 2.0 ** -(value & 0x7F) if value & 0x80 else 10.0 ** -(value & 0x7F)
        at += 4 + (size + 3) // 4 * 4
    return linktype, unit


def _packet(
    kind: int, body: memoryview, endian: str, interfaces: list[tuple[int, float]]
) -> Record | None:
    """One packet block's record; None when it names an interface never described."""
    if kind == _SPB:
        if len(body) < 4 or not interfaces:
            return None
        wirelen = struct.unpack_from(endian + "I", body, 0)[0]
        linktype = interfaces[0][0]
        return linktype, 0.0, bytes(body[4 : 4 + min(wirelen, len(body) - 4)]), wirelen
    if len(body) < 20:
        raise CaptureError("a pcapng packet block shorter than its fields")
    if kind == _EPB:
        iface, high, low, caplen, wirelen = struct.unpack_from(endian + "IIIII", body, 0)
    else:  # the obsolete Packet Block: a 16-bit interface ID and a drops count
        iface, _, high, low, caplen, wirelen = struct.unpack_from(endian + "HHIIII", body, 0)
    if caplen > len(body) - 20:
        raise CaptureError(f"a pcapng packet claims {caplen} bytes, more than its block holds")
    if iface >= len(interfaces):
        return None
    linktype, unit = interfaces[iface]
    return linktype, ((high << 32) | low) * unit, bytes(body[20 : 20 + caplen]), wirelen
