"""Multicast discovery as the sweep runs it: interface refusal, SADP/DHIP on their groups with
foreign-subnet answers, exclusions, and ``--only`` with multicast names alone (no host sweep)."""

from __future__ import annotations

import asyncio
import socket
import threading

from typer.testing import CliRunner

from scanner.cli.app import app
from scanner.models import SkipReason
from scanner.probes.fakenet import FakeConnector
from scanner.probes.multicast import (
    MULTICAST_PROBES,
    FakeMulticast,
    MulticastContext,
    only_multicast,
)
from scanner.probes.multicast.base import Datagram
from scanner.probes.multicast.vendor import DHIP_GROUP, DHIP_PORT, SADP_GROUP, SADP_PORT
from tests.multicast.helpers import discover, fields, iface, scope_for
from tests.probes.test_vendor_udp import DHIP_ANSWER

SADP_FOREIGN = (
    b'<?xml version="1.0" encoding="UTF-8"?><ProbeMatch><Uuid>X</Uuid><Types>inquiry</Types>'
    b"<DeviceType>139</DeviceType><DeviceDescription>DS-2CD2143G2-I</DeviceDescription>"
    b"<DeviceSN>DS-2CD2143G2-I20230511AAWR5AC064</DeviceSN><MAC>24-48-45-5a-c0-64</MAC>"
    b"<IPv4Address>192.168.1.64</IPv4Address></ProbeMatch>"
)


def run(names: set[str], responders: dict, exclude: tuple[str, ...] = (), ifaces=None):  # type: ignore[no-untyped-def]
    scope = scope_for("10.99.0.0/24", exclude)
    net = FakeMulticast(scope, responders)
    dialer = FakeConnector(scope)
    ctx = MulticastContext(scope, net, dialer, wait=0.1)
    where = [iface("10.99.0.0/24", "10.99.0.250")] if ifaces is None else ifaces
    obs, skipped, notes = asyncio.run(discover(ctx, frozenset(names), where))
    return obs, skipped, notes, net, dialer


def sadp(_i, _q, payload: bytes) -> list[Datagram]:  # type: ignore[no-untyped-def]
    assert b"<Types>inquiry</Types>" in payload
    return [Datagram(SADP_FOREIGN, "192.168.1.64", SADP_PORT)]


def test_sadp_multicast_hears_a_foreign_subnet_camera_with_its_own_address() -> None:
    obs, skipped, notes, net, dialer = run({"sadp"}, {(SADP_GROUP, SADP_PORT): sadp})
    got = fields(obs)
    assert got["ip.address"] == ["192.168.1.64"]
    assert got["sadp.device_description"] == ["DS-2CD2143G2-I"]
    assert got["mac.address"] == ["24:48:45:5a:c0:64"]
    assert "multicast sadp on fake0" in notes[0]
    # reported with its own address, never contacted, and the run says so
    assert [(s.probe, s.reason, s.detail, s.target) for s in skipped] == [
        ("sadp", SkipReason.NOT_FOLLOWED, "advertised address 192.168.1.64 not followed: "
         "out of scope", "192.168.1.64:37020/udp")
    ]  # fmt: skip
    assert dialer.sent == []  # an out-of-scope responder is never contacted
    assert [(g, p) for _i, g, p, _b in net.sent] == [(SADP_GROUP, SADP_PORT)]


def test_dhip_multicast_reuses_the_unicast_parser() -> None:
    obs, _s, _n, net, _d = run(
        {"dhip"},
        {(DHIP_GROUP, DHIP_PORT): lambda _i, _q, _p: [Datagram(DHIP_ANSWER, "10.99.0.42", 37810)]},
    )
    got = fields(obs)
    assert got["dhip.device_type"] == ["IPC-HDW2431T-AS-S2"]
    assert got["dhip.serial"] == ["6J0A1B2C3D4E5F6"]
    assert net.sent[0][3][4:8] == b"DHIP"


def test_an_excluded_advertised_address_drops_the_responder() -> None:
    obs, *_ = run({"sadp"}, {(SADP_GROUP, SADP_PORT): sadp}, exclude=("192.168.1.64",))
    assert obs == []


def test_an_interface_outside_the_scope_is_refused_before_anything_is_sent() -> None:
    outside = [iface("10.98.0.0/24", "10.98.0.250")]
    obs, skipped, _n, net, _d = run({"sadp", "wsd"}, {}, ifaces=outside)
    assert obs == [] and net.sent == []
    assert {s.probe for s in skipped} == {"sadp", "wsd"}
    assert all(s.reason is SkipReason.ERROR and "not in scope" in s.detail for s in skipped)


def test_no_interface_in_scope_means_skipped_not_in_scope() -> None:
    obs, skipped, _n, net, _d = run(set(MULTICAST_PROBES), {}, ifaces=[])
    assert obs == [] and net.sent == []
    assert {s.probe for s in skipped} == set(MULTICAST_PROBES)
    assert {s.reason for s in skipped} == {SkipReason.NOT_IN_SCOPE}


def test_only_multicast_names_mean_no_host_sweep() -> None:
    assert only_multicast(frozenset({"mdns", "ssdp", "wsd", "sadp", "dhip"}))
    assert not only_multicast(frozenset({"mdns", "tcp"}))
    assert not only_multicast(frozenset({"http", "sadp"}))


def test_sweep_only_multicast_on_loopback_sends_nothing_and_says_why() -> None:
    """127.x is on no multicast-capable interface: the multicast probes cannot run, and with
    multicast names alone the host sweep does not run (no connection) — so the run swept
    nothing at all, which is an error naming every probe's reason, not an
    all-clear."""
    srv = socket.socket()
    srv.bind(("127.0.43.1", 0))
    srv.listen(4)
    srv.settimeout(0.2)
    accepted: list[object] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
                accepted.append(conn)
                conn.close()
            except TimeoutError:
                continue

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        result = CliRunner().invoke(
            app, ["sweep", "127.0.43.1", "--only", "mdns,ssdp,wsd,sadp,dhip", "--json"]
        )
    finally:
        stop.set()
        thread.join(2)
        srv.close()
    assert result.exit_code == 3, result.output
    assert accepted == []
    assert "nothing was swept" in result.output and result.stdout == ""
    assert all(f"{n}: not_in_scope" in result.output for n in MULTICAST_PROBES)


def test_unknown_only_names_list_the_multicast_ones() -> None:
    result = CliRunner().invoke(app, ["sweep", "127.0.0.1", "--only", "telepathy"])
    assert result.exit_code == 2
