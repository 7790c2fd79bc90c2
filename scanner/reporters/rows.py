"""The rows of a report: devices (with their evidence, each piece once), findings (with what to
do) and where each device is, for an officer who files the report on paper.

Location: a registered device is where the registry says (deployment location and area); any
other device is known only by its network address, MAC and segment (the scope network that
holds it), with a blank for the officer to write where it was found.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from scanner.compare import explain, facts
from scanner.compare.certainty import prefix_basis
from scanner.compare.labels import (
    CERTAINTY,
    CLASSES,
    KINDS,
    SEVERITIES,
    SEVERITY_RANK,
    STATUS,
    Lang,
    brand_model,
    device_name,
    label,
    plain_name,
    vendor_name,
)
from scanner.compare.phrases import BASIS
from scanner.models import Device, Finding
from scanner.normalize import clean_text
from scanner.registry.model import Registry
from scanner.reporters.actions import action_key
from scanner.reporters.i18n import t


def text(value: object, limit: int = 300) -> str:
    """Device text made safe to place anywhere: controls and bidi overrides gone, capped."""
    return clean_text(str(value), limit)


@dataclass(frozen=True, slots=True)
class Location:
    """Where a device is: ``known`` (registry location, or address · MAC · segment) and
    whether a blank is left to write the place in by hand."""

    known: str
    to_fill: bool


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    field: str
    value: str
    source: str
    signature: str  # every signature this observation satisfied, comma-separated


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
    location: Location
    evidence: list[EvidenceRow]
    more_evidence: int
    also: list[str]
    #: the best signature's own wording ("… (MAC block of an iris-only vendor)")
    rule: str = ""


@dataclass(frozen=True, slots=True)
class OtherRow:
    """A device that is neither a collector nor the subject of a finding: one table row."""

    address: str
    mac: str
    class_label: str
    name: str


@dataclass(frozen=True, slots=True)
class FindingRow:
    severity: str
    severity_label: str
    kind_label: str
    device: str
    registry_ref: str
    why: str
    action: str
    location: Location


def ip_order(ip: str) -> tuple[int, int, int]:
    """IPv4 before IPv6, link-local IPv6 last, then by number."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return (9, 0, 0)
    return (addr.version, int(addr.is_link_local), int(addr))


def sorted_ips(ips: tuple[str, ...]) -> list[str]:
    return sorted(ips, key=ip_order)


def segment(ip: str, scope: tuple[str, ...]) -> str:
    """The smallest scope network holding ``ip`` (not a single address), or ""."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    best: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    for entry in scope:
        if entry.startswith("!"):
            continue
        try:
            net = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        single = net.num_addresses == 1
        if addr in net and not single and (best is None or net.prefixlen > best.prefixlen):
            best = net
    return str(best) if best else ""


def _area(registry: Registry | None, deployment: str | None) -> str:
    dep = registry.deployment(deployment) if registry and deployment else None
    return dep.area if dep else ""


def located(
    details: dict[str, str], deployment: str | None, registry: Registry | None,
    scope: tuple[str, ...], lang: Lang,
) -> Location:  # fmt: skip
    """The registry's location where the registry has one, else address · MAC · segment."""
    if details.get("location"):
        where = " / ".join(x for x in (details["location"], _area(registry, deployment)) if x)
        return Location(text(where, 300), False)
    ip = details.get("ip", "")
    net = segment(ip, scope)
    parts = [
        ip or details.get("address", ""),
        f"MAC {details['mac']}" if details.get("mac") else "",
        f"{t('segment', lang)} {net}" if net else "",
    ]
    sep = "，" if lang == "zh" else " · "
    return Location(text(sep.join(p for p in parts if p), 300), True)


def device_details(d: Device) -> dict[str, str]:
    f = facts(d)
    return {"ip": f.ip or "", "address": f.address, "mac": min(f.macs) if f.macs else ""}


