"""SAFETY-CATALOGUE cases 61 (crash or full disk while a report of a stored run is written),
62 (network filesystems refused) and 64 (backups through the backup API, not cp)."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli.app import app
from scanner.reporters import REPORTERS
from scanner.store import NetworkFsError, Store, network_filesystem
from scanner.store.paths import mount_fstype, statfs_type
from tests.store.sample import make_run

runner = CliRunner()


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    path = tmp_path / "h.sqlite"
    with Store.open(path) as db:
        db.save_run(make_run(0))
        db.save_run(make_run(1, new_camera=True))
    return path


# -- case 61 ----------------------------------------------------------------------------------


def _temps(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp"))


def test_sigkill_while_writing_a_report_leaves_the_old_one_intact(
    stored: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    first = runner.invoke(
        app, ["history", "show", "previous", "-o", str(out), "--store", str(stored)]
    )
    assert first.exit_code == 0, first.output
    before = out.read_bytes()
    code = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from scanner.atomic import write_atomic
        def chunks():
            yield b'{{"half": '
            time.sleep(60)
        write_atomic(Path({str(out)!r}), chunks(), force=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 30
    while not _temps(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _temps(tmp_path), "the writer never started its temp file"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert out.read_bytes() == before  # byte-identical, no partial file at the final name
    again = runner.invoke(
        app, ["history", "show", "latest", "-o", str(out), "--force", "--store", str(stored)]
    )
    assert again.exit_code == 0, again.output
    assert _temps(tmp_path) == []  # the dead writer's temp file was cleaned up
    assert out.read_bytes() != before


@pytest.mark.parametrize("fmt", ["json", "csv", "md", "html"])
def test_enospc_while_writing_a_report_leaves_no_partial_file(
    stored: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    out = tmp_path / f"report.{fmt}"
    out.write_bytes(b"previous report\n")
    real = REPORTERS[fmt].chunks

    def failing(self: object, run: object, options: object) -> Iterator[bytes]:
        chunks = real(run, options)  # type: ignore[arg-type]
        yield next(iter(chunks))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(type(REPORTERS[fmt]), "chunks", failing)
    done = runner.invoke(
        app, ["history", "show", "latest", "-o", str(out), "--force", "--store", str(stored)]
    )
    assert done.exit_code == 3
    assert "No space left" in done.output
    assert out.read_bytes() == b"previous report\n"
    assert _temps(tmp_path) == []


# -- case 62 ----------------------------------------------------------------------------------

MOUNTINFO = textwrap.dedent("""\
    22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
    40 22 0:35 / /srv/share rw,relatime shared:20 - nfs4 fs.example:/export rw,vers=4.2
    41 22 0:36 / /mnt/smb\\040drive rw,relatime shared:21 - cifs //nas/share rw
    42 40 8:2 / /srv/share/local rw,relatime shared:22 - xfs /dev/sdb1 rw
""")


@pytest.mark.parametrize(
    ("path", "fstype"),
    [
        ("/srv/share/biosweep/history.sqlite", "nfs4"),
        ("/mnt/smb drive/h.sqlite", "cifs"),
        ("/srv/share/local/h.sqlite", None),  # a local disk mounted inside the share
        ("/var/lib/biosweep/h.sqlite", None),
    ],
)
def test_network_filesystems_are_recognised_from_mountinfo(path: str, fstype: str | None) -> None:
    assert network_filesystem(Path(path), MOUNTINFO) == fstype


def test_the_store_refuses_a_network_filesystem_with_a_clear_message(tmp_path: Path) -> None:
    fake = f"22 1 0:35 / {tmp_path} rw - nfs fs.example:/export rw\n"
    with pytest.raises(NetworkFsError, match=r"network filesystem \(nfs\).*local disk"):
        Store.open(tmp_path / "h.sqlite", mountinfo=fake)
    assert not (tmp_path / "h.sqlite").exists()  # refused before SQLite touched anything


def test_the_real_local_filesystem_is_accepted(tmp_path: Path) -> None:
    assert mount_fstype(tmp_path) is not None  # this machine's mountinfo parses
    assert statfs_type(tmp_path) is not None
    assert network_filesystem(tmp_path / "h.sqlite") is None


# -- case 64 ----------------------------------------------------------------------------------


def _runs_in(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT run_id FROM runs ORDER BY pk")]
    except sqlite3.DatabaseError:
        return []
    finally:
        conn.close()


def test_backup_includes_what_cp_of_the_file_would_miss(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    runs = [make_run(k) for k in range(3)]
    db = Store.open(path)  # stays open: the runs sit in the WAL, not yet in the main file
    try:
        for run in runs:
            db.save_run(run)
        assert (tmp_path / "h.sqlite-wal").stat().st_size > 0
        copied = tmp_path / "copied.sqlite"
        shutil.copyfile(path, copied)  # what the documentation must never suggest
        assert _runs_in(copied) != [r.id for r in runs]
        done = runner.invoke(app, ["history", "backup", str(tmp_path / "b.sqlite"),
                                   "--store", str(path)])  # fmt: skip
        assert done.exit_code == 0, done.output
        assert "verified" in done.output
    finally:
        db.close()
    backup = tmp_path / "b.sqlite"
    assert not (tmp_path / "b.sqlite-wal").exists()  # one self-contained file
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    assert _runs_in(backup) == [r.id for r in runs]
    with Store.open(backup) as restored:
        assert restored.load(runs[-1].id) == runs[-1]


def test_backup_never_overwrites_silently(stored: Path, tmp_path: Path) -> None:
    dest = tmp_path / "b.sqlite"
    dest.write_bytes(b"keep me")
    done = runner.invoke(app, ["history", "backup", str(dest), "--store", str(stored)])
    assert done.exit_code == 2
    assert dest.read_bytes() == b"keep me"


def test_documentation_never_suggests_copying_the_database_files() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### `biosweep history`") :].split("\n### ")[0]
    assert "history backup" in section
    assert "cp " not in section.replace("never `cp ", "").replace("not `cp ", "")
    help_text = runner.invoke(app, ["history", "backup", "--help"]).output
    assert "backup API" in help_text
