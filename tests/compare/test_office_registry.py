"""End to end: ``biosweep sweep --registry`` in the ``office`` lab and its swapped variant.

The scenario file is the ground truth: with the shipped registry, every collector the scenario
marks registered is reported as registered (and matched by a strong identifier), every other
collector as unregistered, and nothing else. In ``office-swapped`` the camera at cam-lobby's
address is another model with another MAC and serial: an identity mismatch.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from scanner.lab import manager
from scanner.lab.scenario import Scenario, load_scenario
from tests.lab.conftest import (  # noqa: F401 - fixtures
    backend_name,
    in_scanner,
    lab_runtime_dir,
    namespaces_reason,
)

REGISTRY = Path("scanner/lab/scenarios/registries/office.yaml").resolve()


def sweep(scenario: str, backend: str) -> dict[str, Any]:
    if backend != "namespaces":
        pytest.skip("the office registry acceptance needs the namespaces backend (root, ip netns)")
    state = manager.up(scenario, backend)
    try:
        argv = [sys.executable, "-m", "scanner", "sweep", state.subnet, "-x", state.scanner_address]
        argv += ["--json", "-q", "--registry", str(REGISTRY), "--operator", "acceptance test"]
        done = in_scanner(state, argv, timeout=300)
    finally:
        manager.teardown(state)
    assert done.returncode == 1, done.stderr  # unregistered collectors: high findings
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def expected(scenario: Scenario, swapped: str | None = None) -> list[tuple[str, str, str | None]]:
    out: list[tuple[str, str, str | None]] = []
    for d in scenario.devices:
        if not d.model.is_collector:
            continue
        if d.name == swapped:
            out.append(("identity_mismatch", d.ip, d.name))
        elif d.registered:
            out.append(("registered", d.ip, d.name))
        else:
            out.append(("unregistered_collector", d.ip, None))
    return sorted(out)


def found(run: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    ips = {d["id"]: next(ip for ip in d["ips"] if "." in ip) for d in run["devices"]}
    return sorted((f["kind"], ips[f["device_id"]], f["registry_id"]) for f in run["findings"])


@pytest.fixture(scope="module")
def office(backend_name: str) -> dict[str, Any]:  # noqa: F811
    return sweep("office", backend_name)


@pytest.fixture(scope="module")
def swapped(backend_name: str) -> dict[str, Any]:  # noqa: F811
    return sweep("office-swapped", backend_name)


def test_office_findings_are_exactly_the_scenarios_registry_status(office: dict[str, Any]) -> None:
    assert found(office) == expected(load_scenario("office"))
    assert office["registry"].startswith(f"{REGISTRY.name} sha256:")
    assert office["site"] == "Example Co. office, 3rd floor"


def test_registered_office_devices_match_by_strong_identifiers(office: dict[str, Any]) -> None:
    registered = [f for f in office["findings"] if f["kind"] == "registered"]
    assert {f["reason"] for f in registered} == {"registered"}
    assert all("mac" in f["details"]["matched_by"].split(",") for f in registered)
    severities = {f["details"]["address"]: f["severity"] for f in office["findings"]}
    assert severities["10.77.0.51"] == "critical"  # face terminal
    assert severities["10.77.0.44"] == "high"  # camera


def test_swapped_camera_is_an_identity_mismatch(swapped: dict[str, Any]) -> None:
    assert found(swapped) == expected(load_scenario("office-swapped"), swapped="cam-lobby")
    (mismatch,) = [f for f in swapped["findings"] if f["kind"] == "identity_mismatch"]
    assert mismatch["reason"] == "swapped"
    assert mismatch["details"]["expected_mac"] == "44:19:b6:5a:c0:41"
    assert mismatch["details"]["mac"] == "44:19:b6:5a:c0:99"
    assert set(mismatch["details"]["differs"].split(",")) >= {"serial", "mac", "model"}


@pytest.fixture(scope="module")
def foreign(backend_name: str) -> dict[str, Any]:  # noqa: F811
    return sweep("office-foreign", backend_name)


def test_every_lab_device_is_one_device_record_however_many_paths_saw_it(
    foreign: dict[str, Any],
) -> None:
    """The full sweep of ``office-foreign``: ARP, IPv6 neighbour discovery (each host's MAC at
    its EUI-64 link-local address), TCP, vendor UDP and multicast discovery (WS-Discovery
    XAddrs list the same link-local address beside the IPv4 one) all report the hosts, and the
    factory-default camera is heard only by ND and SADP on its foreign subnet. Each host must
    be one device record, each collector one finding."""
    scenario = load_scenario("office-foreign")
    counts = {
        d.name: [r["id"] for r in foreign["devices"] if d.mac in r["macs"] or d.ip in r["ips"]]
        for d in scenario.devices
    }
    assert {name: ids for name, ids in counts.items() if len(ids) != 1} == {}
    assert len(foreign["devices"]) == len(scenario.devices)
    assert found(foreign) == expected(scenario)
