"""The history store: every ScanRun with its devices, observations, findings and skipped
probes, in one SQLite file (WAL, ``BEGIN IMMEDIATE`` writes, migrations, recovery of
interrupted runs, retention with secure delete, online backup), plus the site lock. What
changed between two runs is compare's (:mod:`scanner.compare.diff`). Details:
:mod:`scanner.store.db`."""

from scanner.store.codec import RunInfo
from scanner.store.db import Purged, RunHandle, Snapshot, Store
from scanner.store.errors import DiskFullError, LockedError, NetworkFsError, StoreError
from scanner.store.lock import lock_path, site_lock
from scanner.store.paths import default_store_path, network_filesystem

__all__ = [
    "DiskFullError",
    "LockedError",
    "NetworkFsError",
    "Purged",
    "RunHandle",
    "RunInfo",
    "Snapshot",
    "Store",
    "StoreError",
    "default_store_path",
    "lock_path",
    "network_filesystem",
    "site_lock",
]
