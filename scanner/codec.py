"""The one codec between the models and plain dicts of JSON values.

Every form a run takes outside memory goes through here: the JSON a sweep prints
(``biosweep.device/1`` lines, ``biosweep.scanrun/1``; :mod:`scanner.reporters.jsonout` adds the
schema tags and the derived ``collector`` flags), the JSON read back
(:mod:`scanner.reporters.jsonin`), the history database's JSON columns
(:mod:`scanner.store.codec`) and so the console, which ingests with the one and stores with the
other. A field added to a model is added here once and every form carries it;
``tests/test_codec.py`` round-trips every field of every model.

Shapes: enums as their values, times as ISO 8601, tuples as lists, ``attributes`` and
``details`` as objects (their names are unique: regex group names and detail keys), a
device's observations as ``facts``.

Decoding reads each value through a :class:`Reader`. The default one is for data biosweep
wrote itself: it checks types and fails with :class:`CodecError` (a ``ValueError``) naming
where. :mod:`scanner.reporters.jsonin` subclasses it for hostile input: every string capped
and cleaned, every list bounded, failures as :class:`~scanner.errors.InputError` naming the
file and the JSON path (``devices[3].identifications[0].device_class``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from scanner.models import (
    Certainty,
    Device,
    DeviceClass,
    Evidence,
    Finding,
    FindingKind,
    Identification,
    Observation,
    Reason,
    ScanRun,
    Severity,
    Skipped,
    SkipReason,
)

E = TypeVar("E")
Dict = dict[str, Any]


class CodecError(ValueError):
    """A value that is not what the codec wrote; the message names where."""


class Reader:
    """How a decoder reads one value of a dict; every method names ``where`` when it fails.

    ``where`` is the path of the dict (``devices[3]``); a key's path is ``where.key``.
    """

    def fail(self, where: str, message: str) -> Exception:
        return CodecError(f"{where}: {message}")

    def clean(self, text: str) -> str:
        """A string as the model keeps it (the hostile reader caps and cleans it)."""
        return text

    def obj(self, value: Any, where: str) -> Dict:
        if not isinstance(value, dict):
            raise self.fail(where, "expected an object")
        return value

    def items(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, "expected a list")
        return value

    def text(self, d: Dict, key: str, where: str, *, required: bool = True) -> str:
        """A string; a missing or null one is ``""`` unless ``required``."""
        value = d.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", "expected a string")
        return self.clean(value) if value else ""

    def optional(self, d: Dict, key: str, where: str) -> str | None:
        return self.text(d, key, where, required=False) or None

    def texts(self, d: Dict, key: str, where: str) -> tuple[str, ...]:
        items = self.items(d.get(key, []), f"{where}.{key}")
        if not all(isinstance(i, str) for i in items):
            raise self.fail(f"{where}.{key}", "expected a list of strings")
        return tuple(self.clean(i) for i in items)

    def pairs(self, d: Dict, key: str, where: str) -> tuple[tuple[str, str], ...]:
        """An object of names and values (missing: none), as the models' ordered pairs."""
        raw = self.obj(d.get(key, {}), f"{where}.{key}")
        return tuple((self.name(str(k)), self.clean(str(v))) for k, v in raw.items())

    def name(self, text: str) -> str:
        """The name of a pair (the hostile reader caps it shorter than a value)."""
        return self.clean(text)

    def enum(self, d: Dict, key: str, where: str, kind: Callable[[str], E]) -> E:
        raw = d.get(key)
        try:
            return kind(str(raw))
        except ValueError:
            raise self.fail(f"{where}.{key}", f"unknown value {str(raw)[:40]!r}") from None

    def time(self, d: Dict, key: str, where: str) -> datetime | None:
        raw = d.get(key)
        if raw is None:
            return None
        try:
            return datetime.fromisoformat(str(raw))
        except ValueError:
            raise self.fail(f"{where}.{key}", "not an ISO 8601 time") from None

    def confidence(self, d: Dict, key: str, where: str) -> float:
        value = d.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise self.fail(f"{where}.{key}", "expected a number from 0 to 1")
        return float(value)

    def count(self, d: Dict, key: str, where: str) -> int:
        """A whole number of at least 0; missing is 0 (runs written before it was kept)."""
        value = d.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(f"{where}.{key}", "expected a whole number")
        return value

    def flag(self, d: Dict, key: str, where: str, default: bool) -> bool:
        value = d.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", "expected true or false")
        return value


