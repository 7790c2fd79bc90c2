"""Runs pushed by sensors: validated, compared with the site's registry when the sensor did
not compare them, stored once (by run id), and folded into the device inventory.

The body is read with a size cap and parsed by the hostile-JSON reader
(:func:`scanner.reporters.jsonin.parse_scanrun`). The run belongs to the sensor's site,
whatever it says. The inventory keeps, per site and device id, when the device was first and
last seen, what it is, and whether the run that saw it last found it unregistered; a run that
arrives late (from a sensor's spool) updates first-seen but never overwrites newer facts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from scanner.console import audit
from scanner.console.registries import registry_of
from scanner.console.sensors import Sensor
from scanner.models import Device, FindingKind, ScanRun
from scanner.reporters.jsonin import parse_scanrun
from scanner.scan import compared
from scanner.store import codec, runs
from scanner.store.backend import Database, Tx

_COLUMNS = ("site, device_id, device_key, first_seen, last_seen, run_pk, seq, collector, "
            "device_class, vendor, product, unregistered, search")  # fmt: skip
_NEWER = ("device_key", "run_pk", "seq", "collector", "device_class", "vendor", "product",
          "unregistered", "search", "last_seen")  # fmt: skip
UPSERT_TAIL = (
    "DO UPDATE SET first_seen = CASE WHEN excluded.first_seen < "
    "console_inventory.first_seen THEN excluded.first_seen ELSE console_inventory.first_seen "
    "END, "
    + ", ".join(
        f"{c} = CASE WHEN excluded.last_seen >= console_inventory.last_seen THEN excluded.{c} "
        f"ELSE console_inventory.{c} END"
        for c in _NEWER
    )
)


SEARCH_CHARS = 2000  # of a device's text kept for the list's text search


@dataclass(frozen=True, slots=True)
class Ingested:
    run_id: str
    pk: int
    created: bool
    devices: int


def device_key(site: str, device_id: str) -> str:
    """The opaque id a device has in URLs (device strings never go into a URL)."""
    raw = f"{site}\x00{device_id}".encode("utf-8", "surrogateescape")
    return hashlib.sha256(raw).hexdigest()[:24]


def _search(d: Device) -> str:
    best = d.best
    parts = [d.id, *d.ips, *d.macs, *d.ble, *((best and (best.vendor, best.product)) or ())]
    parts += dict.fromkeys(o.value[:200] for o in d.observations)  # models, serials …
    text = " ".join(parts).lower()[:SEARCH_CHARS]
    return text.encode("utf-8", "replace").decode("utf-8")  # searchable text, never a BLOB


def inventory_rows(site: str, pk: int, run: ScanRun) -> list[tuple[object, ...]]:
    unregistered = {
        f.device_id for f in run.findings if f.kind is FindingKind.UNREGISTERED_COLLECTOR
    }
    seen = codec.iso(run.started_at)
    rows: list[tuple[object, ...]] = []
    for n, d in enumerate(run.devices):
        best = d.best
        rows.append((
            codec.text(site), codec.text(d.id), device_key(site, d.id), seen, seen, pk, n,
            int(d.is_collector), best.device_class.value if best else "",
            codec.text(best.vendor) if best else "", codec.text(best.product) if best else "",
            int(d.id in unregistered), _search(d),
        ))  # fmt: skip
    return rows


def _summaries(tx: Tx, site: str, vendors: set[str]) -> None:
    """The site's counts and vendors, kept beside the inventory so the sites page and the
    vendor filter need not scan a million rows."""
    counts = tx.execute(
        "SELECT count(*), sum(collector), sum(unregistered) FROM console_inventory WHERE site = ?",
        (site,),
    ).fetchone()
    n, c, u = (int(v or 0) for v in (counts or (0, 0, 0)))
    tx.execute(
        "INSERT INTO console_sites (site, devices, collectors, unregistered) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (site) DO UPDATE SET devices = excluded.devices, "
        "collectors = excluded.collectors, unregistered = excluded.unregistered",
        (site, n, c, u),
    )
    tx.upsert("console_vendors", "site, vendor", "site, vendor",
              [(site, v) for v in sorted(vendors)], "DO NOTHING")  # fmt: skip


def store_run(tx: Tx, run: ScanRun, site: str) -> tuple[int, bool]:
    """Save ``run`` (compared with the console's registry of ``site`` if it was not compared)
    and update the inventory; (pk, whether it was new)."""
    run = replace(run, site=site)
    if run.registry is None:
        registry = registry_of(tx, site)
        if registry is not None:
            before = runs.latest(tx, site)
            previous = runs.load(tx, before) if before else None
            run = replace(compared(run, registry, previous), site=site)
    pk, created = runs.save_run(tx, run)
    if created:
        rows = inventory_rows(site, pk, run)
        tx.upsert("console_inventory", _COLUMNS, "site, device_id", rows, UPSERT_TAIL)
        _summaries(tx, site, {str(r[9]) for r in rows if r[9]})
    return pk, created


def ingest(db: Database, sensor: Sensor, body: bytes) -> Ingested:
    """Parse and store a pushed run; InputError for a bad body. Idempotent by run id."""
    run = parse_scanrun(body, "the uploaded run")
    digest = hashlib.sha256(body).hexdigest()
    with db.write(f"storing run {run.id}") as tx:
        pk, created = store_run(tx, run, sensor.site)
        if created:
            tx.execute(
                "INSERT INTO console_uploads (run_id, sensor_id, site, received_at, sha256) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING",
                (codec.text(run.id), sensor.sensor_id, sensor.site, audit.now(), digest),
            )
            tx.execute("DELETE FROM console_progress WHERE site = ?", (sensor.site,))
            audit.record(tx, f"sensor:{sensor.sensor_id}", "run.upload", sensor.site, run.id)
        tx.execute(
            "UPDATE console_sensors SET last_seen = ? WHERE sensor_id = ?",
            (audit.now(), sensor.sensor_id),
        )
    return Ingested(run.id, pk, created, len(run.devices))
