"""SAFETY-CATALOGUE cases 57 (overlapping runs) and 58 (export while a scan writes)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from scanner.store import LockedError, Store, lock_path, site_lock
from tests.store.sample import make_run


def _writer(path: Path, prefix: str, count: int) -> subprocess.Popen[str]:
    code = textwrap.dedent(f"""
        import sys
        from dataclasses import replace
        from scanner.store import Store
        from tests.store.sample import make_run
        template = make_run()
        db = Store.open({str(path)!r})
        print("ready", flush=True)
        sys.stdin.readline()
        for k in range({count}):
            run = replace(template, id="{prefix}-%d" % k)
            db.finish_run(db.begin_run(run.site, None, run.scope), run)
    """)
    return subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_two_writers_at_the_same_moment_both_succeed_without_database_locked(
    tmp_path: Path,
) -> None:
    path = tmp_path / "h.sqlite"
    Store.open(path).close()
    writers = [_writer(path, name, 25) for name in ("a", "b")]
    for w in writers:
        assert w.stdout is not None and w.stdout.readline().strip() == "ready"
    for w in writers:  # release both at once
        assert w.stdin is not None
        w.stdin.write("go\n")
        w.stdin.flush()
    for w in writers:
        _out, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
        assert "locked" not in err
    with Store.open(path) as db:
        assert len([r for r in db.runs() if r.status == "complete"]) == 50
        assert db.integrity() == []


def test_a_second_holder_of_the_site_lock_is_refused_at_once(tmp_path: Path) -> None:
    lock = lock_path(tmp_path / "h.sqlite", "Test site")
    with site_lock(lock):
        with pytest.raises(LockedError) as err, site_lock(lock):
            pass
        assert err.value.holder is not None  # the message names the holder's pid
    with site_lock(lock):  # released on exit
        pass


def test_a_queued_run_waits_for_the_lock_when_asked(tmp_path: Path) -> None:
    lock = tmp_path / "site.lock"
    release = threading.Event()
    held = threading.Event()

    def holder() -> None:
        with site_lock(lock):
            held.set()
            release.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    held.wait(10)
    threading.Timer(0.5, release.set).start()
    with site_lock(lock, wait=10):
        assert release.is_set()
    t.join()


def test_the_lock_dies_with_its_holder(tmp_path: Path) -> None:
    lock = tmp_path / "site.lock"
    code = f"from scanner.store import site_lock\nimport os, signal\nwith site_lock(__import__('pathlib').Path({str(lock)!r})):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
    subprocess.run([sys.executable, "-c", code], check=False, timeout=60)
    with site_lock(lock):  # no stale lock after a SIGKILL
        pass


def test_watch_and_sweep_exit_4_while_another_run_of_the_site_holds_the_lock(
    tmp_path: Path,
) -> None:
    store = tmp_path / "h.sqlite"
    base = [sys.executable, "-m", "scanner"]
    with site_lock(lock_path(store, "Test site")):
        for argv in (
            ["watch", "127.0.0.1", "--site", "Test site", "--store", str(store), "--once"],
            ["sweep", "127.0.0.1", "--site", "Test site", "--store", str(store), "-q"],
        ):
            done = subprocess.run([*base, *argv], capture_output=True, text=True, timeout=60)
            assert done.returncode == 4, done.stderr
            assert "already running" in done.stderr
            assert "locked" not in done.stderr.replace("lock ", "")


def test_an_export_reads_one_snapshot_and_never_blocks_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    first = make_run(0)
    with Store.open(path) as db:
        db.save_run(first)
    reader = Store.open(path)
    writer = Store.open(path, busy_timeout=0.0)  # would fail at once if a reader blocked it
    try:
        with reader.snapshot() as view:
            assert [r.run_id for r in view.runs()] == [first.id]
            second = make_run(1, new_camera=True)
            writer.save_run(second)  # commits while the export's transaction is open
            writer.checkpoint()
            assert [r.run_id for r in view.runs()] == [first.id]  # still the old snapshot
            assert view.load(view.info(first.id)) == first
        assert [r.run_id for r in reader.runs()] == [second.id, first.id]
    finally:
        reader.close()
        writer.close()


def test_history_show_during_an_open_write_transaction_sees_only_committed_runs(
    tmp_path: Path,
) -> None:
    path = tmp_path / "h.sqlite"
    first = make_run(0)
    with Store.open(path) as db:
        db.save_run(first)
    code = textwrap.dedent(f"""
        import sys
        from scanner.store import Store
        from tests.store.sample import make_run
        db = Store.open({str(path)!r})
        c = db._conn
        c.execute("BEGIN IMMEDIATE")
        c.execute("INSERT INTO runs (run_id, started_at, tool_version, signatures_version, status)"
                  " VALUES ('run-half-written', '2026-05-04T09:00:00+00:00', '', '', 'running')")
        print("holding", flush=True)
        sys.stdin.readline()
        c.execute("ROLLBACK")
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        for args in (["list", "--json"], ["show", "latest", "--json"]):
            done = subprocess.run(
                [sys.executable, "-m", "scanner", "history", *args, "--store", str(path)],
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            assert "run-half-written" not in done.stdout
        assert json.loads(done.stdout)["id"] == first.id
    finally:
        assert holder.stdin is not None
        holder.stdin.write("done\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
