"""ScanRun <-> rows. Lists, identifications and finding details are stored as JSON text (in
:mod:`scanner.codec`'s shapes, the same as the run's JSON); everything else in typed columns so
history can be queried (by site, time, device, severity) without decoding.

Device text may carry lone surrogates (undecodable device bytes kept by ``surrogateescape``),
which SQLite's UTF-8 text cannot hold: such a value is stored as a BLOB of its raw bytes and
decoded the same way on the way back, so nothing a device said is lost or altered.
JSON columns are written ASCII-only (``\\udcxx`` escapes survive a round trip).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from scanner import codec
from scanner.errors import InputError
from scanner.inputs import load_json
from scanner.models import (
    Device,
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
from scanner.store.errors import StoreError

Row = tuple[Any, ...]
iso = codec.iso  # the store writes times as the run's JSON does
E = TypeVar("E")


def text(value: str | None) -> str | bytes | None:
    """A value SQLite can store: the string, or its raw bytes when it holds lone surrogates."""
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")
    return value


def untext(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return "" if value is None else str(value)


def loads(value: Any) -> Any:
    """A JSON column, depth-checked like every other JSON biosweep reads (a database file can
    be handed over like any input); a bad one is a StoreError."""
    try:
        return load_json(str(value), "history database")
    except InputError as exc:
        raise StoreError(f"unreadable JSON in the history database: {exc}") from None


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def _time(raw: object) -> datetime | None:
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError:
        raise StoreError(f"history database: bad time {str(raw)[:40]!r}") from None


def _enum(kind: type[E], raw: object) -> E:
    try:
        return kind(str(raw))  # type: ignore[call-arg]
    except ValueError:
        raise StoreError(f"history database: unknown {kind.__name__} {str(raw)[:40]!r}") from None


@dataclass(frozen=True, slots=True)
class RunRows:
    """The child rows of one run, ready for ``executemany``."""

    devices: list[Row]
    observations: list[Row]
    findings: list[Row]
    skipped: list[Row]


#: Evidence as rows written before the shared codec kept it: a list in this order.
_OLD_EVIDENCE = ("field", "pattern", "value", "subject", "source")


def _identification(raw: Any, where: str) -> Identification:
    """An identification from its JSON; one written before the shared codec (attributes as
    pairs, evidence as lists) is read too."""
    if isinstance(raw, dict) and isinstance(raw.get("attributes"), list):
        evidence = [dict(zip(_OLD_EVIDENCE, e, strict=True)) for e in raw["evidence"]]
        raw = {**raw, "attributes": dict(raw["attributes"]), "evidence": evidence}
    return codec.identification_from(raw, where)


def _details(raw: Any) -> tuple[tuple[str, str], ...]:
    """A finding's details from their JSON: an object (pairs in rows written before)."""
    value = loads(raw)
    if isinstance(value, list):
        value = dict(value)
    return codec.TRUSTED.pairs({"details": value}, "details", "finding")


def run_rows(pk: int, run: ScanRun) -> RunRows:
    """Rows for the devices, observations, findings and skipped probes of ``run``."""
    devices, observations = [], []
    for n, d in enumerate(run.devices):
        best = d.best
        devices.append(
            (
                pk, n, text(d.id), int(d.is_collector),
                best.device_class.value if best else None,
                text(best.vendor) if best else None,
                text(best.product) if best else None,
                dumps(d.subjects), dumps(d.macs), dumps(d.ips), dumps(d.ble),
                dumps([codec.identification_dict(i) for i in d.identifications]),
            )
        )  # fmt: skip
        observations += [
            (
                pk,
                n,
                k,
                text(o.subject),
                text(o.field),
                text(o.value),
                text(o.source),
                iso(o.seen_at),
            )
            for k, o in enumerate(d.observations)
        ]
    findings = [
        (
            pk, n, f.kind.value, f.severity.value, text(f.device_id), f.reason or "",
            text(f.why), text(f.expected), text(f.deployment), text(f.registry_id),
            dumps(dict(f.details)),
        )
        for n, f in enumerate(run.findings)
    ]  # fmt: skip
    skipped = [
        (pk, n, text(s.probe), s.reason.value, text(s.detail), text(s.target))
        for n, s in enumerate(run.skipped)
    ]
    return RunRows(devices, observations, findings, skipped)


