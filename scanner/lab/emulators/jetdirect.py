"""Printer raw-print port (HP JetDirect / "AppSocket", TCP 9100): a sink that counts bytes.

Wire format: there is none. Whatever arrives on 9100 is printed, which is why scanners must not
send payloads there (nmap excludes TCP 9100-9107 in ``nmap-service-probes``: ``Exclude
T:9100-9107``; SAFETY-CATALOGUE.md case 6). The emulator never answers; on close it logs one
``bytes`` event with the count, so a test can assert a scanner connected but sent 0 bytes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar

from scanner.lab.emulators.base import READ_TIMEOUT, Emulator, ServiceSpec

CHUNK = 4096
MAX_COUNT = 16 * 1024 * 1024  # stop reading (and counting) past this


@dataclass(frozen=True, slots=True, kw_only=True)
class JetDirectSpec(ServiceSpec):
    """A raw-print port."""

    proto: ClassVar[str] = "jetdirect"


class JetDirectEmulator(Emulator[JetDirectSpec]):
    """Counts the bytes of one connection and logs the count when the peer goes away."""

    proto: ClassVar[str] = "jetdirect"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        count = 0
        try:
            while count < MAX_COUNT:
                chunk = await asyncio.wait_for(reader.read(CHUNK), READ_TIMEOUT)
                if not chunk:
                    break
                count += len(chunk)
        finally:
            self.event(writer, "bytes", size=count)
