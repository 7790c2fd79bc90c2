"""Making a finding: its English "why" is written from the same reason and details a report
uses for any other language, so the two can never say different things."""

from __future__ import annotations

from scanner.models import Finding, FindingKind, Reason, Severity
from scanner.registry.model import Deployment, RegisteredDevice
from scanner.wording.why import explain


def make_finding(
    kind: FindingKind,
    severity: Severity,
    reason: Reason,
    details: dict[str, str],
    device_id: str | None = None,
    dep: Deployment | None = None,
    reg: RegisteredDevice | None = None,
) -> Finding:
    pairs = tuple((k, v) for k, v in details.items() if v)
    draft = Finding(
        kind=kind,
        severity=severity,
        device_id=device_id,
        why="",
        expected=f"{dep.id}/{reg.id}" if dep and reg else (dep.id if dep else None),
        reason=reason,
        deployment=dep.id if dep else None,
        registry_id=reg.id if reg else None,
        details=pairs,
    )
    return Finding(
        kind=kind,
        severity=severity,
        device_id=device_id,
        why=explain(draft, "en"),
        expected=draft.expected,
        reason=reason,
        deployment=draft.deployment,
        registry_id=draft.registry_id,
        details=pairs,
    )
