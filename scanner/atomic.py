"""The one atomic file writer: reports, exports, templates, units and tables all go through it.

Nothing lost: the data goes to a temp file beside the target (``.NAME.PID.RANDOM.tmp``), is
fsynced and renamed over the target, so a crash, a kill or a full disk leaves the old file or
the new one, never half of either. It never replaces an existing file unless told to
(``force``). Temp files left by writers that died are removed the next time the same target
is written (:func:`clean_stale_temps`). It takes bytes or an iterable of chunks, so a large
report is streamed without building it in memory.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from scanner.errors import InputError


def temp_beside(path: Path) -> Path:
    """A new temp file name beside ``path`` that :func:`clean_stale_temps` recognises (for a
    writer that cannot hand over bytes: the store's SQLite backup)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_temps(path: Path) -> list[Path]:
    """Remove temp files of ``path`` left by writers that no longer run."""
    removed = []
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        pid = tmp.name[len(path.name) + 2 :].split(".")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed.append(tmp)
    return removed


def write_atomic(
    path: Path, data: bytes | Iterable[bytes], *, force: bool = False, private: bool = True
) -> int:
    """Write ``data`` (bytes, or chunks) to ``path`` atomically; the number of bytes written.

    ``private`` files are created 0600 (rescue files, templates, units: whatever the user has
    not chosen to share); otherwise the umask decides, as for any document (reports).
    Raises InputError when ``path`` exists (without ``force``) or its folder does not, and
    OSError when the disk refuses; the temp file is gone either way.
    """
    if path.exists() and not force:
        raise InputError(f"{path} exists: choose another name or pass --force")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{path}: the folder {folder} does not exist")
    clean_stale_temps(path)
    tmp = temp_beside(path)
    chunks = [data] if isinstance(data, bytes) else data
    size = 0
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o666)
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
                size += len(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return size
