"""End to end: ``biosweep sweep`` from the scanner's seat in the ``office`` lab.

The scenario file is the ground truth: every host is found; every emulated collector is called
a collector with the right vendor and class (the Iris ID reader shows nothing but its MAC: Iris
ID makes only iris devices, so its block says iris_scanner); no ordinary device is called a
collector; and the emulators' logs prove the sweep sent no credential, no media request and no
byte to a printer port.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from scanner.lab import manager
from scanner.lab.catalogue import CATALOGUE
from scanner.lab.emulators import read_events
from scanner.lab.scenario import load_scenario
from scanner.lab.state import RunState
from tests.lab.conftest import in_scanner

SCENARIO = load_scenario("office")


@pytest.fixture(scope="module")
def office(backend_name: str) -> Iterator[RunState]:
    if backend_name != "namespaces":
        pytest.skip("the office acceptance sweep needs the namespaces backend (root, ip netns)")
    state = manager.up("office", backend_name)
    try:
        yield state
    finally:
        manager.teardown(state)


@pytest.fixture(scope="module")
def run(office: RunState) -> dict[str, Any]:
    argv = [
        sys.executable,
        "-m",
        "scanner",
        "sweep",
        office.subnet,
        "-x",
        office.scanner_address,
        "--json",
        "-q",
    ]
    done = in_scanner(office, argv, timeout=300)
    assert done.returncode == 1, done.stderr  # collectors found
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _by_mac(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {mac: d for d in run["devices"] for mac in d["macs"]}


def test_every_scenario_host_is_found(run: dict[str, Any]) -> None:
    found = _by_mac(run)
    missing = [d.name for d in SCENARIO.devices if d.mac not in found]
    assert missing == []


def test_every_collector_is_identified_with_vendor_and_class(run: dict[str, Any]) -> None:
    found = _by_mac(run)
    wrong = []
    for device in SCENARIO.devices:
        model = CATALOGUE[device.kind]
        if not model.is_collector:
            continue
        best = (found[device.mac]["identifications"] or [{}])[0]
        vendor_ok = model.vendor.split()[0].lower() in best.get("vendor", "").lower()
        class_ok = best.get("device_class") == model.device_class.value
        if not (found[device.mac]["collector"] and vendor_ok and class_ok):
            wrong.append(
                (
                    device.name,
                    model.vendor,
                    model.device_class.value,
                    best.get("vendor"),
                    best.get("device_class"),
                )
            )
    assert wrong == []


def test_no_ordinary_device_is_called_a_collector(run: dict[str, Any]) -> None:
    found = _by_mac(run)
    false_alarms = [
        (d.name, found[d.mac]["identifications"][0]["signature_id"])
        for d in SCENARIO.devices
        if not CATALOGUE[d.kind].is_collector and found[d.mac]["collector"]
    ]
    assert false_alarms == []


def test_emulator_logs_prove_a_read_only_sweep(run: dict[str, Any], office: RunState) -> None:
    events = [
        e
        for d in office.devices
        for e in read_events(office.directory / "logs" / f"{d.name}.jsonl")
    ]
    assert events, "the emulators logged nothing: the sweep did not reach them"
    assert not [e for e in events if e.authorization]
    assert not [e for e in events if e.method in {"SETUP", "PLAY", "DESCRIBE", "RECORD"}]
    media = ("snapshot", "picture", "/streaming/", "mjpeg", "video.cgi", "/Streaming/channels")
    assert not [e for e in events if any(m.lower() in e.path.lower() for m in media)]
    printed = [e.size for e in events if e.proto == "jetdirect"]
    assert printed and set(printed) == {0}  # connected by the port scan, never sent a byte
    assert not [e for e in events if e.kind == "malformed"]


def test_arp_found_every_host_and_the_run_says_so(run: dict[str, Any]) -> None:
    arp_notes = [n for n in run["notes"] if n.startswith("discovery: arp on ")]
    assert arp_notes and arp_notes[0].endswith(f": {len(SCENARIO.devices)} answered")
    ipv6 = [n for n in run["notes"] if n.startswith("discovery: ipv6 all-nodes echo on ")]
    assert ipv6 and ipv6[0].endswith(f": {len(SCENARIO.devices)} answered")
    # each device's link-local address is linked to its MAC, so it merged into the same device
    assert all(any(ip.startswith("fe80:") for ip in d["ips"]) for d in run["devices"])