def _evidence(d: Device) -> list[EvidenceRow]:
    """Each observation once, with every signature (of the best three) it satisfied."""
    seen: dict[tuple[str, str, str], list[str]] = {}
    for ident in d.identifications[:3]:
        for e in ident.evidence:
            names = seen.setdefault((e.field, e.value, e.source), [])
            if ident.signature_id not in names:
                names.append(ident.signature_id)
    return [
        EvidenceRow(text(f, 64), text(v), text(s, 64), text(", ".join(names), 240))
        for (f, v, s), names in seen.items()
    ]


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


def device_row(
    index: int, d: Device, findings: list[Finding], status: str, location: Location,
    lang: Lang, max_ev: int,
) -> DeviceRow:  # fmt: skip
    best = d.best
    serial = next((o.value for o in d.observations if o.field.endswith(".serial")), "")
    model = facts(d).model or ""
    cls, confidence, suspected = _how_sure(d, lang)
    evidence = _evidence(d)
    worst = max((f.severity for f in findings), key=SEVERITY_RANK.__getitem__, default=None)
    addresses = [*sorted_ips(d.ips), *(f"MAC {m}" for m in d.macs), *(f"BLE {b}" for b in d.ble)]
    return DeviceRow(
        index=index,
        id=text(d.id, 120),
        class_code=best.device_class.value if best else "",
        class_label=cls,
        collector=d.is_collector,
        vendor=text(vendor_name(plain_name(best.vendor), lang)) if best else "",
        product=text(device_name(best.vendor, best.product)) if best else "",
        model=text(model),
        brand_model=text(brand_model(best.vendor, model, lang)) if best else "",
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
        location=location,
        evidence=evidence[:max_ev],
        more_evidence=max(0, len(evidence) - max_ev),
        also=[f"{text(i.signature_id, 80)} ({i.confidence:.1f})" for i in d.identifications[1:6]],
        # the signature's own wording is English: Chinese reports name the signature only
        rule=text(best.signature_id if lang == "zh" else f"{best.signature_id}: {best.product}")
        if best
        else "",
    )


def _name(d: Device, lang: Lang) -> str:
    """What the device is: the plain product and model in English ("Iris ID iris reader or
    controller"); brand and model in Chinese (the signatures' product wording is English)."""
    best = d.best
    if best is None:
        return ""
    model = facts(d).model or ""
    if lang == "zh":
        return brand_model(best.vendor, model, lang) or label(CLASSES, best.device_class, lang)
    return f"{device_name(best.vendor, best.product)} {model}".strip()


def other_row(d: Device, lang: Lang) -> OtherRow:
    best = d.best
    return OtherRow(
        address=text(
            ", ".join(sorted_ips(d.ips)[:2]) or (f"BLE {d.ble[0]}" if d.ble else "—"), 120
        ),
        mac=text(d.macs[0] if d.macs else "—", 40),
        class_label=label(CLASSES, best.device_class.value if best else "", lang),
        name=text(_name(d, lang)) if best else "—",
    )


def finding_row(
    f: Finding, devices: dict[str, Device], registry: Registry | None,
    scope: tuple[str, ...], lang: Lang,
) -> FindingRow:  # fmt: skip
    device = devices.get(f.device_id or "")
    details = dict(f.details)
    if device is not None:
        details = device_details(device) | details
    if device is not None and device.best is not None:
        where = _name(device, lang)
    else:
        where = facts(device).address if device else details.get("label", "")
    ref = f"{f.deployment or ''}/{f.registry_id}" if f.registry_id else (f.deployment or "")
    return FindingRow(
        severity=f.severity.value,
        severity_label=label(SEVERITIES, f.severity.value, lang),
        kind_label=label(KINDS, f.kind.value, lang),
        device=text(where, 160),
        registry_ref=text(ref, 140),
        why=text(explain(f, lang), 1200),
        action=t(action_key(f), lang),
        location=located(details, f.deployment, registry, scope, lang),
    )
