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
from scanner.compare.certainty import prefix_basis
from scanner.compare.labels import (
    CERTAINTY,
    CLASSES,
    FILING,
    KINDS,
    LEGAL_BASIS,
    METHODS,
    SEVERITIES,
    SEVERITY_RANK,
    SKIP_REASONS,
    SPACES,
    STATUS,
    Lang,
    brand_model,
    label,
    vendor_name,
)
from scanner.compare.phrases import BASIS
from scanner.compare.zhtext import date_zh
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
    brand_model: str
    suspected: str  # why the class is only suspected (vendor prefix only), else ""
    certainty: str  # the confidence, with ``suspected`` where there is one
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
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (probe and target, why)
    omitted_skipped: int = 0
    notes: list[str] = field(default_factory=list)
    complete: bool = True
    time_note: str = ""  # Chinese reports: the sweep time in UTC
    incomplete: list[str] = field(default_factory=list)  # why, shown at the top


def when(moment: datetime | None, lang: Lang) -> str:
    """A time: ``2026-12-07 09:19:21 UTC``; for Chinese readers in Beijing time,
    ``2026年12月7日 17:19:21（北京时间）``."""
    if moment is None:
        return "—"
    if lang == "zh":
        local = moment.astimezone(BEIJING)
        return f"{date_zh(local)} {local:%H:%M:%S}（{t('beijing', lang)}）"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def span(start: datetime, end: datetime | None, lang: Lang) -> str:
    """When a sweep ran, the end's date only when it differs: ``2026年12月7日 17:19:21 至
    17:19:23（北京时间）``, ``2026-12-07 09:19:21 to 09:19:23 UTC``."""
    zone = BEIJING if lang == "zh" else UTC
    a = start.astimezone(zone)
    b = end.astimezone(zone) if end else None

    def day(moment: datetime) -> str:
        return date_zh(moment) if lang == "zh" else f"{moment:%Y-%m-%d}"

    tail = "—"
    if b is not None:
        tail = f"{b:%H:%M:%S}" if b.date() == a.date() else f"{day(b)} {b:%H:%M:%S}"
    if lang == "zh":
        return f"{day(a)} {a:%H:%M:%S} 至 {tail}（{t('beijing', lang)}）"
    return f"{day(a)} {a:%H:%M:%S} to {tail} UTC"


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
    models = (i.attribute("model") for i in ([best] if best else []) + list(d.identifications))
    model = next((m for m in models if m), None)
    evidence = [
        EvidenceRow(text(e.field, 64), text(e.value), text(e.source, 64), text(i.signature_id, 80))
        for i in d.identifications[:3]
        for e in i.evidence
    ]
    status = _status(findings, d.is_collector, compared)
    cls, confidence, suspected = _how_sure(d, lang)
    worst = max((f.severity for f in findings), key=SEVERITY_RANK.__getitem__, default=None)
    addresses = [*d.ips, *(f"MAC {m}" for m in d.macs), *(f"BLE {b}" for b in d.ble)]
    return DeviceRow(
        index=index,
        id=text(d.id, 120),
        class_code=best.device_class.value if best else "",
        class_label=cls,
        collector=d.is_collector,
        vendor=text(vendor_name(best.vendor, lang)) if best else "",
        product=text(best.product) if best else "",
        model=text(model or ""),
        brand_model=text(brand_model(best.vendor, model or "", lang)) if best else "",
        suspected=suspected,
        certainty=f"{confidence}{'；' if lang == 'zh' else '; '}{suspected}"
        if suspected
        else confidence,
        serial=text(serial, 120),
        confidence=confidence,
        addresses=[text(a, 80) for a in addresses],
        status=status,
        status_label=label(STATUS, status, lang),
        severity=worst.value if worst else "",
        evidence=evidence[:max_ev],
        more_evidence=max(0, len(evidence) - max_ev),
        also=[f"{text(i.signature_id, 80)} ({i.confidence:.1f})" for i in d.identifications[1:6]],
    )


def _how_sure(d: Device, lang: Lang) -> tuple[str, str, str]:
    """The class label (``疑似…`` when it rests on a vendor prefix only), the confidence
    (``0.9（高）``, ``0.9 (high)``) and why the class is only suspected (or "")."""
    best = d.best
    cls = label(CLASSES, best.device_class.value if best else "", lang)
    if best is None:
        return cls, "—", ""
    word = label(CERTAINTY, best.certainty.value, lang)
    value = f"{best.confidence:.1f}"
    confidence = f"{value}（{word}）" if lang == "zh" else f"{value} ({word})"
    basis = BASIS.get(prefix_basis(d) or "")
    if basis is None:
        return cls, confidence, ""
    if lang == "zh":
        return f"疑似{cls}", confidence, f"{basis[1]}，待现场核实"
    return f"possible {cls}", confidence, f"{basis[0]}, to be verified on site"


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


def _filing(dep: Deployment, lang: Lang) -> str:
    """``已备案（上海市互联网信息办公室，编号 …，2025年7月1日）``."""
    f = dep.filing
    status = label(FILING, f.status.value, lang)
    date = (date_zh(f.date) if lang == "zh" else f.date.isoformat()) if f.date else ""
    number = ""
    if f.reference:
        number = f"编号 {f.reference}" if lang == "zh" else f"ref. {f.reference}"
    parts = [p for p in (f.authority or "", number, date) if p]
    if not parts:
        return status
    return f"{status}（{'，'.join(parts)}）" if lang == "zh" else f"{status} ({', '.join(parts)})"


