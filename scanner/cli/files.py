"""Writing output files: atomically (temp file in the same folder, fsync, rename) and never
over an existing file unless the user said ``--force``."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from scanner.errors import InputError


def write_atomic(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one, never half."""
    if path.exists() and not force:
        raise InputError(f"{path} exists: choose another name or pass --force")
    if not (path.parent or Path(".")).is_dir():
        raise InputError(f"{path}: the directory {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
