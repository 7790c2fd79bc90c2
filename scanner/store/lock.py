"""The site lock: at most one run per site at a time (SAFETY-CATALOGUE case 57).

A non-blocking ``flock(2)`` on a lock file: the kernel drops it when the holder exits, even
by SIGKILL, so a crash never leaves a stale lock. A second run either fails at once with
:class:`LockedError` (the CLI exits with its own status) or, when asked to, waits up to a
deadline, polling. The holder writes its pid into the file for the error message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from scanner.store.errors import LockedError, StoreError

POLL = 0.2  # seconds between tries while waiting for the lock


def lock_path(store: Path, site: str | None) -> Path:
    """The lock file of ``site`` beside the history database ``store``."""
    slug = re.sub(r"[^a-z0-9]+", "-", (site or "default").lower()).strip("-")[:60] or "site"
    return store.expanduser().parent / f"biosweep-{slug}.lock"


def _holder(fd: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(os.pread(fd, 32, 0).decode("ascii").strip() or "0") or None
    return None


@contextlib.contextmanager
def site_lock(path: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the lock at ``path`` for the ``with`` block; ``wait`` seconds to queue (0: none)."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise StoreError(f"cannot open the site lock {path}: {exc.strerror or exc}") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(fd)
                    who = f" (pid {holder})" if holder else ""
                    raise LockedError(
                        f"another biosweep run for this site is in progress{who}; lock {path}",
                        holder,
                    ) from None
                time.sleep(POLL)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock
