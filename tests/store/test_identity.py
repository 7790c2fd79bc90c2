"""The history knows its own files, backs up before it migrates, and says
which place is full.

- ``--store`` pointed at another program's SQLite file is refused and the file is left
  byte-identical; a biosweep history made before the mark is adopted and marked;
- a migration of a history holding runs saves an online backup first and says where;
- "disk full" names the full place: the database folder or SQLite's temporary directory.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.store import DiskFullError, Store, StoreError, schema, space
from scanner.store.identity import APPLICATION_ID
from tests.store.sample import make_run, pragma


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_new_history_is_marked_as_biosweeps(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.sqlite"):
        pass
    assert pragma(tmp_path / "h.sqlite", "application_id") == APPLICATION_ID


def test_another_applications_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    foreign = tmp_path / "browser-history.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org/')")
    conn.commit()
    conn.close()
    before = _digest(foreign)
    done = subprocess.run(
        [sys.executable, "-m", "scanner", "history", "list", "--store", str(foreign)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert "another application's SQLite database (tables: moz_places" in done.stderr
    assert "not a biosweep history" in done.stderr
    assert _digest(foreign) == before  # no tables added, not switched to WAL
    assert not (tmp_path / "browser-history.sqlite-wal").exists()


def test_a_database_marked_by_another_application_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1196444237")  # "GPKG", a GeoPackage
    conn.close()
    with pytest.raises(StoreError, match=r"belongs to another application \(application_id"):
        Store.open(path)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are not the runs you are looking for\n" * 100)
    before = _digest(path)
    with pytest.raises(StoreError, match="is not an SQLite database"):
        Store.open(path)
    assert _digest(path) == before


def test_an_unmarked_biosweep_history_is_adopted_and_marked(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    run = make_run(0)
    with Store.open(path) as db:
        db.save_run(run)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 0")  # as every history before the mark existed
    conn.close()
    with Store.open(path) as db:
        assert db.load(run.id) == run
    assert pragma(path, "application_id") == APPLICATION_ID


def test_a_migration_backs_up_first_and_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "h.sqlite"
    run = make_run(0)
    with Store.open(path) as db:
        db.save_run(run)
    step = "ALTER TABLE runs ADD COLUMN note TEXT;"
    before = len(schema.MIGRATIONS)
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, step))
    with caplog.at_level(logging.WARNING, logger="biosweep.store"), Store.open(path) as db:
        backup = db.migration_backup
        assert db.load(run.id) == run
    assert backup is not None and backup.parent == tmp_path
    assert f"a copy of it as it was is at {backup}" in caplog.text
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("PRAGMA user_version").fetchone()[0] == before  # before the step
        assert copy.execute("SELECT run_id FROM runs").fetchall() == [(run.id,)]
        columns = [r[1] for r in copy.execute("PRAGMA table_info(runs)")]
        assert "note" not in columns
    finally:
        copy.close()
    with Store.open(path) as db:  # once migrated, no further copies
        assert db.migration_backup is None


def test_no_copy_no_migration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.sqlite"
    with Store.open(path) as db:
        db.save_run(make_run(0))
    before = len(schema.MIGRATIONS)
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, "CREATE TABLE x (a);"))

    def full(self: Store, dest: Path, *, force: bool = False) -> None:
        raise DiskFullError(f"disk full while writing the backup {dest}")

    monkeypatch.setattr(Store, "backup", full)
    with pytest.raises(StoreError, match="not upgrading the history: no copy of it could be"):
        Store.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == before  # unchanged
    conn.close()


def test_a_fifo_is_no_history(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "h.sqlite"
    os.mkfifo(fifo)
    with pytest.raises(StoreError, match="not a regular file"):
        Store.open(fifo)


def _fill(db: Store) -> DiskFullError:
    from dataclasses import replace

    big = make_run(pcs=40)
    for k in range(10_000):
        try:
            db.save_run(replace(big, id=f"{big.id}-{k}"))
        except DiskFullError as exc:
            return exc
    raise AssertionError("never full")


@pytest.mark.parametrize("full", ["database", "temp"])
def test_disk_full_names_the_place_that_is_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, full: str
) -> None:
    data, temp = tmp_path / "data", tmp_path / "sqlite-tmp"
    temp.mkdir()
    monkeypatch.setenv("SQLITE_TMPDIR", str(temp))
    real = space._free
    monkeypatch.setattr(
        space,
        "_free",
        lambda p: 4096 if Path(p) == (data if full == "database" else temp) else real(p),
    )
    with Store.open(data / "h.sqlite") as db:
        db.save_run(make_run(0))
    pages = 60 + pragma(data / "h.sqlite", "page_count")
    with Store.open(data / "h.sqlite", page_limit=pages) as db:
        message = str(_fill(db))
    if full == "database":
        assert f"the database folder {data} is full" in message
    else:
        assert f"SQLite's temporary directory {temp} is full" in message
    assert "earlier history is intact" in message


def test_disk_full_with_room_everywhere_names_both_places(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.sqlite") as db:
        db.save_run(make_run(0))
    pages = 60 + pragma(tmp_path / "h.sqlite", "page_count")
    with Store.open(tmp_path / "h.sqlite", page_limit=pages) as db:
        message = str(_fill(db))
    assert f"the database folder {tmp_path}" in message
    assert f"SQLite's temporary directory {space.sqlite_temp_dir()}" in message
