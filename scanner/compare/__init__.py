"""compare: devices x site registry x previous run -> findings. Pure: no I/O, no clock.

Matching uses strong identifiers first: a found device is the registered device that shares
its serial, ONVIF/UPnP UUID, MAC or BLE identity address (in that order). Any other identifier
known on both sides that disagrees (serial, UUID, MAC, BLE address, model, vendor), whatever
key made the match, is an identity mismatch, not a match. Only devices no strong identifier
placed are then matched by IP address; there, a disagreeing identifier means another device
now sits where the registered one should be (a swap). A Bluetooth name never matches on its
own: anyone can advertise any name.

unregistered collector                 critical for biometric classes, else high (high at
                                       most when known by a vendor prefix only: certainty.py)
identity mismatch                      critical for biometric deployments or classes,
                                       else high (the same vendor-prefix limit)
registered                             info (low when matched by IP only)
registered, changed (firmware/ports)   medium (firmware), low (ports, address)
registered, not seen (in scope only)   medium
filing overdue or missing              high (pending and not yet due: low)
collector in a prohibited space        critical
no signage in a public place           medium
no non-biometric alternative           medium
new since the last run                 medium if unregistered, else low
=====================================  ===========================================
=======
Every finding kind, its severity, trigger and the article it cites is in README.md
("Findings"); the explanations are in :mod:`scanner.wording.why`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from scanner.compare.build import make_finding
from scanner.compare.certainty import collector_severity
from scanner.compare.classes import class_problem
from scanner.compare.deployments import deployment_findings
from scanner.compare.details import device_details, registry_details
from scanner.compare.facts import IDENTITY_FIELDS, Facts, facts
from scanner.compare.match import Match, match_devices
from scanner.compare.runs import gone_findings, new_findings, previous_index
from scanner.compare.scope import expected_in_scope
from scanner.models import (
    SEVERITY_RANK,
    Device,
    Finding,
    FindingKind,
    Reason,
    ScanRun,
    Severity,
)
from scanner.registry.model import Registry

__all__ = ["IDENTITY_FIELDS", "Facts", "compare", "facts", "sort_findings"]

_KIND_ORDER = {k: i for i, k in enumerate(FindingKind)}


def _match_findings(m: Match, prev: dict[str, Facts]) -> list[Finding]:
    """Findings for one found device once it is matched (or not) to the registry."""
    f = m.found
    details = device_details(f)
    if m.reg is None or m.dep is None:
        if not f.collector:
            return []
        severity = collector_severity(f.device_class, f.prefix_only)
        return [
            make_finding(
                FindingKind.UNREGISTERED_COLLECTOR, severity, Reason.UNREGISTERED, details, f.id
            )
        ]
    details |= registry_details(m.dep, m.reg)
    details["matched_by"] = ",".join(m.matched_by)
    if m.diffs:
        details |= {f"expected_{k}": v for k, v in m.diffs.items()}
        details["differs"] = ",".join(m.diffs)
        severity = (
            Severity.CRITICAL
            if m.dep.biometric
            else collector_severity(f.device_class, f.prefix_only)
        )
        reason = Reason.IDENTIFIERS_DISAGREE if m.matched_by else Reason.SWAPPED
        return [
            make_finding(
                FindingKind.IDENTITY_MISMATCH, severity, reason, details, f.id, m.dep, m.reg
            )
        ]
    reason = Reason.REGISTERED if m.matched_by != ("ip",) else Reason.REGISTERED_IP_ONLY
    severity = Severity.INFO if reason is Reason.REGISTERED else Severity.LOW
    out = [make_finding(FindingKind.REGISTERED, severity, reason, details, f.id, m.dep, m.reg)]
    problem = class_problem(f.device_class, m.dep)
    if problem is not None:
        extra = {"modalities": ", ".join(x.value for x in m.dep.modalities)}
        out.append(
            make_finding(
                FindingKind.CLASS_MISMATCH, problem[1], problem[0], details | extra, f.id,
                m.dep, m.reg,
            )
        )  # fmt: skip
    return out + _changes(m, details, prev.get(f.id))


def _changes(m: Match, details: dict[str, str], before: Facts | None) -> list[Finding]:
    """Registered but changed: against the registry row, then against the previous run."""
    f, reg, dep = m.found, m.reg, m.dep
    assert reg is not None and dep is not None
    out: list[Finding] = []

    def changed(reason: Reason, severity: Severity, **expected: str) -> None:
        extra = {f"expected_{k}": v for k, v in expected.items()}
        out.append(
            make_finding(FindingKind.CHANGED, severity, reason, details | extra, f.id, dep, reg)
        )

    ports = ", ".join(str(p) for p in sorted(f.ports))
    if reg.firmware and f.firmware and reg.firmware.casefold() != f.firmware.casefold():
        changed(Reason.FIRMWARE_CHANGED, Severity.MEDIUM, firmware=reg.firmware)
    if reg.ports is not None and f.ports and set(reg.ports) != set(f.ports):
        changed(Reason.PORTS_CHANGED, Severity.LOW, ports=", ".join(map(str, reg.ports)) or "-")
    if reg.ip and f.ips and reg.ip not in f.ips:
        changed(Reason.IP_CHANGED, Severity.LOW, ip=reg.ip)
    if before is not None:
        if before.firmware and f.firmware and before.firmware != f.firmware:
            changed(
                Reason.FIRMWARE_CHANGED_SINCE_LAST_RUN, Severity.MEDIUM, firmware=before.firmware
            )
        if before.ports and f.ports and before.ports != f.ports:
            was = ", ".join(str(p) for p in sorted(before.ports))
            if ports != was:
                changed(Reason.PORTS_CHANGED_SINCE_LAST_RUN, Severity.LOW, ports=was)
    return out


def sort_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Most severe first, then by kind, deployment and device."""
    return tuple(
        sorted(
            findings,
            key=lambda f: (
                -SEVERITY_RANK[f.severity],
                _KIND_ORDER[f.kind],
                f.deployment or "",
                f.registry_id or "",
                f.device_id or "",
                f.reason or "",
            ),
        )
    )


