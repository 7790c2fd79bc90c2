"""The lab's SADP and DHIP answers follow the published layouts (github julienblitte/
UniversalScanner ``Hikvision.cs`` L62-75, ``Dahua2.cs`` L20-36 and L141-178), checked here
with requests built from those descriptions, independently of the scanner's own probes."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from xml.etree import ElementTree

from scanner.lab.emulators import EventLog, datagram_emulator_for
from scanner.lab.emulators.discovery import DhipSpec, SadpSpec


def test_sadp_inquiry_gets_a_probematch_with_the_elements_clients_read(tmp_path: Path) -> None:
    spec = SadpSpec(
        port=37020, model="DS-K1T671MF", serial="DS-K1T671MF20220101", mac="c0:56:e3:5a:d0:51"
    )
    emu = datagram_emulator_for(spec, "face-gate", EventLog(tmp_path / "log.jsonl"))
    inquiry = b'<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>1A2B-3C</Uuid><Types>inquiry</Types></Probe>'
    answer = emu.received(inquiry, ("10.77.0.250", 40000), "10.77.0.51")
    assert answer is not None
    match = ElementTree.fromstring(answer)
    assert match.tag == "ProbeMatch"
    assert match.findtext("Uuid") == "1A2B-3C"  # echoed, so the asker can pair answers
    assert match.findtext("DeviceDescription") == "DS-K1T671MF"
    assert match.findtext("DeviceSN") == "DS-K1T671MF20220101"
    assert match.findtext("MAC") == "c0-56-e3-5a-d0-51"
    assert match.findtext("IPv4Address") == "10.77.0.51"


def test_sadp_ignores_anything_but_an_inquiry(tmp_path: Path) -> None:
    spec = SadpSpec(port=37020, model="m", serial="s", mac="c0:56:e3:5a:d0:51")
    emu = datagram_emulator_for(spec, "x", EventLog(tmp_path / "log.jsonl"))
    assert (
        emu.received(b"<Probe><Types>update</Types></Probe>", ("10.0.0.1", 1), "10.0.0.2") is None
    )


def test_dhip_search_gets_notify_dev_info_with_a_consistent_header(tmp_path: Path) -> None:
    spec = DhipSpec(
        port=37810, device_type="IPC-HFW2431S-S-S2", serial="7K0ABCDEF", mac="3c:ef:8c:5a:c0:42"
    )
    emu = datagram_emulator_for(spec, "cam", EventLog(tmp_path / "log.jsonl"))
    body = b'{ "method" : "DHDiscover.search", "params" : { "mac" : "", "uni" : 1 } }\r\n'
    request = (
        struct.pack("<II", 0x20, 0x50494844)
        + bytes(8)
        + struct.pack("<IIII", len(body), 0, len(body), 0)
        + body
    )
    answer = emu.received(request, ("10.77.0.250", 40001), "10.77.0.42")
    assert answer is not None
    size, magic, _r1, _r2, len1, _r3, len2, _r4 = struct.unpack("<IIIIIIII", answer[:32])
    assert (size, magic.to_bytes(4, "little")) == (0x20, b"DHIP")
    assert len1 == len2 == len(answer) - 32
    doc = json.loads(answer[32:])
    assert doc["method"] == "client.notifyDevInfo"
    info = doc["params"]["deviceInfo"]
    assert (info["DeviceType"], info["SerialNo"], info["mac"]) == (
        "IPC-HFW2431S-S-S2",
        "7K0ABCDEF",
        "3c:ef:8c:5a:c0:42",
    )
    assert info["IPv4Address"]["IPAddress"] == "10.77.0.42"
