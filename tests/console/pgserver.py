"""A throwaway PostgreSQL server for the tests: Debian's postgresql binaries, a fresh cluster
in a temporary folder, listening only on a Unix socket in that folder (no TCP at all).

PostgreSQL refuses to run as root; as root the cluster is made and run as the ``postgres``
system user (``runuser``). Where there is no PostgreSQL the fixture skips and says why
(``make system-tools`` installs it).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

BINDIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _bindir() -> Path | None:
    for d in BINDIRS:
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    return None


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@contextlib.contextmanager
def postgres_server(durable: bool = False) -> Iterator[str]:
    """Yields a ``postgresql://`` URL of a new, empty database; stops the server after.
    Tests run without fsync (nothing to keep); ``durable`` (the benchmarks) keeps it."""
    bindir = _bindir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (make system-tools installs postgresql)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a postgres user to run PostgreSQL as")
    base = Path(tempfile.mkdtemp(prefix="biosweep-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    base.chmod(0o755)
    run = {"check": True, "capture_output": True, "timeout": 120}
    try:
        subprocess.run(_as_owner([str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                                  "-U", "biosweep", "-E", "UTF8", "--no-locale"]), **run)  # fmt: skip
        opts = f"-c listen_addresses='' -k {sock}"
        if not durable:
            opts += " -c fsync=off -c full_page_writes=off"
        subprocess.run(_as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts,
                                  "-l", str(base / "log"), "-w", "-t", "60", "start"]), **run)  # fmt: skip
        try:
            yield f"postgresql://biosweep@/postgres?host={sock}"
        finally:
            subprocess.run(_as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                      "-w", "stop"]), check=False, capture_output=True, timeout=60)  # fmt: skip
    finally:
        shutil.rmtree(base, ignore_errors=True)


def fresh_database(url: str, name: str) -> str:
    """A new empty database on the server of ``url``; its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.replace("/postgres?", f"/{name}?")
