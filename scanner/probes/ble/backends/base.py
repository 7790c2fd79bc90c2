"""The BLE backend family: one small ABC; a backend listens and reports sightings.

A backend owns one Bluetooth stack (the OS's through bleak, or bumble's own over an HCI
transport). It is asked, without touching the radio, whether it can run here
(:meth:`BleBackend.unavailable`), then to :meth:`BleBackend.listen` until cancelled. Failures
are :class:`BleUnavailable` (with the reason enum and a one-line fix) so the sweep can record
a Skipped entry and go on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar

from scanner.models import Skipped, SkipReason
from scanner.probes.ble.model import Sighting
from scanner.probes.oserrors import SourceUnavailable

OnSighting = Callable[[Sighting], object]


class BleUnavailable(SourceUnavailable):
    """BLE scanning cannot run here: why (``reason``, ``detail``) and what would fix it."""

    def __init__(self, reason: SkipReason, detail: str, fix: str) -> None:
        super().__init__(reason, f"{detail}; fix: {fix}")
        self.detail = detail
        self.fix = fix

    def skipped(self, probe: str = "ble", then: str = "") -> Skipped:
        return Skipped(probe, self.reason, f"{self.detail}; fix: {self.fix}")


class BleBackend(ABC):
    """One Bluetooth stack that can scan for advertisements."""

    name: ClassVar[str]

    @abstractmethod
    def unavailable(self) -> BleUnavailable | None:
        """Why this backend cannot run here, found without using the radio (None: it may)."""

    @abstractmethod
    async def listen(self, on_sighting: OnSighting, *, active: bool) -> None:
        """Scan until cancelled, calling ``on_sighting`` for every advertising report.

        ``active`` asks for scan responses (the stack sends a scan request to each
        advertiser); passive scanning transmits nothing. Raises :class:`BleUnavailable` when
        the stack cannot start."""
