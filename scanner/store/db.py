"""The history database: one SQLite file in WAL mode, written by short ``BEGIN IMMEDIATE``
transactions with a busy timeout, read in single snapshots.

Why each setting (https://www.sqlite.org/wal.html, https://www.sqlite.org/pragma.html):

- ``journal_mode=WAL``: readers never block the writer and the writer never blocks readers,
  so a report export and a running scan do not wait on each other (SAFETY-CATALOGUE case 58).
- ``BEGIN IMMEDIATE`` for every write, with ``busy_timeout``: a deferred transaction that
  reads first and then writes cannot be helped by the busy handler (SQLite returns BUSY at
  once to avoid deadlock), so two writers take the write lock up front and the second waits
  instead of failing with "database is locked" (case 57).
- ``synchronous=FULL``: a committed run survives a power cut, not only a crash (case 56).
- ``secure_delete=ON``: purged rows are overwritten with zeros, not left in free pages; a
  purge ends with a ``TRUNCATE`` checkpoint so the WAL keeps no old frames either (case 66).
- ``foreign_keys=ON``: child rows go with their run; none can be orphaned.

A run is recorded twice: :meth:`Store.begin_run` commits a ``running`` row when the sweep
starts; :meth:`Store.finish_run` writes all of its rows and sets it ``complete`` (or
``partial``) in one transaction. A run left ``running`` by a process that no longer exists
is marked ``interrupted`` the next time the store is opened.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scanner.models import ScanRun
from scanner.store import codec, identity, schema, space
from scanner.store.codec import RUN_COLUMNS, RunInfo
from scanner.store.errors import NetworkFsError, StoreError
from scanner.store.owner import owner_alive, owner_tag
from scanner.store.paths import network_filesystem
from scanner.store.space import translate

log = logging.getLogger("biosweep.store")

BUSY_TIMEOUT = space.BUSY_TIMEOUT
_INSERT = {
    table: f"INSERT INTO {table} VALUES ({', '.join('?' * columns)})"  # noqa: S608 - constant
    for table, columns in (("devices", 12), ("observations", 8), ("findings", 11), ("skipped", 6))
}


@dataclass(frozen=True, slots=True)
class RunHandle:
    """A run that :meth:`Store.begin_run` recorded as ``running``."""

    pk: int
    run_id: str


@dataclass(frozen=True, slots=True)
class Purged:
    """What a retention purge removed: counts only, never content (case 66)."""

    runs: int
    devices: int
    findings: int
    observations: int


def _refuse_special(path: Path) -> None:
    """A FIFO, a device or a directory is no history: SQLite would block on it or fail late."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # missing: it will be created
    if not stat.S_ISREG(mode):
        raise StoreError(f"{path} is not a regular file: the history is an SQLite database file")


