"""What the pages show, read from the store in one snapshot each: sites, the device inventory
with its filters, one device with its evidence and history, and live progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from scanner.models import Device, Finding, ScanRun
from scanner.store import codec, runs
from scanner.store.backend import Tx
from scanner.store.codec import RunInfo, untext

PROGRESS_FRESH = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class SiteRow:
    site: str
    devices: int
    collectors: int
    unregistered: int
    last_run: RunInfo | None
    sensors: int
    progress: Progress | None


@dataclass(frozen=True, slots=True)
class Progress:
    phase: str
    addresses: int
    discovered: int
    probed: int
    updated_at: str


@dataclass(frozen=True, slots=True)
class DeviceFilter:
    """The device list's filters, as the query string gives them (all optional)."""

    site: str = ""
    collectors: bool = False
    unregistered: bool = False
    device_class: str = ""
    vendor: str = ""
    first_after: str = ""  # ISO date: first seen on or after
    last_before: str = ""  # ISO date: last seen before
    text: str = ""

    def where(self) -> tuple[str, list[object]]:
        clauses: list[str] = []
        args: list[object] = []
        pairs: list[tuple[bool | str, str, object]] = [
            (self.site, "site = ?", self.site),
            (self.collectors, "collector = 1", None),
            (self.unregistered, "unregistered = 1", None),
            (self.device_class, "device_class = ?", self.device_class),
            (self.vendor, "lower(vendor) = ?", self.vendor.lower()),
            (self.first_after, "first_seen >= ?", self.first_after),
            (self.last_before, "last_seen < ?", self.last_before),
            (self.text, "search LIKE ?", f"%{_like(self.text.lower())}%"),
        ]
        for active, clause, value in pairs:
            if active:
                clauses.append(clause)
                if value is not None:
                    args.append(value)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def _like(text: str) -> str:
    """The search text without LIKE's wildcards (``%``, ``_``): taken literally, and no
    ``ESCAPE`` clause, whose defaults differ between SQLite and PostgreSQL."""
    return text.replace("%", "").replace("_", "")[:100]


@dataclass(frozen=True, slots=True)
class InventoryRow:
    site: str
    device_id: str
    key: str
    first_seen: str
    last_seen: str
    collector: bool
    device_class: str
    vendor: str
    product: str
    unregistered: bool


_INV = ("site, device_id, device_key, first_seen, last_seen, collector, device_class, vendor, "
        "product, unregistered")  # fmt: skip


def _inv(r: tuple[object, ...]) -> InventoryRow:
    return InventoryRow(
        untext(r[0]), untext(r[1]), untext(r[2]), untext(r[3]), untext(r[4]), bool(r[5]),
        untext(r[6]), untext(r[7]), untext(r[8]), bool(r[9]),
    )  # fmt: skip


