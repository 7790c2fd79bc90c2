"""``biosweep listen --pcap`` on captures a hostile device wrote itself into (issues 16, 21).

Each capture holds one packet nested or chained far past any recursion limit (an mDNS name of
3,000 backward compression pointers, a DHIP answer nesting 3,000 JSON arrays, WS-Discovery and
SADP answers nesting 3,000 XML elements), then a well-behaved device. The run must end with
the normal status, identify the well-behaved device, and count the drop by kind in its notes,
within generous time and memory bounds (a hang or a blow-up fails; this is no benchmark).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("scapy", reason="scapy is needed to write and read captures")
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.utils import wrpcap
from typer.testing import CliRunner

from scanner.cli.app import app
from scanner.lab.emulators.nesting import nested_dhip_answer, nested_xml, pointer_chain_answer
from tests.multicast.test_mdns import VALID as AXIS_MDNS
from tests.probes.test_hostile import bounded
from tests.probes.test_vendor_udp import DHIP_ANSWER

runner = CliRunner()
HOSTILE_IP = "10.99.0.66"


def _udp(src: str, port: int, payload: bytes) -> object:
    return Ether() / IP(src=src, dst="224.0.0.251") / UDP(sport=port, dport=port) / Raw(payload)


def _hello(body: bytes) -> bytes:
    """A WS-Discovery Hello envelope around ``body``."""
    return (
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        + body
        + b"</s:Body></s:Envelope>"
    )


#: kind -> (the hostile packet's port and payload, the drop reason the notes must give)
HOSTILE = {
    "mdns": (5353, pointer_chain_answer(), "compression pointer chain too long"),
    "dhip": (37810, nested_dhip_answer(), "JSON nested deeper than 32 levels"),
    "wsd": (3702, _hello(nested_xml("Hello")), "XML nested deeper than 100 elements"),
    "sadp": (37020, nested_xml("ProbeMatch"), "XML nested deeper than 100 elements"),
}
#: the well-behaved devices that follow the hostile packet in every capture
VALID = [_udp("10.99.0.43", 5353, AXIS_MDNS), _udp("10.99.0.44", 37810, DHIP_ANSWER)]


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_nested_packet_is_a_counted_drop_and_the_next_device_is_identified(
    kind: str, tmp_path: Path
) -> None:
    port, payload, reason = HOSTILE[kind]
    capture = tmp_path / f"{kind}.pcap"
    wrpcap(str(capture), [_udp(HOSTILE_IP, port, payload), *VALID])

    result = bounded(60.0, 128)(
        lambda: runner.invoke(app, ["listen", "--pcap", str(capture), "--json"])
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1, result.output  # collectors found: the normal status
    doc = json.loads(result.stdout)
    vendors = {d["identifications"][0]["vendor"] for d in doc["devices"] if d["identifications"]}
    assert {"Axis", "Dahua"} <= vendors
    assert f"passive: 1 packets dropped: {kind} 1 (" in " ".join(doc["notes"])
    assert any(reason in n for n in doc["notes"]), doc["notes"]
    assert not any(HOSTILE_IP in d["ips"] for d in doc["devices"])


def test_the_table_output_names_the_drop_too(tmp_path: Path) -> None:
    capture = tmp_path / "chain.pcap"
    wrpcap(str(capture), [_udp(HOSTILE_IP, 5353, pointer_chain_answer()), *VALID])
    result = runner.invoke(app, ["listen", "--pcap", str(capture)])
    assert result.exit_code == 1, result.output
    assert "1 packets dropped: mdns 1 (compression pointer chain too long)" in result.stdout
    assert "Traceback" not in result.output
