"""Runs to store: devices made by the real identify engine from observations, findings by the
real compare against a one-camera registry. ``marker`` goes into every device text field
(hostname, banner, BLE name) so a test can look for it in the database's raw bytes."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from scanner.identify import identify
from scanner.models import Observation, ScanRun
from scanner.registry import Registry, parse_registry
from scanner.scan import compared
from tests.reporters.sample import REGISTRY, STARTED, camera_observations

NEW_MAC = "3c:ef:8c:00:00:43"


def registry() -> Registry:
    return parse_registry(REGISTRY, "registry.yaml")


def observations(marker: str = "", new_camera: bool = False, pcs: int = 1) -> list[Observation]:
    obs = camera_observations()
    for k in range(pcs):
        ip = f"10.0.1.{k % 250 + 1}" if k < 250 else f"10.0.{2 + k // 250}.{k % 250 + 1}"
        mac = f"00:14:22:00:{k // 256:02x}:{k % 256:02x}"
        obs += [
            Observation(f"mac:{mac}", "ip.address", ip, "arp"),
            Observation(f"ip:{ip}", "ssh.banner", f"SSH-2.0-OpenSSH_9.2 {marker}".strip(), "ssh"),
            Observation(f"ip:{ip}", "dhcp.hostname", f"pc-{k}{marker}", "dhcp"),
            Observation(f"ip:{ip}", "tcp.open_port", "22", "tcp"),
        ]
    if marker:
        obs.append(Observation("ble:d3:41:9c:77:20:5e", "ble.local_name", f"band{marker}", "ble"))
    if new_camera:
        new = "ip:10.0.0.43"
        obs += [
            Observation(f"mac:{NEW_MAC}", "ip.address", "10.0.0.43", "arp"),
            Observation(new, "dhip.device_type", "IPC-HFW2431S-S-S2", "dhip"),
            Observation(new, "dhip.serial", "7K0000043PAZ", "dhip"),
            Observation(new, "tcp.open_port", "554", "tcp"),
        ]
    return obs


def make_run(
    n: int = 0,
    *,
    marker: str = "",
    new_camera: bool = False,
    pcs: int = 1,
    started: datetime = STARTED,
    site: str = "Test site",
    previous: ScanRun | None = None,
    with_registry: bool = True,
) -> ScanRun:
    when = started + timedelta(hours=n)
    run = ScanRun(
        id=f"run-{when:%Y%m%dT%H%M%SZ}-{n:06x}",
        started_at=when,
        finished_at=when + timedelta(minutes=2),
        tool_version="0.1.0",
        signatures_version="test",
        site=site,
        operator="tester",
        scope=("10.0.0.0/22",),
        devices=tuple(identify(observations(marker, new_camera, pcs))),
        notes=("discovery: test",),
    )
    if not with_registry:
        return run
    return replace(compared(run, registry(), previous), site=site)


def pragma(path: Path, name: str) -> int:
    """An integer ``PRAGMA`` of the database at ``path`` (page_count, application_id, …)."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"PRAGMA {name}").fetchone()[0])
    finally:
        conn.close()
