"""BLE backends, registered by name: ``bleak`` (the OS stack) and ``bumble`` (HCI transport)."""

from __future__ import annotations

from collections.abc import Callable

from scanner.errors import InputError
from scanner.models import SkipReason
from scanner.probes.ble.backends.base import BleBackend, BleUnavailable, OnSighting
from scanner.probes.ble.backends.bleak_stack import BleakBackend
from scanner.probes.ble.backends.bumble_stack import BumbleBackend

#: ``--ble-backend`` values (``auto`` picks one: see :func:`choose_backend`).
BACKEND_NAMES = ("auto", "bleak", "bumble")
TRANSPORT_FIX = (
    "use bumble: --ble-backend bumble --ble-transport usb:0 (a USB dongle) or "
    "tcp-client:127.0.0.1:PORT (`biosweep ble lab`)"
)


def choose_backend(
    name: str,
    transport: str | None,
    kernel_ok: bool = False,
    release: Callable[[], str] | None = None,
) -> BleBackend:
    """The backend for ``--ble-backend NAME [--ble-transport SPEC] [--ble-kernel-ok]``
    (``release``: the kernel check's seam, see :class:`BleakBackend`).

    ``auto``: bumble when a transport is given (the operator named a controller), else bleak;
    when bleak cannot run here either, the BleUnavailable names both ways out. Raises
    InputError for a bad combination, BleUnavailable when nothing can scan.
    """
    if name not in BACKEND_NAMES:
        raise InputError(f"--ble-backend: {name[:20]!r} is not one of {', '.join(BACKEND_NAMES)}")
    if name == "bleak" and transport:
        raise InputError("--ble-transport is for the bumble backend (bleak uses the OS stack)")
    if name == "bumble" or (name == "auto" and transport):
        if not transport:
            raise BleUnavailable(
                SkipReason.DISABLED, "the bumble backend needs an HCI transport", TRANSPORT_FIX
            )
        return BumbleBackend(transport)
    bleak = BleakBackend(kernel_ok=kernel_ok, release=release)
    problem = bleak.unavailable()
    if problem is not None and name == "auto":
        raise BleUnavailable(
            problem.reason,
            f"no BLE backend usable: OS stack (bleak): {problem.detail}; "
            "bumble: no --ble-transport",
            f"{problem.fix}; or {TRANSPORT_FIX}",
        )
    return bleak


__all__ = [
    "BACKEND_NAMES",
    "BleBackend",
    "BleUnavailable",
    "BleakBackend",
    "BumbleBackend",
    "OnSighting",
    "choose_backend",
]
