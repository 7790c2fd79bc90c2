"""Passive discovery: observations from packets the network carries anyway. Sends nothing.

Sources: a capture file (:func:`read_capture`, pcap or pcapng through scapy, every read
bounded by :mod:`scanner.passive.capture`), a live interface
(:func:`listen_interfaces`, needs root: a receive-only ``AF_PACKET`` socket), or the in-scope
interfaces of a sweep (:func:`listen_scope`, ``sweep --passive-first``). What is extracted:
:mod:`scanner.passive.extract`; Wi-Fi headers: :mod:`scanner.passive.wifi`.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scanner.errors import InputError, ProbeError
from scanner.models import Observation, Skipped, SkipReason
from scanner.passive.capture import CaptureError, open_capture
from scanner.passive.extract import Extractor
from scanner.passive.fastpath import FastPath
from scanner.passive.pcapfile import records
from scanner.passive.layers import scapy
from scanner.passive.wifi import keep_wifi
from scanner.probes.multicast.base import interfaces_in_scope
from scanner.probes.oserrors import SourceUnavailable, mapped_os_errors
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
    with open_capture(path) as stream:
        try:
            for n, (linktype, ts, data, wirelen) in enumerate(records(stream)):
                if n >= MAX_PACKETS:
                    break
                fast.packet(linktype, ts, data, wirelen)
                if progress is not None and not n % PROGRESS_EVERY:
                    progress(*stream.progress(), n)
        except CaptureError as exc:
            extractor.stopped = str(exc)
        except OSError as exc:
            extractor.stopped = f"{path}: cannot read: {exc.strerror or exc}"
        if progress is not None:
            progress(*stream.progress(), extractor.packets)
    extractor.cost = fast.notes
    return extractor


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
    """Listen on ``names`` for ``seconds`` (receive only; needs root), then stop."""
    for name in names:
        try:
            socket.if_nametoindex(name)
        except OSError:
            raise InputError(f"no interface named {name!r} here") from None
    s = scapy()
    extractor = Extractor(scope, "listen")
    sniffer = s.AsyncSniffer(iface=names, store=False, prn=extractor.feed)
    try:
        sniffer.start()
        await asyncio.sleep(seconds)
    finally:
        _stop(sniffer, names, s.ScapyError)
    return extractor


def _stop(sniffer: Any, names: list[str], scapy_error: type[Exception]) -> None:
    """Stop the sniffer thread; what failed inside it (no root, no such interface) is raised
    here as a ProbeError."""
    try:
        with mapped_os_errors(f"listening on {', '.join(names)}"):
            if sniffer.running:
                sniffer.stop()
            elif sniffer.exception is not None:
                raise sniffer.exception
    except (ValueError, scapy_error) as exc:
        raise ProbeError(f"cannot listen on {', '.join(names)}: {exc}") from None


async def listen_scope(
    scope: Scope, seconds: float
) -> tuple[list[Observation], list[Skipped], list[str]]:
    """Listen on the interfaces attached to the scope (``sweep --passive-first``)."""
    ifaces = [i.name for i in interfaces_in_scope(scope)]
    if not ifaces:
        detail = "no interface here is attached to an IPv4 network in scope"
        return [], [Skipped("passive", SkipReason.NOT_IN_SCOPE, detail)], []
    try:
        extractor = await listen_interfaces(ifaces, seconds, scope)
    except SourceUnavailable as exc:
        return [], [exc.skipped("passive")], []
    except ProbeError as exc:
        return [], [Skipped("passive", SkipReason.ERROR, str(exc)[:300])], []
    note = f"discovery: passive {seconds:g} s on {', '.join(ifaces)}: {extractor.packets} packets"
    found = extractor.observations()
    return found, [], [note, *extractor.notes()]


__all__ = ["Extractor", "keep_wifi", "listen_interfaces", "listen_scope", "read_capture"]
