"""Scenario files and the catalogue, offline: the shipped sites have the promised mix."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from scanner.lab.catalogue import CATALOGUE, resolve
from scanner.lab.errors import ScenarioError
from scanner.lab.scenario import available, load_scenario, parse_scenario
from scanner.lab.spec import DeviceSpec, read_specs, write_specs
from scanner.models import DeviceClass

BASE = {"site": "t", "subnet": "10.77.0.0/24"}


def test_shipped_scenarios_are_listed() -> None:
    assert {"office", "large"} <= set(available())


def test_office_has_the_collectors_the_issue_asks_for() -> None:
    office = load_scenario("office")
    assert 28 <= len(office.devices) <= 32
    classes = Counter(d.model.device_class for d in office.devices)
    assert classes[DeviceClass.IP_CAMERA] == 4
    camera_vendors = {d.model.vendor for d in office.devices if d.model.device_class == "ip_camera"}
    assert camera_vendors == {"Hikvision", "Dahua", "Axis", "Uniview"}
    for cls in ("nvr_dvr", "face_terminal", "fingerprint_reader", "iris_scanner", "video_doorbell"):
        assert classes[DeviceClass(cls)] == 1, cls
    for cls in ("printer", "nas", "media", "network_gear", "phone_pc"):
        assert classes[DeviceClass(cls)] >= 1, cls
    collectors = [d for d in office.devices if d.model.is_collector]
    assert {d.registered for d in collectors} == {True, False}
    iris = next(d for d in office.devices if d.kind == "irisid_reader")
    assert iris.mac.startswith("e4:47:91")


def test_every_device_mac_carries_an_oui_of_its_kind() -> None:
    for name in ("office", "large"):
        for d in load_scenario(name).devices:
            prefixes = [o.replace(":", "") for o in d.model.ouis]
            assert any(d.mac.replace(":", "").startswith(p) for p in prefixes), (name, d.name)


def test_large_is_a_reproducible_slash_20() -> None:
    one, two = load_scenario("large"), load_scenario("large")
    assert one == two
    assert one.subnet.prefixlen == 20
    assert len(one.devices) > 2000
    assert len({d.mac for d in one.devices}) == len(one.devices)
    assert any(d.registered for d in one.devices)


@pytest.mark.parametrize(
    ("devices", "message"),
    [
        (
            [{"name": "a", "kind": "nope", "mac": "00:14:22:00:00:01", "ip": "10.77.0.5"}],
            "unknown kind",
        ),
        (
            [{"name": "a", "kind": "phone", "mac": "00:14:22:00:00:01", "ip": "10.78.0.5"}],
            "not a host",
        ),
        (
            [{"name": "a", "kind": "phone", "mac": "01:14:22:00:00:01", "ip": "10.77.0.5"}],
            "unicast",
        ),
        (
            [{"name": "hub", "kind": "phone", "mac": "00:14:22:00:00:01", "ip": "10.77.0.5"}],
            "names",
        ),
        (
            [
                {"name": "a", "kind": "phone", "mac": "00:14:22:00:00:01", "ip": "10.77.0.5"},
                {"name": "b", "kind": "phone", "mac": "00:14:22:00:00:02", "ip": "10.77.0.5"},
            ],
            "unique",
        ),
        (
            [
                {
                    "name": "a",
                    "kind": "phone",
                    "mac": "00:14:22:00:00:01",
                    "ip": "10.77.0.5",
                    "overrides": {"x": 1},
                }
            ],
            "overrides",
        ),
    ],
)
def test_bad_scenarios_name_the_device(devices: list[dict[str, object]], message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as info:
        parse_scenario({**BASE, "devices": devices}, Path("t.yaml"))
    assert "t.yaml" in str(info.value)


def test_every_kind_resolves_and_its_spec_survives_json(tmp_path: Path) -> None:
    specs = []
    for kind, model in CATALOGUE.items():
        services = resolve(model, kind.replace("_", "-"), "00:14:22:aa:bb:cc", {"model": "M-1"})
        ports = [s.port for s in services]
        assert len(ports) == len(set(ports)), kind
        specs.append(DeviceSpec(kind.replace("_", "-"), "127.0.0.1", None, "x.jsonl", services))
    write_specs(tmp_path / "s.json", specs)
    assert read_specs(tmp_path / "s.json") == specs


def test_overrides_reach_the_wire_strings() -> None:
    model = CATALOGUE["hikvision_ipc"]
    services = resolve(
        model, "c", "44:19:b6:00:00:01", {"server": "X-Webs", "title": "T", "model": "DS-9"}
    )
    http = services[0]
    assert http.to_json()["server"] == "X-Webs"
    assert "<title>T</title>" in http.to_json()["routes"][0]["body"]
