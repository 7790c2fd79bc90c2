"""Banner probes (SSH, FTP, Telnet): connect, send nothing, read what the service says first.

SSH (RFC 4253 §4.2) and FTP (RFC 959 greeting ``220``) speak first; Telnet devices print a
login banner, often after option negotiation (IAC sequences, RFC 854), which is dropped. At
most 4 KiB is read within a short wait; no username is ever typed.
"""

from __future__ import annotations

import asyncio
import re
from typing import ClassVar

from scanner.models import Observation
from scanner.normalize import clean_text
from scanner.probes.base import Probe, ProbeContext

BANNER_BYTES = 4096
BANNER_WAIT = 3.0
_IAC = re.compile(rb"\xff[\xfb-\xfe].|\xff\xfa.*?\xff\xf0|\xff[\xf0-\xfa]", re.S)
FIELDS = {22: "ssh.banner", 21: "ftp.banner", 23: "telnet.banner", 2323: "telnet.banner"}


def decode_banner(port: int, data: bytes) -> str:
    if FIELDS.get(port) == "telnet.banner":
        data = _IAC.sub(b"", data)
    if FIELDS.get(port) == "ssh.banner":
        data = data.split(b"\n", 1)[0]
    return clean_text(data.decode("utf-8", errors="replace"))


class BannerProbe(Probe):
    name: ClassVar[str] = "banner"
    ports: ClassVar[frozenset[int]] = frozenset({21, 22, 23})
    more_ports: ClassVar[frozenset[int]] = frozenset({2323})  # telnet's alternate port

    async def probe(self, ctx: ProbeContext, host: str, port: int) -> list[Observation]:
        async with ctx.dialer.connect(host, port) as stream:
            data = bytearray()
            try:
                async with asyncio.timeout(BANNER_WAIT):
                    while len(data) < BANNER_BYTES:
                        chunk = await stream.reader.read(BANNER_BYTES - len(data))
                        if not chunk:
                            break
                        data += chunk
                        if FIELDS[port] != "telnet.banner" and b"\n" in data:
                            break
            except TimeoutError:
                pass  # a quiet service: keep what arrived
        text = decode_banner(port, bytes(data))
        return [Observation(f"ip:{host}", FIELDS[port], text, f"banner:{port}")] if text else []
