"""Did every source the user asked for run? No false all-clear.

A sweep is made of sources: the host sweep, multicast discovery, passive listening, Bluetooth
LE. Some run because the user named them (``--ble``, ``--only ble``, ``--only mdns``,
``--passive-first``); when one of those cannot run at all (no radio, no privilege, no
interface in scope) the run is *incomplete*: a run that found nothing because it could not
look must never read as "nothing found". These entries say so in the run's notes
(:data:`scanner.models.INCOMPLETE`), which the CLI puts first, the exit status reports and the
reports show at the top. A run whose every source failed swept nothing at all: an error.

Per-service failures (one camera's HTTP timing out) are part of a normal sweep, not this.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanner.errors import BiosweepError
from scanner.models import INCOMPLETE, Skipped, SkipReason

#: Reasons that mean the source did not run (a timeout means it ran and heard nothing in time).
DID_NOT_RUN = frozenset(
    {
        SkipReason.NEEDS_ROOT,
        SkipReason.NO_ADAPTER,
        SkipReason.MISSING_DEPENDENCY,
        SkipReason.NOT_IN_SCOPE,
        SkipReason.DISABLED,
        SkipReason.ERROR,
    }
)


class NothingSwept(BiosweepError):
    """Every source the run was made of could not run: there is no result to report."""


def source_level(entry: Skipped) -> bool:
    """An entry about a whole source (no target, or a multicast question on an interface)."""
    return entry.target is None or entry.target.endswith("/multicast")


def missing(skipped: Iterable[Skipped], required: frozenset[str]) -> list[Skipped]:
    """The source-level entries of ``required`` sources that did not run, one per source."""
    found: dict[str, Skipped] = {}
    for entry in skipped:
        if entry.probe in required and entry.reason in DID_NOT_RUN and source_level(entry):
            found.setdefault(entry.probe, entry)
    return list(found.values())


def incomplete_notes(absent: list[Skipped]) -> list[str]:
    """One note per source that did not run: ``incomplete: ble could not run (no_adapter: …)``."""
    return [
        f"{INCOMPLETE}{s.probe} was asked for and could not run ({s.reason.value}: {s.detail})"[
            :400
        ]
        for s in absent
    ]


def check_swept_something(
    absent: list[Skipped], required: frozenset[str], host_sweep: bool
) -> None:
    """Raise :class:`NothingSwept` when the run had no host sweep and every source it was made
    of (all ``required``) could not run."""
    if host_sweep or not required or {s.probe for s in absent} < required:
        return
    why = "; ".join(f"{s.probe}: {s.reason.value} — {s.detail}" for s in absent)
    raise NothingSwept(f"nothing was swept: {why}"[:600])
