"""SAFETY-CATALOGUE case 56: SIGKILL during write transactions and WAL checkpoints, 50 times.

After each kill the reopened history passes ``integrity_check`` and ``foreign_key_check``;
every run is complete with all its rows (written in the same transaction as its status) or
was marked interrupted by the recovery pass and owns no rows. bench/store_kill.py runs more
iterations.
"""

from __future__ import annotations

from pathlib import Path

from scanner.store import Store
from tests.store.crash import kill_once, problems
from tests.store.sample import make_run

ITERATIONS = 50


def test_sigkill_mid_write_never_corrupts_or_orphans(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    template = make_run(pcs=2)
    for seed in range(ITERATIONS):
        kill_once(path, template, seed)
        assert problems(path) == [], f"iteration {seed}"
    with Store.open(path) as db:
        statuses = {r.status for r in db.runs()}
        assert "complete" in statuses  # the writers did get runs in between the kills
        assert statuses <= {"complete", "interrupted"}
