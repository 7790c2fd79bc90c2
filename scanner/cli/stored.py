"""The history and the configuration, as every command that sweeps or reads runs opens them
(``sweep --store``, ``watch``, ``schedule``, ``history``): kept apart from the history
command itself, so a sweep does not import the report formats at start-up."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from scanner.cli.console import EXIT_RUNTIME, EXIT_USAGE, fail
from scanner.config import Config, ConfigError, load_config
from scanner.models import ScanRun
from scanner.normalize import clean_text
from scanner.scan import SweepOptions
from scanner.store import DiskFullError, Store, StoreError, default_store_path, lock_path, site_lock

#: Exit status of ``watch`` and ``sweep --store`` when another run of the site holds the lock.
EXIT_LOCKED = 4
STORE_HELP = "History database (default: biosweep.toml store.path, else the user's data dir)."
CONFIG_HELP = "Configuration file (default: ./biosweep.toml, ~/.config/biosweep/, /etc/biosweep/)."


def config_or_fail(path: Path | None) -> Config:
    """The configuration; every problem of a bad one is printed, one per line (exit 2)."""
    try:
        return load_config(path)
    except ConfigError as exc:
        for problem in exc.problems[:-1]:
            sys.stderr.write(f"biosweep: error: {clean_text(problem, 500)}\n")
        raise fail(exc.problems[-1] if exc.problems else str(exc), EXIT_USAGE) from None


def store_path(flag: Path | None, cfg: Config) -> Path:
    """``--store``, else the configuration's ``store.path``, else the default."""
    return flag or cfg.store or default_store_path()


def open_store(flag: Path | None, cfg: Config) -> Store:
    """Open the history for a command; a refusal or failure is a one-line error."""
    path = store_path(flag, cfg)
    try:
        return Store.open(path)
    except DiskFullError as exc:
        raise fail(str(exc), EXIT_RUNTIME) from None
    except StoreError as exc:
        raise fail(str(exc), EXIT_RUNTIME) from None


def stored_run(
    path: Path, opts: SweepOptions, scope: tuple[str, ...], sweep: Callable[[], ScanRun]
) -> ScanRun:
    """Run ``sweep`` under the site lock and save its run in the history at ``path``
    (``biosweep sweep --store``): recorded as running first, saved in one transaction after.
    Raises LockedError when another run of the site holds the lock."""
    with site_lock(lock_path(path, opts.site)), Store.open(path) as db:
        handle = db.begin_run(opts.site, opts.operator, scope)
        try:
            run = sweep()
            db.finish_run(handle, run)
        except BaseException as exc:
            db.abandon(handle, f"{type(exc).__name__}: {str(exc)[:200]}")
            raise
    return run
