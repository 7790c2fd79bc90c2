"""What every protocol emulator shares: the spec/emulator pair, the event log, bounded reads.

An emulator is built from a frozen *spec* (plain data, JSON-serialisable, made by
:mod:`scanner.lab.catalogue`) and serves one TCP port of one device. Every emulator writes what
it received to the device's JSON-lines event log, so a test can prove what a scanner sent: no
credentials (``authorization``), no media requests, no malformed frames. Values of
``Authorization`` headers are never stored, only the fact that one was present.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, Generic, TextIO, TypeVar

MAX_HEAD = 64 * 1024  # request line + headers, bytes (SAFETY-CATALOGUE response caps, mirrored)
MAX_HEADERS = 100
READ_TIMEOUT = 10.0  # seconds a peer may stay silent before the emulator hangs up


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One thing an emulator received (or noticed) from a peer.

    ``kind`` is ``request`` (a parsed HTTP/RTSP request or ZK frame), ``bytes`` (raw bytes on a
    sink port such as JetDirect), or ``malformed`` (something that did not parse).
    """

    device: str
    proto: str
    port: int
    peer: str
    kind: str
    time: float = 0.0
    method: str = ""
    path: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    authorization: bool = False
    size: int = 0
    detail: str = ""

    def to_json(self) -> str:
        data = asdict(self)
        data["headers"] = [list(h) for h in self.headers]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> LogEvent:
        data = json.loads(line)
        data["headers"] = tuple((str(k), str(v)) for k, v in data.get("headers", ()))
        return cls(**data)


class EventLog:
    """Append-only JSON-lines file, one line per event, flushed at once (we may be killed)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO = path.open("a", encoding="utf-8")

    def write(self, event: LogEvent) -> None:
        stamped = event if event.time else replace(event, time=time.time())
        self._file.write(stamped.to_json() + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def read_events(path: Path) -> list[LogEvent]:
    """Every event in one device log; a torn last line (the writer was killed) is skipped."""
    if not path.is_file():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(LogEvent.from_json(line))
        except (ValueError, TypeError, KeyError):
            continue
    return events


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceSpec:
    """Base of every emulator spec: the TCP port it listens on. Subclasses add their fields.

    Specs cross a process boundary (``lab up`` writes them, the device process reads them) as
    JSON: :meth:`to_json` tags them with ``proto``; :meth:`from_json` turns JSON arrays back into
    tuples, which is all that flat specs need (nested ones override it).
    """

    proto: ClassVar[str] = ""
    transport: ClassVar[str] = "tcp"
    port: int

    def to_json(self) -> dict[str, Any]:
        return {"proto": self.proto, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServiceSpec:
        fields = {k: _tuples(v) for k, v in data.items() if k != "proto"}
        return cls(**fields)


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


S = TypeVar("S", bound=ServiceSpec)


def peer_text(writer: asyncio.StreamWriter) -> str:
    """Where a connection came from, as ``host:port`` text for the log."""
    info = writer.get_extra_info("peername")
    if isinstance(info, tuple) and len(info) >= 2:
        return f"{info[0]}:{info[1]}"
    return "?"


class MalformedRequest(Exception):
    """The peer's bytes are not a request head; the message says why (for the log)."""


class Emulator(ABC, Generic[S]):
    """Serves one port of one device from its spec: one :meth:`serve` call per connection.

    ``delay`` (seconds; the scenario's per-device ``latency``) is how long the device takes to
    answer: what the peer sends reaches :meth:`serve` that much later, and a greeting goes out
    that long after the connection opens. The kernel still completes the TCP handshake at once
    (this lab has no ``netem``); everything the device says comes late.
    """

    proto: ClassVar[str]
    delay: float = 0.0

    def __init__(self, spec: S, device: str, log: EventLog) -> None:
        self.spec = spec
        self.device = device
        self.log = log

    @property
    def port(self) -> int:
        return self.spec.port

    @abstractmethod
    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Talk to one peer until it or the protocol closes the connection."""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Entry point for ``asyncio.start_server``: a peer's error never escapes."""
        pump = None
        try:
            if self.delay > 0:
                late = asyncio.StreamReader()
                pump = asyncio.create_task(_delayed(reader, late, self.delay))
                await asyncio.sleep(self.delay)
                reader = late
            await self.serve(reader, writer)
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            pass
        except MalformedRequest as exc:
            self.event(writer, "malformed", detail=str(exc))
        finally:
            if pump is not None:
                pump.cancel()
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    def event(self, writer: asyncio.StreamWriter, kind: str, **fields: Any) -> None:
        """Log one event from the peer behind ``writer``."""
        self.log.write(
            LogEvent(
                device=self.device,
                proto=self.proto,
                port=self.port,
                peer=peer_text(writer),
                kind=kind,
                **fields,
            )
        )


async def _delayed(source: asyncio.StreamReader, sink: asyncio.StreamReader, delay: float) -> None:
    """Copy what the peer sends into ``sink``, each chunk ``delay`` seconds after it came."""
    loop = asyncio.get_running_loop()
    due = 0.0

    def later() -> float:  # strictly increasing, so the chunks and the EOF keep their order
        nonlocal due
        due = max(loop.time() + delay, due + 1e-6)
        return due

    try:
        while chunk := await source.read(MAX_HEAD):
            loop.call_at(later(), sink.feed_data, chunk)
    except (ConnectionError, OSError):
        pass
    finally:
        loop.call_at(later(), sink.feed_eof)


@dataclass(frozen=True, slots=True)
class Head:
    """A parsed HTTP or RTSP request head (they share RFC 7230 / RFC 2326 §6 syntax)."""

    method: str
    target: str
    version: str
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str | None:
        low = name.lower()
        return next((v for k, v in self.headers if k.lower() == low), None)

    @property
    def has_authorization(self) -> bool:
        return self.header("authorization") is not None

    def logged_headers(self) -> tuple[tuple[str, str], ...]:
        """Headers for the log, with any credential value replaced."""
        return tuple(
            (k, "<redacted>" if k.lower() in {"authorization", "proxy-authorization"} else v)
            for k, v in self.headers
        )


async def read_head(reader: asyncio.StreamReader) -> Head | None:
    """Read one request head, bounded in size, header count and time. ``None`` at clean EOF."""
    try:
        raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT)
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise MalformedRequest("connection closed inside the request head") from None
    except asyncio.LimitOverrunError:
        raise MalformedRequest("request head too long") from None
    if len(raw) > MAX_HEAD:
        raise MalformedRequest("request head too long")
    return parse_head(raw)


def parse_head(raw: bytes) -> Head:
    """Parse ``METHOD SP target SP version CRLF (name: value CRLF)* CRLF``."""
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[0].isalpha():
        raise MalformedRequest(f"bad request line {lines[0][:80]!r}")
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise MalformedRequest(f"bad header line {line[:80]!r}")
        headers.append((name, value.strip()))
    if len(headers) > MAX_HEADERS:
        raise MalformedRequest("too many headers")
    return Head(parts[0], parts[1], parts[2], tuple(headers))
