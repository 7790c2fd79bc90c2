"""SIGKILL at random points of write transactions and WAL checkpoints (SAFETY-CATALOGUE
case 56), shared by tests/store/test_kill.py (50 iterations) and bench/store_kill.py (more).

A forked writer records runs as the watch does (``begin_run`` then ``finish_run``, small
transactions), checkpoints the WAL often, and purges now and then; the parent kills it after
a random delay, reopens the store (which marks the dead writer's run interrupted) and checks
that the history is whole: ``integrity_check`` and ``foreign_key_check`` clean, every run
complete (with exactly the rows its counts say) or interrupted (with none).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

from scanner.models import ScanRun
from scanner.store import Store


def writer(path: Path, template: ScanRun, seed: int) -> None:
    """The child: write runs until killed (never returns normally)."""
    rng = random.Random(seed)
    db = Store.open(path)
    db._conn.execute("PRAGMA wal_autocheckpoint = 8")  # checkpoint every few pages
    k = 0
    while True:
        k += 1
        run = replace(template, id=f"{template.id}-{seed}-{k}")
        handle = db.begin_run(run.site, run.operator, run.scope)
        db.finish_run(handle, run)
        if rng.random() < 0.3:
            db.checkpoint()
        if rng.random() < 0.05:
            db.purge(1, now=run.started_at.replace(year=run.started_at.year + 1))


def kill_once(path: Path, template: ScanRun, seed: int, max_delay: float = 0.04) -> None:
    """Fork a writer, SIGKILL it after a random delay, reap it."""
    delay = random.Random(seed).uniform(0.0, max_delay)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child is killed
        try:
            writer(path, template, seed)
        finally:
            os._exit(0)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def problems(path: Path) -> list[str]:
    """Everything wrong with the history after a crash (empty: all is well)."""
    with Store.open(path) as db:  # opening runs the recovery pass
        found = db.integrity()
    conn = sqlite3.connect(path)
    try:
        runs = conn.execute(
            "SELECT pk, run_id, status, device_count, finding_count, observation_count FROM runs"
        ).fetchall()
        for pk, run_id, status, devices, findings, observations in runs:
            counts = [
                conn.execute(f"SELECT count(*) FROM {t} WHERE run_pk = ?", (pk,)).fetchone()[0]
                for t in ("devices", "findings", "observations")
            ]
            if status == "complete" and counts != [devices, findings, observations]:
                found.append(
                    f"{run_id}: complete with {counts}, expected {devices, findings, observations}"
                )
            elif status == "interrupted" and any(counts):
                found.append(f"{run_id}: interrupted but owns rows {counts}")
            elif status not in ("complete", "interrupted"):
                found.append(f"{run_id}: status {status} after recovery")
    finally:
        conn.close()
    return found
