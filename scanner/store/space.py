"""Which place is full when SQLite says "database or disk is full", and the store's errors.

SQLite writes in two places: the database's folder (the database, its ``-wal`` and ``-shm``)
and its temporary directory (statement journals, sorts, large transactions), which the unix
VFS picks as the first writable directory of ``SQLITE_TMPDIR``, ``TMPDIR``, ``/var/tmp``,
``/usr/tmp``, ``/tmp`` and ``.`` (https://www.sqlite.org/tempfiles.html, section 5, and
``unixTempFileDir`` in os_unix.c). "Free some space" helps only if it says where: the error
names the place that is (nearly) full, or both when neither is any more.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from scanner.store.errors import DiskFullError, StoreError

SQLITE_FULL = 13
BUSY_TIMEOUT = 10.0  # seconds a writer waits for another writer's transaction
#: Less free space than this counts as full (SQLite needs a few pages to go on).
NEARLY_FULL = 1 << 20
BUSY_HINT = "history database busy for {seconds:.0f} s while {doing}"


def sqlite_temp_dir() -> Path:
    """The directory SQLite's unix VFS puts its temporary files in."""
    for candidate in (
        os.environ.get("SQLITE_TMPDIR"),
        os.environ.get("TMPDIR"),
        "/var/tmp",  # noqa: S108 - SQLite's own list, read not written
        "/usr/tmp",
        "/tmp",  # noqa: S108
    ):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            return Path(candidate)
    return Path(".")


def _free(path: Path) -> int | None:
    try:
        st = os.statvfs(path)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def full_places(db: Path, folder: str = "the database folder") -> str:
    """Which of ``db``'s folder and SQLite's temporary directory is (nearly) full."""
    places = {folder: db.expanduser().parent, "SQLite's temporary directory": sqlite_temp_dir()}
    full = [f"{what} {path} is full" for what, path in places.items()
            if (free := _free(path)) is not None and free < NEARLY_FULL]  # fmt: skip
    if full:
        return " and ".join(dict.fromkeys(full))
    listed = ", ".join(f"{what} {path}" for what, path in places.items())
    return f"check the free space of {listed}"


def translate(
    exc: BaseException, doing: str, db: Path, folder: str = "the database folder"
) -> StoreError:
    """SQLite and OS errors as store errors; a full disk gets its own, located one (``db``'s
    folder, called ``folder``, or SQLite's temporary directory)."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code == SQLITE_FULL or "full" in str(exc):
            where = full_places(db, folder)
            return DiskFullError(
                f"disk full while {doing} ({where}): the change was rolled back and earlier "
                "history is intact; free space and run again"
            )
        if "locked" in str(exc) or "busy" in str(exc):
            return StoreError(BUSY_HINT.format(seconds=BUSY_TIMEOUT, doing=doing))
        return StoreError(f"history database error while {doing}: {exc}")
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        where = full_places(db, folder)
        return DiskFullError(f"disk full while {doing} ({where}): nothing was changed")
    return StoreError(f"{doing}: {exc}")
