"""Findings about deployments themselves, from what the registry says about them.

Sources: the Facial Recognition Measures (《人脸识别技术应用安全管理办法》, 2025): filing with
the provincial cyberspace administration above 100,000 people's face information; no face
recognition equipment in hotel rooms, public bathrooms, changing rooms or toilets; face
recognition not the only way where other means serve the purpose. PIPL Art. 26: image
collection and identity recognition equipment in public places carries prominent signs.
"""

from __future__ import annotations

import datetime as dt

from scanner.compare.build import make_finding
from scanner.models import Finding, FindingKind, Severity
from scanner.registry.model import (
    PROHIBITED_SPACES,
    Deployment,
    FilingStatus,
    Method,
    Modality,
    Registry,
    SpaceType,
)


def _filing(dep: Deployment, threshold: int, today: dt.date | None) -> list[Finding]:
    if Modality.FACE not in dep.modalities or dep.enrolled <= threshold:
        return []
    status = dep.filing.status
    if status == FilingStatus.FILED:
        return []
    details = {
        "deployment": dep.id, "location": dep.location, "enrolled": str(dep.enrolled),
        "threshold": str(threshold), "status": status.value,
        "due": dep.filing.due.isoformat() if dep.filing.due else "",
    }  # fmt: skip
    if status == FilingStatus.PENDING:
        overdue = dep.filing.due is not None and today is not None and dep.filing.due < today
        reason, severity = (
            ("filing_overdue", Severity.HIGH) if overdue else ("filing_pending", Severity.LOW)
        )
    else:
        reason, severity = "filing_missing", Severity.HIGH
    return [make_finding(FindingKind.FILING_OVERDUE, severity, reason, details, dep=dep)]


def deployment_findings(
    registry: Registry, seen: dict[str, str], today: dt.date | None
) -> list[Finding]:
    """``seen`` maps registry device ids to the found device placed on them."""
    out: list[Finding] = []
    for dep in registry.deployments:
        first_seen = next((seen[d.id] for d in dep.devices if d.id in seen), None)
        base = {"deployment": dep.id, "location": dep.location}
        out += _filing(dep, registry.filing_threshold, today)
        if dep.space in PROHIBITED_SPACES and dep.devices:
            details = base | {"space": dep.space.value}
            out.append(
                make_finding(
                    FindingKind.PROHIBITED_SPACE,
                    Severity.CRITICAL,
                    "prohibited_space",
                    details,
                    first_seen,
                    dep,
                )
            )
        if dep.space == SpaceType.PUBLIC_PLACE and not dep.signage:
            out.append(
                make_finding(
                    FindingKind.MISSING_SIGNAGE,
                    Severity.MEDIUM,
                    "missing_signage",
                    base,
                    first_seen,
                    dep,
                )
            )
        if dep.biometric and dep.method != Method.NONE and not dep.alternative:
            details = base | {"method": dep.method.value}
            out.append(
                make_finding(
                    FindingKind.NO_ALTERNATIVE,
                    Severity.MEDIUM,
                    "no_alternative",
                    details,
                    first_seen,
                    dep,
                )
            )
    return out
