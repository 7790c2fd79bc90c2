"""The BLE probe: listen for a while, group reports into devices, emit observations.

One run of a backend (:mod:`scanner.probes.ble.backends`) for ``duration`` seconds feeds the
bounded device table (:mod:`scanner.probes.ble.table`); then every device becomes
observations under a hashed, site-scoped subject ``ble:h-…``
(:func:`scanner.probes.ble.privacy.hashed_id`). Raw addresses and names are emitted here
because identification needs them; :func:`scanner.identify.privacy.apply_policy` removes
them again from every device that is not a collector.

Fields (``signatures/vocab/fields.txt``): ``ble.address`` (each stable or recent address,
``aa:bb:cc:dd:ee:ff``), ``ble.local_name``, ``ble.company_id`` (``0x004c``),
``ble.manufacturer_data`` (``0x004c:`` + lowercase hex of at most 64 payload octets),
``ble.service_uuid`` and ``ble.service_data_uuid`` (128-bit lowercase), ``ble.service_data``
(the 128-bit UUID, ``:`` and lowercase hex of at most 64 payload octets: product ids ride here,
e.g. Xiaomi's MiBeacon under 0xFE95), ``ble.appearance`` (``0x`` + four hex digits, Assigned
Numbers §2.6: category << 6 | subcategory). At most 8 payload records of each kind are kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from scanner.models import Observation, Skipped
from scanner.probes.base import ProbeContext
from scanner.probes.ble.backends import BleBackend, BleUnavailable, OnSighting, choose_backend
from scanner.probes.ble.privacy import hashed_id
from scanner.probes.ble.table import DEFAULT_CAP, DeviceTable, TrackedDevice
from scanner.probes.source import Source, SourceResult

DEFAULT_DURATION = 10.0


@dataclass(frozen=True, slots=True)
class BleOptions:
    """How to scan: backend and transport, how long, active or passive, the site's salt
    (empty: a random one, so this run's ids link to no other), the device-table cap, and
    whether the operator vouched for the kernel (:mod:`scanner.probes.ble.kernel`)."""

    backend: str = "auto"
    transport: str | None = None
    duration: float = DEFAULT_DURATION
    active: bool = True
    salt: bytes = b""
    table_cap: int = DEFAULT_CAP
    kernel_ok: bool = False  # the OS stack's kernel is patched (``--ble-kernel-ok``)


async def listen_for(
    backend: BleBackend, on_sighting: OnSighting, duration: float, *, active: bool
) -> None:
    """Run ``backend`` for ``duration`` seconds (a backend that fails early raises)."""
    task = asyncio.create_task(backend.listen(on_sighting, active=active))
    try:
        done, _ = await asyncio.wait({task}, timeout=max(0.0, duration))
        if done:
            task.result()  # it stopped early: its error (or nothing) surfaces here
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


class BleSource(Source):
    """One timed scan: observations, a summary note, and a skipped entry when the radio is
    unavailable (found before listening) or fails; what was heard before a cancellation
    (Ctrl-C) is kept. ``backend``: a given backend instead of the one ``opts`` chooses."""

    name = "ble"

    def __init__(self, opts: BleOptions, backend: BleBackend | None = None) -> None:
        super().__init__()
        self.opts, self.backend = opts, backend

    def unavailable(self) -> list[Skipped]:
        try:
            backend = self._backend()
        except BleUnavailable as exc:
            return [exc.skipped(self.name)]
        problem = backend.unavailable()
        return [problem.skipped(self.name)] if problem is not None else []

    def _backend(self) -> BleBackend:
        opts = self.opts
        if self.backend is None:
            self.backend = choose_backend(opts.backend, opts.transport, opts.kernel_ok)
        return self.backend

    async def run(self, ctx: ProbeContext) -> SourceResult:
        backend, opts = self._backend(), self.opts
        table = DeviceTable(opts.table_cap)
        salt = opts.salt or secrets.token_bytes(32)
        try:
            with ctx.progress.timed("ble"):
                await listen_for(backend, table.add, opts.duration, active=opts.active)
        finally:
            self.result.observations += observations(table, salt, f"ble-{backend.name}")
            self.result.notes.append(summary(table, backend.name))
        return self.result


def observations(table: DeviceTable, salt: bytes, source: str) -> list[Observation]:
    """Every device of the table as observations under its hashed subject."""
    now = datetime.now(UTC)
    out: list[Observation] = []
    for device in table.devices():
        subject = "ble:" + hashed_id(salt, device.key)
        out += [Observation(subject, f, v, source, now) for f, v in device_fields(device)]
    return out


def device_fields(device: TrackedDevice) -> list[tuple[str, str]]:
    """(field, normalised value) pairs one device's merged adverts support."""
    adv = device.advert
    pairs = [("ble.address", a) for a in device.addresses if len(a) == 17]
    if adv.local_name:
        pairs.append(("ble.local_name", adv.local_name))
    pairs += [("ble.company_id", f"0x{cid:04x}") for cid in adv.company_ids]
    pairs += [("ble.manufacturer_data", f"0x{c:04x}:{p.hex()}") for c, p in adv.manufacturer[:8]]
    pairs += [("ble.service_uuid", u) for u in adv.service_uuids]
    pairs += [("ble.service_data_uuid", u) for u, _ in dict(adv.service_data).items()]
    pairs += [("ble.service_data", f"{u}:{p.hex()}") for u, p in adv.service_data[:8]]
    if adv.appearance is not None:
        pairs.append(("ble.appearance", f"0x{adv.appearance:04x}"))
    return list(dict.fromkeys(pairs))


def summary(table: DeviceTable, backend: str) -> str:
    """One line for the run's notes: counts only, never an address or a name."""
    devices = table.devices()
    rotating = sum(1 for d in devices if d.kind.rotates)
    addresses = sum(d.address_count for d in devices)
    malformed = sum(d.malformed for d in devices)
    text = (
        f"ble ({backend}): {len(devices)} devices from {table.reports} reports, "
        f"{addresses} addresses ({rotating} devices with rotating private addresses, "
        "grouped by payload)"
    )
    if malformed:
        bad = sum(1 for d in devices if d.malformed)
        text += f"; {malformed} malformed adverts from {bad} devices (bad structures dropped)"
    if table.evicted:
        text += f"; device table full: {table.evicted} least recently seen dropped"
    return text
