"""The OS Bluetooth stack through bleak: BlueZ (Linux, over D-Bus), CoreBluetooth, WinRT.

bleak (https://github.com/hbldh/bleak, ``bleak/__init__.py`` ``BleakScanner``) hands every
advertisement to a ``detection_callback(device, advertisement_data)`` already decoded: a
``BLEDevice`` (``address``; ``details`` holds BlueZ's D-Bus ``props`` with ``AddressType``
``public``/``random`` and ``Appearance``) and an ``AdvertisementData`` named tuple
(``local_name``, ``manufacturer_data`` {company id: bytes}, ``service_data`` {uuid: bytes},
``service_uuids``, ``tx_power``, ``rssi``). It gives no raw AD bytes, so the fields pass
through :func:`~scanner.probes.ble.adparse.advert_from_fields` with the parser's caps.
Passive scanning on BlueZ needs advertisement-monitor ``or_patterns`` (bleak
``args/bluez.py``); we match every Flags value, so passive BlueZ scans miss advertisers that
send no Flags structure.

bleak is imported lazily, here only, and its exceptions become :class:`BleUnavailable` with
the fix. The availability check reads only the file system (D-Bus socket, adapters in sysfs):
it never starts a scan.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from scanner.models import SkipReason
from scanner.probes.ble import kernel
from scanner.probes.ble.adparse import advert_from_fields
from scanner.probes.ble.backends.base import BleBackend, BleUnavailable, OnSighting
from scanner.probes.ble.model import Sighting, address_kind, normal_address

INSTALL_FIX = "pip install 'biosweep[ble]' (or: pip install bleak)"
DBUS_SOCKET = Path("/run/dbus/system_bus_socket")
SYSFS_BLUETOOTH = Path("/sys/class/bluetooth")


def import_bleak() -> ModuleType:
    """bleak, or BleUnavailable with the install line."""
    try:
        import bleak
    except ImportError as exc:
        raise BleUnavailable(
            SkipReason.MISSING_DEPENDENCY, f"bleak is not installed ({exc})", INSTALL_FIX
        ) from exc
    return bleak


def dbus_socket() -> Path:
    """The D-Bus system bus socket bleak (dbus-fast) connects to on Linux."""
    address = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS", "")
    for part in address.split(";"):
        if part.startswith("unix:path="):
            return Path(part.removeprefix("unix:path=").split(",")[0])
    return DBUS_SOCKET


def linux_stack_problem(
    socket: Path | None = None, sysfs: Path = SYSFS_BLUETOOTH
) -> BleUnavailable | None:
    """Why BlueZ cannot scan on this Linux machine, read from the file system only."""
    socket = socket or dbus_socket()
    if not socket.exists():
        return BleUnavailable(
            SkipReason.NO_ADAPTER,
            f"the OS Bluetooth stack (BlueZ) is unreachable: no D-Bus system bus at {socket}",
            "run where BlueZ runs (apt install bluez; systemctl start dbus bluetooth)",
        )
    adapters = sorted(p.name for p in sysfs.glob("hci*")) if sysfs.is_dir() else []
    if not adapters:
        return BleUnavailable(
            SkipReason.NO_ADAPTER,
            f"no Bluetooth adapter: {sysfs} lists none",
            "plug in or enable an adapter (rfkill unblock bluetooth); in a container or VM, "
            "pass the host's adapter through",
        )
    return None


class BleakBackend(BleBackend):
    """Scans with the OS stack. ``scanner_class`` replaces ``bleak.BleakScanner`` (tests);
    ``release`` and ``platform`` are the kernel check's seams (:mod:`..kernel`), and
    ``kernel_ok`` the operator's word that the kernel is patched (``--ble-kernel-ok``)."""

    name = "bleak"

    def __init__(
        self,
        scanner_class: Any = None,
        *,
        kernel_ok: bool = False,
        release: Callable[[], str] | None = None,
        platform: str | None = None,
    ) -> None:
        self.scanner_class = scanner_class
        self.kernel_ok = kernel_ok
        self.release = release or kernel.kernel_release
        self.platform = platform or sys.platform

    def unavailable(self) -> BleUnavailable | None:
        linux = self.platform.startswith("linux")
        if self.scanner_class is None:
            try:
                import_bleak()
            except BleUnavailable as exc:
                return exc
            if linux and (problem := linux_stack_problem()) is not None:
                return problem
        return self.kernel_refusal() if linux else None

    def kernel_refusal(self) -> BleUnavailable | None:
        """BlueZ on a kernel with CVE-2020-24490 is refused unless the operator vouches."""
        why = None if self.kernel_ok else kernel.problem(self.release())
        return BleUnavailable(SkipReason.DISABLED, why, kernel.OVERRIDE_FIX) if why else None

    async def listen(self, on_sighting: OnSighting, *, active: bool) -> None:
        scanner_class = self.scanner_class or import_bleak().BleakScanner

        def detected(device: Any, adv: Any) -> None:
            on_sighting(sighting(device, adv))

        scanner = scanner_class(detection_callback=detected, **scan_args(active))
        try:
            await scanner.start()
        except Exception as exc:  # any stack failure: classified below, never a crash
            raise translate(exc) from exc
        try:
            await asyncio.Event().wait()
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(scanner.stop(), 5.0)


