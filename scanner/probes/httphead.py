"""Bounded HTTP/1.x and RTSP/1.0 response heads and bodies, parsed from untrusted bytes.

Limits (SAFETY-CATALOGUE.md B): at most 100 header lines (1xx informational heads count),
64 KiB per line, a 256 KiB body; chunked bodies are decoded within the same cap; compressed
bodies are never decoded (we ask for ``identity``) and more than one Content-Encoding is an
error. Every failure is :class:`HttpParseError`, a ParseError (catalogue cases 12-16, 38).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.errors import ParseError, ProbeError
from scanner.probes.stream import Stream

_STATUS = re.compile(rb"^(HTTP|RTSP)/(\d)\.(\d) ([1-9]\d\d)(?: ([^\r\n]*))?\r?\n$")


class HttpParseError(ParseError):
    """An HTTP or RTSP response that does not parse within the limits."""


@dataclass(frozen=True, slots=True)
class Head:
    protocol: str
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]

    def get(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)

    def get_all(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k == name]


@dataclass(frozen=True, slots=True)
class Response:
    head: Head
    body: bytes
    truncated: bool


def parse_status(line: bytes) -> tuple[str, int, str]:
    m = _STATUS.match(line)
    if m is None:
        raise HttpParseError(f"invalid status line {line[:60]!r}")
    proto, major, minor, code, reason = m.groups()
    if (major, minor) not in ((b"1", b"0"), (b"1", b"1")):
        raise HttpParseError(
            f"unsupported version {proto.decode()}/{major.decode()}.{minor.decode()}"
        )
    return proto.decode(), int(code), (reason or b"").decode("latin-1")


def parse_header(line: bytes) -> tuple[str, str]:
    name, sep, value = line.partition(b":")
    if not sep or not name or name.strip() != name or not name.isascii():
        raise HttpParseError(f"malformed header line {line[:60]!r}")
    return name.decode("ascii").lower(), value.strip().decode("latin-1")


async def read_head(stream: Stream, max_headers: int, protocol: str = "HTTP") -> Head:
    """Status line and headers; skips 1xx informational heads (bounded by the same count)."""
    lines = 0
    while True:
        first = await _line(stream)
        if not first:
            raise HttpParseError("empty response")
        proto, status, reason = parse_status(first)
        if proto != protocol:
            raise HttpParseError(f"expected {protocol}, got {proto}")
        headers: list[tuple[str, str]] = []
        while True:
            line = await _line(stream)
            if line in (b"\r\n", b"\n", b""):
                break
            lines += 1
            if lines > max_headers:
                raise HttpParseError("too many headers")
            headers.append(parse_header(line.rstrip(b"\r\n")))
        if not 100 <= status < 200 or protocol != "HTTP":
            return Head(proto, status, reason, tuple(headers))
        lines += 1  # a 1xx head counts against the cap even with no header line (case 12)
        if lines > max_headers:
            raise HttpParseError("too many headers")


async def _line(stream: Stream) -> bytes:
    try:
        return await stream.read_line()
    except ProbeError as exc:
        raise HttpParseError(str(exc)) from exc


async def read_body(stream: Stream, head: Head, limit: int) -> tuple[bytes, bool]:
    """The body within ``limit`` bytes: (data, truncated). Compressed bodies are kept raw."""
    encodings = [e for e in (head.get("content-encoding") or "").split(",") if e.strip()]
    if len(encodings) > 1:
        raise HttpParseError("more than one Content-Encoding")
    if (head.get("transfer-encoding") or "").lower().strip() == "chunked":
        return await _chunked(stream, limit)
    length = head.get("content-length")
    if length is not None:
        text = length.strip(" \t")  # RFC 9110 §8.6: 1*DIGIT, ASCII only, and no huge ones
        if not (text.isascii() and text.isdigit() and len(text) <= 18):
            raise HttpParseError("invalid Content-Length")
        want = int(text)
        data, _ = await stream.read_upto(min(want, limit))
        return data, want > limit
    return await stream.read_upto(limit)


async def _chunked(stream: Stream, limit: int) -> tuple[bytes, bool]:
    body = bytearray()
    while True:
        size_line = (await _line(stream)).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError as exc:
            raise HttpParseError("invalid chunk size") from exc
        if size == 0:
            return bytes(body), False
        take = min(size, limit - len(body))
        body += await _exactly(stream, take)
        if len(body) >= limit:
            return bytes(body), True
        await _exactly(stream, size - take + 2)  # the chunk's CRLF


async def _exactly(stream: Stream, n: int) -> bytes:
    try:
        return await stream.read_exactly(n)
    except ProbeError as exc:  # the answer ended inside a chunk: a malformed response
        raise HttpParseError(f"chunked body cut short: {exc}") from exc
