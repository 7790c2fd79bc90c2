"""The device table of ``sweep``, ``identify``, ``listen``, ``demo`` and ``history show``.

One row per device that matters (collectors, and any device a finding is about): its address
(IPv4/IPv6) beside its MAC, the class, vendor and product in plain words, the model, how sure
the identification is and, after a registry comparison, its registry status. Every other
device is summarised in one line ("21 other devices: 3 network equipment, 18 unidentified")
unless ``--all``. ``--why`` adds what each identification rests on: the signature, its full
product wording and the strongest evidence. Device text passes through :func:`safe`.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from scanner.cli.console import safe
from scanner.compare import facts
from scanner.compare.labels import (
    CLASSES,
    KINDS,
    SEVERITIES,
    SEVERITY_RANK,
    STATUS,
    device_name,
    label,
    plain_name,
)
from scanner.models import Device, Finding, ScanRun, Severity
from scanner.normalize import clean_text
from scanner.reporters.actions import action_key
from scanner.reporters.i18n import t
from scanner.reporters.view import device_status

ALL_HINT = "--all lists them"


def _ip_key(ip: str) -> tuple[int, int]:
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return (9, 0)
    return (parsed.version, int(parsed))


def addresses(device: Device, limit: int = 1) -> str:
    """IPv4 first, then IPv6 (link-local last); ``+N`` for the rest; BLE where there is no IP."""
    ips = sorted(device.ips, key=lambda ip: (_ip_key(ip)[0], ip.startswith("fe80"), _ip_key(ip)))
    if not ips:
        return f"BLE {device.ble[0]}" if device.ble else "—"
    shown = ", ".join(ips[:limit])
    return shown + (f" +{len(ips) - limit}" if len(ips) > limit else "")


def _mac(device: Device) -> str:
    if not device.macs:
        return "—"
    return device.macs[0] + (f" +{len(device.macs) - 1}" if len(device.macs) > 1 else "")


def _class(device: Device) -> str:
    best = device.best
    return plain_name(label(CLASSES, best.device_class.value if best else "", "en"))


def _order(device: Device, worst: dict[str, int]) -> tuple[int, int, str, tuple[int, int]]:
    best = device.best
    first_ip = min(device.ips, key=_ip_key, default="")
    return (
        0 if device.is_collector else 1 if best else 2,
        -worst.get(device.id, -1),
        best.device_class.value if best else "~",
        _ip_key(first_ip) if first_ip else (9, 0),
    )


_UNCOUNTED = ("equipment", "storage", "unknown")


def _plural(name: str, n: int) -> str:
    """English plural of a class name's last word: 3 printers, 2 network equipment."""
    if n == 1 or name.endswith(_UNCOUNTED):
        return f"{n} {name}"
    return f"{n} {name}s"


def others_line(devices: Sequence[Device]) -> str:
    """One line for the devices left out: 21 other devices: 3 network equipment, 18 unknown."""
    counts = Counter(_class(d) if d.best else "unknown" for d in devices)
    ranked = sorted(counts.items(), key=lambda kv: (kv[0] == "unknown", -kv[1], kv[0]))
    parts = [_plural(name, n) for name, n in ranked]
    noun = "device" if len(devices) == 1 else "devices"
    return f"{len(devices)} other {noun}: {', '.join(parts)} ({ALL_HINT})"


def _row(device: Device, findings: list[Finding], compared: bool) -> list[str | Text]:
    best = device.best
    name = device_name(best.vendor, best.product) if best else "—"
    model = facts(device).model if best else None
    cls = Text(_class(device), style="bold red" if device.is_collector else "")
    cells: list[str | Text] = [
        safe(addresses(device)), safe(_mac(device)), cls, safe(name), safe(model or "—"),
        best.certainty.value if best else "—",
    ]  # fmt: skip
    if compared:
        status = device_status(findings, device.is_collector, compared)
        style = "bold red" if status in ("unregistered", "mismatch") else ""
        cells.append(Text(label(STATUS, status, "en"), style=style))
    return cells