def scan_args(active: bool) -> dict[str, Any]:
    """``BleakScanner`` keyword arguments for the scanning mode on this platform."""
    if active:
        return {"scanning_mode": "active"}
    args: dict[str, Any] = {"scanning_mode": "passive"}
    if sys.platform.startswith("linux"):
        flags_type = 0x01  # AD type Flags (Assigned Numbers §2.3)
        args["bluez"] = {"or_patterns": [(0, flags_type, bytes([v])) for v in range(0x20)]}
    return args


def sighting(device: Any, adv: Any) -> Sighting:
    """A bleak ``(BLEDevice, AdvertisementData)`` pair as a Sighting."""
    props = _props(device)
    address = normal_address(str(getattr(device, "address", "")))
    kind_text = props.get("AddressType")
    random = None if kind_text not in ("public", "random") else kind_text == "random"
    advert = advert_from_fields(
        local_name=_text(getattr(adv, "local_name", None)),
        manufacturer=_mapping(getattr(adv, "manufacturer_data", None)),
        service_uuids=[str(u) for u in list(getattr(adv, "service_uuids", None) or [])[:64]],
        service_data=_mapping(getattr(adv, "service_data", None)),
        tx_power=_int(getattr(adv, "tx_power", None)),
        appearance=_int(props.get("Appearance")),
    )
    rssi = _int(getattr(adv, "rssi", None))
    return Sighting(
        address=address,
        kind=address_kind(address, random),
        advert=advert,
        rssi=rssi if rssi is not None and -127 < rssi < 21 else None,
        at=time.monotonic(),
    )


def _props(device: Any) -> dict[str, Any]:
    details = getattr(device, "details", None)
    props = details.get("props") if isinstance(details, dict) else None
    return props if isinstance(props, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _mapping(value: object) -> Any:
    if not isinstance(value, dict):
        return {}
    return {k: bytes(v) for k, v in list(value.items())[:64] if isinstance(v, bytes | bytearray)}


def translate(exc: BaseException) -> BleUnavailable:
    """A bleak/D-Bus/OS exception as the reason and fix an officer can act on."""
    text = str(exc) or type(exc).__name__
    low = text.lower()
    if isinstance(exc, FileNotFoundError | ConnectionRefusedError):
        return BleUnavailable(
            SkipReason.NO_ADAPTER,
            f"the OS Bluetooth stack is unreachable ({type(exc).__name__}: {text})",
            "start D-Bus and BlueZ (systemctl start dbus bluetooth)",
        )
    if isinstance(exc, PermissionError) or any(
        w in low for w in ("notpermitted", "not permitted", "denied")
    ):
        return BleUnavailable(
            SkipReason.NEEDS_ROOT,
            f"the OS refused Bluetooth access ({text})",
            "allow this user Bluetooth access (the bluetooth group, or the OS privacy settings)",
        )
    if "no bluetooth adapter" in low or "no_bluetooth" in low or "not found" in low:
        return BleUnavailable(
            SkipReason.NO_ADAPTER, f"no Bluetooth adapter ({text})", "plug in or enable an adapter"
        )
    if "powered" in low or "notready" in low or "turned off" in low:
        return BleUnavailable(
            SkipReason.NO_ADAPTER, f"the Bluetooth adapter is off ({text})", "turn Bluetooth on"
        )
    return BleUnavailable(
        SkipReason.ERROR, f"the OS Bluetooth stack failed ({text})", "see `biosweep doctor`"
    )
