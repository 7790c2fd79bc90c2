"""Privacy: site-scoped hashed ids, no raw address or personal name for non-collectors, and
BLE-only claims capped at medium (catalogue cases 45, 46, 67)."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scanner.identify import identify
from scanner.identify.engine import Engine
from scanner.identify.privacy import WITHHELD, apply_policy
from scanner.lab.ble import adbuild as ad
from scanner.models import Observation
from scanner.probes.ble.adparse import parse_ad
from scanner.probes.ble.model import AddressKind
from scanner.probes.ble.privacy import SALT_FILE, SALT_TTL, hashed_id, site_salt
from scanner.probes.ble.probe import observations
from scanner.probes.ble.table import DeviceTable
from scanner.reporters.jsonout import device_line
from tests.ble.test_table import PHONE_NAME, seen

SALT = bytes(range(32))


def test_hashed_ids_are_stable_per_salt_and_reveal_no_address() -> None:
    key = "addr:e2:1e:15:00:00:01"
    assert hashed_id(SALT, key) == hashed_id(SALT, key)
    assert hashed_id(SALT, key) != hashed_id(bytes(32), key)
    value = hashed_id(SALT, key)
    assert len(value) == 18 and value.startswith("h-")
    assert int(value[2:], 16) >= 0
    assert "e21e15" not in value


def test_site_salt_is_per_site_private_and_renewed_after_its_ttl(state_dir: Path) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    office = site_salt("Office", now=now)
    assert site_salt("Office", now=now + timedelta(days=1)) == office
    assert site_salt("Warehouse", now=now) != office
    assert site_salt("Office", now=now + SALT_TTL) != office
    path = state_dir / SALT_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("{not json")
    assert len(site_salt("Office", now=now)) == 32  # a broken file is replaced, not fatal
    assert json.loads(path.read_text())["Office"]["salt"]


def test_non_collectors_keep_only_hashes_and_collectors_keep_address_and_name(
    engine: Engine,
) -> None:
    table = DeviceTable()
    table.add(seen("4a:00:00:00:00:01", AddressKind.RESOLVABLE))
    table.add(seen("4a:00:00:00:00:01", AddressKind.RESOLVABLE, PHONE_NAME))
    iris = parse_ad(ad.flags() + ad.name("IriShield-MK2120U"))
    table.add(seen("e2:1e:15:00:00:01", AddressKind.STATIC, iris))
    devices = apply_policy(identify(observations(table, SALT, "ble-test"), engine))
    phone = next(d for d in devices if not d.is_collector)
    reader = next(d for d in devices if d.is_collector)
    phone_text = device_line(phone) + repr(phone.observations)
    assert "Zhang" not in phone_text
    assert "4a:00:00:00:00:01" not in phone_text
    assert "1005" not in phone_text  # manufacturer payload
    assert phone.id.startswith("ble:h-")
    assert all(b.startswith("h-") for b in phone.ble)
    assert any(o.field == "ble.company_id" for o in phone.observations)  # what, not whose
    assert phone.best is not None and phone.best.device_class == "phone_pc"
    assert all(e.value == WITHHELD for e in phone.best.evidence if e.field.startswith("ble.man"))
    assert reader.id == "ble:e2:1e:15:00:00:01"
    assert "IriShield-MK2120U" in device_line(reader)


def test_case46_a_spoofed_vendor_claim_is_at_most_medium(engine: Engine) -> None:
    spoof = [
        Observation("ble:h-0000000000000001", "ble.company_id", "0x0124"),  # HID Global
        Observation("ble:h-0000000000000001", "ble.local_name", "IriShield-MK2120U"),
    ]
    (raw,) = identify(spoof, engine)
    assert raw.best is not None and raw.best.confidence == 0.7  # the engine caps BLE claims
    (device,) = apply_policy([raw])
    assert device.best is not None
    assert device.best.confidence == 0.7
    assert device.best.certainty == "medium"
    assert all(i.confidence <= 0.7 for i in device.identifications)


def test_network_evidence_is_not_capped(engine: Engine) -> None:
    (device,) = apply_policy(
        identify([Observation("ip:10.0.0.5", "http.title", "IrisAccess iCAM7100")], engine)
    )
    assert device.best is not None and device.best.confidence == 0.9


def test_policy_leaves_non_ble_devices_untouched(engine: Engine) -> None:
    devices = identify([Observation("mac:58:03:fb:12:34:56", "http.server", "DNVRS-Webs")], engine)
    assert apply_policy(devices) == devices
