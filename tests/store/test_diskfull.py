"""SAFETY-CATALOGUE case 59: the disk fills up mid-scan.

Two fault layers: SQLite's own size cap (``max_page_count``: writes past it fail with
SQLITE_FULL, exactly as on a full disk) and, where this process may mount (root with
unshare), a real 1 MiB tmpfs. Either way the failed run is rolled back with a clear "disk
full" error and a non-zero exit, earlier history stays intact and nothing old is deleted to
make room; once there is space again the next run is saved.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from scanner.store import DiskFullError, Store
from tests.store.sample import make_run, pragma


def _fill(db: Store, template_pcs: int = 40) -> int:
    """Save runs until the store is full; returns how many were saved."""
    big = make_run(pcs=template_pcs)
    k = 0
    while k < 10_000:
        try:
            db.save_run(replace(big, id=f"{big.id}-{k}"))
        except DiskFullError:
            break
        k += 1
    with pytest.raises(DiskFullError, match=r"disk full .* earlier history is intact"):
        db.save_run(replace(big, id=f"{big.id}-again"))
    return k


def test_sqlite_full_rolls_back_keeps_history_and_recovers(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    first = make_run(0)
    with Store.open(path) as db:
        db.save_run(first)
    pages = pragma(path, "page_count") + 60
    with Store.open(path, page_limit=pages) as db:
        saved = _fill(db)
        handle = db.begin_run("Test site", None, ())  # a sweep that cannot be saved
        with pytest.raises(DiskFullError):
            db.finish_run(handle, replace(make_run(pcs=200), id="run-too-big"))
        db.abandon(handle, "disk full")  # what the watch does with a run it cannot save
        assert db.integrity() == []
        ids = [r.run_id for r in db.runs() if r.status == "complete"]
        assert first.id in ids and len(ids) == saved + 1  # nothing old deleted for room
        assert db.load(first.id) == first
    with Store.open(path) as db:  # space again: the next run is saved
        assert [r.status for r in db.runs()].count("interrupted") == 1
        after = replace(make_run(2), id="run-after-space")
        db.save_run(after)
        assert db.load(after.id) == after


def test_begin_run_on_a_full_store_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with Store.open(path) as db:
        db.save_run(make_run(0))
    pages = pragma(path, "page_count") + 30
    with Store.open(path, page_limit=pages) as db:
        _fill(db, template_pcs=20)
        assert db.integrity() == []


def _can_mount() -> str | None:
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    if shutil.which("unshare") is None:
        return "unshare(1) is not installed"
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    return None if probe.returncode == 0 else "cannot make a private mount namespace here"


@pytest.mark.skipif(_can_mount() is not None, reason=str(_can_mount()))
def test_a_real_one_mib_tmpfs_fills_and_the_cli_says_disk_full(tmp_path: Path) -> None:
    """In a private mount namespace (nothing visible outside it): watch-like saves on a
    1 MiB tmpfs until ENOSPC, then ``history list`` still works on what was kept."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    code = textwrap.dedent(f"""
        import sys
        from dataclasses import replace
        from scanner.store import DiskFullError, Store
        from tests.store.sample import make_run, pragma
        big = make_run(pcs=60)
        db = Store.open({str(mnt / "h.sqlite")!r})
        saved = 0
        try:
            for k in range(10_000):
                db.save_run(replace(big, id=f"run-{{k}}"))
                saved += 1
        except DiskFullError as exc:
            print("FULL", saved, exc, flush=True)
        assert db.integrity() == [], db.integrity()
        assert len(db.runs()) == saved
        db.close()
    """)
    (tmp_path / "fill.py").write_text(code)
    script = (
        f"mount -t tmpfs -o size=1m biosweep-test {mnt} && "
        f"{sys.executable} {tmp_path / 'fill.py'} && "
        f"{sys.executable} -m scanner history list --store {mnt / 'h.sqlite'} --json | wc -l"
    )
    done = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")
    full = next(line for line in lines if line.startswith("FULL"))
    saved = int(full.split()[1])
    assert saved > 0 and "disk full" in full
    assert f"the database folder {mnt} is full" in full  # it says where to free space
    assert int(lines[-2].strip()) == saved  # the CLI lists every run that was kept
