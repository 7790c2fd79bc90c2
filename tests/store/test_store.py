"""The history store: round trips, the run life cycle, recovery of interrupted runs,
migrations."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from scanner.models import Observation
from scanner.store import Store, StoreError
from scanner.store.identity import APPLICATION_ID
from scanner.store.schema import MIGRATIONS, migrate, version
from tests.store.sample import make_run


def test_a_run_reads_back_exactly_as_it_was_saved(tmp_path: Path) -> None:
    run = make_run(pcs=3)
    with Store.open(tmp_path / "h.sqlite") as db:
        info = db.save_run(run)
        assert (info.status, info.devices, info.findings) == ("complete", 4, len(run.findings))
        assert db.load(run.id) == run
        assert db.load(run.id[:20]) == run  # a unique prefix names it too


def test_undecodable_device_bytes_survive_the_round_trip(tmp_path: Path) -> None:
    raw = b"Server \xff\xfe".decode("utf-8", "surrogateescape")
    run = make_run()
    dev = run.devices[0]
    odd = replace(dev, observations=(*dev.observations, Observation(dev.id, "http.server", raw)))
    run = replace(run, devices=(odd, *run.devices[1:]))
    with Store.open(tmp_path / "h.sqlite") as db:
        db.save_run(run)
        assert db.load(run.id).devices[0].observations[-1].value == raw


def test_begin_then_finish_writes_one_complete_run(tmp_path: Path) -> None:
    run = make_run()
    with Store.open(tmp_path / "h.sqlite") as db:
        handle = db.begin_run(run.site, run.operator, run.scope)
        assert [r.status for r in db.runs()] == ["running"]
        db.finish_run(handle, run)
        assert [(r.run_id, r.status) for r in db.runs()] == [(run.id, "complete")]
        assert db.latest("Test site") == run


def test_a_partial_sweep_is_saved_as_partial_and_is_still_a_baseline(tmp_path: Path) -> None:
    run = replace(make_run(), complete=False)
    with Store.open(tmp_path / "h.sqlite") as db:
        db.save_run(run)
        assert db.runs()[0].status == "partial"
        assert db.latest("Test site") is not None


def test_a_run_whose_process_died_is_marked_interrupted_on_next_open(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    code = textwrap.dedent(f"""
        import os, signal
        from scanner.store import Store
        db = Store.open({str(path)!r})
        db.begin_run("Test site", None, ("10.0.0.0/24",))
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", code], check=False, timeout=60)
    assert done.returncode == -signal.SIGKILL
    with Store.open(path) as db:
        runs = db.runs()
        assert [r.status for r in runs] == ["interrupted"]
        assert "interrupted" in runs[0].notes[0]
        assert db.latest("Test site") is None  # never a baseline


def test_a_live_run_of_another_process_is_left_running(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    code = textwrap.dedent(f"""
        import sys, time
        from scanner.store import Store
        db = Store.open({str(path)!r})
        db.begin_run("Test site", None, ())
        print("started", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "started"
        with Store.open(path) as db:
            assert [r.status for r in db.runs()] == ["running"]
    finally:
        proc.kill()
        proc.wait()
    with Store.open(path) as db:
        assert [r.status for r in db.runs()] == ["interrupted"]


def test_new_database_gets_the_current_schema(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.sqlite"):
        pass
    conn = sqlite3.connect(tmp_path / "h.sqlite")
    assert version(conn) == len(MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_migrations_run_in_one_transaction_and_a_failure_changes_nothing(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "m.sqlite", isolation_level=None)
    steps = ["CREATE TABLE a (x INTEGER);", "CREATE TABLE b (y INTEGER);"]
    assert migrate(conn, steps[:1]) == 0
    assert version(conn) == 1
    broken = [*steps, "CREATE TABLE c (z INTEGER); THIS IS NOT SQL;"]
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, broken)
    assert version(conn) == 1  # neither b nor c, nor the version bump, survived
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"a"}
    assert migrate(conn, steps) == 1
    assert version(conn) == 2


def test_a_database_from_a_newer_biosweep_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # a newer biosweep's mark
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this biosweep"):
        Store.open(path)


def test_the_database_file_is_private(tmp_path: Path) -> None:
    with Store.open(tmp_path / "d" / "h.sqlite"):
        pass
    assert (tmp_path / "d" / "h.sqlite").stat().st_mode & 0o077 == 0
    assert (tmp_path / "d").stat().st_mode & 0o077 == 0


def test_unknown_run_is_a_clear_error(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.sqlite") as db:
        with pytest.raises(StoreError, match="no run 'run-nope'"):
            db.load("run-nope")
        with pytest.raises(StoreError, match="no latest run"):
            db.load("latest")