def _duties(dep: Deployment, lang: Lang) -> list[tuple[str, str]]:
    """Separate consent, the impact assessment and retention, as the registry records them."""
    unknown = t("not_recorded", lang)
    consent = {True: t("yes", lang), False: t("no", lang), None: unknown}[dep.separate_consent]
    pia = unknown
    if dep.pia:
        day = date_zh(dep.pia.date) if lang == "zh" else dep.pia.date.isoformat()
        ref = dep.pia.reference or ""
        pia = (f"{day}（编号 {ref}）" if ref else day) if lang == "zh" else f"{day} {ref}".strip()
    needed = dep.purpose_retention_days
    if lang == "zh":
        need = f"{needed} 天" if needed is not None else unknown
        retention = f"{dep.retention_days} 天（处理目的所需：{need}）"
    else:
        need = f"{needed} days" if needed is not None else unknown
        retention = f"{dep.retention_days} days ({need} needed by the purpose)"
    return [
        (t("dep_consent", lang), consent),
        (t("dep_pia", lang), pia),
        (t("dep_retention", lang), retention),
    ]


def _deployments(registry: Registry | None, lang: Lang) -> list[DeploymentRow]:
    rows = []
    sep, items = ("；", "、") if lang == "zh" else ("; ", ", ")
    for dep in registry.deployments if registry else ():
        cells = [
            (t("dep_operator", lang), dep.operator.name),
            (t("dep_credit", lang), dep.operator.credit_code),
            (t("dep_location", lang), f"{dep.location}{sep}{dep.area}"),
            (t("dep_space", lang), label(SPACES, dep.space.value, lang)),
            (t("dep_purpose", lang), f"{dep.purpose}{sep}{label(METHODS, dep.method, lang)}"),
            (t("dep_basis", lang), label(LEGAL_BASIS, dep.legal_basis.value, lang)),
            (t("dep_storage", lang), t(dep.storage, lang)),
            (t("dep_internet", lang), t("yes" if dep.crosses_internet else "no", lang)),
            (t("dep_enrolled", lang), str(dep.enrolled)),
            (t("dep_filing", lang), _filing(dep, lang)),
            *_duties(dep, lang),
            (t("dep_devices", lang), items.join(d.id for d in dep.devices)),
        ]
        rows.append(DeploymentRow(dep.id, [(k, text(v, 400)) for k, v in cells]))
    return rows


def _address(cidr: str) -> str:
    """A single-host network as the address alone (``10.77.0.250/32`` is ``10.77.0.250``)."""
    return cidr.removesuffix("/32").removesuffix("/128")


def scope_text(run: ScanRun, lang: Lang) -> str:
    """``10.77.0.0/24（不含 10.77.0.250）``, ``10.77.0.0/24 (excluding 10.77.0.250)``."""
    included = [_address(s) for s in run.scope if not s.startswith("!")]
    excluded = [_address(s[1:]) for s in run.scope if s.startswith("!")]
    comma = "、" if lang == "zh" else ", "
    shown = comma.join(included) or t("none", lang)
    if excluded:
        rest = f"{t('excluded', lang)} {comma.join(excluded)}"
        shown += f"（{rest}）" if lang == "zh" else f" ({rest})"
    return text(shown, 600)


def _skipped(run: ScanRun, lang: Lang) -> list[tuple[str, str]]:
    """What could not be checked: probe and target (an identifier), and the reason in
    ``lang``; the probe's own detail is English, so Chinese reports leave it to the JSON."""
    out = []
    for s in run.skipped[:50]:
        where = " ".join(x for x in (s.probe, s.target or "") if x)
        reason = label(SKIP_REASONS, s.reason.value, lang)
        why = reason if lang == "zh" else f"{reason} — {s.detail}"
        out.append((text(where, 120), text(why, 300)))
    return out


def _order(d: Device, by_device: dict[str, list[Finding]]) -> tuple[int, int, str]:
    worst = max((SEVERITY_RANK[f.severity] for f in by_device.get(d.id, [])), default=-1)
    return (0 if d.is_collector else 1, -worst, (d.ips or d.macs or (d.id,))[0])


def _facts(run: ScanRun, registry: Registry | None, lang: Lang) -> list[tuple[str, str]]:
    """The summary table: site, who swept, when, where, with what."""
    site_facts = []
    if registry is not None:
        officer = registry.site.officer
        comma = "，" if lang == "zh" else ", "
        contact = comma.join(x for x in (officer.name, officer.phone, officer.email) if x)
        site_facts = [(t("address", lang), registry.site.address), (t("officer", lang), contact)]
    tool = t("tool_value", lang, tool=run.tool_version, sig=run.signatures_version)
    facts = [
        (t("site", lang), run.site or (registry.site.name if registry else "") or "—"),
        *site_facts,
        (t("operator", lang), run.operator or "—"),
        (t("sweep_time", lang), span(run.started_at, run.finished_at, lang)),
        (t("scope", lang), scope_text(run, lang)),
        (t("complete", lang), t("yes", lang) if run.complete else t("no", lang)),
        (t("registry", lang), run.registry or t("no_registry", lang)),
        (t("tool", lang), tool),
        (t("run_id", lang), run.id),
    ]
    return [(k, text(v, 600)) for k, v in facts]


def utc_note(run: ScanRun) -> str:
    """The sweep time in UTC, for a Chinese report that states Beijing time."""
    utc = span(run.started_at, run.finished_at, "en").replace(" to ", " 至 ")
    return t("utc_note", "zh", utc=utc)


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
    return View(
        lang=lang,
        title=title or t("title", lang),
        facts=_facts(run, registry, lang),
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
        skipped=_skipped(run, lang),
        omitted_skipped=max(0, len(run.skipped) - 50),
        notes=[text(n, 500) for n in run.notes if n not in run.why_incomplete()],
        complete=run.complete,
        time_note=utc_note(run) if lang == "zh" else "",
        incomplete=[text(n, 500) for n in run.why_incomplete()],
    )
