"""RTSP probe: one ``OPTIONS`` request (RFC 2326 §10.1), never SETUP/PLAY, never credentials.

Emits ``rtsp.server`` and ``rtsp.www_authenticate``. DESCRIBE is not sent by default: OPTIONS
answers with the Server header on the cameras in the signature sources (recog
``rtsp_servers.xml``), and a DESCRIBE answer can carry stream details we do not need.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from scanner.models import Observation
from scanner.normalize import clean_text
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.httphead import read_head


def options_request(host: str, port: int) -> bytes:
    return (
        f"OPTIONS rtsp://{host}:{port}/ RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: biosweep\r\n\r\n"
    ).encode()


class RtspProbe(Probe):
    name: ClassVar[str] = "rtsp"
    ports: ClassVar[frozenset[int]] = frozenset({554, 8554})

    async def probe(self, ctx: ProbeContext, host: str, port: int) -> list[Observation]:
        limits = ctx.scope.limits
        async with asyncio.timeout(limits.request_deadline):
            async with ctx.dialer.connect(host, port) as stream:
                await stream.send(options_request(host, port))
                head = await read_head(stream, limits.max_headers, protocol="RTSP")
        subject, source = f"ip:{host}", f"rtsp:{port}"
        pairs = [("rtsp.server", head.get("server") or "")]
        pairs += [("rtsp.www_authenticate", v) for v in head.get_all("www-authenticate")[:8]]
        return [Observation(subject, f, clean_text(v), source) for f, v in pairs if v]
