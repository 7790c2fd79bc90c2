"""The one place a ScanRun is made — a sweep's (:mod:`scanner.scan`), ``listen``'s and
``import``'s: identify, the privacy stage, package. Apart from the sweep's modules, so that
reading a capture imports none of the probes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from scanner import __version__
from scanner.identify import identify, privacy
from scanner.identify.signatures import database_version
from scanner.models import Device, Observation, ScanRun, Skipped


def package_run(
    observations: list[Observation],
    *,
    started: datetime,
    scope: tuple[str, ...] = (),
    skipped: tuple[Skipped, ...] = (),
    notes: tuple[str, ...] = (),
    site: str | None = None,
    operator: str | None = None,
    complete: bool = True,
    keep: Callable[[list[Device]], list[Device]] | None = None,
    identified: list[Device] | None = None,
) -> ScanRun:
    """The run of ``observations``: identified, the privacy stage applied, packaged. ``keep``
    filters the identified devices (Wi-Fi passers-by); ``identified``: both stages already run
    on ``observations`` (by a loader: :mod:`scanner.identify.preload`, :mod:`.worker`)."""
    devices = identified
    if devices is None:
        devices = privacy.apply_policy(identify(observations))
    return ScanRun(
        id=f"run-{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}",
        started_at=started,
        finished_at=datetime.now(UTC),
        tool_version=__version__,
        signatures_version=database_version(),
        site=site,
        operator=operator,
        scope=scope,
        devices=tuple(keep(devices) if keep else devices),
        skipped=skipped,
        complete=complete,
        notes=notes,
    )
