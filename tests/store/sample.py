"""Runs to store: devices made by the real identify engine from observations, findings by the
real compare against a one-camera registry. ``marker`` goes into every device text field
(hostname, banner, BLE name) so a test can look for it in the database's raw bytes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from scanner.identify import identify
from scanner.models import Observation, ScanRun
from scanner.registry import Registry, parse_registry
from scanner.scan import compared

STARTED = datetime(2026, 5, 4, 2, 30, tzinfo=UTC)
CAMERA_MAC = "44:19:b6:5a:c0:41"
NEW_MAC = "3c:ef:8c:00:00:43"

REGISTRY = """\
schema: biosweep.registry/1
site:
  name: Test site
  address: 1 Test Road, Shanghai
  officer: {name: Li Ming, phone: "+86 21 5555 0100"}
deployments:
  - id: lobby
    operator: {name: Example Co. Ltd, credit_code: 91310000MA1FL0000N, contact: "021 5555"}
    location: Lobby
    area: Entrance
    space: public_place
    purpose: Security
    method: none
    modalities: [video]
    legal_basis: public_security
    signage: true
    alternative: true
    storage: local_server
    crosses_internet: false
    retention_days: 30
    enrolled: 0
    devices:
      - id: cam-lobby
        mac: "44:19:b6:5a:c0:41"
        ip: 10.0.0.41
        serial: DS-2CD2143G2-I20230511AAWR5AC041
        model: DS-2CD2143G2-I
"""


def registry() -> Registry:
    return parse_registry(REGISTRY, "registry.yaml")


def observations(marker: str = "", new_camera: bool = False, pcs: int = 1) -> list[Observation]:
    cam = "ip:10.0.0.41"
    obs = [
        Observation(f"mac:{CAMERA_MAC}", "ip.address", "10.0.0.41", "arp"),
        Observation(cam, "sadp.device_description", "DS-2CD2143G2-I", "sadp"),
        Observation(cam, "sadp.serial", "DS-2CD2143G2-I20230511AAWR5AC041", "sadp"),
        Observation(cam, "http.server", "App-webs/", "http:80"),
        Observation(cam, "tcp.open_port", "80", "tcp"),
    ]
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
