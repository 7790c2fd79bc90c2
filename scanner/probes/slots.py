"""The per-host cap on open connections, with priorities and parked connections.

A host never has more than ``cap`` connections (or UDP questions) of ours open at once
(SAFETY-CATALOGUE.md: 2 by default). Within that cap two things make a sweep faster:

- **priorities**: a probe's request waits ahead of the remaining port checks, so a host's
  services are asked as soon as their ports are found open (and identification can come early);
- **parking**: a port check that finds a port open, when a probe is about to use that port,
  leaves the connection open for it instead of closing it and connecting again. A parked
  connection keeps its slot, so the cap still counts it; it is handed to the first probe that
  asks for that port, and closed if none does within :data:`PARK_FOR` seconds or when the
  host is released.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from dataclasses import dataclass

#: Seconds a parked connection waits for its probe before it is closed.
PARK_FOR = 1.0
PROBE, PORT_CHECK = 0, 1  # priorities: lower goes first


@dataclass
class Parked:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    timer: asyncio.TimerHandle


class HostSlots:
    """``cap`` slots for one host; waiters are served by priority, then in arrival order."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.busy = 0
        self.parked: dict[int, Parked] = {}
        self._queue: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @property
    def at_rest(self) -> bool:
        """Nothing open and nobody waiting: the same as a fresh instance."""
        return self.busy == 0 and not self.parked and not self._queue

    async def acquire(self, priority: int = PROBE) -> None:
        """Wait for a slot (release it with :meth:`release` or :meth:`park`)."""
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queue, (priority, next(self._order), future))
        self._wake()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # granted just as we were cancelled: hand it on
            raise

    def release(self) -> None:
        self.busy -= 1
        self._wake()

    def park(self, port: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Keep the caller's open connection (and its slot) for the next user of ``port``."""
        self.busy -= 1
        self._drop(port)
        timer = asyncio.get_running_loop().call_later(PARK_FOR, self._expire, port, writer)
        self.parked[port] = Parked(reader, writer, timer)

    def claim(self, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        """The connection parked for ``port``, now the caller's (slot included), if usable."""
        parked = self.parked.pop(port, None)
        if parked is None:
            return None
        parked.timer.cancel()
        self.busy += 1
        if parked.writer.is_closing() or parked.reader.at_eof():
            _close(parked.writer)
            self.release()
            return None
        return parked.reader, parked.writer

    def close_parked(self) -> None:
        for port in list(self.parked):
            self._drop(port)
        self._wake()

    def _expire(self, port: int, writer: asyncio.StreamWriter) -> None:
        parked = self.parked.get(port)
        if parked is not None and parked.writer is writer:
            self._drop(port)
            self._wake()

    def _drop(self, port: int) -> None:
        parked = self.parked.pop(port, None)
        if parked is not None:
            parked.timer.cancel()
            _close(parked.writer)

    def _wake(self) -> None:
        while self._queue:
            _, _, future = self._queue[0]
            if future.done():  # its waiter was cancelled
                heapq.heappop(self._queue)
                continue
            if self.busy + len(self.parked) >= self.cap:
                return
            heapq.heappop(self._queue)
            self.busy += 1
            future.set_result(None)


def _close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.close()
