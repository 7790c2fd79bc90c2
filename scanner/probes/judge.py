"""The sweep's judge: what the signature database makes of one host's observations so far
(the live collector count, early stop). Apart from :mod:`scanner.probes.hostwork` so that the
database's loaders (:mod:`scanner.identify.preload`, :mod:`scanner.identify.worker`) import
none of the probes."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Protocol

from scanner.models import Observation


class Verdict(Enum):
    """What the signature database makes of what one host said so far."""

    OTHER = "other"  # no collector (yet)
    COLLECTOR = "collector"
    BEYOND_DOUBT = "beyond doubt"  # a collector with certainty ``high``


class Judge(Protocol):
    """Identification during the sweep (live collector count, early stop)."""

    def ready(self) -> bool:
        """Is the signature database loaded? (The event loop never waits for it.)"""

    def verdict(self, seen: Sequence[Observation]) -> Verdict:
        """The best identification of one host's observations, as a :class:`Verdict`."""


class NoJudge:
    """A judge that never loads: no live collector count, no early stop."""

    def ready(self) -> bool:
        return False

    def verdict(self, seen: Sequence[Observation]) -> Verdict:
        return Verdict.OTHER
