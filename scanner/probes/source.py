"""The source interface: every way a sweep learns about devices, as one shape.

A sweep is made of sources: the host sweep (ARP, the IPv6 echo, TCP discovery and the
per-port probes of :mod:`scanner.probes.registry`), multicast discovery, passive listening,
Bluetooth LE. Each is a :class:`Source`: :meth:`~Source.unavailable` says, before anything is
sent, why it cannot run here (no interface in scope, no radio); :meth:`~Source.run` runs it,
with the :class:`~scanner.probes.base.ProbeContext` the per-port probes get (scope, network
seam, progress), and returns its :class:`SourceResult`. The result fills as the source goes,
so a sweep interrupted by Ctrl-C keeps what every source had seen (:attr:`Source.result`).

Failures are mapped where they arise: a source raises :class:`~scanner.probes.oserrors.
SourceUnavailable` (with the reason the run records) or :class:`~scanner.errors.ProbeError`,
and :func:`run_source` turns either into the source's ``skipped`` entry, so one failing
source never ends the sweep (the others' results stand).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from scanner.errors import ParseError, ProbeError
from scanner.models import Observation, Skipped, SkipReason
from scanner.probes.base import ProbeContext
from scanner.probes.oserrors import SourceUnavailable

log = logging.getLogger(__name__)


@dataclass
class SourceResult:
    """What a source found: observations, entries for what it could not do, notes on how."""

    observations: list[Observation] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, other: SourceResult) -> None:
        """Append everything ``other`` holds."""
        self.observations += other.observations
        self.skipped += other.skipped
        self.notes += other.notes


class Source(ABC):
    """One way of finding devices (see the module docstring)."""

    #: the name its skipped entries carry (``--only`` and ``required`` use it too)
    name: ClassVar[str]

    def __init__(self) -> None:
        self.result = SourceResult()

    def unavailable(self) -> list[Skipped]:
        """Why this source cannot run here (empty: it can), decided before anything is sent."""
        return []

    @abstractmethod
    async def run(self, ctx: ProbeContext) -> SourceResult:
        """Run, filling and returning :attr:`result`."""


def internal_error(exc: Exception) -> str:
    """The detail of a skipped entry for an unexpected exception (a bug: logged in full)."""
    return f"internal error: {type(exc).__name__}: {exc}"[:200]


async def run_source(source: Source, ctx: ProbeContext) -> SourceResult:
    """Run ``source`` unless it is unavailable; a failure becomes its skipped entry."""
    out = source.result
    refused = source.unavailable()
    if refused:
        out.skipped += refused
        return out
    try:
        return await source.run(ctx)
    except SourceUnavailable as exc:
        out.skipped.append(exc.skipped(source.name))
    except (ProbeError, ParseError) as exc:
        out.skipped.append(Skipped(source.name, SkipReason.ERROR, str(exc)[:300]))
    except Exception as exc:  # a bug in one source must not end the sweep
        log.exception("source %s failed", source.name)
        out.skipped.append(Skipped(source.name, SkipReason.ERROR, internal_error(exc)))
    return out
