"""RTSP/1.0 emulator: ``OPTIONS`` answers, everything else is ``401 Unauthorized``.

Wire format: RFC 2326 (RTSP 1.0) §6-7 (request/response syntax), §10.1 (``OPTIONS`` and the
``Public`` header), §12.17 (``CSeq``, echoed in every response) and §11 (status codes); the
``WWW-Authenticate`` challenge uses RFC 2617 syntax. IP cameras answer ``OPTIONS`` without
credentials and challenge ``DESCRIBE`` and every later method (nmap ``nmap-service-probes``
RTSP matches, e.g. Hikvision ``Digest realm="Hikvision"``; see SIGNATURE-KNOWLEDGE.md).

The log records each method and URI, so a test can prove a scanner never asked for media
(``SETUP``/``PLAY``) and never sent ``Authorization``. A connection may carry several requests.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from typing import ClassVar

from scanner.lab.emulators.base import Emulator, Head, ServiceSpec, read_head

DEFAULT_PUBLIC = "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, PAUSE, GET_PARAMETER, SET_PARAMETER"
MAX_REQUESTS = 16  # per connection; a real camera has a similar small budget


@dataclass(frozen=True, slots=True, kw_only=True)
class RtspSpec(ServiceSpec):
    """An RTSP server: ``Server`` header (or none), challenge (``{nonce}`` is filled in)."""

    proto: ClassVar[str] = "rtsp"
    server: str | None = None
    www_authenticate: str = 'Basic realm="device"'
    public: str = DEFAULT_PUBLIC


class RtspEmulator(Emulator[RtspSpec]):
    """Answers RTSP requests on one connection until EOF or :data:`MAX_REQUESTS`."""

    proto: ClassVar[str] = "rtsp"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(MAX_REQUESTS):
            head = await read_head(reader)
            if head is None:
                return
            self.event(
                writer,
                "request",
                method=head.method,
                path=head.target,
                headers=head.logged_headers(),
                authorization=head.has_authorization,
            )
            writer.write(self.response(head))
            await writer.drain()

    def response(self, head: Head) -> bytes:
        cseq = head.header("cseq")
        if cseq is None:
            return self._format(400, "Bad Request", [])
        if head.version != "RTSP/1.0":
            return self._format(505, "RTSP Version Not Supported", [f"CSeq: {cseq}"])
        if head.method == "OPTIONS":
            return self._format(200, "OK", [f"CSeq: {cseq}", f"Public: {self.spec.public}"])
        challenge = self.spec.www_authenticate.replace("{nonce}", secrets.token_hex(16))
        return self._format(
            401, "Unauthorized", [f"CSeq: {cseq}", f"WWW-Authenticate: {challenge}"]
        )

    def _format(self, status: int, reason: str, headers: list[str]) -> bytes:
        lines = [f"RTSP/1.0 {status} {reason}", *headers]
        if self.spec.server is not None:
            lines.append(f"Server: {self.spec.server}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
