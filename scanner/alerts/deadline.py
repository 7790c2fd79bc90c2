"""One total deadline per delivery attempt, and the destination check on the real peer.

A socket timeout bounds each wait, not the whole exchange: a receiver that drips one byte
every 1.5 s, sends header lines one by one or answers ``100 Continue`` forever never lets a
10 s timeout fire, and would hold the alert (and the watch round) as long as it liked. So
every attempt runs under a :class:`Deadline`: a timer thread that, when the attempt's time is
up, shuts the connection's socket down (``shutdown(2)`` wakes a thread blocked in ``recv`` or
``send`` at once), after which the sender reports "no answer within N s". This is what the
probes' total per-request deadline does for device connections.

:func:`check_peer` asks where a connected socket really goes: a host name that resolves to a
link-local or metadata address is refused after the connect and before a byte is sent.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator

from scanner.alerts.base import AlertError
from scanner.config.destinations import refused_destination

SocketGetter = Callable[[], socket.socket | None]


class Deadline:
    """The time left for one attempt; inside :meth:`guard`, the connection :meth:`follow`
    names is killed when the time is out."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self._current: SocketGetter = lambda: None
        self.expired = False

    def left(self) -> float:
        """Seconds left (at least a millisecond, so a timeout of 0 never means "block")."""
        return max(0.001, self._end - time.monotonic())

    def follow(self, current: SocketGetter) -> None:
        """The socket to kill is whatever ``current()`` returns then (TLS may replace it)."""
        self._current = current

    def _fire(self) -> None:
        self.expired = True
        sock = self._current()
        if sock is not None:
            with contextlib.suppress(OSError, ValueError):
                # socket.socket's own shutdown: an SSLSocket's would drop its TLS state under
                # the reading thread's feet; the kernel's is what wakes that thread.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    @contextlib.contextmanager
    def guard(self) -> Iterator[Deadline]:
        timer = threading.Timer(max(0.0, self._end - time.monotonic()), self._fire)
        timer.daemon = True
        timer.start()
        try:
            yield self
        finally:
            timer.cancel()

    def timed_out(self, what: str) -> TimeoutError:
        """The error to raise when the deadline ended the attempt."""
        return TimeoutError(f"{what}: no complete answer within the {self.seconds:g} s deadline")


def check_peer(sock: socket.socket, allow_link_local: bool, what: str) -> None:
    """Refuse a connection whose peer is link-local or a metadata service (unless allowed)."""
    if allow_link_local or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    peer = str(sock.getpeername()[0])
    why = refused_destination(peer)
    if why is not None:
        with contextlib.suppress(OSError):
            sock.close()
        raise AlertError(
            f"{what}: refused: its address {peer} {why} (allow_link_local = true allows it)"
        )


__all__ = ["Deadline", "check_peer"]