def decode_devices(rows: Sequence[Row], observations: Sequence[Row]) -> tuple[Device, ...]:
    """Devices from ``devices`` rows (seq order) and their ``observations`` rows."""
    by_device: dict[int, list[Observation]] = {}
    for _pk, dseq, _seq, subject, field, value, source, seen in observations:
        by_device.setdefault(int(dseq), []).append(
            Observation(untext(subject), untext(field), untext(value), untext(source), _time(seen))
        )
    out = []
    for _pk, seq, dev_id, _c, _cls, _v, _p, subjects, macs, ips, ble, idents in rows:
        try:
            identifications = tuple(
                _identification(i, f"identifications[{n}]") for n, i in enumerate(loads(idents))
            )
            out.append(
                Device(
                    id=untext(dev_id),
                    subjects=tuple(loads(subjects)),
                    macs=tuple(loads(macs)),
                    ips=tuple(loads(ips)),
                    ble=tuple(loads(ble)),
                    identifications=identifications,
                    observations=tuple(by_device.get(int(seq), ())),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:  # CodecError is a ValueError
            raise StoreError(f"history database: unreadable device row: {exc}") from None
    return tuple(out)


def decode_findings(rows: Sequence[Row]) -> tuple[Finding, ...]:
    out = []
    for _pk, _seq, kind, sev, dev, reason, why, expected, dep, reg, details in rows:
        try:
            pairs = _details(details)
        except (ValueError, TypeError) as exc:
            raise StoreError(f"history database: unreadable finding row: {exc}") from None
        out.append(
            Finding(
                kind=_enum(FindingKind, kind),
                severity=_enum(Severity, sev),
                device_id=untext(dev) or None,
                why=untext(why),
                expected=untext(expected) or None,
                reason=_enum(Reason, reason) if reason else None,
                deployment=untext(dep) or None,
                registry_id=untext(reg) or None,
                details=pairs,
            )
        )
    return tuple(out)


def decode_skipped(rows: Sequence[Row]) -> tuple[Skipped, ...]:
    return tuple(
        Skipped(untext(probe), _enum(SkipReason, reason), untext(detail), untext(target) or None)
        for _pk, _seq, probe, reason, detail, target in rows
    )


RUN_COLUMNS = (
    "pk, run_id, site, operator, started_at, finished_at, tool_version, signatures_version, "
    "scope, notes, registry, status, device_count, finding_count, observation_count"
)


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One stored run as ``history list`` shows it (no devices loaded)."""

    pk: int
    run_id: str
    site: str | None
    operator: str | None
    started_at: datetime
    finished_at: datetime | None
    tool_version: str
    signatures_version: str
    scope: tuple[str, ...]
    notes: tuple[str, ...]
    registry: str | None
    status: str
    devices: int
    findings: int
    observations: int

    @classmethod
    def from_row(cls, row: Row) -> RunInfo:
        started = _time(row[4])
        if started is None:
            raise StoreError("history database: a run has no start time")
        return cls(
            pk=int(row[0]),
            run_id=untext(row[1]),
            site=untext(row[2]) or None,
            operator=untext(row[3]) or None,
            started_at=started,
            finished_at=_time(row[5]),
            tool_version=untext(row[6]),
            signatures_version=untext(row[7]),
            scope=tuple(loads(row[8])),
            notes=tuple(loads(row[9])),
            registry=untext(row[10]) or None,
            status=untext(row[11]),
            devices=int(row[12]),
            findings=int(row[13]),
            observations=int(row[14]),
        )


def scanrun(
    info: RunInfo,
    devices: tuple[Device, ...],
    findings: tuple[Finding, ...],
    skipped: tuple[Skipped, ...],
) -> ScanRun:
    return ScanRun(
        id=info.run_id,
        started_at=info.started_at,
        finished_at=info.finished_at,
        tool_version=info.tool_version,
        signatures_version=info.signatures_version,
        site=info.site,
        operator=info.operator,
        scope=info.scope,
        devices=devices,
        findings=findings,
        skipped=skipped,
        complete=info.status == "complete",
        notes=info.notes,
        registry=info.registry,
    )


def chunked(rows: list[Row], size: int = 500) -> Iterator[list[Row]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]