TRUSTED = Reader()


def iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


# -- encoding -------------------------------------------------------------------------------


def observation_dict(o: Observation) -> Dict:
    out: Dict = {"subject": o.subject, "field": o.field, "value": o.value, "source": o.source}
    if o.seen_at is not None:
        out["seen_at"] = o.seen_at.isoformat()
    return out


def evidence_dict(e: Evidence) -> Dict:
    return {
        "field": e.field,
        "value": e.value,
        "pattern": e.pattern,
        "subject": e.subject,
        "source": e.source,
    }


def identification_dict(i: Identification) -> Dict:
    return {
        "signature_id": i.signature_id,
        "vendor": i.vendor,
        "product": i.product,
        "device_class": i.device_class.value,
        "confidence": i.confidence,
        "certainty": i.certainty.value,
        "rule": i.rule,
        "generic": i.generic,
        "attributes": dict(i.attributes),
        "evidence": [evidence_dict(e) for e in i.evidence],
    }


def device_dict(d: Device, facts: Callable[[Observation], bool] | None = None) -> Dict:
    """A device; ``facts`` keeps only the observations it accepts (all by default)."""
    return {
        "id": d.id,
        "subjects": list(d.subjects),
        "macs": list(d.macs),
        "ips": list(d.ips),
        "ble": list(d.ble),
        "identifications": [identification_dict(i) for i in d.identifications],
        "facts": [observation_dict(o) for o in d.observations if facts is None or facts(o)],
    }


def finding_dict(f: Finding) -> Dict:
    return {
        "kind": f.kind.value,
        "severity": f.severity.value,
        "device_id": f.device_id,
        "why": f.why,
        "reason": f.reason.value if f.reason else "",
        "expected": f.expected,
        "deployment": f.deployment,
        "registry_id": f.registry_id,
        "details": dict(f.details),
    }


def skipped_dict(s: Skipped) -> Dict:
    return {"probe": s.probe, "reason": s.reason.value, "detail": s.detail, "target": s.target}


def run_header(run: ScanRun) -> Dict:
    """The run without its devices, findings and skipped probes."""
    return {
        "id": run.id,
        "started_at": run.started_at.isoformat(),
        "finished_at": iso(run.finished_at),
        "tool_version": run.tool_version,
        "signatures_version": run.signatures_version,
        "site": run.site,
        "operator": run.operator,
        "scope": list(run.scope),
        "complete": run.complete,
        "notes": list(run.notes),
        "registry": run.registry,
    }


def scanrun_dict(run: ScanRun) -> Dict:
    return {
        **run_header(run),
        "devices": [device_dict(d) for d in run.devices],
        "findings": [finding_dict(f) for f in run.findings],
        "skipped": [skipped_dict(s) for s in run.skipped],
    }


# -- decoding -------------------------------------------------------------------------------


def observation_from(
    raw: Any, where: str, r: Reader = TRUSTED, subject: str = "", source: str = "input"
) -> Observation:
    """An observation; ``subject`` and ``source`` stand in for empty ones (a device's fact
    without a subject is about the device)."""
    o = r.obj(raw, where)
    return Observation(
        subject=r.text(o, "subject", where, required=False) or subject,
        field=r.text(o, "field", where),
        value=r.text(o, "value", where),
        source=r.text(o, "source", where, required=False) or source,
        seen_at=r.time(o, "seen_at", where),
    )


def evidence_from(raw: Any, where: str, r: Reader = TRUSTED) -> Evidence:
    e = r.obj(raw, where)
    return Evidence(
        field=r.text(e, "field", where),
        pattern=r.text(e, "pattern", where, required=False),
        value=r.text(e, "value", where, required=False),
        subject=r.text(e, "subject", where, required=False),
        source=r.text(e, "source", where, required=False),
    )


