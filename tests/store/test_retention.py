"""SAFETY-CATALOGUE case 66: retention. Runs older than the retention period are purged,
their content overwritten (secure_delete, then the WAL truncated), the purge logged with
counts only."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli.app import app
from scanner.store import Store
from tests.store.sample import STARTED, make_run

MARKER = "Zhang-San-MARKER-7f3e"


def _raw(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


def test_purge_deletes_old_runs_and_leaves_no_trace_in_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "h.sqlite"
    old = make_run(0, marker=MARKER, pcs=5, started=STARTED - timedelta(days=400))
    recent = make_run(0, pcs=2)
    db = Store.open(path)
    db.save_run(old)
    db.save_run(recent)
    db.checkpoint()
    assert MARKER.encode() in _raw(path)  # hostnames, banners, BLE names are in there
    with caplog.at_level(logging.INFO, logger="biosweep.store"):
        purged = db.purge(180, now=STARTED + timedelta(days=1))
    assert (purged.runs, purged.devices) == (1, len(old.devices))
    assert purged.observations == sum(len(d.observations) for d in old.devices)
    assert [r.run_id for r in db.runs()] == [recent.id]
    assert db.load(recent.id) == recent
    assert db.integrity() == []
    db.close()
    assert MARKER.encode() not in _raw(path)  # overwritten, not just unlinked from the b-tree
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "purged 1 run(s)" in logged
    assert MARKER not in logged and old.id not in logged  # counts only


def test_purge_keeps_running_runs_and_recent_ones(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.sqlite") as db:
        db.begin_run("Test site", None, (), started_at=STARTED - timedelta(days=900))
        db.save_run(make_run(0))
        purged = db.purge(180, now=STARTED + timedelta(days=10))
        assert purged.runs == 0
        assert sorted(r.status for r in db.runs()) == ["complete", "running"]


def test_history_purge_prints_counts_only(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with Store.open(path) as db:
        db.save_run(make_run(0, marker=MARKER, started=STARTED - timedelta(days=3650)))
    done = CliRunner().invoke(app, ["history", "purge", "--keep-days", "180", "--store", str(path)])
    assert done.exit_code == 0, done.output
    assert "purged 1 run(s) older than 180 days" in done.output
    assert MARKER not in done.output
