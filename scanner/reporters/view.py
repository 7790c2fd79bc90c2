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

from scanner.models import SEVERITY_RANK, Device, Finding, FindingKind, ScanRun, Severity
from scanner.registry.model import Deployment, Registry, registry_name
from scanner.reporters.notes import run_notes
from scanner.reporters.rows import (
    DeviceRow,
    FindingRow,
    Location,
    OtherRow,
    device_details,
    device_row,
    finding_row,
    ip_order,
    located,
    other_row,
    text,
)
from scanner.wording.labels import (
    CLASSES,
    FILING,
    KINDS,
    LEGAL_BASIS,
    METHODS,
    SEVERITIES,
    SKIP_REASONS,
    SPACES,
    Lang,
    label,
    plain_name,
)
from scanner.wording.reports import t
from scanner.wording.zhtext import date_zh

BEIJING = timezone(timedelta(hours=8))
_STATUS_BY_KIND = {
    FindingKind.IDENTITY_MISMATCH: "mismatch",
    FindingKind.UNREGISTERED_COLLECTOR: "unregistered",
    FindingKind.CHANGED: "changed",
    FindingKind.REGISTERED: "registered",
}
_STATUS_ORDER = ("mismatch", "unregistered", "changed", "registered")


@dataclass(frozen=True, slots=True)
class DeploymentRow:
    id: str
    cells: list[tuple[str, str]]


@dataclass
class View:
    """Everything a report shows, in one language.

    ``warnings``: what limits the findings (shown at the top); ``how_ran``: the run's notes,
    retold (their own section); ``devices``: a card for each collector and each device a
    finding is about; ``others``: every other device, one table row each; ``signoff``: who
    swept, who reviewed and who is responsible, to be signed and dated on paper.
    """

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
    warnings: list[str] = field(default_factory=list)
    how_ran: list[str] = field(default_factory=list)
    others: list[OtherRow] = field(default_factory=list)
    signoff: list[tuple[str, str]] = field(default_factory=list)
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


def device_status(findings: list[Finding], collector: bool, compared: bool) -> str:
    """A device's registry status: mismatch, unregistered, changed, registered, or (no finding)
    not_collector, not_compared."""
    kinds = {_STATUS_BY_KIND.get(f.kind) for f in findings}
    status = next((s for s in _STATUS_ORDER if s in kinds), None)
    if status:
        return status
    if not collector:
        return "not_collector"
    return "unregistered" if compared else "not_compared"


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


def _order(
    d: Device, by_device: dict[str, list[Finding]]
) -> tuple[int, int, tuple[int, int, int], str]:
    worst = max((SEVERITY_RANK[f.severity] for f in by_device.get(d.id, [])), default=-1)
    first = min((ip_order(ip) for ip in d.ips), default=(9, 0, 0))
    return (0 if d.is_collector else 1, -worst, first, (d.macs or (d.id,))[0])


def _device_location(
    d: Device, findings: list[Finding], registry: Registry | None, run: ScanRun, lang: Lang
) -> Location:
    """Where the registry puts the device, else its address, MAC and segment."""
    for f in findings:
        details = dict(f.details)
        if details.get("location"):
            return located(details, f.deployment, registry, run.scope, lang)
    return located(device_details(d), None, registry, run.scope, lang)


def _cards(
    run: ScanRun, devices: list[Device], by_device: dict[str, list[Finding]],
    registry: Registry | None, lang: Lang, max_evidence: int,
) -> list[DeviceRow]:  # fmt: skip
    compared = run.registry is not None
    rows = []
    for n, d in enumerate(devices):
        found = by_device.get(d.id, [])
        status = device_status(found, d.is_collector, compared)
        where = _device_location(d, found, registry, run, lang)
        rows.append(device_row(n + 1, d, found, status, where, lang, max_evidence))
    return rows


def _signoff(run: ScanRun, registry: Registry | None, lang: Lang) -> list[tuple[str, str]]:
    officer = registry.site.officer.name if registry else ""
    return [
        (t("signoff_operator", lang), text(run.operator or "", 120)),
        (t("signoff_reviewer", lang), ""),
        (t("officer", lang), text(officer, 120)),
    ]


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
        (
            t("registry", lang),
            registry_name(run.registry) if run.registry else t("no_registry", lang),
        ),
        (t("tool", lang), tool),
        (t("run_id", lang), run.id),
    ]
    return [(k, text(v, 600)) for k, v in facts]


def utc_note(run: ScanRun) -> str:
    """The sweep time in UTC, for a Chinese report that states Beijing time."""
    utc = span(run.started_at, run.finished_at, "en").replace(" to ", " 至 ")
    return t("utc_note", "zh", utc=utc)


def _tallies(
    run: ScanRun, lang: Lang
) -> tuple[list[tuple[str, int]], list[tuple[str, str, int]], list[tuple[str, int]]]:
    """Devices per class (most first), findings per severity (worst first) and per kind."""
    classes = Counter(d.best.device_class.value if d.best else "" for d in run.devices)
    severities = Counter(f.severity.value for f in run.findings)
    kinds = Counter(f.kind.value for f in run.findings)
    return (
        [
            (plain_name(label(CLASSES, c, lang)), n)
            for c, n in sorted(classes.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        [
            (s.value, label(SEVERITIES, s.value, lang), severities[s.value])
            for s in reversed(Severity)
            if severities[s.value]
        ],
        [(label(KINDS, k, lang), n) for k, n in kinds.most_common()],
    )


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
    detailed = [d for d in devices if d.is_collector or d.id in by_device][:max_devices]
    rest = [d for d in devices if not (d.is_collector or d.id in by_device)]
    rest = rest[: max(0, max_devices - len(detailed))]
    rows = _cards(run, detailed, by_device, registry, lang, max_evidence)
    notes = run_notes(run, lang)
    collectors = [d for d in run.devices if d.is_collector]
    unregistered = sum(
        f.kind in (FindingKind.UNREGISTERED_COLLECTOR, FindingKind.IDENTITY_MISMATCH)
        for f in run.findings
    )
    class_counts, severity_counts, kind_counts = _tallies(run, lang)
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
        class_counts=class_counts,
        severity_counts=severity_counts,
        kind_counts=kind_counts,
        findings=[
            finding_row(f, by_id, registry, run.scope, lang) for f in run.findings[:max_findings]
        ],
        omitted_findings=max(0, len(run.findings) - max_findings),
        devices=rows,
        omitted_devices=max(0, len(devices) - len(rows) - len(rest)),
        deployments=_deployments(registry, lang),
        skipped=_skipped(run, lang),
        omitted_skipped=max(0, len(run.skipped) - 50),
        warnings=notes.warnings,
        how_ran=notes.how,
        others=[other_row(d, lang) for d in rest],
        signoff=_signoff(run, registry, lang),
        complete=run.complete,
        time_note=utc_note(run) if lang == "zh" else "",
        incomplete=[text(n, 500) for n in run.why_incomplete()],
    )
