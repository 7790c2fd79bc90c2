"""Findings against the previous run: collectors that are new, and collectors that are gone.

Devices of the two runs are paired by :func:`scanner.compare.pairing.pair`, the rule
``history diff`` and the watch alerts use too. A collector of the previous run with no
counterpart now is *gone* when this sweep looked where it was (its address is in this run's
scope, or the two runs swept the same scope) and the run is complete: a registered one may
have been removed or moved, an unregistered one may have been removed, moved or hidden.
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner.compare.build import make_finding
from scanner.compare.details import device_details, registry_details
from scanner.compare.facts import Facts, facts
from scanner.compare.match import match_devices
from scanner.compare.pairing import pair
from scanner.compare.scope import address_in_scope
from scanner.models import Finding, FindingKind, Reason, ScanRun, Severity
from scanner.registry.model import Registry


def previous_index(
    found: list[Facts], previous: ScanRun | None
) -> tuple[dict[str, Facts], list[Facts]]:
    """Each found device's counterpart in ``previous`` (by id), and the previous devices
    nothing found now pairs with."""
    if previous is None:
        return {}, []
    before = [facts(d) for d in previous.devices]
    p = pair(before, found)
    index = {found[j].id: before[i] for i, j in p.pairs}
    return index, [before[i] for i in p.removed]


def new_findings(
    found: list[Facts], prev: dict[str, Facts], previous: ScanRun, unregistered: set[str]
) -> list[Finding]:
    out = []
    for f in found:
        if f.collector and f.id not in prev:
            d = device_details(f) | {"previous": previous.id}
            severity = Severity.MEDIUM if f.id in unregistered else Severity.LOW
            out.append(make_finding(FindingKind.NEW_SINCE_LAST_RUN, severity, Reason.NEW, d, f.id))
    return out


def gone_findings(
    gone: list[Facts], previous: ScanRun, registry: Registry, scope: Sequence[str]
) -> list[Finding]:
    """A finding for each collector of ``previous`` that this sweep should have seen again."""
    same_scope = tuple(previous.scope) == tuple(scope)
    looked = [f for f in gone if f.collector and (same_scope or address_in_scope(f, scope))]
    out = []
    for m in match_devices(looked, registry):
        d = device_details(m.found) | {
            "previous": previous.id,
            "last_seen": previous.started_at.date().isoformat(),
        }
        if m.reg is not None and m.dep is not None and not m.diffs:
            d |= registry_details(m.dep, m.reg)
            out.append(
                make_finding(
                    FindingKind.GONE_SINCE_LAST_RUN, Severity.MEDIUM, Reason.GONE_REGISTERED, d,
                    m.found.id, m.dep, m.reg,
                )
            )  # fmt: skip
        else:
            out.append(
                make_finding(
                    FindingKind.GONE_SINCE_LAST_RUN, Severity.MEDIUM, Reason.GONE_UNREGISTERED, d,
                    m.found.id,
                )
            )  # fmt: skip
    return out