def _why(shown: list[Device]) -> Text:
    """Per device, its best two identifications: signature (confidence), the signature's own
    wording, and the evidence that satisfied it."""
    lines = ["Why: what each identification rests on"]
    for device in shown:
        where = clean_text(addresses(device), 80)
        for n, ident in enumerate(device.identifications[:2]):
            evidence = "; ".join(f"{e.field}={e.value}" for e in ident.evidence[:3]) or "—"
            said = clean_text(f"{ident.signature_id} ({ident.confidence:.1f}): "
                              f"{ident.vendor}: {ident.product}", 400)  # fmt: skip
            lines.append(f"  {where if n == 0 else ' ' * len(where)}  {said}")
            lines.append(f"  {' ' * len(where)}    evidence: {clean_text(evidence, 400)}")
    return Text("\n".join(lines))


def device_table(
    devices: Sequence[Device],
    findings: Sequence[Finding] = (),
    *,
    compared: bool = False,
    show_all: bool = False,
    why: bool = False,
) -> RenderableType:
    """The devices that matter as a table, the rest in one line (all with ``show_all``), and
    with ``why`` the evidence behind each identification shown."""
    by_device: dict[str, list[Finding]] = {}
    for f in findings:
        by_device.setdefault(f.device_id or "", []).append(f)
    worst = {
        d: max(SEVERITY_RANK[f.severity] for f in fs) for d, fs in by_device.items() if fs
    }  # fmt: skip
    ordered = sorted(devices, key=lambda d: _order(d, worst))
    shown = [d for d in ordered if show_all or d.is_collector or d.id in by_device]
    others = [d for d in ordered if d not in shown]
    collectors = sum(d.is_collector for d in devices)
    table = Table(title=f"{len(devices)} devices, {collectors} collectors", title_justify="left")
    columns = ["address", "MAC", "class", "vendor and product", "model", "certainty"]
    for column in [*columns, *(["registry"] if compared else [])]:
        table.add_column(column, overflow="fold")
    for device in shown:
        table.add_row(*_row(device, by_device.get(device.id, []), compared))
    parts: list[RenderableType] = [table]
    if others:
        parts.append(Text(others_line(others)))
    if why and shown:
        parts.append(_why(shown))
    return Group(*parts)


def findings_table(run: ScanRun) -> Table:
    """The run's findings: how serious, what, which device (address and plain name), the
    registry entry, why it matters and what to do."""
    devices = {d.id: d for d in run.devices}
    registry = (run.registry or "").split(" sha256:")[0]
    table = Table(title=f"{len(run.findings)} findings against {safe(registry)}")
    for column in ("severity", "finding", "device", "registry", "why, and what to do"):
        table.add_column(column, overflow="fold")
    for f in run.findings:
        device = devices.get(f.device_id or "")
        if device is not None and device.best is not None:
            name = device_name(device.best.vendor, device.best.product)
            where = f"{safe(addresses(device))}\n{safe(name, 300)}"
        else:
            where = safe(addresses(device) if device else f.device_id or "—")
        style = "bold red" if f.severity in (Severity.CRITICAL, Severity.HIGH) else ""
        table.add_row(
            Text(label(SEVERITIES, f.severity, "en"), style=style),
            label(KINDS, f.kind, "en"),
            where,
            safe(f.expected or "—"),
            safe(f.why, 600) + f"\n→ {safe(t(action_key(f), 'en'), 400)}",
        )
    return table


def run_tables(run: ScanRun, *, show_all: bool = False, why: bool = False) -> RenderableType:
    """The device table of a run and, after a registry comparison, its findings."""
    compared = run.registry is not None
    parts = [device_table(run.devices, run.findings, compared=compared, show_all=show_all, why=why)]
    if compared:
        parts.append(findings_table(run))
    return Group(*parts)
