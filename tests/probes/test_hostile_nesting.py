"""Sweeps against devices whose answers nest or chain past any recursion limit (issues 16, 21).

A DHIP answer nesting 3,000 JSON arrays (unicast, from a peer on 127.0.0.0/8, and on the
multicast group), an mDNS answer whose name is a chain of 3,000 backward compression pointers,
and an ONVIF answer nesting 3,000 XML elements: each becomes a plain per-device error (a
``skipped`` ``error`` entry, never ``internal error``), a counted drop in the notes where it
came by multicast, and the well-behaved devices answering alongside are still identified.
Bounded: wall clock and a tracemalloc peak (generous: hangs and blow-ups fail).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from scanner import scan
from scanner.lab.emulators.nesting import nested_dhip_answer, nested_xml, pointer_chain_answer
from scanner.models import Observation, SkipReason
from scanner.probes.base import ProbeContext
from scanner.probes.fakenet import FakeConnector
from scanner.probes.hostwork import contained
from scanner.probes.multicast import FakeMulticast, MulticastContext
from scanner.probes.multicast.base import Datagram
from scanner.probes.multicast.mdns import GROUP as MDNS_GROUP
from scanner.probes.multicast.mdns import PORT as MDNS_PORT
from scanner.probes.multicast.vendor import DHIP_GROUP, DHIP_PORT
from scanner.probes.net import Connector
from scanner.probes.onvif import OnvifProbe
from scanner.probes.snmp import SnmpParseError, parse_sys_descr
from scanner.probes.source import SourceResult
from scanner.scope import build_scope
from tests.multicast.helpers import discover, iface, scope_for
from tests.multicast.test_mdns import VALID as AXIS_MDNS
from tests.probes.loopback import http_handler, peers
from tests.probes.sweeping import collect_into
from tests.probes.test_hostile import FAST, bounded
from tests.probes.test_vendor_udp import DHIP_ANSWER, _Udp

NESTED, HEALTHY = "127.0.61.1", "127.0.61.2"


def test_a_nested_dhip_answer_is_a_plain_error_and_the_next_host_is_identified() -> None:
    """Both cameras have their web port open (on loopback an open port is what proves a host
    alive) and answer DHIP: one with 3,000 nested arrays."""
    web = http_handler("HTTP/1.1 200 OK", ["Server: Webs"])

    async def main() -> SourceResult:
        loop = asyncio.get_running_loop()
        servers = [
            await loop.create_datagram_endpoint(lambda a=answer: _Udp(a, []), local_addr=(h, 37810))
            for h, answer in ((NESTED, nested_dhip_answer()), (HEALTHY, DHIP_ANSWER))
        ]
        scope = build_scope([NESTED, HEALTHY], limits=FAST)
        res = SourceResult()
        opts = scan.SweepOptions(ports=(8080,), probes=frozenset({"dhip"}), arp=False)
        try:
            async with peers((NESTED, 8080, web), (HEALTHY, 8080, web)):
                await collect_into(res, scope, Connector(scope), opts)
        finally:
            for transport, _ in servers:
                transport.close()
        return res

    res = bounded(20.0)(lambda: asyncio.run(main()))
    lost = [(s.probe, s.reason, s.target, s.detail) for s in res.skipped]
    assert lost == [
        ("dhip", SkipReason.ERROR, f"{NESTED}:37810/udp",
         "DHIP body: JSON nested deeper than 32 levels"),
    ]  # fmt: skip
    found = {(o.subject, o.field, o.value) for o in res.observations}
    assert (f"ip:{HEALTHY}", "dhip.device_type", "IPC-HDW2431T-AS-S2") in found


def _batch(
    probe: str, group: str, port: int, hostile: tuple[bytes, str], healthy: tuple[bytes, str]
) -> tuple[list[Observation], Any, Any]:
    """One multicast question answered by a hostile and a healthy responder, in that order."""
    scope = scope_for("10.99.0.0/24")
    answers = [Datagram(data, source, port) for data, source in (hostile, healthy)]
    net = FakeMulticast(scope, {(group, port): lambda *_: answers})
    ctx = MulticastContext(scope, net, FakeConnector(scope), 0.1)
    where = [iface("10.99.0.0/24", "10.99.0.250")]
    return bounded(20.0)(lambda: asyncio.run(discover(ctx, frozenset({probe}), where)))  # type: ignore[no-any-return]


def test_a_pointer_chain_is_a_counted_drop_and_the_batch_survives() -> None:
    obs, skipped, notes = _batch(
        "mdns", MDNS_GROUP, MDNS_PORT,
        (pointer_chain_answer(), "10.99.0.66"), (AXIS_MDNS, "10.99.0.43"),
    )  # fmt: skip
    assert ("ip:10.99.0.43", "mdns.service_type") in {(o.subject, o.field) for o in obs}
    assert [(s.probe, s.target, s.detail) for s in skipped] == [
        ("mdns", "10.99.0.66:5353/udp", "malformed answer: compression pointer chain too long")
    ]
    assert (
        "discovery: 1 multicast answers dropped: mdns 1 (compression pointer chain too long)"
        in notes
    )


def test_a_nested_dhip_answer_on_the_group_is_a_counted_drop_and_the_batch_survives() -> None:
    obs, skipped, notes = _batch(
        "dhip", DHIP_GROUP, DHIP_PORT,
        (nested_dhip_answer(), "10.99.0.67"), (DHIP_ANSWER, "10.99.0.44"),
    )  # fmt: skip
    assert ("ip:10.99.0.44", "dhip.serial", "6J0A1B2C3D4E5F6") in {
        (o.subject, o.field, o.value) for o in obs
    }
    assert [(s.probe, s.target) for s in skipped] == [("dhip", "10.99.0.67:37810/udp")]
    assert any("dhip 1 (DHIP body: JSON nested deeper than 32 levels)" in n for n in notes)


def test_an_onvif_answer_nested_3000_deep_is_a_plain_error() -> None:
    host = "127.0.61.3"
    body = nested_xml("Envelope")
    ok = http_handler("HTTP/1.1 200 OK", ["Content-Type: application/soap+xml"], body)

    async def main() -> object:
        async with peers((host, 8899, ok)):
            scope = build_scope([host], limits=FAST)
            res = SourceResult()
            await contained(ProbeContext(scope, Connector(scope)), OnvifProbe(), host, 8899, res)
            return res

    res: Any = bounded(20.0)(lambda: asyncio.run(main()))
    assert [(s.probe, s.reason, s.detail) for s in res.skipped] == [
        ("onvif", SkipReason.ERROR, "XML nested deeper than 100 elements")
    ]


def test_snmp_ber_nested_3000_deep_is_a_parse_error_not_a_recursion() -> None:
    """The SNMP reader follows a fixed path of at most seven TLVs: depth cannot recurse it."""
    inner = b"\x04\x01x"
    for _ in range(3000):
        inner = b"\x30\x82" + len(inner).to_bytes(2, "big") + inner

    def parse() -> None:
        with pytest.raises(SnmpParseError):
            parse_sys_descr(inner, 1)

    bounded(5.0)(parse)
