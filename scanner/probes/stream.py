"""A connection with bounded reads: what a probe reads from a device can never overrun.

Every read has a cap (a line: the reader's 64 KiB limit; a body: the probe's ``limit``) and
raises :class:`~scanner.errors.ProbeError` instead of growing past it. The connector
(:mod:`scanner.probes.net`) hands a probe one of these per connection.
"""

from __future__ import annotations

import asyncio
import ssl

from scanner.errors import ProbeError


class Stream:
    """A connection with bounded reads. All reads raise ProbeError instead of overrunning."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter | None) -> None:
        self.reader = reader
        self.writer = writer
        self.sent = bytearray()

    async def send(self, data: bytes) -> None:
        self.sent += data
        if self.writer is not None:
            self.writer.write(data)
            await self.writer.drain()

    async def read_line(self) -> bytes:
        """One line ending in LF (the reader's limit caps it: 64 KiB); b"" at EOF."""
        try:
            return await self.reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as exc:
            return exc.partial
        except asyncio.LimitOverrunError as exc:
            raise ProbeError("line too long") from exc

    async def read_upto(self, limit: int) -> tuple[bytes, bool]:
        """Read until EOF or ``limit`` bytes; returns (data, truncated)."""
        buf = bytearray()
        while len(buf) < limit:
            chunk = await self.reader.read(min(65536, limit - len(buf)))
            if not chunk:
                return bytes(buf), False
            buf += chunk
        extra = await self._peek_more()
        return bytes(buf), extra

    async def read_exactly(self, n: int) -> bytes:
        try:
            return await self.reader.readexactly(n)
        except asyncio.IncompleteReadError as exc:
            raise ProbeError(f"connection closed after {len(exc.partial)} of {n} bytes") from exc

    async def _peek_more(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self.reader.read(1), 0.05))
        except TimeoutError:
            return True

    def peer_certificate(self) -> bytes | None:
        """The server's certificate (DER) on a TLS connection, unverified."""
        if self.writer is None:
            return None
        obj = self.writer.get_extra_info("ssl_object")
        return obj.getpeercert(binary_form=True) if isinstance(obj, ssl.SSLObject) else None
