"""One total deadline per delivery attempt, and the destination check on the real peer.

A socket timeout bounds each wait, not the whole exchange: a receiver that drips one byte
every 1.5 s, sends header lines one by one or answers ``100 Continue`` forever never lets a
10 s timeout fire, and would hold the alert (and the watch round) as long as it liked. So
every attempt runs under a :class:`Deadline`: a timer thread that, when the attempt's time is
up, shuts the connection down (``shutdown(2)`` wakes a thread blocked in ``recv`` or ``send``
at once), after which the sender reports "no answer within N s". This is what the
probes' total per-request deadline does for device connections.

:func:`check_peer` asks where a connected socket really goes: a host name that resolves to a
link-local or metadata address is refused after the connect and before a byte is sent.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

from scanner.alerts.base import AlertError
from scanner.config.destinations import refused_destination


class Deadline:
    """The time left for one attempt; inside :meth:`guard`, every socket :meth:`watch` was
    given is shut down when the time is out."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self._watched: list[socket.socket] = []
        self._lock = threading.Lock()
        self.expired = False

    def left(self) -> float:
        """Seconds left (at least a millisecond, so a timeout of 0 never means "block")."""
        return max(0.001, self._end - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        """Kill ``sock``'s connection at the deadline. A duplicate descriptor is kept:
        ``shutdown(2)`` acts on the connection, not the descriptor, so it still works after
        TLS (``wrap_socket``, STARTTLS) has taken the original socket object over."""
        with self._lock:
            self._watched.append(sock.dup())
            if self.expired:
                self._shut()

    def _shut(self) -> None:
        for sock in self._watched:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            self._shut()

    @contextlib.contextmanager
    def guard(self) -> Iterator[Deadline]:
        timer = threading.Timer(max(0.0, self._end - time.monotonic()), self._fire)
        timer.daemon = True
        timer.start()
        try:
            yield self
        finally:
            timer.cancel()
            with self._lock:
                for sock in self._watched:
                    sock.close()
                self._watched.clear()

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
