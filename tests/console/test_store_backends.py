"""The two store backends hold the same schema and give back the same runs, byte for byte,
including device text neither database can store as is (lone surrogates; NUL in PostgreSQL)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from scanner.models import Observation
from scanner.store import runs
from scanner.store.backend import Database, open_database
from scanner.store.errors import StoreError
from scanner.store.pg import MARK
from scanner.store.schema import MIGRATIONS
from tests.console.helpers import HOSTILE
from tests.store.sample import make_run


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = (
        f"sqlite:///{tmp_path}/history.sqlite"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    with open_database(url) as opened:
        yield opened


def test_a_run_reads_back_exactly_and_is_stored_once(db: Database) -> None:
    run = make_run(0, pcs=2, marker=HOSTILE)
    odd = Observation("ip:10.0.0.9", "http.title", f"nul\x00{MARK}and{HOSTILE}", "http")
    device = replace(run.devices[0], observations=(*run.devices[0].observations, odd))
    run = replace(run, devices=(device, *run.devices[1:]))
    with db.write("test") as tx:
        pk, created = runs.save_run(tx, run)
    with db.write("test") as tx:
        again, created_again = runs.save_run(tx, run)
    assert (created, created_again, again) == (True, False, pk)
    with db.read() as tx:
        listed = runs.runs(tx)
        back = runs.load(tx, listed[0])
    assert len(listed) == 1
    assert back == run


def test_schema_version_and_append_only_audit(db: Database) -> None:
    with db.write("test") as tx:
        tx.execute(
            "INSERT INTO console_audit (at, actor, action, target, detail) "
            "VALUES ('t', 'a', 'x', 'y', 'z')"
        )
    with pytest.raises(StoreError, match="append-only"), db.write("test") as tx:
        tx.execute("UPDATE console_audit SET actor = 'someone else'")
    with pytest.raises(StoreError, match="append-only"), db.write("test") as tx:
        tx.execute("DELETE FROM console_audit")
    with db.read() as tx:
        assert tx.execute("SELECT actor FROM console_audit").fetchall() == [("a",)]
        if db.dialect == "sqlite":
            version = tx.execute("PRAGMA user_version").fetchone()
        else:
            version = tx.execute("SELECT version FROM biosweep_schema").fetchone()
    assert version == (len(MIGRATIONS),)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_reopening_keeps_the_data_and_migrates_nothing(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/h.sqlite"
    if kind == "postgresql":
        url = request.getfixturevalue("pg_url")
    with open_database(url) as db, db.write("test") as tx:
        runs.save_run(tx, make_run(0))
    with open_database(url) as db, db.read() as tx:
        assert len(runs.runs(tx)) == 1


def test_unknown_store_scheme_is_refused() -> None:
    with pytest.raises(StoreError, match="unknown store"):
        open_database("mysql://x/y")


def test_every_table_of_the_schema_is_known_to_the_identity_check(tmp_path: Path) -> None:
    """An unmarked console store is adopted like an unmarked history (identity.check)."""
    import sqlite3

    from scanner.store.identity import CONSOLE_TABLES, TABLES

    open_database(f"sqlite:///{tmp_path}/h.sqlite").close()
    with contextlib.closing(sqlite3.connect(tmp_path / "h.sqlite")) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert names == TABLES | CONSOLE_TABLES
