"""Passive discovery: observations from packets the network carries anyway. Sends nothing.

Sources: a capture file (:func:`read_capture`, pcap or pcapng through scapy, every read
bounded by :mod:`scanner.passive.capture`), a live interface
(:func:`listen_interfaces`, needs root: a receive-only ``AF_PACKET`` socket), or the in-scope
interfaces of a sweep (:class:`PassiveSource`, ``sweep --passive-first``). What is extracted:
:mod:`scanner.passive.extract`; Wi-Fi headers: :mod:`scanner.passive.wifi`.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

from scanner.errors import InputError, ProbeError
from scanner.models import Skipped, SkipReason
from scanner.passive.capture import CaptureError, open_capture
from scanner.passive.extract import Extractor
from scanner.passive.layers import scapy
from scanner.passive.wifi import keep_wifi
from scanner.probes.base import ProbeContext
from scanner.probes.oserrors import mapped_os_errors
from scanner.probes.progress import Phase
from scanner.probes.source import Source, SourceResult
from scanner.scope import Scope

MAX_PACKETS = 5_000_000  # a capture is read up to this many packets


def read_capture(path: Path, scope: Scope | None = None) -> Extractor:
    """Every packet of a pcap/pcapng file through one extractor (exclusions from ``scope``)."""
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
