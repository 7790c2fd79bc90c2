"""What a human-readable report shows, computed once for Markdown, HTML and PDF.

Every string here is plain text, possibly from a device (untrusted): each format escapes it
for itself. Control characters are already gone (:func:`scanner.normalize.clean_text`).
Devices are ordered by what needs attention (unregistered collectors and mismatches first);
the detailed list is capped (SAFETY-CATALOGUE case 55) with a note pointing to the JSON.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from scanner.compare import explain, facts
from scanner.compare.labels import (
    CLASSES,
    FILING,
    KINDS,
    METHODS,
    SEVERITIES,
    SEVERITY_RANK,
    SPACES,
    STATUS,
    Lang,
    label,
    vendor_name,
)
from scanner.models import Device, Finding, FindingKind, ScanRun, Severity
from scanner.normalize import clean_text
from scanner.registry.model import Deployment, Registry
from scanner.reporters.i18n import t

BEIJING = timezone(timedelta(hours=8))
_STATUS_BY_KIND = {
    FindingKind.IDENTITY_MISMATCH: "mismatch",
    FindingKind.UNREGISTERED_COLLECTOR: "unregistered",
    FindingKind.CHANGED: "changed",
    FindingKind.REGISTERED: "registered",
}
_STATUS_ORDER = ("mismatch", "unregistered", "changed", "registered")


def text(value: object, limit: int = 300) -> str:
    """Device text made safe to place anywhere: controls and bidi overrides gone, capped."""
    return clean_text(str(value), limit)


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    field: str
    value: str
    source: str
    signature: str


@dataclass(frozen=True, slots=True)
class DeviceRow:
    index: int
    id: str
    class_code: str
    class_label: str
    collector: bool
    vendor: str
    product: str
    model: str
    serial: str
    confidence: str
    addresses: list[str]
    status: str
    status_label: str
    severity: str
    evidence: list[EvidenceRow]
    more_evidence: int
    also: list[str]


@dataclass(frozen=True, slots=True)
class FindingRow:
    severity: str
    severity_label: str
    kind_label: str
    device: str
    registry_ref: str
    why: str


@dataclass(frozen=True, slots=True)
class DeploymentRow:
    id: str
    cells: list[tuple[str, str]]


@dataclass
class View:
    """Everything a report shows, in one language."""

    lang: Lang
    title: str
    facts: list[tuple[str, str]]
    headline: list[tuple[str, str]]
    class_counts: list[tuple[str, int]]
    severity_counts: list[tuple[str, str, int]]
    kind_counts: list[tuple[str, int]]
    findings: list[FindingRow]
    omitted_findings: int
    devices: list[DeviceRow]
    omitted_devices: int
    deployments: list[DeploymentRow] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    omitted_skipped: int = 0
    notes: list[str] = field(default_factory=list)
    complete: bool = True
    incomplete: list[str] = field(default_factory=list)  # why, shown at the top


def when(moment: datetime | None, lang: Lang) -> str:
    """A time in UTC, and for Chinese readers also in Beijing time."""
    if moment is None:
        return "—"
    utc = moment.astimezone(UTC)
    shown = f"{utc:%Y-%m-%d %H:%M:%S} UTC"
    if lang == "zh":
        return f"{moment.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}（{t('beijing', lang)}）/ {shown}"
    return shown


def _status(findings: list[Finding], collector: bool, compared: bool) -> str:
    kinds = {_STATUS_BY_KIND.get(f.kind) for f in findings}
    status = next((s for s in _STATUS_ORDER if s in kinds), None)
    if status:
        return status
    if not collector:
        return "not_collector"
    return "unregistered" if compared else "not_compared"


def _device_row(
    index: int, d: Device, findings: list[Finding], compared: bool, lang: Lang, max_ev: int
) -> DeviceRow:
    best = d.best
    facts = {o.field: o.value for o in d.observations}
    serial = next((v for k, v in facts.items() if k.endswith(".serial")), "")
    model = best.attribute("model") if best else None
    evidence = [
        EvidenceRow(text(e.field, 64), text(e.value), text(e.source, 64), text(i.signature_id, 80))
        for i in d.identifications[:3]
        for e in i.evidence
    ]
    status = _status(findings, d.is_collector, compared)
    worst = max((f.severity for f in findings), key=SEVERITY_RANK.__getitem__, default=None)
    addresses = [*d.ips, *(f"MAC {m}" for m in d.macs), *(f"BLE {b}" for b in d.ble)]
    return DeviceRow(
        index=index,
        id=text(d.id, 120),
        class_code=best.device_class.value if best else "",
        class_label=label(CLASSES, best.device_class.value if best else "", lang),
        collector=d.is_collector,
        vendor=text(vendor_name(best.vendor, lang)) if best else "",
        product=text(best.product) if best else "",
        model=text(model or ""),
        serial=text(serial, 120),
        confidence=f"{best.confidence:.1f} ({best.certainty.value})" if best else "—",
        addresses=[text(a, 80) for a in addresses],
        status=status,
        status_label=label(STATUS, status, lang),
        severity=worst.value if worst else "",
        evidence=evidence[:max_ev],
        more_evidence=max(0, len(evidence) - max_ev),
        also=[f"{text(i.signature_id, 80)} ({i.confidence:.1f})" for i in d.identifications[1:6]],
    )


def _finding_row(f: Finding, devices: dict[str, Device], lang: Lang) -> FindingRow:
    device = devices.get(f.device_id or "")
    where = facts(device).address if device else ""
    ref = f"{f.deployment or ''}/{f.registry_id}" if f.registry_id else (f.deployment or "")
    return FindingRow(
        severity=f.severity.value,
        severity_label=label(SEVERITIES, f.severity.value, lang),
        kind_label=label(KINDS, f.kind.value, lang),
        device=text(where, 80),
        registry_ref=text(ref, 140),
        why=text(explain(f, lang), 1200),
    )


def _duties(dep: Deployment, lang: Lang) -> list[tuple[str, str]]:
    """Separate consent, the impact assessment and retention, as the registry records them."""
    unknown = t("not_recorded", lang)
    consent = {True: t("yes", lang), False: t("no", lang), None: unknown}[dep.separate_consent]
    pia = f"{dep.pia.date.isoformat()} {dep.pia.reference or ''}".strip() if dep.pia else unknown
    needed = dep.purpose_retention_days
    retention = f"{dep.retention_days} ({needed if needed is not None else unknown})"
    return [
        (t("dep_consent", lang), consent),
        (t("dep_pia", lang), pia),
        (t("dep_retention", lang), retention),
    ]


def _deployments(registry: Registry | None, lang: Lang) -> list[DeploymentRow]:
    rows = []
    for dep in registry.deployments if registry else ():
        filing = label(FILING, dep.filing.status.value, lang)
        if dep.filing.reference:
            filing += f" {dep.filing.authority or ''} {dep.filing.reference}"
        crosses = t("yes", lang) if dep.crosses_internet else t("no", lang)
        cells = [
            (t("dep_operator", lang), dep.operator.name),
            (t("dep_credit", lang), dep.operator.credit_code),
            (t("dep_location", lang), f"{dep.location} / {dep.area}"),
            (t("dep_space", lang), label(SPACES, dep.space.value, lang)),
            (t("dep_purpose", lang), f"{dep.purpose} / {label(METHODS, dep.method, lang)}"),
            (t("dep_storage", lang), f"{t(dep.storage, lang)} / {crosses}"),
            (t("dep_enrolled", lang), str(dep.enrolled)),
            (t("dep_filing", lang), filing),
            *_duties(dep, lang),
            (t("dep_devices", lang), ", ".join(d.id for d in dep.devices)),
        ]
        rows.append(DeploymentRow(dep.id, [(k, text(v, 400)) for k, v in cells]))
    return rows


def _scope(run: ScanRun, lang: Lang) -> str:
    included = [s for s in run.scope if not s.startswith("!")]
    excluded = [s[1:] for s in run.scope if s.startswith("!")]
    shown = ", ".join(included) or t("none", lang)
    if excluded:
        shown += f" ({t('excluded', lang)}: {', '.join(excluded)})"
    return text(shown, 600)


def _order(d: Device, by_device: dict[str, list[Finding]]) -> tuple[int, int, str]:
    worst = max((SEVERITY_RANK[f.severity] for f in by_device.get(d.id, [])), default=-1)
    return (0 if d.is_collector else 1, -worst, (d.ips or d.macs or (d.id,))[0])


def build_view(
    run: ScanRun,
    lang: Lang,
    registry: Registry | None = None,
    max_devices: int = 500,
    max_findings: int = 1000,
    max_evidence: int = 12,
    title: str | None = None,
) -> View:
    by_device: dict[str, list[Finding]] = {}
    for f in run.findings:
        by_device.setdefault(f.device_id or "", []).append(f)
    compared = run.registry is not None
    devices = sorted(run.devices, key=lambda d: _order(d, by_device))
    rows = [
        _device_row(n + 1, d, by_device.get(d.id, []), compared, lang, max_evidence)
        for n, d in enumerate(devices[:max_devices])
    ]
    collectors = [d for d in run.devices if d.is_collector]
    unregistered = sum(
        f.kind in (FindingKind.UNREGISTERED_COLLECTOR, FindingKind.IDENTITY_MISMATCH)
        for f in run.findings
    )
    classes = Counter(d.best.device_class.value if d.best else "" for d in run.devices)
    severities = Counter(f.severity.value for f in run.findings)
    kinds = Counter(f.kind.value for f in run.findings)
    by_id = {d.id: d for d in run.devices}
    site_facts = []
    if registry is not None:
        officer = registry.site.officer
        contact = ", ".join(x for x in (officer.name, officer.phone, officer.email) if x)
        site_facts = [(t("address", lang), registry.site.address), (t("officer", lang), contact)]
    facts = [
        (t("site", lang), run.site or (registry.site.name if registry else "") or "—"),
        *site_facts,
        (t("operator", lang), run.operator or "—"),
        (t("started", lang), when(run.started_at, lang)),
        (t("finished", lang), when(run.finished_at, lang)),
        (t("scope", lang), _scope(run, lang)),
        (t("complete", lang), t("yes", lang) if run.complete else t("no", lang)),
        (t("registry", lang), run.registry or t("no_registry", lang)),
        (t("tool", lang), f"biosweep {run.tool_version}, signatures {run.signatures_version}"),
        (t("run_id", lang), run.id),
    ]
    return View(
        lang=lang,
        title=title or t("title", lang),
        facts=[(k, text(v, 600)) for k, v in facts],
        headline=[
            (t("devices_found", lang), str(len(run.devices))),
            (t("collectors_found", lang), str(len(collectors))),
            (t("unregistered_count", lang), str(unregistered) if compared else "—"),
        ],
        class_counts=[
            (label(CLASSES, c, lang), n)
            for c, n in sorted(classes.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        severity_counts=[
            (s.value, label(SEVERITIES, s.value, lang), severities[s.value])
            for s in reversed(Severity)
            if severities[s.value]
        ],
        kind_counts=[(label(KINDS, k, lang), n) for k, n in kinds.most_common()],
        findings=[_finding_row(f, by_id, lang) for f in run.findings[:max_findings]],
        omitted_findings=max(0, len(run.findings) - max_findings),
        devices=rows,
        omitted_devices=max(0, len(devices) - max_devices),
        deployments=_deployments(registry, lang),
        skipped=[
            text(f"{s.probe} {s.target or ''}: {s.reason.value} — {s.detail}", 300)
            for s in run.skipped[:50]
        ],
        omitted_skipped=max(0, len(run.skipped) - 50),
        notes=[text(n, 500) for n in run.notes if n not in run.why_incomplete()],
        complete=run.complete,
        incomplete=[text(n, 500) for n in run.why_incomplete()],
    )
