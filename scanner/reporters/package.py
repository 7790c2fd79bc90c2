"""The 12339 package: a zip an officer can hand to the national security authorities.

Contents (file names are ASCII so every unzip tool agrees on them):

=================  ==========================================================================
cover.zh.txt       the cover page: reporting channels (hotline 12339, www.12339.gov.cn, the
                   Ministry of State Security official account), what to include, cautions,
                   and a summary of this case
report.zh.pdf      the Chinese report, cover page first
report.zh.html     the same report as a self-contained web page
report.json        the machine-readable run (``biosweep.scanrun/1``), minimised
manifest.json      SHA-256 and size of every file above, tool and signature versions, scope,
                   operator, site, registry (``biosweep.package-12339/1``)
SHA256SUMS         ``sha256sum -c`` format, covering every file including the manifest
=================  ==========================================================================

Minimum necessity (PIPL Art. 6; SAFETY-CATALOGUE case 67): only collector devices are kept,
with their registry status; every other device (phones, PCs, wearables and their names and
Bluetooth addresses) is dropped, and so are the findings and skipped probes about them.
Name-like evidence (host names, mDNS instance names, UPnP friendly names, Bluetooth names,
SSIDs) is withheld even for collectors: it can carry a person's name and identifies nothing a
serial or MAC does not.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from scanner import __version__
from scanner.compare import IDENTITY_FIELDS, zhtext
from scanner.errors import InputError
from scanner.inputs import load_json
from scanner.models import Device, Evidence, FindingKind, Identification, ScanRun
from scanner.registry.model import Registry, registry_name
from scanner.reporters.base import ReportOptions
from scanner.reporters.html import HtmlReporter
from scanner.reporters.i18n import COVER_12339, t
from scanner.reporters.jsonout import scanrun_json
from scanner.reporters.pdf import PdfReporter
from scanner.reporters.rows import DeviceRow
from scanner.reporters.view import View, build_view, scope_text, span, utc_note

SCHEMA = "biosweep.package-12339/1"
MANIFEST, SUMS = "manifest.json", "SHA256SUMS"
#: The files a package exists to carry: its manifest must list each (a "hollow" package
#: whose manifest lists nothing would otherwise verify).
REQUIRED = ("cover.zh.txt", "report.zh.pdf", "report.zh.html", "report.json")
NAME_FIELDS = frozenset(
    {"ip.hostname", "mdns.instance", "mdns.hostname", "dhcp.hostname", "ble.local_name",
     "wifi.ssid", "upnp.friendly_name"}
)  # fmt: skip
WITHHELD = "[withheld: name field / 名称字段已隐去]"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_ENTRIES, MAX_FILE, MAX_TOTAL, MAX_RATIO = 16, 64 * 2**20, 256 * 2**20, 200
#: A package file on disk: its entries' total plus room for the zip's own headers.
MAX_PACKAGE = MAX_TOTAL + 2**20


def _evidence(e: Evidence) -> Evidence:
    return replace(e, value=WITHHELD) if e.field in NAME_FIELDS else e


def _identification(i: Identification) -> Identification:
    return replace(i, evidence=tuple(_evidence(e) for e in i.evidence))


def _collector(d: Device) -> Device:
    return replace(
        d,
        identifications=tuple(_identification(i) for i in d.identifications),
        observations=tuple(o for o in d.observations if o.field in IDENTITY_FIELDS),
    )


def minimal_run(run: ScanRun) -> ScanRun:
    """The run cut down to what the authorities need: collectors and findings about them."""
    kept = [_collector(d) for d in run.devices if d.is_collector]
    ids = {d.id for d in kept}
    addresses = {a for d in kept for a in (*d.ips, *d.macs)}
    return replace(
        run,
        # the registry by file name and hash: the operator's folders stay out of the package
        registry=registry_name(run.registry) if run.registry else None,
        devices=tuple(kept),
        findings=tuple(
            f
            for f in run.findings
            # a collector gone since the last run is about a device of that run, not this one
            if f.device_id is None
            or f.device_id in ids
            or f.kind is FindingKind.GONE_SINCE_LAST_RUN
        ),
        skipped=tuple(
            s for s in run.skipped if s.target and s.target.rsplit(":", 1)[0] in addresses
        ),
    )


@dataclass(frozen=True, slots=True)
class PackageFile:
    name: str
    data: bytes
    media_type: str
    description: str


#: The cover letter's device list: one heading per registry status, those needing action first.
COVER_GROUPS = (
    ("unregistered", "未登记的采集设备"),
    ("mismatch", "身份不符（疑似被调换）的采集设备"),
    ("changed", "已登记但有变化的采集设备"),
    ("not_compared", "未与场所登记表比对的采集设备"),
    ("registered", "已登记的采集设备"),
)


def _device_line(d: DeviceRow) -> str:
    """``- 网络摄像机 10.77.0.44（未登记）：宇视 IPC322LB-SF28-A，MAC 48:ea:63:5a:c0:44``."""
    ips = [a for a in d.addresses if not a.startswith(("MAC ", "BLE ")) and ":" not in a]
    where = (ips or d.addresses or [d.id])[0]
    more = [x for x in (d.brand_model, *(a for a in d.addresses if a.startswith("MAC "))) if x]
    status = "；".join(x for x in (d.status_label, d.suspected) if x)
    line = f"  - {zhtext.sp(d.class_label, where)}（{status}）"
    return line + (f"：{'，'.join(more)}" if more else "")


def _cover_devices(view: View) -> list[str]:
    lines = ["五、采集设备清单", ""]
    for status, heading in COVER_GROUPS:
        rows = [d for d in view.devices if d.status == status]
        if rows:
            lines += [f"{heading}：", *(_device_line(d) for d in rows), ""]
    if view.omitted_devices:
        lines += [t("omitted", "zh", n=view.omitted_devices), ""]
    return lines


def _cover(run: ScanRun, registry: Registry | None, found: int) -> bytes:
    """The cover letter (plain text): channels, what to include, cautions, this case.

    ``run`` is the minimised run (collectors only); ``found`` is how many devices the sweep
    found in all, which the letter states beside the collectors it lists."""
    c, view = COVER_12339, build_view(run, "zh", registry, max_devices=1000)
    status = Counter(d.status for d in view.devices)
    lines = [t("title_12339", "zh"), "=" * 40, "", f"一、{c.heading}", "", c.law, ""]
    lines += [f"  {zhtext.item(n)}{line}" for n, line in enumerate(c.channels, 1)]
    lines += ["", f"二、{c.include_heading}", ""]
    lines += [f"  {zhtext.item(n)}{line}" for n, line in enumerate(c.include, 1)]
    lines += ["", f"三、{c.caution_heading}", ""]
    lines += [f"  {zhtext.item(n)}{line}" for n, line in enumerate(c.caution, 1)]
    result = (
        f"排查发现设备 {found} 台（按最小必要原则，本材料仅列出其中 {len(run.devices)} 台"
        f"采集设备），其中未登记的采集设备 {status['unregistered']} 台，身份不符（疑似被调换）"
        f"的采集设备 {status['mismatch']} 台。"
    )
    lines += ["", "四、本次排查概况", ""]
    lines += [
        f"  场所：{run.site or '—'}",
        f"  地址：{registry.site.address if registry else '—'}",
        f"  排查人员：{run.operator or '—'}",
        f"  排查时间：{span(run.started_at, run.finished_at, 'zh')}",
        f"  排查范围：{scope_text(run, 'zh')}",
        f"  排查结果：{result}",
        "",
    ]
    lines += _cover_devices(view)
    lines += [
        "六、材料清单",
        "",
        "  report.zh.pdf（报告）、report.zh.html（网页版报告）、report.json（机器可读数据）、",
        "  manifest.json 和 SHA256SUMS（校验清单）。",
        "",
        utc_note(run),
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def build_package(
    run: ScanRun, registry: Registry | None = None, created_at: datetime | None = None
) -> bytes:
    """The 12339 zip for ``run`` (already minimised here). ``run.operator`` must be set."""
    if not run.operator:
        raise InputError("the 12339 package must say who swept: pass --operator NAME")
    created = created_at or datetime.now(UTC)
    small = minimal_run(run)
    options = ReportOptions(lang="zh", registry=registry, generated_at=created, cover_12339=True)
    files = [
        PackageFile("cover.zh.txt", _cover(small, registry, len(run.devices)),
                    "text/plain; charset=utf-8",
                    "封面：举报渠道与注意事项"),
        PackageFile("report.zh.pdf", PdfReporter().render(small, options), "application/pdf",
                    "排查报告（PDF）"),
        PackageFile("report.zh.html", HtmlReporter().render(small, options),
                    "text/html; charset=utf-8", "排查报告（网页）"),
        PackageFile("report.json", scanrun_json(small), "application/json",
                    "机器可读的排查数据 (biosweep.scanrun/1)"),
    ]  # fmt: skip
    manifest = _manifest(small, registry, created, files)
    files.append(PackageFile(MANIFEST, manifest, "application/json", "清单"))
    sums = "".join(f"{hashlib.sha256(f.data).hexdigest()}  {f.name}\n" for f in files)
    files.append(PackageFile(SUMS, sums.encode("ascii"), "text/plain", "sha256sum -c"))
    return _zip(files, created)


def _manifest(
    run: ScanRun, registry: Registry | None, created: datetime, files: list[PackageFile]
) -> bytes:
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "created_at": created.isoformat(),
        "tool": {"name": "biosweep", "version": __version__},
        "run": {
            "id": run.id,
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "complete": run.complete,
            "tool_version": run.tool_version,
            "signatures_version": run.signatures_version,
        },
        "signatures_version": run.signatures_version,
        "scope": list(run.scope),
        "operator": run.operator,
        "site": {
            "name": run.site,
            "address": registry.site.address if registry else None,
            "officer": registry.site.officer.name if registry else None,
        },
        "registry": run.registry,
        "counts": {
            "collectors": len(run.devices),
            **{k.value: sum(f.kind == k for f in run.findings) for k in FindingKind},
        },
        "minimum_necessity": (
            "Only collector devices and findings about them; other devices, personal device "
            "names and bystanders' Bluetooth addresses are left out. 仅含采集类设备及其比对结果。"
        ),
        "files": [
            {
                "name": f.name,
                "size": len(f.data),
                "sha256": hashlib.sha256(f.data).hexdigest(),
                "media_type": f.media_type,
                "description": f.description,
            }
            for f in files
        ],
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _zip(files: list[PackageFile], created: datetime) -> bytes:
    out = io.BytesIO()
    stamp = created.astimezone(UTC).timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for f in files:
            info = zipfile.ZipInfo(f.name, date_time=(max(stamp[0], 1980), *stamp[1:]))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, f.data)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class Verification:
    """What ``verify`` found: ``problems`` empty means every file is as the manifest says."""

    files: list[str]
    problems: list[str]
    manifest: dict[str, Any]


def _read_entries(data: bytes) -> dict[str, bytes]:
    """The zip's files, refusing anything a package never contains (bounded, flat, unique)."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"not a zip file: {exc}") from None
    infos = z.infolist()
    if len(infos) > MAX_ENTRIES:
        raise InputError(f"{len(infos)} entries: a 12339 package has at most {MAX_ENTRIES}")
    total, entries = 0, {}
    for info in infos:
        if not SAFE_NAME.match(info.filename) or info.filename in entries:
            raise InputError(f"unexpected entry name {info.filename[:80]!r}")
        ratio = info.file_size / max(info.compress_size, 1)
        total += info.file_size
        if info.file_size > MAX_FILE or total > MAX_TOTAL or ratio > MAX_RATIO:
            raise InputError(f"{info.filename}: too large or too compressed to be a report")
        try:
            with z.open(info) as f:
                entries[info.filename] = f.read(MAX_FILE + 1)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise InputError(f"{info.filename}: unreadable: {exc}") from None
    return entries


