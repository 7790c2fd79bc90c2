"""The walk-test locator's data model: one target's RSSI, smoothed, with a trend.

The officer walks with the laptop; the display says whether the target's signal is getting
stronger ("warmer") or weaker ("colder"). RSSI from one advert fluctuates by several dB
(multipath, body shadowing), so the model smooths it with an exponential moving average and
calls a trend only when the smoothed value moved more than ``threshold`` dB over the last
``window`` seconds. The rough distance uses the free-space path loss at 2.4 GHz (Friis:
20·log10(4π·d/λ) ≈ 40 dB at 1 m, +20 dB per decade) from the advertiser's own TX Power Level
AD; walls make real distances shorter than it says, which is why the display calls it rough.

Everything here is pure (sightings and a clock in, :class:`LocateView` out) so the display is
tested without a terminal; :func:`follow` runs a backend and hands views to a callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from scanner.errors import InputError
from scanner.normalize import clean_text
from scanner.probes.ble.backends import BleBackend
from scanner.probes.ble.model import Sighting, normal_address
from scanner.probes.ble.privacy import HASH_PREFIX, hashed_id
from scanner.probes.ble.table import DeviceTable

#: Smoothed RSSI mapped onto the warmth bar: -100 dBm (cold, empty) … -30 dBm (at it, full).
COLD_DBM, HOT_DBM = -100.0, -30.0
#: Free-space path loss at 1 m for 2.44 GHz, in dB (Friis).
PATH_LOSS_1M = 40.0


class Trend(StrEnum):
    WAITING = "waiting"  # not enough history yet
    WARMER = "warmer"
    COLDER = "colder"
    STEADY = "steady"
    LOST = "lost"  # nothing heard for a while


@dataclass(frozen=True, slots=True)
class Target:
    """What to follow: an address, a hashed id from a report (``ble:h-…``) or a name part."""

    address: str | None = None
    hashed: str | None = None
    name: str | None = None

    @classmethod
    def parse(cls, text: str) -> Target:
        value = text.strip().removeprefix("ble:")
        if value.startswith(HASH_PREFIX) and len(value) == len(HASH_PREFIX) + 16:
            return cls(hashed=value.lower())
        if value.startswith("name:") or not _looks_like_address(value):
            name = clean_text(value.removeprefix("name:"), 64).lower()
            if not name:
                raise InputError("ble locate: give an address, a ble:h-… id or a name")
            return cls(name=name)
        return cls(address=normal_address(value))

    def describe(self) -> str:
        return self.address or (f"ble:{self.hashed}" if self.hashed else f"name ~ {self.name!r}")


def _looks_like_address(value: str) -> bool:
    mac_form = len(value) == 17 and value.count(":") == 5
    uuid_form = len(value) == 36 and value.count("-") == 4  # CoreBluetooth's identifiers
    return mac_form or uuid_form


@dataclass(frozen=True, slots=True)
class LocateView:
    """What the display shows at one moment."""

    target: str
    found: bool
    label: str | None
    address: str | None
    samples: int
    rssi: int | None
    smoothed: float | None
    best: float | None
    trend: Trend
    delta: float
    warmth: float
    tx_power: int | None
    distance_m: float | None
    age: float | None


class Locator:
    """Feeds on sightings, follows the one device that matches the target (also across
    address rotation, through the device table's grouping) and summarises its signal."""

    def __init__(
        self,
        target: Target,
        salt: bytes = b"",
        *,
        alpha: float = 0.3,
        window: float = 2.0,
        threshold: float = 3.0,
        lost_after: float = 5.0,
    ) -> None:
        self.target, self.salt = target, salt
        self.alpha, self.window, self.threshold, self.lost_after = (
            alpha,
            window,
            threshold,
            lost_after,
        )
        self.table = DeviceTable(cap=1000)
        self.key: str | None = None
        self.samples = 0
        self.rssi: int | None = None
        self.smoothed: float | None = None
        self.best: float | None = None
        self.last_at: float | None = None
        self.history: deque[tuple[float, float]] = deque(maxlen=2048)
        self.label: str | None = None
        self.address: str | None = None
        self.tx_power: int | None = None

    def _matches(self, s: Sighting, key: str, name: str | None) -> bool:
        if self.key is not None:
            return key == self.key
        t = self.target
        if t.address:
            return s.address == t.address
        if t.hashed:
            return hashed_id(self.salt, key) == t.hashed
        return bool(t.name and name and t.name in name.lower())

    def feed(self, s: Sighting) -> bool:
        """Take one sighting; True when it was the target's (and had an RSSI)."""
        device = self.table.add(s)
        if not self._matches(s, device.key, device.advert.local_name):
            return False
        self.key = device.key
        self.label, self.address = device.advert.local_name, s.address
        self.tx_power = device.advert.tx_power
        if s.rssi is None:
            return False
        self.samples += 1
        self.rssi = s.rssi
        prev = self.smoothed
        self.smoothed = s.rssi if prev is None else prev + self.alpha * (s.rssi - prev)
        self.best = self.smoothed if self.best is None else max(self.best, self.smoothed)
        self.last_at = s.at
        self.history.append((s.at, self.smoothed))
        return True

    def _trend(self, now: float) -> tuple[Trend, float]:
        if self.last_at is None or self.smoothed is None:
            return Trend.WAITING, 0.0
        if now - self.last_at > self.lost_after:
            return Trend.LOST, 0.0
        older = [v for t, v in self.history if t <= self.last_at - self.window]
        if not older:
            return Trend.WAITING, 0.0
        delta = self.smoothed - older[-1]
        if delta >= self.threshold:
            return Trend.WARMER, delta
        if delta <= -self.threshold:
            return Trend.COLDER, delta
        return Trend.STEADY, delta

    def view(self, now: float | None = None) -> LocateView:
        now = time.monotonic() if now is None else now
        trend, delta = self._trend(now)
        warmth = 0.0
        distance = None
        if self.smoothed is not None:
            warmth = min(1.0, max(0.0, (self.smoothed - COLD_DBM) / (HOT_DBM - COLD_DBM)))
            if self.tx_power is not None:
                loss = self.tx_power - self.smoothed - PATH_LOSS_1M
                distance = min(100.0, max(0.1, math.pow(10.0, loss / 20.0)))
        return LocateView(
            target=self.target.describe(),
            found=self.key is not None,
            label=self.label,
            address=self.address,
            samples=self.samples,
            rssi=self.rssi,
            smoothed=self.smoothed,
            best=self.best,
            trend=trend,
            delta=delta,
            warmth=warmth,
            tx_power=self.tx_power,
            distance_m=distance,
            age=None if self.last_at is None else max(0.0, now - self.last_at),
        )


async def follow(
    backend: BleBackend,
    locator: Locator,
    on_view: Callable[[LocateView], object],
    *,
    duration: float | None = None,
    active: bool = True,
    interval: float = 0.25,
) -> None:
    """Scan with ``backend``, feeding ``locator``; call ``on_view`` every ``interval`` seconds
    until ``duration`` (None: until cancelled). A backend failure propagates."""
    task = asyncio.create_task(backend.listen(locator.feed, active=active))
    deadline = None if duration is None else time.monotonic() + duration
    try:
        while deadline is None or time.monotonic() < deadline:
            done, _ = await asyncio.wait({task}, timeout=interval)
            if done:
                task.result()
                return
            on_view(locator.view())
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
