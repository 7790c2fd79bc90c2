"""Loopback peers for probe tests: real sockets on 127.0.0.0/8, never any other address.

A :class:`Peer` listens on one 127.x.y.z address and port with a handler, records every
connection (bytes received, concurrent connections) so tests can assert what the scanner sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, "Peer"], Awaitable[None]]


@dataclass
class Peer:
    host: str
    port: int
    handler: Handler
    received: list[bytes] = field(default_factory=list)
    connections: int = 0
    active: int = 0
    max_active: int = 0
    server: asyncio.Server | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        index = len(self.received)
        self.received.append(b"")
        try:
            await self.handler(_Recording(reader, self, index), writer, self)  # type: ignore[arg-type]
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self.active -= 1
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    @property
    def all_received(self) -> bytes:
        return b"".join(self.received)


class _Recording:
    """A StreamReader stand-in that records what the scanner sent."""

    def __init__(self, reader: asyncio.StreamReader, peer: Peer, index: int) -> None:
        self._reader, self._peer, self._index = reader, peer, index

    def _keep(self, data: bytes) -> bytes:
        self._peer.received[self._index] += data
        return data

    async def read(self, n: int = -1) -> bytes:
        return self._keep(await self._reader.read(n))

    async def readuntil(self, sep: bytes = b"\n") -> bytes:
        return self._keep(await self._reader.readuntil(sep))

    async def readexactly(self, n: int) -> bytes:
        return self._keep(await self._reader.readexactly(n))


@contextlib.asynccontextmanager
async def peers(*specs: tuple[str, int, Handler]) -> AsyncIterator[list[Peer]]:
    """Start loopback peers; close them all at the end."""
    started = []
    try:
        for host, port, handler in specs:
            assert host.startswith("127."), "tests only ever listen on loopback"
            peer = Peer(host, port, handler)
            peer.server = await asyncio.start_server(peer._serve, host, port, reuse_address=True)
            started.append(peer)
        yield started
    finally:
        for peer in started:
            if peer.server is not None:
                peer.server.close()
        for peer in started:
            if peer.server is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(peer.server.wait_closed(), 1.0)


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """Read one request head (up to the blank line)."""
    data = b""
    while not data.endswith(b"\r\n\r\n"):
        chunk = await reader.readuntil(b"\n")
        if not chunk:
            break
        data += chunk
    return data


def http_handler(status: str, headers: list[str], body: bytes = b"") -> Handler:
    """A handler answering every request with the same response."""

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _peer: Peer
    ) -> None:
        await read_request(reader)
        head = "\r\n".join([status, *headers, f"Content-Length: {len(body)}", "", ""])
        writer.write(head.encode() + body)
        await writer.drain()

    return handle


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _peer: Peer) -> None:
    """Accept and never answer (a tarpit); the probe's deadline must end it."""
    await asyncio.sleep(3600)


async def drain(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _peer: Peer) -> None:
    """Accept, read whatever arrives until the client closes."""
    while await reader.read(4096):
        pass