COUNT_CAP = 10_000  # the list counts this many matches at most ("10000+")


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the device list, keyset-paginated by (site, device id): the cost of a
    page does not grow with its depth. ``after``/``before`` are device keys, never names."""

    rows: list[InventoryRow]
    total: int
    more: bool  # total is COUNT_CAP and there are more
    next_key: str | None
    prev_key: str | None


def _position(tx: Tx, key: str) -> tuple[object, object] | None:
    row = tx.execute(
        "SELECT site, device_id FROM console_inventory WHERE device_key = ?", (key,)
    ).fetchone()
    return (row[0], row[1]) if row else None


def devices(tx: Tx, f: DeviceFilter, limit: int, after: str = "", before: str = "") -> Page:
    """A page of the inventory after (or before) the device with that key, and how many
    devices the filter matches (counted up to COUNT_CAP)."""
    where, args = f.where()
    counted = tx.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM console_inventory{where} LIMIT ?) AS m",  # noqa: S608
        [*args, COUNT_CAP + 1],
    ).fetchone()
    total = int(counted[0]) if counted else 0
    anchor = _position(tx, before or after) if (before or after) else None
    backwards = bool(before) and anchor is not None
    sql = f"SELECT {_INV} FROM console_inventory{where}"  # noqa: S608
    if anchor is not None:
        sql += (" AND " if where else " WHERE ") + (
            "(site, device_id) < (?, ?)" if backwards else "(site, device_id) > (?, ?)"
        )
        args = [*args, *anchor]
    order = "site DESC, device_id DESC" if backwards else "site, device_id"
    found = [_inv(r) for r in tx.execute(f"{sql} ORDER BY {order} LIMIT ?",
                                         [*args, limit + 1]).fetchall()]  # fmt: skip
    extra = len(found) > limit
    rows = found[:limit][::-1] if backwards else found[:limit]
    has_next = extra if not backwards else True
    has_prev = extra if backwards else anchor is not None
    return Page(
        rows, min(total, COUNT_CAP), total > COUNT_CAP,
        rows[-1].key if rows and has_next else None, rows[0].key if rows and has_prev else None,
    )  # fmt: skip


def vendors(tx: Tx, site: str) -> list[str]:
    sql = "SELECT DISTINCT vendor FROM console_vendors"
    args: list[object] = []
    if site:
        sql += " WHERE site = ?"
        args.append(site)
    return sorted(untext(r[0]) for r in tx.execute(sql + " LIMIT 500", args).fetchall())


@dataclass(slots=True)
class DevicePage:
    row: InventoryRow
    device: Device
    run: RunInfo
    findings: list[Finding]
    history: list[tuple[RunInfo, bool]] = field(default_factory=list)  # (run, seen in it)


def device_page(tx: Tx, key: str, history: int = 20) -> DevicePage | None:
    """The device behind ``key`` as the run that saw it last has it, and the site's recent
    runs with whether each saw it."""
    found = tx.execute(
        f"SELECT {_INV}, run_pk, seq FROM console_inventory WHERE device_key = ?",  # noqa: S608
        (key,),
    ).fetchone()
    if found is None:
        return None
    row = _inv(found)
    info = runs.info_by_pk(tx, int(found[10]))
    if info is None:
        return None
    seq = int(found[11])
    device = _device(tx, info.pk, seq)
    findings = [f for f in _findings(tx, info.pk) if f.device_id == row.device_id]
    recent = runs.runs(tx, row.site, history)
    pks = [r.pk for r in recent]
    seen: set[int] = set()
    if pks:
        marks = ", ".join("?" * len(pks))
        seen = {
            int(r[0])
            for r in tx.execute(
                f"SELECT run_pk FROM devices WHERE device_id = ? AND run_pk IN ({marks})",  # noqa: S608
                [codec.text(row.device_id), *pks],
            ).fetchall()
        }
    return DevicePage(row, device, info, findings, [(r, r.pk in seen) for r in recent])


def _device(tx: Tx, pk: int, seq: int) -> Device:
    d = tx.execute("SELECT * FROM devices WHERE run_pk = ? AND seq = ?", (pk, seq)).fetchall()
    obs = tx.execute(
        "SELECT * FROM observations WHERE run_pk = ? AND device_seq = ? ORDER BY seq", (pk, seq)
    ).fetchall()
    return codec.decode_devices(d, obs)[0]


def _findings(tx: Tx, pk: int) -> tuple[Finding, ...]:
    rows = tx.execute("SELECT * FROM findings WHERE run_pk = ? ORDER BY seq", (pk,)).fetchall()
    return codec.decode_findings(rows)


def site_names(tx: Tx) -> list[str]:
    names = {untext(r[0]) for r in tx.execute("SELECT site FROM console_sensors").fetchall()}
    names |= {
        untext(r[0])
        for r in tx.execute("SELECT DISTINCT site FROM runs WHERE site IS NOT NULL").fetchall()
    }
    return sorted(n for n in names if n)


def progress(tx: Tx, site: str) -> Progress | None:
    row = tx.execute(
        "SELECT phase, addresses, discovered, probed, updated_at FROM console_progress "
        "WHERE site = ?",
        (site,),
    ).fetchone()
    if row is None:
        return None
    updated = untext(row[4])
    if datetime.fromisoformat(updated) < datetime.now(UTC) - PROGRESS_FRESH:
        return None
    return Progress(untext(row[0]), int(row[1]), int(row[2]), int(row[3]), updated)


def sites(tx: Tx) -> list[SiteRow]:
    counts = {
        untext(r[0]): (int(r[1]), int(r[2]), int(r[3]))
        for r in tx.execute(
            "SELECT site, devices, collectors, unregistered FROM console_sites"
        ).fetchall()
    }
    sensors = {
        untext(r[0]): int(r[1])
        for r in tx.execute(
            "SELECT site, count(*) FROM console_sensors WHERE revoked = 0 GROUP BY site"
        ).fetchall()
    }
    out = []
    for name in site_names(tx):
        last = runs.runs(tx, name, 1)
        n, c, u = counts.get(name, (0, 0, 0))
        out.append(SiteRow(name, n, c, u, last[0] if last else None, sensors.get(name, 0),
                           progress(tx, name)))  # fmt: skip
    return out


def latest_run(tx: Tx, site: str) -> tuple[RunInfo, ScanRun] | None:
    """The site's most recent finished run, with its row."""
    info = runs.latest(tx, site)
    return (info, runs.load(tx, info)) if info else None
