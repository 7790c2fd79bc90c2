"""bumble's user-space Bluetooth host over an HCI transport: raw reports, no OS stack.

bumble (https://github.com/google/bumble) opens a controller from a transport spec
(``bumble/transport/__init__.py`` ``open_transport``; see :mod:`scanner.probes.ble.transport`)
and runs the host itself, so it works where the OS stack is missing: a USB dongle, a serial
controller, or the lab's virtual controller over TCP. ``Device.start_scanning`` sends the
HCI LE (extended) scan commands; each advertising report arrives as an
``HCI_LE_Advertising_Report_Event`` / ``HCI_LE_Extended_Advertising_Report_Event`` report
(Core Specification v5.4, Vol 4, Part E, §7.7.65.2 and §7.7.65.13: event type, address type
0 public / 1 random / 2 public identity / 3 random identity, address, data, RSSI in dBm with
127 "not available"; in extended reports bit 3 of the event type marks a scan response). The
TX power an extended report carries is ignored: controllers fill it inconsistently (bumble's
virtual one always says 0), and the advertiser's own TX Power Level AD is the value we trust.

The raw report data goes to our own parser (:mod:`scanner.probes.ble.adparse`). bumble's
``Device`` would also keep an unbounded per-address accumulator of adverts (a flood of random
addresses grows it without limit, catalogue case 45), so the host's ``advertising_report``
event is re-routed to our handler and bumble's accumulator never sees a report. Our own
address is a fresh static random one per run; passive scanning transmits nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from types import ModuleType
from typing import Any

from scanner.models import SkipReason
from scanner.probes.ble.adparse import parse_ad
from scanner.probes.ble.backends.base import BleBackend, BleUnavailable, OnSighting
from scanner.probes.ble.model import Sighting, address_kind, normal_address
from scanner.probes.ble.transport import check_transport

INSTALL_FIX = "pip install 'biosweep[ble]' (or: pip install bumble)"
NOT_AVAILABLE = 0x7F
SCAN_RSP_LEGACY = 0x04
SCAN_RSP_EXTENDED_BIT = 1 << 3
RANDOM_ADDRESS_TYPES = frozenset({1, 3})
OPEN_TIMEOUT = 10.0


def import_bumble() -> ModuleType:
    """bumble, or BleUnavailable with the install line."""
    try:
        import bumble
    except ImportError as exc:
        raise BleUnavailable(
            SkipReason.MISSING_DEPENDENCY, f"bumble is not installed ({exc})", INSTALL_FIX
        ) from exc
    return bumble


class BumbleBackend(BleBackend):
    """Scans through bumble over ``transport`` (checked: network transports stay local)."""

    name = "bumble"

    def __init__(self, transport: str, open_timeout: float = OPEN_TIMEOUT) -> None:
        self.transport = check_transport(transport)
        self.open_timeout = open_timeout

    def unavailable(self) -> BleUnavailable | None:
        try:
            import_bumble()
        except BleUnavailable as exc:
            return exc
        return None

    async def listen(self, on_sighting: OnSighting, *, active: bool) -> None:
        import_bumble()
        from bumble.device import Device
        from bumble.hci import Address

        transport = await self.open()
        async with transport:
            device = Device.with_hci(
                "biosweep", Address.generate_static_address(), transport.source, transport.sink
            )
            host = device.host
            host.remove_listener("advertising_report", device.on_advertising_report)
            host.on("advertising_report", lambda report: _deliver(report, on_sighting))
            try:
                async with asyncio.timeout(self.open_timeout):
                    await device.power_on()
                    await device.start_scanning(active=active, filter_duplicates=False)
            except TimeoutError as exc:
                raise self._unavailable("the controller did not answer HCI reset/scan") from exc
            try:
                await asyncio.Event().wait()
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(device.stop_scanning(), 2.0)

    async def open(self) -> Any:
        """The opened HCI transport (an async context manager with source and sink)."""
        from bumble.transport import open_transport

        try:
            async with asyncio.timeout(self.open_timeout):
                return await open_transport(self.transport)
        except TimeoutError as exc:
            raise self._unavailable("timed out opening it") from exc
        except Exception as exc:  # bumble raises OSError, ValueError, its own errors, usb1's
            raise self._unavailable(f"{type(exc).__name__}: {exc}") from exc

    def _unavailable(self, why: str) -> BleUnavailable:
        return BleUnavailable(
            SkipReason.NO_ADAPTER,
            f"HCI transport {self.transport!r} unusable ({why})",
            "check the controller is attached and the spec is right (usb:0, serial:/dev/ttyUSB0, "
            "tcp-client:127.0.0.1:PORT from `biosweep ble lab`)",
        )


def _deliver(report: Any, on_sighting: OnSighting) -> None:
    """One HCI report to the callback; a report we cannot read is dropped, never raised into
    bumble's event loop."""
    try:
        found = report_sighting(report)
    except (AttributeError, TypeError, ValueError):
        return
    on_sighting(found)


def report_sighting(report: Any) -> Sighting:
    """An HCI (extended) advertising report as a Sighting."""
    address = normal_address(report.address.to_string(False))
    event_type = int(report.event_type)
    if hasattr(report, "tx_power"):  # extended report; its TX power is not used (below)
        scan_response = bool(event_type & SCAN_RSP_EXTENDED_BIT)
    else:
        scan_response = event_type == SCAN_RSP_LEGACY
    rssi = int(report.rssi)
    advert = parse_ad(bytes(report.data))
    return Sighting(
        address=address,
        kind=address_kind(address, int(report.address_type) in RANDOM_ADDRESS_TYPES),
        advert=advert,
        rssi=None if rssi == NOT_AVAILABLE else rssi,
        at=time.monotonic(),
        scan_response=scan_response,
    )
