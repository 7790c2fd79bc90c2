"""The network seam's fake: a :class:`~scanner.probes.net.Dialer` that serves scripted bytes.

Tests swap it in for :class:`~scanner.probes.net.Connector`. It sends no packet, records every
connection and every byte sent, and applies the same scope and printer-port checks as the real
one, so a probe that would touch an excluded address or a printer fails here too.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from scanner.errors import ProbeError
from scanner.probes.net import PortState, check_target
from scanner.probes.stream import Stream
from scanner.scope import Scope


@dataclass
class FakeConnector:
    """A Connector for tests: ``responses[(host, port)]`` is a function of what was sent.

    Records every connection and every byte sent, and applies the same scope and printer-port
    checks as the real one.
    """

    scope: Scope
    responses: dict[tuple[str, int], Callable[[bytes], bytes]] = field(default_factory=dict)
    open_ports: dict[str, set[int]] = field(default_factory=dict)
    udp: dict[tuple[str, int], Callable[[bytes], bytes | None]] = field(default_factory=dict)
    sent: list[tuple[str, int, bytes]] = field(default_factory=list)

    @contextlib.asynccontextmanager
    async def connect(self, host: str, port: int, *, tls: bool = False) -> AsyncIterator[Stream]:
        check_target(self.scope, host, port, payload=True)
        answer = self.responses.get((host, port))
        if answer is None:
            raise ProbeError("connect failed: Connection refused")
        stream = _ScriptedStream(answer)
        try:
            async with asyncio.timeout(self.scope.limits.request_deadline):
                yield stream
        finally:
            self.sent.append((host, port, bytes(stream.sent)))

    async def datagram(self, host: str, port: int, payload: bytes, wait: float) -> bytes | None:
        check_target(self.scope, host, port, payload=True)
        answer = self.udp.get((host, port))
        self.sent.append((host, port, payload))
        return answer(payload) if answer else None

    async def probe_port(self, host: str, port: int, *, keep: bool = False) -> PortState:
        check_target(self.scope, host, port, payload=False)
        if host not in self.open_ports:
            return PortState.UNREACHABLE
        return PortState.OPEN if port in self.open_ports[host] else PortState.CLOSED

    async def pace(self) -> None:
        """Nothing to pace: no packet is sent."""

    def release(self, host: str) -> None:
        """Nothing is kept open."""


class _ScriptedStream(Stream):
    """Answers with ``answer(sent)`` once the probe has sent its request."""

    def __init__(self, answer: Callable[[bytes], bytes]) -> None:
        super().__init__(asyncio.StreamReader(), None)
        self._answer = answer
        self._answered = False

    async def send(self, data: bytes) -> None:
        self.sent += data
        self._respond()

    def _respond(self) -> None:
        if not self._answered:
            self._answered = True
            self.reader.feed_data(self._answer(bytes(self.sent)))
            self.reader.feed_eof()

    async def read_line(self) -> bytes:
        self._respond()
        return await super().read_line()

    async def read_upto(self, limit: int) -> tuple[bytes, bool]:
        self._respond()
        return await super().read_upto(limit)

    async def read_exactly(self, n: int) -> bytes:
        self._respond()
        return await super().read_exactly(n)
