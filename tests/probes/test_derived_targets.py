"""Targets a device names that the sweep does not contact are written into the run:
redirects (real loopback peers, a canary proving nothing followed them), SSDP ``LOCATION``,
mDNS ``A`` records, WS-Discovery ``XAddrs`` and SADP/DHIP advertised addresses (the fake
multicast seam). Each is a ``skipped`` entry ``not_followed`` naming what, from which device
and why; past 16 per probe, one entry counts the rest.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from scanner import scan
from scanner.models import Skipped, SkipReason
from scanner.probes.fakenet import FakeConnector
from scanner.probes.multicast import FakeMulticast, MulticastContext
from scanner.probes.multicast.base import Datagram
from scanner.probes.multicast.mdns import GROUP as MDNS_GROUP
from scanner.probes.multicast.mdns import PORT as MDNS_PORT
from scanner.probes.multicast.ssdp import GROUP as SSDP_GROUP
from scanner.probes.multicast.ssdp import PORT as SSDP_PORT
from scanner.probes.multicast.vendor import DHIP_GROUP, DHIP_PORT
from scanner.probes.multicast.wsd import GROUP as WSD_GROUP
from scanner.probes.multicast.wsd import PORT as WSD_PORT
from scanner.probes.net import Connector
from scanner.probes.source import SourceResult
from scanner.scope import build_scope
from tests.multicast.helpers import discover, iface, scope_for
from tests.multicast.test_mdns import STYPE, name, response, rr
from tests.multicast.test_ssdp import answer as ssdp_answer
from tests.multicast.test_wsd import ENVELOPE, match, relates_of
from tests.probes.loopback import drain, http_handler, peers
from tests.probes.sweeping import collect_into
from tests.probes.test_hostile import FAST, bounded, run
from tests.probes.test_vendor_udp import dhip_frame

NET = "127.0.64"
REDIRECTS = {
    f"{NET}.1": ("http://127.0.64.99:8099/", "another host"),
    f"{NET}.2": ("http://169.254.169.254/latest/meta-data/", "out of scope"),
    f"{NET}.3": ("file:///etc/passwd", "file scheme, not http/https"),
    f"{NET}.4": ("http://evil.example/", "a DNS name (never resolved)"),
    f"{NET}.5": ("http://127.0.64.77/", "excluded"),
    f"{NET}.6": ("/doc/page/login.asp", None),  # a path on the same host: nothing to say
}


def not_followed(skipped: list[Skipped]) -> list[tuple[str, str, str]]:
    """(probe, device target or "", detail) of every not_followed entry, sorted."""
    return sorted(
        (s.probe, s.target or "", s.detail) for s in skipped if s.reason is SkipReason.NOT_FOLLOWED
    )


def redirect_sweep(redirects: dict[str, str], exclude: tuple[str, ...] = ()) -> Any:
    """Sweep port 8081 of every host in ``redirects`` (each answering 302 to its Location),
    with a canary on 127.0.64.99:8099 that must never be contacted."""

    async def main() -> tuple[SourceResult, int]:
        servers = [
            (host, 8081, http_handler("HTTP/1.1 302 Found", [f"Location: {loc}"]))
            for host, loc in redirects.items()
        ]
        async with peers((f"{NET}.99", 8099, drain), *servers) as (canary, *_):
            scope = build_scope([*redirects, f"{NET}.99"], list(exclude), limits=FAST)
            res = SourceResult()
            opts = scan.SweepOptions(ports=(8081,), probes=frozenset({"http"}), arp=False)
            await collect_into(res, scope, Connector(scope), opts)
            return res, canary.connections

    return bounded(30.0)(lambda: run(main()))


def test_redirects_not_followed_are_named_with_the_device_and_the_reason() -> None:
    res, canary = redirect_sweep({h: loc for h, (loc, _) in REDIRECTS.items()}, (f"{NET}.77",))
    assert canary == 0  # nothing followed any redirect
    assert not_followed(res.skipped) == sorted(
        ("http", f"{host}:8081", f"redirect {loc} not followed: {why}")
        for host, (loc, why) in REDIRECTS.items()
        if why is not None
    )


def test_past_16_per_kind_the_rest_are_counted_in_one_entry() -> None:
    hosts = {f"{NET}.{i}": f"http://cam{i}.example/" for i in range(10, 30)}
    res, _ = redirect_sweep(hosts)
    entries = not_followed(res.skipped)
    assert len(entries) == 17
    assert ("http", "", "4 more not followed (redirect; a DNS name (never resolved) 4)") in entries


def _collector_mdns(host_address: str) -> bytes:
    instance = f"AXIS M3106 - ACCC8E000001.{STYPE}"
    return response(
        rr(STYPE, 12, name(instance)),
        rr(instance, 33, b"\x00\x00\x00\x00\x00\x50" + name("axis-1.local")),
        rr("axis-1.local", 1, socket.inet_aton(host_address)),
    )


def _wsd(payload: bytes) -> list[Datagram]:
    xaddrs = (
        "http://cam.example/onvif/device_service http://192.168.1.64/onvif/device_service "
        "http://[fe80::1]/onvif/device_service"  # its own link-local address: not recorded
    )
    doc = ENVELOPE.format(relates=relates_of(payload), matches=match(61, xaddrs))
    return [Datagram(doc.encode(), "10.99.0.61", WSD_PORT)]


def test_multicast_answers_naming_elsewhere_are_recorded_and_nothing_is_contacted() -> None:
    scope = scope_for("10.99.0.0/24", ("10.99.0.7",))
    dhip = dhip_frame(
        {"method": "client.notifyDevInfo", "params": {"deviceInfo": {
            "DeviceType": "IPC-HFW2431S", "IPv4Address": {"IPAddress": "192.168.1.108"}}}}
    )  # fmt: skip
    responders = {
        (SSDP_GROUP, SSDP_PORT): lambda *_: [
            ssdp_answer("10.99.0.51", "http://10.99.0.52:80/d.xml"),
            ssdp_answer("10.99.0.53", "http://nvr.example/d.xml"),
            ssdp_answer("10.99.0.54", "https://10.99.0.54/d.xml"),
            ssdp_answer("10.99.0.55", "http://10.99.0.7/d.xml"),
        ],
        (MDNS_GROUP, MDNS_PORT): lambda *_: [
            Datagram(_collector_mdns("192.168.0.90"), "10.99.0.56", MDNS_PORT),
            Datagram(_collector_mdns("10.99.0.7"), "10.99.0.57", MDNS_PORT),
        ],
        (WSD_GROUP, WSD_PORT): lambda _i, _q, payload: _wsd(payload),
        (DHIP_GROUP, DHIP_PORT): lambda *_: [Datagram(dhip, "10.99.0.60", DHIP_PORT)],
    }
    dialer = FakeConnector(scope)
    ctx = MulticastContext(scope, FakeMulticast(scope, responders), dialer, wait=0.05)
    where = [iface("10.99.0.0/24", "10.99.0.250")]
    names = frozenset({"ssdp", "mdns", "wsd", "dhip"})
    _, skipped, _ = asyncio.run(discover(ctx, names, where))
    assert dialer.sent == []  # no description was fetched from anywhere
    assert not_followed(skipped) == sorted([
        ("ssdp", "10.99.0.51:1900/udp",
         "LOCATION http://10.99.0.52:80/d.xml not followed: another host"),
        ("ssdp", "10.99.0.53:1900/udp",
         "LOCATION http://nvr.example/d.xml not followed: a DNS name (never resolved)"),
        ("ssdp", "10.99.0.54:1900/udp",
         "LOCATION https://10.99.0.54/d.xml not followed: https scheme, not http"),
        ("ssdp", "10.99.0.55:1900/udp", "LOCATION http://10.99.0.7/d.xml not followed: excluded"),
        ("mdns", "10.99.0.56:5353/udp", "A record 192.168.0.90 not followed: out of scope"),
        ("mdns", "10.99.0.57:5353/udp", "A record 10.99.0.7 not followed: excluded"),
        ("wsd", "10.99.0.61:3702/udp",
         "XAddr http://cam.example/onvif/device_service not followed: a DNS name (never "
         "resolved)"),
        ("wsd", "10.99.0.61:3702/udp",
         "XAddr http://192.168.1.64/onvif/device_service not followed: out of scope"),
        ("dhip", "10.99.0.60:37810/udp",
         "advertised address 192.168.1.108 not followed: out of scope"),
    ])  # fmt: skip
