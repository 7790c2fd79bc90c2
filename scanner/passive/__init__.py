"""Passive discovery: observations from packets the network carries anyway. Sends nothing.

Sources: a capture file (:func:`read_capture`, pcap or pcapng through scapy, every read
bounded by :mod:`scanner.passive.capture`), a live interface
(:func:`listen_interfaces`, needs root: a receive-only ``AF_PACKET`` socket), or the in-scope
interfaces of a sweep (:class:`PassiveSource`, ``sweep --passive-first``). What is extracted:
:mod:`scanner.passive.extract`; Wi-Fi headers: :mod:`scanner.passive.wifi`.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from scanner.errors import InputError
from scanner.models import Skipped, SkipReason
from scanner.passive.capture import BoundedCapture, CaptureError, open_capture
from scanner.passive.extract import Extractor
from scanner.passive.fastpath import FastPath
from scanner.passive.layers import scapy
from scanner.passive.live import Listener
from scanner.passive.pcapfile import Record, records
from scanner.passive.wifi import keep_wifi
from scanner.probes.base import ProbeContext
from scanner.probes.oserrors import mapped_os_errors
from scanner.probes.progress import Phase
from scanner.probes.source import Source, SourceResult
from scanner.scope import Scope

MAX_PACKETS = 5_000_000  # a capture is read up to this many packets
PROGRESS_EVERY = 16_384
Progress = Callable[[int, int, int], None]  # bytes read, file size, packets


def read_capture(
    path: Path, scope: Scope | None = None, progress: Progress | None = None
) -> Extractor:
    """Every packet of a pcap/pcapng file through one extractor (exclusions from ``scope``),
    by the fast path (:mod:`scanner.passive.fastpath`); ``progress`` is called every
    :data:`PROGRESS_EVERY` packets and at the end with (bytes read, file size, packets)."""
    extractor = Extractor(scope, "pcap")
    fast = FastPath(extractor)
    started = time.perf_counter()
    with open_capture(path) as stream:
        try:
            if _feed(records(stream), fast.packet, stream, progress):
                extractor.stopped = (
                    f"{path}: the first {MAX_PACKETS:,} packets read (the limit), not the rest"
                )
        except CaptureError as exc:
            extractor.stopped = str(exc)
        except OSError as exc:
            extractor.stopped = f"{path}: cannot read: {exc.strerror or exc}"
        if progress is not None:
            progress(*stream.progress(), extractor.packets)
    fast.counts.seconds = time.perf_counter() - started
    extractor.cost = fast.notes
    return extractor


def _feed(
    found: Iterator[Record],
    packet: Callable[..., None],
    stream: BoundedCapture,
    progress: Progress | None,
) -> bool:
    """Records to ``packet``, in batches of :data:`PROGRESS_EVERY` (no per-packet
    bookkeeping here: this loop runs hundreds of thousands of times), at most
    :data:`MAX_PACKETS`: True if records were left unread at that limit."""
    done = 0
    while done < MAX_PACKETS:
        batch = min(PROGRESS_EVERY, MAX_PACKETS - done)
        n = 0
        for n, record in enumerate(itertools.islice(found, batch), 1):  # noqa: B007
            packet(*record)
        done += n
        if progress is not None:
            progress(*stream.progress(), done)
        if n < batch:
            return False
    return next(found, None) is not None


def read_capture_scapy(path: Path, scope: Scope | None = None) -> Extractor:
    """Every packet decoded by scapy (the path before the fast one): the reference the tests
    hold the fast path to."""
    s = scapy()
    extractor = Extractor(scope, "pcap")
    stream = open_capture(path)
    try:
        reader = s.PcapReader(stream)
    except CaptureError:
        stream.close()
        raise
    except (OSError, s.ScapyError, EOFError) as exc:
        stream.close()
        raise InputError(f"{path}: not a pcap or pcapng capture ({exc})") from None
    try:
        for n, pkt in enumerate(reader):
            if n >= MAX_PACKETS:
                break
            extractor.feed(pkt)  # a frame over 65,535 bytes is one counted drop there
    except (OSError, s.ScapyError, EOFError, CaptureError) as exc:
        extractor.stopped = str(exc) or type(exc).__name__
    finally:
        reader.close()
    return extractor


async def listen_interfaces(
    names: list[str], seconds: float, scope: Scope | None = None
) -> Extractor:
    """Listen on ``names`` for ``seconds`` (receive only; needs root), then stop. Frames go
    through the fast path; the kernel's drop count is in the extractor's notes."""
    for name in names:
        try:
            socket.if_nametoindex(name)
        except OSError:
            raise InputError(f"no interface named {name!r} here") from None
    extractor = Extractor(scope, "listen")
    fast = FastPath(extractor)
    fast.prepare()  # scapy imported and filters compiled now, not while frames queue up
    with mapped_os_errors(f"listening on {', '.join(names)}"):
        listener = Listener(names)
    stop = threading.Event()
    worker = threading.Thread(target=listener.run, args=(fast.packet, stop), daemon=True)
    try:
        worker.start()
        await asyncio.sleep(seconds)
    finally:
        stop.set()
        worker.join()
        listener.close()
        fast.kernel = listener.stats
        extractor.cost = fast.notes
    return extractor


class PassiveSource(Source):
    """Listening (sending nothing; needs root) for ``seconds`` on the interfaces attached to
    the scope, before any probe (``sweep --passive-first``)."""

    name = "passive"

    def __init__(self, interfaces: list[str], seconds: float) -> None:
        super().__init__()
        self.interfaces, self.seconds = interfaces, seconds

    def unavailable(self) -> list[Skipped]:
        if self.interfaces:
            return []
        detail = "no interface here is attached to an IPv4 network in scope"
        return [Skipped(self.name, SkipReason.NOT_IN_SCOPE, detail)]

    async def run(self, ctx: ProbeContext) -> SourceResult:
        with ctx.progress.phase(Phase.PASSIVE):
            extractor = await listen_interfaces(self.interfaces, self.seconds, ctx.scope)
        where = ", ".join(self.interfaces)
        note = f"discovery: passive {self.seconds:g} s on {where}: {extractor.packets} packets"
        self.result.observations += extractor.observations()
        self.result.notes += [note, *extractor.notes()]
        return self.result


__all__ = ["Extractor", "PassiveSource", "keep_wifi", "listen_interfaces", "read_capture"]
