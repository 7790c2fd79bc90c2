"""What changed between two runs: devices and findings that appeared, disappeared or changed.

Pure: two ScanRuns in, a :class:`RunDiff` out (``history diff`` prints it, the watch loop
picks alerts from it, the console shows it). Devices are paired by
:func:`scanner.compare.pairing.pair`, the rule ``sweep --previous`` uses too. Findings are
paired by what they are about: kind, reason, device, deployment and registry row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scanner.compare.facts import facts
from scanner.compare.pairing import pair
from scanner.models import SEVERITY_RANK, Device, Finding, ScanRun, Severity

#: Finding details that name the run itself; a new value there is not a change.
VOLATILE_DETAILS = frozenset({"previous"})


@dataclass(frozen=True, slots=True)
class Change:
    """One attribute that differs: ``name`` was ``before``, is ``after``."""

    name: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class DeviceChange:
    before: Device
    after: Device
    changes: tuple[Change, ...]


@dataclass(frozen=True, slots=True)
class FindingChange:
    before: Finding
    after: Finding
    changes: tuple[Change, ...]


@dataclass(frozen=True, slots=True)
class RunDiff:
    before: ScanRun
    after: ScanRun
    devices_added: tuple[Device, ...]
    devices_removed: tuple[Device, ...]
    devices_changed: tuple[DeviceChange, ...]
    findings_added: tuple[Finding, ...]
    findings_removed: tuple[Finding, ...]
    findings_changed: tuple[FindingChange, ...]

    @property
    def empty(self) -> bool:
        return not (
            self.devices_added
            or self.devices_removed
            or self.devices_changed
            or self.findings_added
            or self.findings_removed
            or self.findings_changed
        )


def _summary(d: Device) -> dict[str, str]:
    """What a person notices about a device, as comparable text."""
    f = facts(d)
    best = d.best
    return {
        "class": best.device_class.value if best else "",
        "vendor": best.vendor if best else "",
        "product": best.product if best else "",
        "ips": ", ".join(sorted(ip for ip in d.ips)),
        "macs": ", ".join(sorted(d.macs)),
        "model": f.model or "",
        "firmware": f.firmware or "",
        "serial": f.serial or "",
        "ports": ", ".join(str(p) for p in sorted(f.ports)),
    }


def _changes(before: dict[str, str], after: dict[str, str]) -> tuple[Change, ...]:
    names = list(dict.fromkeys([*before, *after]))
    return tuple(
        Change(n, before.get(n, ""), after.get(n, ""))
        for n in names
        if before.get(n, "") != after.get(n, "")
    )


def pair_devices(
    before: Sequence[Device], after: Sequence[Device]
) -> tuple[list[tuple[Device, Device]], list[Device], list[Device]]:
    """(pairs, only in ``after``, only in ``before``), by compare's one pairing rule."""
    p = pair([facts(d) for d in before], [facts(d) for d in after])
    pairs = [(before[i], after[j]) for i, j in p.pairs]
    return pairs, [after[j] for j in p.added], [before[i] for i in p.removed]


def finding_key(f: Finding) -> tuple[str, str, str, str, str]:
    return (
        f.kind.value,
        f.reason or "",
        f.device_id or "",
        f.deployment or "",
        f.registry_id or "",
    )


def _finding_view(f: Finding) -> dict[str, str]:
    view = {"severity": f.severity.value, "expected": f.expected or ""}
    view |= {k: v for k, v in f.details if k not in VOLATILE_DETAILS}
    return view


def diff_findings(
    before: Sequence[Finding], after: Sequence[Finding]
) -> tuple[list[Finding], list[Finding], list[FindingChange]]:
    """(added, removed, changed) findings between two runs."""
    old = {finding_key(f): f for f in before}
    new = {finding_key(f): f for f in after}
    added = [f for k, f in new.items() if k not in old]
    removed = [f for k, f in old.items() if k not in new]
    changed = []
    for k, f in new.items():
        if k in old:
            changes = _changes(_finding_view(old[k]), _finding_view(f))
            if changes:
                changed.append(FindingChange(old[k], f, changes))
    return added, removed, changed


def diff_runs(before: ScanRun, after: ScanRun) -> RunDiff:
    """Everything that differs from ``before`` to ``after``."""
    pairs, added, removed = pair_devices(before.devices, after.devices)
    changed = []
    for a, b in pairs:
        changes = _changes(_summary(a), _summary(b))
        if changes:
            changed.append(DeviceChange(a, b, changes))
    f_added, f_removed, f_changed = diff_findings(before.findings, after.findings)
    return RunDiff(
        before, after, tuple(added), tuple(removed), tuple(changed),
        tuple(f_added), tuple(f_removed), tuple(f_changed),
    )  # fmt: skip


def at_least(severity: Severity, floor: Severity) -> bool:
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[floor]