def compare(
    devices: Sequence[Device],
    registry: Registry,
    previous: ScanRun | None = None,
    scope: Sequence[str] = (),
    today: dt.date | None = None,
    complete: bool = True,
) -> tuple[Finding, ...]:
    """Findings for ``devices`` against ``registry`` (and ``previous``, when given).

    ``scope`` is the run's scope (``ScanRun.scope``): a registered device is reported as not
    seen only if the sweep looked where it should be. ``today`` dates filing deadlines; the
    caller passes the run's date so the function stays pure. An incomplete run (``complete``
    False) reports nothing as gone since the last run: it may not have reached it yet.
    """
    found = [facts(d) for d in devices]
    matches = match_devices(found, registry)
    prev, gone = previous_index(found, previous)
    out: list[Finding] = []
    for m in matches:
        out += _match_findings(m, prev)
    claimed = {m.reg.id for m in matches if m.reg is not None}
    for dep, reg in registry.devices():
        where = expected_in_scope(reg, scope, found)
        if reg.id not in claimed and where:
            details = registry_details(dep, reg) | {"expected_at": where}
            out.append(
                make_finding(
                    FindingKind.REGISTERED_NOT_SEEN,
                    Severity.MEDIUM,
                    Reason.NOT_SEEN,
                    details,
                    None,
                    dep,
                    reg,
                )
            )
    seen_by_reg = {m.reg.id: m.found.id for m in matches if m.reg is not None}
    out += deployment_findings(registry, seen_by_reg, today)
    if previous is not None:
        unregistered = {
            f.device_id
            for f in out
            if f.kind in (FindingKind.UNREGISTERED_COLLECTOR, FindingKind.IDENTITY_MISMATCH)
            and f.device_id
        }
        out += new_findings(found, prev, previous, unregistered)
        if complete:
            out += gone_findings(gone, previous, registry, scope)
    return sort_findings(out)
