"""Live listening: receive-only ``AF_PACKET`` sockets, every frame through the fast path.

One raw packet socket per interface (packet(7): ``SOCK_RAW``, ``ETH_P_ALL``, bound to the
interface; root or CAP_NET_RAW), a 128 MiB receive buffer (``SO_RCVBUFFORCE``) so a burst waits
in the kernel instead of being dropped, drained without blocking between ``select`` calls.
Nothing is ever sent on these sockets. The capture filter is not attached to the socket: the
fast path reads every frame's headers for frame evidence and the next segments of responses
it reassembles, which no stateless filter can pick; it runs the filter itself, as for files.

What the kernel could not hand over (the socket's buffer full) is counted by the kernel:
``PACKET_STATISTICS`` (``tp_drops``, what libpcap reports as ``ps_drop``), read when the
listening ends and given in the run's notes.
"""

from __future__ import annotations

import select
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_STATISTICS = 6
SO_RCVBUFFORCE = 33
RECEIVE_BUFFER = 128 << 20
MAX_FRAME = 65_535 + 18
#: ARPHRD_* (linux/if_arp.h) → the link type of the frames a packet socket receives
LINKTYPES = {1: 1, 772: 1, 801: 105, 803: 127, 65534: 101, 776: 101, 778: 101}
Sink = Callable[[int, float, bytes, int], None]  # link type, time, frame, its length


@dataclass
class KernelStats:
    """``tp_packets`` and ``tp_drops`` summed over the sockets (PACKET_STATISTICS)."""

    packets: int = 0
    drops: int = 0


def linktype(name: str) -> int | None:
    """The link type of interface ``name``'s frames, from its ARPHRD type; None if unknown."""
    try:
        arphrd = int(Path(f"/sys/class/net/{name}/type").read_text().strip())
    except (OSError, ValueError):
        return None
    return LINKTYPES.get(arphrd)


class Listener:
    """Receive-only sockets on ``names``; :meth:`run` hands every frame to ``sink``."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.stats = KernelStats()
        self.sockets: list[tuple[socket.socket, int]] = []
        try:
            for name in names:
                self.sockets.append((_open(name), linktype(name) or -1))
        except OSError:
            self.close()
            raise

    def run(self, sink: Sink, stop: threading.Event) -> None:
        """Receive until ``stop`` is set."""
        buf = bytearray(MAX_FRAME)
        view = memoryview(buf)
        ready_map = {s.fileno(): (s, lt) for s, lt in self.sockets}
        while not stop.is_set():
            ready, _, _ = select.select(list(ready_map), [], [], 0.1)
            for fd in ready:
                sock, lt = ready_map[fd]
                _drain(sock, lt, view, sink)

    def close(self) -> None:
        """Read the kernel's counts, then close every socket."""
        for sock, _ in self.sockets:
            try:
                raw = sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
                packets, drops = struct.unpack("II", raw)
                self.stats.packets += packets
                self.stats.drops += drops
            except OSError:
                pass
            sock.close()
        self.sockets = []


def _open(name: str) -> socket.socket:
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    try:
        try:
            sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RECEIVE_BUFFER)
        except OSError:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        sock.bind((name, ETH_P_ALL))
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def _drain(sock: socket.socket, lt: int, view: memoryview, sink: Sink) -> None:
    """Every frame waiting on ``sock`` (MSG_TRUNC: the frame's length even if longer)."""
    for _ in range(4096):  # then back to select, so no socket starves the others
        try:
            n = sock.recv_into(view, 0, socket.MSG_TRUNC)
        except BlockingIOError:
            return
        except InterruptedError:
            continue
        got = min(n, len(view))
        sink(lt, time.time(), bytes(view[:got]), n)
