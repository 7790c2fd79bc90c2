"""The one atomic writer (:mod:`scanner.atomic`): what it refuses and the modes it creates.

Crash safety (ENOSPC and SIGKILL mid-write, stale temps cleaned) is proved where the users
meet it: ``tests/reporters/test_report_cli.py`` and ``tests/store/test_files.py``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from scanner.atomic import write_atomic
from scanner.errors import InputError


def test_bytes_or_chunks_and_never_over_a_file_without_force(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    assert write_atomic(target, b"one") == 3
    with pytest.raises(InputError, match="exists: choose another name or pass --force"):
        write_atomic(target, b"two")
    assert write_atomic(target, iter([b"tw", b"o!"]), force=True) == 4
    assert target.read_bytes() == b"two!"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"the folder .*gone does not exist"):
        write_atomic(tmp_path / "gone" / "out.txt", b"x")


def test_private_files_are_0600_and_documents_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "unit.service", b"x")
        write_atomic(tmp_path / "report.html", b"x", private=False)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "unit.service").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "report.html").stat().st_mode) == 0o644
