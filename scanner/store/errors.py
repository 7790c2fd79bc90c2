"""Errors of the history store (under :class:`~scanner.errors.BiosweepError`).

::

    StoreError            the history database cannot be opened, read or written
    ├── DiskFullError     a write hit ENOSPC / SQLITE_FULL and was rolled back
    ├── NetworkFsError    the database sits on a network filesystem (NFS, SMB, …)
    └── LockedError       another run of the same site holds the site lock
"""

from __future__ import annotations

from scanner.errors import BiosweepError


class StoreError(BiosweepError):
    """The history database cannot be opened, read or written; the message says why."""


class DiskFullError(StoreError):
    """A write ran out of space; the transaction was rolled back and history is intact."""


class NetworkFsError(StoreError):
    """The database path is on a network filesystem, where SQLite's WAL locking is unsafe."""


class LockedError(StoreError):
    """Another biosweep run for the same site holds the site lock (``holder`` is its pid)."""

    def __init__(self, message: str, holder: int | None = None) -> None:
        super().__init__(message)
        self.holder = holder
