"""End to end in the ``office-foreign`` lab (the office floor plus a factory-default
Hikvision camera at 192.168.1.64 on the same switch), from the scanner's namespace:

- ``sweep --only mdns,ssdp,wsd,sadp,dhip`` (multicast alone) identifies every collector that
  announces itself, the foreign-subnet camera included, with its advertised address;
- ``listen --pcap`` on a tcpdump capture of that sweep identifies the same collectors and
  sends zero packets (socket spy);
- ``nmap -sV`` run in the scanner namespace, imported, identifies the lab's collectors.

Multicast, captures and nmap stay inside the lab namespaces.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli.app import app
from scanner.lab import manager
from scanner.lab.catalogue import CATALOGUE
from scanner.lab.emulators import read_events
from scanner.lab.scenario import load_scenario
from scanner.lab.state import RunState
from scanner.passive import read_capture, read_capture_scapy
from scanner.probes.registry import CURATED_PORTS
from tests.lab.conftest import backend_name, in_scanner, lab_runtime_dir, namespaces_reason

__all__ = ["backend_name", "lab_runtime_dir", "namespaces_reason"]  # fixtures used here

SCENARIO = load_scenario("office-foreign")
FOREIGN = next(d for d in SCENARIO.devices if d.prefixlen is not None)
#: Collectors whose emulated model announces itself (multicast SADP/DHIP/mDNS/SSDP/WSD).
ANNOUNCING = [
    d
    for d in SCENARIO.devices
    if d.model.is_collector and (d.model.discovery or d.model.announce is not None)
]
#: Vendor names given by the announcement itself (an ONVIF scope list names no vendor rule).
VENDOR_SAID = {
    "hikvision_ipc",
    "hikvision_nvr",
    "hikvision_face_terminal",
    "dahua_ipc",
    "axis_camera",
    "doorbird_doorbell",
}


@pytest.fixture(scope="module")
def lab(backend_name: str) -> Iterator[RunState]:
    if backend_name != "namespaces":
        pytest.skip("multicast and a foreign subnet need the namespaces backend (root, ip netns)")
    state = manager.up("office-foreign", backend_name)
    try:
        yield state
    finally:
        manager.teardown(state)


@pytest.fixture(scope="module")
def sweep(
    lab: RunState, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], Path | None]:
    """The multicast-only sweep, captured with tcpdump in the scanner namespace if available."""
    pcap = tmp_path_factory.mktemp("capture") / "lab.pcap"
    dump = None
    if shutil.which("tcpdump"):
        prefix = manager.shell_prefix(lab)
        dump = subprocess.Popen(
            [*prefix, "tcpdump", "-i", "eth0", "-U", "-w", str(pcap), "-Z", "root"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(1.0)
    try:
        argv = [sys.executable, "-m", "scanner", "sweep", lab.subnet, "-x", lab.scanner_address]
        argv += ["--only", "mdns,ssdp,wsd,sadp,dhip", "--json", "-q"]
        done = in_scanner(lab, argv, timeout=120)
    finally:
        if dump is not None:
            time.sleep(0.5)
            dump.send_signal(signal.SIGINT)
            dump.wait(10)
    assert done.returncode == 1, done.stderr
    return json.loads(done.stdout), (pcap if dump is not None and pcap.exists() else None)


def _find(run: dict[str, Any], mac: str, ip: str) -> dict[str, Any] | None:
    return next((d for d in run["devices"] if mac in d["macs"] or ip in d["ips"]), None)


def _wrong(run: dict[str, Any], devices: list[Any], vendors: bool = True) -> list[tuple[str, str]]:
    wrong = []
    for device in devices:
        found = _find(run, device.mac, device.ip)
        best = ((found or {}).get("identifications") or [{}])[0]
        model = CATALOGUE[device.kind]
        if found is None or not found["collector"]:
            wrong.append((device.name, "not a collector"))
        elif best.get("device_class") != model.device_class.value:
            wrong.append((device.name, f"class {best.get('device_class')}"))
        elif (
            vendors
            and device.kind in VENDOR_SAID
            and model.vendor.lower() not in best.get("vendor", "").lower()
        ):
            wrong.append((device.name, f"vendor {best.get('vendor')}"))
    return wrong


def test_multicast_alone_identifies_every_announcing_collector(
    sweep: tuple[dict[str, Any], Path | None],
) -> None:
    run, _ = sweep
    assert any("multicast" in n for n in run["notes"])
    assert _wrong(run, ANNOUNCING) == []


def test_the_foreign_subnet_camera_is_reported_with_its_own_address(
    sweep: tuple[dict[str, Any], Path | None],
) -> None:
    run, _ = sweep
    found = _find(run, FOREIGN.mac, FOREIGN.ip)
    assert found is not None and "192.168.1.64" in found["ips"]
    assert found["identifications"][0]["vendor"] == "Hikvision"


def test_no_ordinary_device_is_called_a_collector(
    sweep: tuple[dict[str, Any], Path | None],
) -> None:
    run, _ = sweep
    ordinary = [d for d in SCENARIO.devices if not d.model.is_collector]
    alarms = [d.name for d in ordinary if (f := _find(run, d.mac, d.ip)) and f["collector"]]
    assert alarms == []


def test_emulator_logs_show_no_subscribe_no_garbage_and_no_unicast_to_the_foreign_camera(
    sweep: tuple[dict[str, Any], Path | None], lab: RunState
) -> None:
    events = {d.name: read_events(Path(d.log)) for d in lab.devices}
    everything = [e for evs in events.values() for e in evs]
    assert not [e for e in everything if e.method in {"SUBSCRIBE", "NOTIFY", "POST"}]
    assert not [e for e in everything if e.kind == "malformed"]
    assert not [e for e in everything if e.authorization]
    assert events[FOREIGN.name] and all(e.detail == "multicast" for e in events[FOREIGN.name])
    fetched = [e.path for e in everything if e.proto == "http"]
    assert fetched and set(fetched) == {"/upnp/description.xml"}  # the description, nothing else


def test_listen_pcap_on_a_capture_identifies_the_same_collectors_sending_nothing(
    sweep: tuple[dict[str, Any], Path | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    run, pcap = sweep
    if pcap is None:
        pytest.skip("tcpdump is not installed (the Makefile/.ci/run install it as root)")
    sent: list[str] = []
    network = {socket.AF_INET, socket.AF_INET6, socket.AF_PACKET}  # not netlink: no packet

    def spy(name: str):  # type: ignore[no-untyped-def]
        original = getattr(socket.socket, name)

        def record(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            if self.family in network:
                sent.append(name)
            return original(self, *args, **kwargs)

        return record

    for name in ("send", "sendto", "sendall", "sendmsg", "connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, spy(name))
    result = CliRunner().invoke(app, ["listen", "--pcap", str(pcap), "--json"])
    assert result.exit_code == 1, result.output
    assert sent == []
    heard = json.loads(result.stdout)
    active = {d.name for d in ANNOUNCING if (f := _find(run, d.mac, d.ip)) and f["collector"]}
    passive = {d.name for d in ANNOUNCING if (f := _find(heard, d.mac, d.ip)) and f["collector"]}
    assert passive == active
    assert _wrong(heard, ANNOUNCING) == []


def test_the_fast_path_reads_the_lab_capture_as_scapy_does(
    sweep: tuple[dict[str, Any], Path | None],
) -> None:
    """The capture filter and the fast decoders give exactly the observations (and
    drops) of scapy's packet-by-packet path on the lab's own traffic."""
    _, pcap = sweep
    if pcap is None:
        pytest.skip("tcpdump is not installed (the Makefile/.ci/run install it as root)")
    fast, slow = read_capture(pcap), read_capture_scapy(pcap)
    assert fast.observations() == slow.observations()
    assert fast.drops.counts == slow.drops.counts
    assert fast.packets == slow.packets > 100


def test_nmap_xml_of_the_lab_imports_and_identifies_the_collectors(
    lab: RunState, tmp_path: Path
) -> None:
    if not shutil.which("nmap"):
        pytest.skip("nmap is not installed (the Makefile/.ci/run install it as root)")
    xml = tmp_path / "lab.xml"
    ports = ",".join(str(p) for p in CURATED_PORTS if p not in range(9100, 9108))
    argv = [
        "nmap",
        "-sV",
        "--version-light",
        "-n",
        "-T4",
        "--max-retries",
        "1",
        "--host-timeout",
        "90s",
    ]
    argv += ["--script", "http-server-header,http-title", "-p", ports, "-oX", str(xml)]
    argv += ["--exclude", lab.scanner_address, lab.subnet]
    done = in_scanner(lab, argv, timeout=400)
    assert done.returncode == 0, done.stderr
    result = CliRunner().invoke(app, ["import", "nmap", str(xml), "--json"])
    assert result.exit_code == 1, result.output
    imported = json.loads(result.stdout)
    in_subnet = [d for d in SCENARIO.devices if d.model.is_collector and d.prefixlen is None]
    wrong = []
    for device in in_subnet:
        found = _find(imported, device.mac, device.ip)
        best = ((found or {}).get("identifications") or [{}])[0]
        vendor = CATALOGUE[device.kind].vendor.split()[0].lower()
        if found is None or not found["collector"] or vendor not in best.get("vendor", "").lower():
            wrong.append((device.name, best.get("vendor")))
    assert wrong == []


def test_listen_live_in_the_scanner_namespace_hears_the_announcements(lab: RunState) -> None:
    """The emulators announce every 20 s (SSDP NOTIFY, mDNS, WS-Discovery Hello): a live
    listener (receive-only) identifies the announcing devices without asking anything."""
    argv = [sys.executable, "-m", "scanner", "listen", "-i", "eth0", "--duration", "22", "--json"]
    done = in_scanner(lab, argv, timeout=90)
    assert done.returncode == 1, done.stderr
    heard = json.loads(done.stdout)
    assert any("(ps_drop)" in n for n in heard["notes"]), heard["notes"]  # kernel drops told
    axis = next(d for d in SCENARIO.devices if d.kind == "axis_camera")
    found = _find(heard, axis.mac, axis.ip)
    assert found is not None and found["collector"]
    assert found["identifications"][0]["vendor"] == "Axis"


def test_sweep_passive_first_listens_before_asking(lab: RunState) -> None:
    argv = [sys.executable, "-m", "scanner", "sweep", lab.subnet, "-x", lab.scanner_address]
    argv += ["--only", "sadp", "--passive-first", "2", "--json", "-q"]
    done = in_scanner(lab, argv, timeout=90)
    assert done.returncode == 1, done.stderr
    run = json.loads(done.stdout)
    passive = [n for n in run["notes"] if n.startswith("discovery: passive 2 s on eth0")]
    assert passive and run["notes"].index(passive[0]) < next(
        i for i, n in enumerate(run["notes"]) if "multicast" in n
    )