def verify_package(data: bytes) -> Verification:
    """Check every file against the manifest and SHA256SUMS; raises InputError if ``data`` is
    not a package at all."""
    entries = _read_entries(data)
    if MANIFEST not in entries:
        raise InputError("no manifest.json: not a biosweep 12339 package")
    manifest = load_json(entries[MANIFEST], MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("schema") != SCHEMA:
        raise InputError(f"manifest.json: schema is not {SCHEMA}")
    problems: list[str] = []
    listed = manifest.get("files")
    if not isinstance(listed, list):
        raise InputError("manifest.json: files must be a list")
    names = set()
    for item in listed:
        name = str(item.get("name", "")) if isinstance(item, dict) else ""
        names.add(name)
        body = entries.get(name)
        if body is None:
            problems.append(f"{name or '?'}: listed in the manifest but missing")
        elif hashlib.sha256(body).hexdigest() != item.get("sha256"):
            problems.append(f"{name}: SHA-256 differs from the manifest (changed after packing)")
        elif len(body) != item.get("size"):
            problems.append(f"{name}: size differs from the manifest")
    for extra in sorted(set(entries) - names - {MANIFEST, SUMS}):
        problems.append(f"{extra}: not listed in the manifest (added after packing)")
    for required in REQUIRED:
        if required not in names:
            problems.append(f"{required}: not listed in the manifest; every package holds it")
    problems += _check_sums(entries, names)
    return Verification(sorted(names | {MANIFEST, SUMS}), problems, manifest)


def _check_sums(entries: dict[str, bytes], listed: set[str]) -> list[str]:
    if SUMS not in entries:
        return [f"{SUMS}: missing"]
    problems, covered = [], set()
    for line in entries[SUMS].decode("ascii", "replace").splitlines():
        digest, _, name = line.partition("  ")
        covered.add(name)
        body = entries.get(name)
        if body is None or hashlib.sha256(body).hexdigest() != digest:
            problems.append(f"{SUMS}: {name[:80]} does not match")
    for name in sorted((listed | {MANIFEST}) - covered):
        problems.append(f"{SUMS}: does not cover {name[:80]}")
    return problems
