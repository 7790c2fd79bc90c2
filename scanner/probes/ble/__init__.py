"""Bluetooth LE: advertisement parsing, two backends behind one interface, privacy, locating.

- :mod:`.adparse` — our own bounded AD parser (tested on bytes);
- :mod:`.model`, :mod:`.table` — sightings and the bounded device table (rotating addresses
  grouped by payload);
- :mod:`.backends` — ``bleak`` (the OS stack) and ``bumble`` (an HCI transport);
- :mod:`.probe` — one timed scan as a source (:class:`BleSource`): observations, Skipped
  entries and notes;
- :mod:`.privacy` — site-scoped hashes and salts (what is withheld once devices are
  identified: :mod:`scanner.identify.privacy`);
- :mod:`.locate` — the walk-test locator's data model;
- :mod:`.doctor` — why BLE scanning can or cannot run on this machine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.lazy import members

if TYPE_CHECKING:
    from scanner.probes.ble.backends import (
        BACKEND_NAMES,
        BleBackend,
        BleUnavailable,
        choose_backend,
    )
    from scanner.probes.ble.privacy import site_salt
    from scanner.probes.ble.probe import BleOptions, BleSource

# Imported when first asked for: the privacy stage of every run reads ``.privacy`` alone, and
# a run that reads a capture never needs the backends (bench/startup.py).
__getattr__ = members(__name__, {
    "BACKEND_NAMES": "backends", "BleBackend": "backends", "BleUnavailable": "backends",
    "choose_backend": "backends", "site_salt": "privacy", "BleOptions": "probe",
    "BleSource": "probe",
})  # fmt: skip


__all__ = [
    "BACKEND_NAMES",
    "BleBackend",
    "BleOptions",
    "BleSource",
    "BleUnavailable",
    "choose_backend",
    "site_salt",
]
