"""The lab's multicast emulators answer what the scanner asks and stay quiet otherwise; the
foreign-subnet scenario validates and needs layer 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.lab.backends.loopback import LoopbackBackend
from scanner.lab.catalogue import CATALOGUE, resolve
from scanner.lab.emulators import EventLog, datagram_emulator_for, read_events
from scanner.lab.errors import ScenarioError
from scanner.lab.scenario import load_scenario, parse_scenario
from scanner.lab.state import RunState
from scanner.probes.multicast import mdns, ssdp, wsd
from scanner.probes.vendor_udp import sadp_request

PEER = ("10.77.0.250", 40000)


def emulators(kind: str, tmp_path: Path, mac: str = "ac:cc:8e:5a:c0:43"):  # type: ignore[no-untyped-def]
    log = EventLog(tmp_path / "log.jsonl")
    specs = [s for s in resolve(CATALOGUE[kind], "dev", mac, {}) if s.transport == "udp"]
    return {s.proto: datagram_emulator_for(s, "dev", log) for s in specs}


def test_mdns_answers_a_browse_the_scanner_decodes(tmp_path: Path) -> None:
    emu = emulators("axis_camera", tmp_path)["mdns"]
    (send,) = emu.on_group(mdns.query(), PEER, "10.77.0.43")
    assert send.to == PEER  # legacy unicast answer (RFC 6762 §6.7)
    obs = mdns.responder_observations("10.77.0.43", mdns.decode(send.data), "t")
    assert ("mdns.txt.macaddress", "ACCC8E5AC043") in {(o.field, o.value) for o in obs}
    (announce,) = emu.announcements("10.77.0.43")
    assert mdns.decode(announce).types == {"_axis-video._tcp.local."}


def test_ssdp_answers_msearch_and_announces(tmp_path: Path) -> None:
    emu = emulators("axis_camera", tmp_path)["ssdp"]
    sends = emu.on_group(ssdp.msearch(), PEER, "10.77.0.43")
    assert len(sends) == 3 and all(s.to == PEER for s in sends)
    first = ssdp.parse_ssdp(sends[0].data)
    assert first.get("location") == "http://10.77.0.43:80/upnp/description.xml"
    assert all(ssdp.parse_ssdp(a).kind == "notify" for a in emu.announcements("10.77.0.43"))
    # another device's answer arriving on the group is ignored, not logged as malformed
    assert emu.on_group(sends[0].data, ("10.77.0.44", 1900), "10.77.0.43") == []
    assert not [e for e in read_events(tmp_path / "log.jsonl") if e.kind == "malformed"]


def test_wsd_answers_our_probe_relating_to_it(tmp_path: Path) -> None:
    emu = emulators("uniview_ipc", tmp_path, "48:ea:63:5a:c0:44")["wsd"]
    (send,) = emu.on_group(
        wsd.probe_message("uuid:abc", "dn:NetworkVideoTransmitter"), PEER, "10.77.0.44"
    )
    (m,) = wsd.parse_wsd(send.data, frozenset({"uuid:abc"}))
    # IPv4 and the EUI-64 link-local address of 48:ea:63:5a:c0:44, as cameras list both
    assert m.addresses == ("10.77.0.44", "fe80::4aea:63ff:fe5a:c044")
    assert "onvif://www.onvif.org/name/UNIVIEW" in m.scopes
    assert emu.on_group(wsd.probe_message("uuid:x", "dn:Printer"), PEER, "10.77.0.44") == []


def test_sadp_answers_a_multicast_inquiry_to_the_group(tmp_path: Path) -> None:
    emu = emulators("hikvision_ipc", tmp_path, "24:48:45:5a:c0:64")["sadp"]
    (send,) = emu.on_group(sadp_request(), PEER, "192.168.1.64")
    assert send.to is None and b"<IPv4Address>192.168.1.64</IPv4Address>" in send.data
    assert emu.on_group(send.data, ("10.77.0.41", 37020), "10.77.0.45") == []  # not a question


def test_the_foreign_scenario_extends_office_and_needs_layer_2() -> None:
    scenario = load_scenario("office-foreign")
    office = load_scenario("office")
    assert scenario.devices[: len(office.devices)] == office.devices
    (foreign,) = [d for d in scenario.devices if d.prefixlen is not None]
    assert (foreign.ip, foreign.prefixlen) == ("192.168.1.64", 24)
    state = RunState("r", "bsl-r-", "loopback", "x", "x", "x", "starting", 1, 0.0)
    with pytest.raises(ScenarioError, match="layer 2"):
        LoopbackBackend().plan(scenario, state, [])


@pytest.mark.parametrize("ip", ["10.77.0.64/24", "8.8.8.8/24", "192.168.1.64/31"])
def test_a_foreign_subnet_must_be_private_and_outside_the_site(ip: str) -> None:
    data = {
        "site": "t",
        "subnet": "10.77.0.0/24",
        "devices": [{"name": "c", "kind": "hikvision_ipc", "mac": "44:19:b6:00:00:01", "ip": ip}],
    }
    with pytest.raises(ScenarioError):
        parse_scenario(data, Path("t.yaml"))