class Store:
    """An open history database. Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self.migration_backup: Path | None = None  # the copy taken before an upgrade

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        recover: bool = True,
        busy_timeout: float = BUSY_TIMEOUT,
        mountinfo: str | None = None,
        page_limit: int | None = None,
    ) -> Store:
        """Open (creating it and its folder, mode 0700) the database at ``path``.

        Refuses a network filesystem (case 62), a path that is not a regular file, and an
        SQLite database of another application (:mod:`scanner.store.identity`). ``recover``
        marks runs left ``running`` by dead processes ``interrupted``. ``page_limit`` caps the
        file size in pages (a quota; tests use it as a disk-full fault layer, case 59).
        """
        path = Path(path).expanduser()
        _refuse_special(path)
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
        fs = network_filesystem(path, mountinfo)
        if fs is not None:
            raise NetworkFsError(
                f"{path} is on a network filesystem ({fs}); SQLite's WAL locking does not work "
                "there and the history could be corrupted: use a local disk (--store PATH)"
            )
        try:
            conn = sqlite3.connect(
                str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {path}: {exc}") from None
        store = cls(path, conn)
        try:
            c = conn.execute
            c(f"PRAGMA busy_timeout = {int(busy_timeout * 1000):d}")
            unmarked = identity.check(conn, path)  # before anything is written
            store._configure(page_limit)
            schema.migrate(
                conn, schema.MIGRATIONS, mark=unmarked, backup=store._backup_before_migration
            )
            if recover:
                store.recover()
        except sqlite3.Error as exc:
            conn.close()
            raise translate(exc, f"opening {path}", path) from None
        except BaseException:
            conn.close()
            raise
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
        return store

    def _configure(self, page_limit: int | None) -> None:
        c = self._conn
        mode = c.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{self.path}: cannot switch to WAL mode (got {mode})")
        c.execute("PRAGMA synchronous = FULL")
        c.execute("PRAGMA foreign_keys = ON")
        c.execute("PRAGMA secure_delete = ON")
        if page_limit is not None:
            c.execute(f"PRAGMA max_page_count = {int(page_limit):d}")

    def _backup_before_migration(self, version: int) -> None:
        """An online backup beside the database, before an upgrade from ``version`` changes
        it; where it is is logged (the CLI shows warnings) and kept in migration_backup."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        dest = self.path.with_name(f"{self.path.name}.schema-v{version}-{stamp}.backup")
        try:
            self.backup(dest)
        except StoreError as exc:
            raise StoreError(
                f"not upgrading the history: no copy of it could be saved first: {exc}"
            ) from None
        self.migration_backup = dest
        log.warning(
            "upgrading the history %s from schema version %d; a copy of it as it was is at %s",
            self.path, version, dest,
        )  # fmt: skip

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- transactions ----------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction; any failure rolls it back."""
        c = self._conn
        try:
            c.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise translate(exc, doing, self.path) from None
        try:
            yield c
            c.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                c.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error | OSError):
                raise translate(exc, doing, self.path) from None
            raise

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """A read transaction: everything read through the snapshot is one consistent view,
        and the writer is never blocked by it (WAL; case 58)."""
        c = self._conn
        c.execute("BEGIN")
        try:
            c.execute("SELECT count(*) FROM runs").fetchone()  # pins the snapshot now
            yield Snapshot(c)
        finally:
            with contextlib.suppress(sqlite3.Error):
                c.execute("COMMIT")

    # -- writing runs ----------------------------------------------------------------------

    def begin_run(
        self,
        site: str | None,
        operator: str | None,
        scope: tuple[str, ...],
        started_at: datetime | None = None,
    ) -> RunHandle:
        """Record a run as ``running`` before the sweep starts (so a crash leaves a trace)."""
        started = started_at or datetime.now(UTC)
        run_id = f"run-{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
        with self._write("recording the start of a run") as c:
            cur = c.execute(
                "INSERT INTO runs (run_id, site, operator, started_at, tool_version, "
                "signatures_version, scope, status, owner) VALUES (?, ?, ?, ?, '', '', ?, "
                "'running', ?)",
                (run_id, codec.text(site), codec.text(operator), codec.iso(started),
                 codec.dumps(scope), owner_tag()),
            )  # fmt: skip
            pk = int(cur.lastrowid or 0)
        return RunHandle(pk, run_id)

    def finish_run(self, handle: RunHandle, run: ScanRun) -> RunInfo:
        """Write every row of ``run`` and mark it finished, in one transaction."""
        with self._write(f"saving run {run.id}") as c:
            self._insert_children(c, handle.pk, run)
            c.execute(
                "UPDATE runs SET run_id = ?, site = ?, operator = ?, started_at = ?, "
                "finished_at = ?, tool_version = ?, signatures_version = ?, scope = ?, "
                "notes = ?, registry = ?, status = ?, owner = NULL, device_count = ?, "
                "finding_count = ?, observation_count = ? WHERE pk = ? AND status = 'running'",
                (*self._run_values(run), handle.pk),
            )
            if c.execute("SELECT changes()").fetchone()[0] != 1:
                raise StoreError(f"run {handle.run_id} is no longer running (marked interrupted)")
        return self.info(run.id)

    def save_run(self, run: ScanRun) -> RunInfo:
        """Store a finished run in one transaction (imports, tests, ``sweep --store``)."""
        with self._write(f"saving run {run.id}") as c:
            cur = c.execute(
                "INSERT INTO runs (run_id, started_at, tool_version, signatures_version, status) "
                "VALUES (?, ?, '', '', 'running')",
                (run.id, codec.iso(run.started_at)),
            )
            pk = int(cur.lastrowid or 0)
            self._insert_children(c, pk, run)
            c.execute(
                "UPDATE runs SET run_id = ?, site = ?, operator = ?, started_at = ?, "
                "finished_at = ?, tool_version = ?, signatures_version = ?, scope = ?, "
                "notes = ?, registry = ?, status = ?, owner = NULL, device_count = ?, "
                "finding_count = ?, observation_count = ? WHERE pk = ?",
                (*self._run_values(run), pk),
            )
        return self.info(run.id)

    @staticmethod
    def _run_values(run: ScanRun) -> tuple[object, ...]:
        observations = sum(len(d.observations) for d in run.devices)
        return (
            run.id, codec.text(run.site), codec.text(run.operator), codec.iso(run.started_at),
            codec.iso(run.finished_at), run.tool_version, run.signatures_version,
            codec.dumps(run.scope), codec.dumps(run.notes), codec.text(run.registry),
            "complete" if run.complete else "partial", len(run.devices), len(run.findings),
            observations,
        )  # fmt: skip

    @staticmethod
    def _insert_children(c: sqlite3.Connection, pk: int, run: ScanRun) -> None:
        rows = codec.run_rows(pk, run)
        c.executemany(_INSERT["devices"], rows.devices)
        c.executemany(_INSERT["observations"], rows.observations)
        c.executemany(_INSERT["findings"], rows.findings)
        c.executemany(_INSERT["skipped"], rows.skipped)

    def abandon(self, handle: RunHandle, why: str) -> None:
        """Mark our own run ``interrupted`` (the sweep or its saving failed); best effort:
        if even this cannot be written, the next open marks it."""
        with contextlib.suppress(StoreError), self._write("marking a run interrupted") as c:
            c.execute(
                "UPDATE runs SET status = 'interrupted', owner = NULL, finished_at = ?, "
                "notes = ? WHERE pk = ? AND status = 'running'",
                (codec.iso(datetime.now(UTC)), codec.dumps([f"interrupted: {why}"]), handle.pk),
            )

    def recover(self) -> list[str]:
        """Mark runs left ``running`` by processes that no longer exist ``interrupted``."""
        rows = self._conn.execute("SELECT pk, run_id, owner FROM runs WHERE status = 'running'")
        dead = [(pk, rid) for pk, rid, owner in rows.fetchall() if owner_alive(owner) is False]
        if not dead:
            return []
        now = codec.iso(datetime.now(UTC))
        with self._write("marking interrupted runs") as c:
            for pk, _rid in dead:
                c.execute(
                    "UPDATE runs SET status = 'interrupted', owner = NULL, finished_at = ?, "
                    "notes = ? WHERE pk = ? AND status = 'running'",
                    (now, codec.dumps(["interrupted: the process ended before the run was saved"]),
                     pk),
                )  # fmt: skip
        ids = [codec.untext(rid) for _pk, rid in dead]
        log.warning("marked %d interrupted run(s): %s", len(ids), ", ".join(ids))
        return ids

    # -- retention, backup, checks ---------------------------------------------------------

    def purge(self, keep_days: int, now: datetime | None = None) -> Purged:
        """Delete finished runs that started more than ``keep_days`` ago, securely.

        Logs counts only (case 66). Runs still ``running`` are never purged.
        """
        if keep_days < 1:
            raise StoreError("retention must keep at least 1 day")
        cutoff = codec.iso((now or datetime.now(UTC)) - timedelta(days=keep_days))
        where = "FROM runs WHERE started_at < ? AND status != 'running'"
        with self._write("purging old runs") as c:
            counts = [
                c.execute(
                    f"SELECT count(*) FROM {table} WHERE run_pk IN (SELECT pk {where})",  # noqa: S608
                    (cutoff,),
                ).fetchone()[0]
                for table in ("devices", "findings", "observations")
            ]
            runs = c.execute(f"DELETE {where}", (cutoff,)).rowcount
        self.checkpoint()
        purged = Purged(runs, *counts)
        log.info(
            "retention %d days: purged %d run(s), %d device(s), %d finding(s), %d observation(s)",
            keep_days, purged.runs, purged.devices, purged.findings, purged.observations,
        )  # fmt: skip
        return purged

    def checkpoint(self) -> None:
        """Copy the WAL into the database and truncate it (best effort while others read)."""
        try:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.Error as exc:
            raise translate(exc, "checkpointing the WAL", self.path) from None

    def integrity(self) -> list[str]:
        """``PRAGMA integrity_check`` and ``foreign_key_check``: empty when all is well."""
        problems = [r[0] for r in self._conn.execute("PRAGMA integrity_check").fetchall()]
        problems = [p for p in problems if p != "ok"]
        problems += [
            f"orphan row in {r[0]}" for r in self._conn.execute("PRAGMA foreign_key_check")
        ]
        return problems

    def backup(self, dest: Path, *, force: bool = False) -> None:
        """Copy the database through SQLite's online backup API into ``dest`` (case 64).

        The copy is one consistent snapshot even while a scan writes, includes what is still
        in the WAL, is converted to a single self-contained file (rollback journal mode), is
        checked with ``integrity_check`` and then renamed into place atomically.
        """
        if dest.exists() and not force:
            raise StoreError(f"{dest} exists: choose another name or pass --force")
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            target = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                self._conn.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
                check = target.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                target.close()
            if check != "ok":
                raise StoreError(f"the backup failed its integrity check: {check}")
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.replace(tmp, dest)
        except (sqlite3.Error, OSError) as exc:
            raise translate(
                exc, f"writing the backup {dest}", dest, "the backup's folder"
            ) from None
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()

    # -- reading ---------------------------------------------------------------------------

    def info(self, ref: str) -> RunInfo:
        with self.snapshot() as view:
            return view.info(ref)

    def runs(self, site: str | None = None, limit: int | None = None) -> list[RunInfo]:
        with self.snapshot() as view:
            return view.runs(site, limit)

    def load(self, ref: str) -> ScanRun:
        with self.snapshot() as view:
            return view.load(view.info(ref))

    def latest(self, site: str | None, before: str | None = None) -> ScanRun | None:
        """The most recent finished run of ``site`` (optionally started before run ``before``)."""
        with self.snapshot() as view:
            found = view.latest(site, before)
            return view.load(found) if found is not None else None


class Snapshot:
    """Reads inside one transaction (see :meth:`Store.snapshot`)."""

    def __init__(self, conn: Any) -> None:
        self._c = conn  # an sqlite3.Connection, or a backend transaction (scanner.store.backend)

    def runs(self, site: str | None = None, limit: int | None = None) -> list[RunInfo]:
        sql = f"SELECT {RUN_COLUMNS} FROM runs"  # noqa: S608
        args: list[object] = []
        if site is not None:
            sql += " WHERE site = ?"
            args.append(codec.text(site))
        sql += " ORDER BY started_at DESC, pk DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [RunInfo.from_row(r) for r in self._c.execute(sql, args).fetchall()]

    def info(self, ref: str) -> RunInfo:
        """A run by id, unique id prefix, ``latest`` or ``previous`` (the one before it)."""
        if ref in ("latest", "previous"):
            done = [r for r in self.runs() if r.status in ("complete", "partial")]
            index = 0 if ref == "latest" else 1
            if len(done) <= index:
                raise StoreError(f"no {ref} run in the history")
            return done[index]
        rows = self._c.execute(
            f"SELECT {RUN_COLUMNS} FROM runs WHERE run_id = ? OR substr(run_id, 1, ?) = ?",  # noqa: S608
            (ref, len(ref), ref),
        ).fetchall()
        exact = [r for r in rows if r[1] == ref]
        if exact or len(rows) == 1:
            return RunInfo.from_row((exact or rows)[0])
        if not rows:
            raise StoreError(f"no run {ref!r} in the history (see biosweep history list)")
        raise StoreError(f"{ref!r} names {len(rows)} runs: give more of the id")

    def latest(self, site: str | None, before: str | None = None) -> RunInfo | None:
        sql = f"SELECT {RUN_COLUMNS} FROM runs WHERE status IN ('complete', 'partial')"  # noqa: S608
        args: list[object] = []
        if site is not None:
            sql += " AND site = ?"
            args.append(codec.text(site))
        if before is not None:
            sql += " AND started_at < (SELECT started_at FROM runs WHERE run_id = ?)"
            args.append(before)
        row = self._c.execute(sql + " ORDER BY started_at DESC, pk DESC LIMIT 1", args).fetchone()
        return RunInfo.from_row(row) if row else None

    def load(self, info: RunInfo) -> ScanRun:
        """The whole run: devices with observations, findings, skipped probes."""
        pk = (info.pk,)
        q = self._c.execute
        devices = q("SELECT * FROM devices WHERE run_pk = ? ORDER BY seq", pk).fetchall()
        obs = q(
            "SELECT * FROM observations WHERE run_pk = ? ORDER BY device_seq, seq", pk
        ).fetchall()
        findings = q("SELECT * FROM findings WHERE run_pk = ? ORDER BY seq", pk).fetchall()
        skipped = q("SELECT * FROM skipped WHERE run_pk = ? ORDER BY seq", pk).fetchall()
        return codec.scanrun(
            info,
            codec.decode_devices(devices, obs),
            codec.decode_findings(findings),
            codec.decode_skipped(skipped),
        )
