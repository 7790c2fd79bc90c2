"""Writing output files: atomically (:func:`scanner.atomic.write_atomic`: temp file in the same
folder, fsync, rename) and never over an existing file unless the user said ``--force``.

Nothing lost: every command checks each destination with :func:`check_destination` before it
starts work (before the first packet of a sweep), so a typo in a folder name costs nothing;
and when a write still fails afterwards (the disk filled, the folder vanished),
:func:`write_or_rescue` puts the data in a rescue file and says where, so a finished sweep or
report is never thrown away.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from scanner.atomic import write_atomic
from scanner.errors import InputError


def check_destination(path: Path, *, force: bool = False) -> None:
    """Raise InputError (one plain sentence, exit 2) unless ``path`` can be written now: it
    does not exist (or ``force``), is not a folder, and its folder exists and is writable."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"{path} is a folder: name a file to write")
    if path.exists() and not force:
        raise InputError(f"{path} exists: choose another name or pass --force")
    if not folder.exists():
        raise InputError(f"{path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise InputError(f"{path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{path}: you cannot write in the folder {folder}")


def rescue_folders() -> list[Path]:
    """Where a rescue file may go, in order: the working folder, home, the temp folder."""
    return [Path.cwd(), Path.home(), Path(tempfile.gettempdir())]


def rescue(name: str, write: Callable[[Path], object]) -> Path | None:
    """Have ``write`` put the data in a new file ``biosweep-rescue-STAMP-PID-NAME`` in the
    first rescue folder that takes it; None when none does."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for folder in rescue_folders():
        target = folder / f"biosweep-rescue-{stamp}-{os.getpid()}-{name}"
        try:
            write(target)
        except (OSError, InputError):
            continue
        return target
    return None


def deliver(path: Path, write: Callable[[Path], object]) -> str | None:
    """``write(path)``; if that fails, ``write`` a rescue file instead. None when ``path`` was
    written, else one sentence saying what failed and where the data is."""
    try:
        write(path)
        return None
    except (OSError, InputError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    saved = rescue(path.name or "output", write)
    where = f"it was saved to {saved} instead" if saved else "no rescue file could be written"
    return f"could not write {path} ({why}); {where}"


def write_or_rescue(path: Path, data: bytes, *, force: bool = False) -> str | None:
    """:func:`write_atomic` ``data`` to ``path``, or to a rescue file (see :func:`deliver`)."""
    return deliver(path, lambda target: write_atomic(target, data, force=force and target == path))