def identification_from(raw: Any, where: str, r: Reader = TRUSTED) -> Identification:
    """An identification; ``rule`` and ``generic`` default to 0 and false (JSON written
    before they were kept)."""
    i = r.obj(raw, where)
    confidence = r.confidence(i, "confidence", where)
    evidence = r.items(i.get("evidence", []), f"{where}.evidence")
    return Identification(
        signature_id=r.text(i, "signature_id", where),
        vendor=r.text(i, "vendor", where, required=False),
        product=r.text(i, "product", where, required=False),
        device_class=r.enum(i, "device_class", where, DeviceClass),
        confidence=confidence,
        certainty=r.enum(i, "certainty", where, Certainty),
        rule=r.count(i, "rule", where),
        generic=r.flag(i, "generic", where, False),
        attributes=r.pairs(i, "attributes", where),
        evidence=tuple(
            evidence_from(e, f"{where}.evidence[{n}]", r) for n, e in enumerate(evidence)
        ),
    )


def device_from(raw: Any, where: str, r: Reader = TRUSTED) -> Device:
    """A device; a fact without a subject is about the device, one without a source came
    from a saved run."""
    d = r.obj(raw, where)
    ident = r.text(d, "id", where)
    idents = r.items(d.get("identifications", []), f"{where}.identifications")
    facts = r.items(d.get("facts", []), f"{where}.facts")
    return Device(
        id=ident,
        subjects=r.texts(d, "subjects", where),
        macs=r.texts(d, "macs", where),
        ips=r.texts(d, "ips", where),
        ble=r.texts(d, "ble", where),
        identifications=tuple(
            identification_from(i, f"{where}.identifications[{n}]", r) for n, i in enumerate(idents)
        ),
        observations=tuple(
            observation_from(f, f"{where}.facts[{n}]", r, subject=ident, source="run")
            for n, f in enumerate(facts)
        ),
    )


def finding_from(raw: Any, where: str, r: Reader = TRUSTED) -> Finding:
    f = r.obj(raw, where)
    return Finding(
        kind=r.enum(f, "kind", where, FindingKind),
        severity=r.enum(f, "severity", where, Severity),
        device_id=r.optional(f, "device_id", where),
        why=r.text(f, "why", where, required=False),
        expected=r.optional(f, "expected", where),
        reason=r.enum(f, "reason", where, Reason) if f.get("reason") else None,
        deployment=r.optional(f, "deployment", where),
        registry_id=r.optional(f, "registry_id", where),
        details=r.pairs(f, "details", where),
    )


def skipped_from(raw: Any, where: str, r: Reader = TRUSTED) -> Skipped:
    s = r.obj(raw, where)
    return Skipped(
        probe=r.text(s, "probe", where),
        reason=r.enum(s, "reason", where, SkipReason),
        detail=r.text(s, "detail", where, required=False),
        target=r.optional(s, "target", where),
    )


def scanrun_from(raw: Any, r: Reader = TRUSTED) -> ScanRun:
    """A run; its top-level problems are named without a path (``started_at: missing``)."""
    top = r.obj(raw, "$")
    started = r.time(top, "started_at", "$")
    if started is None:
        raise r.fail("started_at", "missing")
    lists = {k: r.items(top.get(k, []), k) for k in ("devices", "findings", "skipped")}
    return ScanRun(
        id=r.text(top, "id", "$"),
        started_at=started,
        finished_at=r.time(top, "finished_at", "$"),
        tool_version=r.text(top, "tool_version", "$", required=False),
        signatures_version=r.text(top, "signatures_version", "$", required=False),
        site=r.optional(top, "site", "$"),
        operator=r.optional(top, "operator", "$"),
        scope=r.texts(top, "scope", "$"),
        devices=tuple(device_from(d, f"devices[{n}]", r) for n, d in enumerate(lists["devices"])),
        findings=tuple(
            finding_from(f, f"findings[{n}]", r) for n, f in enumerate(lists["findings"])
        ),
        skipped=tuple(skipped_from(s, f"skipped[{n}]", r) for n, s in enumerate(lists["skipped"])),
        complete=bool(top.get("complete", True)),
        notes=r.texts(top, "notes", "$"),
        registry=r.optional(top, "registry", "$"),
    )
