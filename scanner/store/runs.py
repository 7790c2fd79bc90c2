"""Runs in any backend (:mod:`scanner.store.backend`): save one idempotently by its run id,
read them back through the same :class:`~scanner.store.db.Snapshot` queries the SQLite
history uses. The rows are :func:`scanner.store.codec.run_rows`, so a run reads back the same
from SQLite and PostgreSQL.
"""

from __future__ import annotations

from scanner.models import ScanRun
from scanner.store import codec
from scanner.store.backend import Tx
from scanner.store.codec import RunInfo
from scanner.store.db import Snapshot, Store
from scanner.store.errors import StoreError


def save_run(tx: Tx, run: ScanRun) -> tuple[int, bool]:
    """Store ``run`` unless a run with its id is stored already: (its pk, whether new)."""
    if not run.id:
        raise StoreError("a run without an id cannot be stored")
    found = tx.execute("SELECT pk FROM runs WHERE run_id = ?", (codec.text(run.id),)).fetchone()
    if found is not None:
        return int(found[0]), False
    row = tx.execute(
        "INSERT INTO runs (run_id, started_at, tool_version, signatures_version, status) "
        "VALUES (?, ?, '', '', 'running') RETURNING pk",
        (codec.text(run.id), codec.iso(run.started_at)),
    ).fetchone()
    if row is None:
        raise StoreError(f"run {run.id} was not stored")
    pk = int(row[0])
    rows = codec.run_rows(pk, run)
    tx.copy_rows("devices", rows.devices)
    tx.copy_rows("observations", rows.observations)
    tx.copy_rows("findings", rows.findings)
    tx.copy_rows("skipped", rows.skipped)
    tx.execute(
        "UPDATE runs SET run_id = ?, site = ?, operator = ?, started_at = ?, finished_at = ?, "
        "tool_version = ?, signatures_version = ?, scope = ?, notes = ?, registry = ?, "
        "status = ?, owner = NULL, device_count = ?, finding_count = ?, observation_count = ? "
        "WHERE pk = ?",
        (*Store._run_values(run), pk),
    )
    return pk, True


def runs(tx: Tx, site: str | None = None, limit: int | None = None) -> list[RunInfo]:
    return Snapshot(tx).runs(site, limit)


def info_by_pk(tx: Tx, pk: int) -> RunInfo | None:
    row = tx.execute(
        f"SELECT {codec.RUN_COLUMNS} FROM runs WHERE pk = ?",  # noqa: S608 - constant
        (pk,),
    ).fetchone()
    return RunInfo.from_row(row) if row else None


def load(tx: Tx, info: RunInfo) -> ScanRun:
    return Snapshot(tx).load(info)


def latest(tx: Tx, site: str | None) -> RunInfo | None:
    """The site's most recent finished (complete or partial) run."""
    return Snapshot(tx).latest(site)


def previous(tx: Tx, info: RunInfo) -> RunInfo | None:
    """The finished run of the same site before ``info``."""
    return Snapshot(tx).latest(info.site, info.run_id)
