"""The filing duty of a face deployment (Facial Recognition Measures Art. 15).

A processor whose stored face information *reaches* the threshold (100,000 people, ``>=``)
files with the cyberspace administration (provincial level or above) within 30 working days
of that day. The registry records the day the count reached the threshold
(``filing.reached``); the deadline is computed from it with the shipped holiday calendar
(:mod:`scanner.compare.workdays`). An explicit ``filing.due`` is used only when ``reached`` is
not recorded.
"""

from __future__ import annotations

import datetime as dt

from scanner.compare.build import make_finding
from scanner.compare.workdays import filing_deadline
from scanner.models import Finding, FindingKind, Reason, Severity
from scanner.registry.model import Deployment, FilingStatus, Modality


def _due(dep: Deployment) -> tuple[dt.date | None, dict[str, str]]:
    """The deadline and how it was found (``due_basis``; ``calendar`` when it ran past the
    shipped holiday table and weekends alone were counted)."""
    reached = dep.filing.reached
    if reached is None:
        due = dep.filing.due
        return due, {"due_basis": "recorded"} if due else {}
    deadline = filing_deadline(reached)
    extra = {"reached": reached.isoformat(), "due_basis": "computed"}
    if not deadline.covered:
        extra["calendar"] = deadline.calendar
    return deadline.due, extra


def _reason(
    status: FilingStatus, due: dt.date | None, today: dt.date | None
) -> tuple[Reason, Severity]:
    past = due is not None and today is not None and due < today
    if status == FilingStatus.PENDING:
        if due is None:
            return Reason.FILING_PENDING_UNDATED, Severity.MEDIUM
        if past:
            return Reason.FILING_OVERDUE, Severity.HIGH
        return Reason.FILING_PENDING, Severity.LOW
    if due is not None and not past:
        return Reason.FILING_DUE, Severity.MEDIUM
    return Reason.FILING_MISSING, Severity.HIGH


def filing_findings(dep: Deployment, threshold: int, today: dt.date | None) -> list[Finding]:
    """A finding when a face deployment at or above ``threshold`` people is not filed."""
    if Modality.FACE not in dep.modalities or dep.enrolled < threshold:
        return []
    status = dep.filing.status
    if status == FilingStatus.FILED:
        return []
    due, extra = _due(dep)
    details = {
        "deployment": dep.id, "location": dep.location, "enrolled": str(dep.enrolled),
        "threshold": str(threshold), "status": status.value,
        "due": due.isoformat() if due else "",
    } | extra  # fmt: skip
    reason, severity = _reason(status, due, today)
    return [make_finding(FindingKind.FILING_OVERDUE, severity, reason, details, dep=dep)]
