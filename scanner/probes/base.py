"""The probe plugin family: one small ABC, one module per source, a dict registry.

A probe asks one service one read-only question and returns typed observations. It raises
:class:`~scanner.errors.ProbeError` or :class:`~scanner.errors.ParseError` (or times out)
when it cannot; the scan turns that into a per-service error entry and goes on (and keeps the
observations of a :class:`PartialProbeError`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from scanner.errors import ProbeError
from scanner.models import Observation
from scanner.probes.derived import Unfollowed
from scanner.probes.net import Dialer
from scanner.probes.progress import Progress
from scanner.scope import Scope


@dataclass(frozen=True, slots=True)
class ProbeContext:
    """What a probe or a source (:mod:`scanner.probes.source`) may use: the scope (with its
    limits), the network seam, the sweep's progress, and where to record a target a device
    named that the probe did not follow (shared by one sweep)."""

    scope: Scope
    dialer: Dialer
    unfollowed: Unfollowed = field(default_factory=Unfollowed)
    progress: Progress = field(default_factory=Progress)


class PartialProbeError(ProbeError):
    """A probe that failed after learning something: the scan records ``observations`` and
    the error both (a TLS handshake OpenSSL refused, whose certificate was still read)."""

    def __init__(self, message: str, observations: list[Observation]) -> None:
        super().__init__(message)
        self.observations = observations


class Probe(ABC):
    """A read-only service probe for the TCP ports in ``ports``, or, when ``udp`` is set, a
    one-datagram question to those UDP ports of every live host (no UDP port scan exists).

    A TCP probe's ``ports`` join the curated set the sweep scans by default
    (:data:`scanner.probes.registry.CURATED_PORTS`); ``more_ports`` it also speaks to when the
    user scans them (``--ports``), without adding them to that set."""

    name: ClassVar[str]
    ports: ClassVar[frozenset[int]]
    more_ports: ClassVar[frozenset[int]] = frozenset()
    udp: ClassVar[bool] = False
    opt_in: ClassVar[bool] = False  # True: runs only when named (``--snmp``, ``--only``)
    supersedes: ClassVar[str | None] = None  # runs in place of this probe when both are on

    @classmethod
    def serves(cls, port: int) -> bool:
        """Does this probe speak to ``port`` once it is found open?"""
        return port in cls.ports or port in cls.more_ports

    @abstractmethod
    async def probe(self, ctx: ProbeContext, host: str, port: int) -> list[Observation]:
        """Observations about ``host`` from its service on ``port``."""
