"""The store backend seam: one small database interface, SQLite (embedded, the default) and
PostgreSQL (the fleet console) behind it, sharing one schema and migration list.

``--store`` takes a URL: ``sqlite:///PATH`` (or a plain path) or ``postgresql://…``. Callers
talk SQL through :class:`Tx` with ``?`` placeholders and the portable subset both databases
speak (``INSERT … RETURNING``, ``ON CONFLICT … DO UPDATE``, ``LIMIT``/``OFFSET``); the
PostgreSQL backend rewrites placeholders and carries device text PostgreSQL cannot hold (NUL,
lone surrogates) in a reversible form (:mod:`scanner.store.pg`).

A SQLite database is opened through :class:`~scanner.store.db.Store` first, so its checks
(network filesystems, whose file it is, migrations with a backup first) apply unchanged; the
console then holds one connection of its own, serialised by a lock (SQLite allows one writer;
WAL lets the sweeps' own readers and writers work beside it).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from scanner.store.db import BUSY_TIMEOUT, Store
from scanner.store.errors import StoreError

Row = tuple[Any, ...]


class Result(Protocol):
    """What ``execute`` returns: rows and the number of rows changed."""

    @property
    def rowcount(self) -> int: ...

    def fetchall(self) -> list[Row]: ...

    def fetchone(self) -> Row | None: ...


class Tx(Protocol):
    """One transaction: statements with ``?`` placeholders."""

    def execute(self, sql: str, args: Sequence[object] = ()) -> Result: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None: ...

    def copy_rows(self, table: str, rows: Sequence[Sequence[object]]) -> None: ...

    def upsert(
        self, table: str, columns: str, key: str, rows: Sequence[Sequence[object]], tail: str
    ) -> None:
        """``INSERT INTO table (columns) … ON CONFLICT (key) tail`` for every row (``tail``
        may use ``excluded.``); the rows' ``key`` values must be unique."""


class Database(ABC):
    """An open store, SQLite or PostgreSQL."""

    dialect: str
    where: str  # for messages: the file, or the PostgreSQL host/database (never a password)

    @abstractmethod
    def write(self, doing: str) -> contextlib.AbstractContextManager[Tx]:
        """A write transaction; any failure rolls it back and raises StoreError."""

    @abstractmethod
    def read(self) -> contextlib.AbstractContextManager[Tx]:
        """A read transaction: one consistent snapshot."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class _SqliteTx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._c = conn

    def execute(self, sql: str, args: Sequence[object] = ()) -> Result:
        return self._c.execute(sql, tuple(args))

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self._c.executemany(sql, rows)

    def copy_rows(self, table: str, rows: Sequence[Sequence[object]]) -> None:
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            self._c.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608

    def upsert(
        self, table: str, columns: str, key: str, rows: Sequence[Sequence[object]], tail: str
    ) -> None:
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT ({key}) {tail}"  # noqa: S608
            self._c.executemany(sql, rows)


class SqliteDatabase(Database):
    """A biosweep SQLite history (checked and migrated by :meth:`Store.open`)."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        Store.open(path).close()  # identity, network filesystem, migrations, recovery
        self.path = path
        self.where = str(path)
        self._lock = threading.RLock()
        try:
            self._conn = sqlite3.connect(
                str(path), timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
            )
            for pragma in ("synchronous = FULL", "foreign_keys = ON", "secure_delete = ON"):
                self._conn.execute(f"PRAGMA {pragma}")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {path}: {exc}") from None

    @contextlib.contextmanager
    def _tx(self, begin: str, doing: str) -> Iterator[Tx]:
        with self._lock:
            c = self._conn
            try:
                c.execute(begin)
            except sqlite3.Error as exc:
                raise StoreError(f"history database error while {doing}: {exc}") from None
            try:
                yield _SqliteTx(c)
                c.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    c.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"history database error while {doing}: {exc}") from None
                raise

    def write(self, doing: str) -> contextlib.AbstractContextManager[Tx]:
        return self._tx("BEGIN IMMEDIATE", doing)

    def read(self) -> contextlib.AbstractContextManager[Tx]:
        return self._tx("BEGIN", "reading")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///PATH`` URL or a plain path; None for another scheme."""
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///") :]).expanduser()  # sqlite:////abs or sqlite:///rel
    if "://" in url:
        return None
    return Path(url).expanduser()


def open_database(url: str) -> Database:
    """The store named by ``url`` (``sqlite:///PATH``, a path, or ``postgresql://…``),
    migrated to the current schema."""
    if url.startswith(("postgresql://", "postgres://")):
        from scanner.store.pg import PgDatabase

        return PgDatabase.open(url)
    path = sqlite_path(url)
    if path is None:
        raise StoreError(
            f"unknown store {url.split('://', maxsplit=1)[0]!r}://: use sqlite:///PATH or postgresql://…"
        )
    return SqliteDatabase(path)
