"""Server-side TLS for emulators, done by hand over memory BIOs so every peer is logged.

``asyncio.start_server(ssl=…)`` completes the handshake before an emulator sees the
connection, so a peer that sends plain text to a TLS port, or gives up mid-handshake, would
vanish without a log line. Here the emulator reads the first bytes itself: a TLS record
(content type 22, handshake: RFC 8446 §5.1; RFC 5246 §6.2.1) goes into an
:class:`ssl.SSLObject`; anything else is logged as ``malformed``. After the handshake,
:class:`TlsSession` offers a plaintext :class:`asyncio.StreamReader` and an async ``send``.

Certificates are made at ``lab up`` time by :mod:`scanner.lab.certs`; this module only loads
them (the device process imports nothing heavier than :mod:`ssl`).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from functools import lru_cache

from scanner.lab.emulators.base import READ_TIMEOUT, MalformedRequest

CHUNK = 16 * 1024 + 512  # one TLS record at most (RFC 8446 §5.2), plus its header
HANDSHAKE = 0x16  # TLSPlaintext.type handshake(22)


@lru_cache(maxsize=256)
def server_context(cert: str, key: str) -> ssl.SSLContext:
    """A server context for one certificate (TLS 1.2 and 1.3, the library's defaults)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


class TlsSession:
    """One accepted TLS connection: plaintext in through :attr:`plain`, out through
    :meth:`send`. Build it with :meth:`accept`; call :meth:`close` when done."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        tls: ssl.SSLObject,
        incoming: ssl.MemoryBIO,
        outgoing: ssl.MemoryBIO,
    ) -> None:
        self._reader, self._writer = reader, writer
        self._tls, self._in, self._out = tls, incoming, outgoing
        self.plain = asyncio.StreamReader()
        self._pump = asyncio.create_task(self._decrypt())

    @classmethod
    async def accept(
        cls, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, context: ssl.SSLContext
    ) -> TlsSession | None:
        """Run the server handshake. ``None`` when the peer closed without sending a byte (a
        port-scan connect); :class:`MalformedRequest` when it sent something that is not TLS
        or the handshake failed."""
        first = await asyncio.wait_for(reader.read(CHUNK), READ_TIMEOUT)
        if not first:
            return None
        if first[0] != HANDSHAKE:
            raise MalformedRequest(f"not a TLS handshake record (first byte {first[0]:#04x})")
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = context.wrap_bio(incoming, outgoing, server_side=True)
        incoming.write(first)
        async with asyncio.timeout(READ_TIMEOUT):
            while True:
                try:
                    tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    await _flush(outgoing, writer)
                    data = await reader.read(CHUNK)
                    if not data:
                        raise MalformedRequest(
                            "connection closed inside the TLS handshake"
                        ) from None
                    incoming.write(data)
                except ssl.SSLError as exc:
                    with contextlib.suppress(ConnectionError, OSError):
                        await _flush(outgoing, writer)  # the alert
                    raise MalformedRequest(f"TLS handshake failed: {exc.reason}") from None
        await _flush(outgoing, writer)
        return cls(reader, writer, tls, incoming, outgoing)

    async def send(self, data: bytes) -> None:
        """Encrypt ``data`` and write it to the peer."""
        self._tls.write(data)
        await _flush(self._out, self._writer)

    async def close(self) -> None:
        """Send ``close_notify`` (RFC 8446 §6.1) and stop decrypting."""
        with contextlib.suppress(ssl.SSLError, ConnectionError, OSError):
            self._tls.unwrap()
        with contextlib.suppress(ConnectionError, OSError):
            await _flush(self._out, self._writer)
        self._pump.cancel()

    def _drain_plain(self) -> bool:
        """Move decrypted bytes into :attr:`plain`; False once the peer closed TLS."""
        while True:
            try:
                chunk = self._tls.read(CHUNK)
            except ssl.SSLWantReadError:
                return True
            except (ssl.SSLZeroReturnError, ssl.SSLError):
                return False
            if not chunk:
                return False
            self.plain.feed_data(chunk)

    async def _decrypt(self) -> None:
        try:
            while self._drain_plain():
                data = await self._reader.read(CHUNK)
                if not data:
                    break
                self._in.write(data)
        except (ConnectionError, OSError):
            pass
        finally:
            self.plain.feed_eof()


async def _flush(outgoing: ssl.MemoryBIO, writer: asyncio.StreamWriter) -> None:
    data = outgoing.read()
    if data:
        writer.write(data)
        await writer.drain()
