"""A small site in memory: devices as identify makes them, a registry, a compared run.

Built from observations through the real engine, so reports and compare see what a sweep
would give them. ``hostile`` puts a string into every device-derived text field.
"""

from __future__ import annotations

from datetime import UTC, datetime

from scanner.identify import identify
from scanner.models import Observation, ScanRun
from scanner.registry import Registry, parse_registry
from scanner.scan import compared

STARTED = datetime(2026, 5, 4, 2, 30, tzinfo=UTC)
CAMERA_MAC = "44:19:b6:5a:c0:41"
FACE_MAC = "c0:56:e3:5a:d0:51"
PHONE_NAME = "Zhang-San-iPhone"
WEARABLE_BLE = "d3:41:9c:77:20:5e"

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


def camera_observations() -> list[Observation]:
    """The registry's one camera, as a sweep sees it."""
    cam = "ip:10.0.0.41"
    return [
        Observation(f"mac:{CAMERA_MAC}", "ip.address", "10.0.0.41", "arp"),
        Observation(cam, "sadp.device_description", "DS-2CD2143G2-I", "sadp"),
        Observation(cam, "sadp.serial", "DS-2CD2143G2-I20230511AAWR5AC041", "sadp"),
        Observation(cam, "http.server", "App-webs/", "http:80"),
        Observation(cam, "tcp.open_port", "80", "tcp"),
    ]


def observations(hostile: str = "") -> list[Observation]:
    face, phone = "ip:10.0.0.51", "ip:10.0.0.19"
    obs = [
        *camera_observations(),
        Observation(f"mac:{FACE_MAC}", "ip.address", "10.0.0.51", "arp"),
        Observation(face, "sadp.device_description", "DS-K1T671MF", "sadp"),
        Observation(face, "http.title", hostile or "Login", "http:80"),
        Observation(face, "http.server", "App-webs/", "http:80"),
        Observation("mac:f0:18:98:06:a0:19", "ip.address", "10.0.0.19", "arp"),
        Observation(phone, "mdns.instance", PHONE_NAME, "mdns"),
        Observation(phone, "mdns.hostname", f"{PHONE_NAME}.local", "mdns"),
        Observation(f"ble:{WEARABLE_BLE}", "ble.local_name", "Mi Band 7", "ble"),
        Observation(f"ble:{WEARABLE_BLE}", "ble.company_id", "0x038f", "ble"),
    ]
    if hostile:  # where device text reaches a report: the serial, a banner
        obs.append(Observation(face, "sadp.serial", hostile, "sadp"))
        obs.append(Observation(face, "http.server", hostile, "http:8080"))
    return obs


def registry() -> Registry:
    return parse_registry(REGISTRY, "site.yaml")


def sample_run(hostile: str = "", with_registry: bool = True) -> ScanRun:
    run = ScanRun(
        id="run-20260504T023000Z-abcdef",
        started_at=STARTED,
        finished_at=STARTED.replace(minute=35),
        tool_version="0.1.0",
        signatures_version="2026.05.01",
        site="Test site",
        operator="Li Ming",
        scope=("10.0.0.0/24", "!10.0.0.250/32"),
        devices=tuple(identify(observations(hostile))),
    )
    return compared(run, registry() if with_registry else None, None)
