"""Acceptance: `biosweep sweep --only ble` over the lab's bumble transport identifies the
emulated iris reader and fingerprint lock, calls none of the phones, earbuds, watch or tracker
a collector, counts rotating devices once, and keeps no personal data of non-collectors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.identify import identify
from scanner.identify.privacy import apply_policy
from scanner.lab.ble.catalogue import LONG_NAME
from scanner.lab.ble.control import command
from scanner.probes.ble import BleOptions, kernel
from tests.ble.conftest import scan_ble

runner = CliRunner()


def sweep(air: dict[str, Any], *extra: str, seconds: str = "3") -> tuple[int, dict[str, Any], str]:
    args = ["sweep", "--only", "ble", "--ble-backend", "bumble", "--ble-transport"]
    result = runner.invoke(
        app, [*args, air["transport"], "--ble-duration", seconds, "--json", *extra]
    )
    return result.exit_code, json.loads(result.stdout), result.stdout


def best(device: dict[str, Any]) -> dict[str, Any] | None:
    return device["identifications"][0] if device["identifications"] else None


def test_sweep_identifies_the_lab_collectors_and_no_gadget(
    site_air: dict[str, Any], tmp_path: Path
) -> None:
    code, run, text = sweep(
        site_air, "--site", "Lab office", "--observations-out", str(tmp_path / "obs.jsonl")
    )
    assert code == 1  # collectors found
    truth = {a["name"]: a for a in site_air["advertisers"]}
    collectors = {d["id"]: best(d) for d in run["devices"] if d["collector"]}
    assert set(collectors) == {
        "ble:" + truth["iris-reader"]["address"],
        "ble:" + truth["fingerprint-lock"]["address"],
    }
    iris = collectors["ble:" + truth["iris-reader"]["address"]]
    lock = collectors["ble:" + truth["fingerprint-lock"]["address"]]
    assert iris is not None and iris["device_class"] == "iris_scanner"
    assert lock is not None and lock["device_class"] == "fingerprint_reader"
    assert iris["confidence"] <= 0.7 and lock["confidence"] <= 0.7  # BLE alone: medium at most

    # every advertiser is one device, however often it rotated its address
    assert len(run["devices"]) == len(truth)
    assert any(
        a["addresses_used"] > 1 for a in command(site_air["control"], {"op": "list"})["advertisers"]
    )
    gadgets = [d for d in run["devices"] if not d["collector"]]
    classes = Counter(b["device_class"] if (b := best(d)) else None for d in gadgets)
    expected = Counter(a["truth"] for a in truth.values() if not a["collector"])
    assert classes == expected  # phones are phone_pc, earbuds media, watch and tracker other_iot

    # privacy: non-collectors are hashes with no name, address or payload
    assert all(d["id"].startswith("ble:h-") and not d["macs"] for d in gadgets)
    saved = (tmp_path / "obs.jsonl").read_text()
    current = command(site_air["control"], {"op": "list"})["advertisers"]
    for secret in (
        "Zhang San",
        "Li Si",
        "Forerunner",
        *(a["address"] for a in current if not a["collector"]),
    ):
        assert secret not in text, secret
        assert secret not in saved, secret
    assert truth["iris-reader"]["address"] in saved  # collectors keep their address
    assert "rotating private addresses" in " ".join(run["notes"])


def test_report_ids_are_scoped_to_the_site(site_air: dict[str, Any]) -> None:
    _, first, _ = sweep(site_air, "--site", "Lab office", seconds="2")
    _, again, _ = sweep(site_air, "--site", "Lab office", seconds="2")
    _, other, _ = sweep(site_air, "--site", "Other site", seconds="2")

    def hashed(run: dict[str, Any]) -> set[str]:
        return {d["id"] for d in run["devices"] if d["id"].startswith("ble:h-")}

    assert hashed(first) == hashed(again)
    assert len(hashed(first)) == 6
    assert not hashed(first) & hashed(other)


def test_passive_scan_hears_adverts_but_no_scan_responses(site_air: dict[str, Any]) -> None:
    opts = BleOptions(backend="bumble", transport=site_air["transport"], duration=2.0, active=False)
    out = scan_ble(opts)
    names = {o.value for o in out.observations if o.field == "ble.local_name"}
    assert "IriShield-MK2120U" in names  # in the advert itself
    assert "eufy T8520" not in names  # only in the scan response, which passive never asks for
    devices = apply_policy(identify(out.observations))
    assert any(d.best and d.best.device_class == "iris_scanner" for d in devices)


def test_hostile_air_is_survived(hostile_air: dict[str, Any]) -> None:
    """A malformed advertiser (cases 40-43), a spoofer (46) and a random-address flood (45)
    on the air: the scan finishes, the table stays capped, the real collectors are found and
    the spoofed iris claim is medium at most."""
    opts = BleOptions(
        backend="bumble", transport=hostile_air["transport"], duration=3.0, table_cap=200
    )
    out = scan_ble(opts)
    assert out.skipped == []
    (note,) = out.notes
    assert "malformed adverts from 1 devices" in note
    assert "device table full" in note
    devices = apply_policy(identify(out.observations))
    assert len(devices) <= 200
    truth = {a["name"]: a["address"] for a in hostile_air["advertisers"]}
    ids = {d.id: d for d in devices}
    iris = ids["ble:" + truth["iris-reader"]]
    assert iris.best is not None and iris.best.device_class == "iris_scanner"
    spoof = ids["ble:" + truth["spoofer"]]
    assert spoof.best is not None and spoof.best.confidence <= 0.7
    # before the privacy policy the malformed advertiser is still there, with its good parts
    raw = {d.id: d for d in identify(out.observations)}
    broken = raw["ble:" + truth["malformed"]]
    names = {o.value for o in broken.observations if o.field == "ble.local_name"}
    assert names == {"Lab Broken"}  # kept from before the broken structures; nothing after a 0


def test_doctor_opens_the_lab_transport_and_resets_its_controller(site_air: dict[str, Any]) -> None:
    result = runner.invoke(app, ["doctor", "--ble-transport", site_air["transport"]])
    assert result.exit_code == 0, result.output
    assert f"ok   transport {site_air['transport']}: controller answered" in result.output
    assert "ok   BLE scanning: available with --ble-backend bumble" in result.output


def test_a_long_name_on_the_air_is_kept_to_64_characters(hostile_air: dict[str, Any]) -> None:
    """The hostile air's advertiser sends a 214-character name in one report over
    the virtual link; the scan keeps its first 64 characters."""
    opts = BleOptions(
        backend="bumble", transport=hostile_air["transport"], duration=3.0, table_cap=200
    )
    out = scan_ble(opts)
    address = next(a["address"] for a in hostile_air["advertisers"] if a["name"] == "long-name")
    raw = {d.id: d for d in identify(out.observations)}
    names = {o.value for o in raw["ble:" + address].observations if o.field == "ble.local_name"}
    assert names == {LONG_NAME[:64]}
    assert all(len(o.value) <= 64 for o in out.observations if o.field == "ble.local_name")


def test_bumble_scans_and_doctor_says_so_on_a_kernel_the_os_stack_refuses(
    site_air: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """CVE-2020-24490 is the kernel host's: bumble's own host over a user-space transport is
    not at risk, so a BLE sweep through it runs on an affected kernel, and doctor says both."""
    monkeypatch.setattr(kernel, "kernel_release", lambda: "5.4.0-37-generic")
    code, run, _ = sweep(site_air, seconds="2")
    assert code == 1 and not [s for s in run["skipped"] if s["probe"] == "ble"]
    assert any(d["collector"] for d in run["devices"])
    result = runner.invoke(app, ["doctor", "--ble-transport", site_air["transport"]])
    assert result.exit_code == 0, result.output
    assert "FAIL kernel: Linux 5.4.0-37-generic may have CVE-2020-24490" in result.output
    assert "ok   BLE scanning: available with --ble-backend bumble" in result.output
