"""A plain TCP service that greets with a banner line (SSH, FTP) or says nothing (SMB, RDP).

Wire format: the server speaks first with one line, e.g. the SSH identification string
``SSH-2.0-softwareversion SP comments CR LF`` (RFC 4253 §4.2) or an FTP ``220`` greeting
(RFC 959 §4.2). The emulator does not go past the greeting: it logs how many bytes the peer
sent (and their first bytes, escaped) and closes, which is all an identifying scan needs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar

from scanner.lab.emulators.base import Emulator, ServiceSpec

LISTEN = 2.0  # seconds to wait for the peer's first bytes after the greeting
MAX_READ = 4096


@dataclass(frozen=True, slots=True, kw_only=True)
class BannerSpec(ServiceSpec):
    """A TCP service: the greeting line (without CRLF), or ``""`` to stay silent."""

    proto: ClassVar[str] = "banner"
    banner: str = ""


class BannerEmulator(Emulator[BannerSpec]):
    """Greets, listens briefly, logs what came, closes."""

    proto: ClassVar[str] = "banner"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.spec.banner:
            writer.write(self.spec.banner.encode("utf-8") + b"\r\n")
            await writer.drain()
        try:
            data = await asyncio.wait_for(reader.read(MAX_READ), LISTEN)
        except TimeoutError:
            data = b""
        self.event(writer, "bytes", size=len(data), detail=repr(data[:40])[2:-1])
