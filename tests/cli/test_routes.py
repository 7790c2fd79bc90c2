"""No stray packet: a scope that only the default route reaches is refused before any packet.

The routing table is parsed from ``/proc/net`` files (unit tests on files written here), and
the refusal is checked for real in network namespaces this test makes: a scanner namespace
whose only way out is a default route to a fake gateway on its own veth pair, with a packet
capture proving that the refused sweep sent nothing, and that ``--routed`` does send.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.routes import Route, default_routed, parse_ipv4, parse_ipv6, read_routes

# A host with eth0 192.168.1.5/24, default via 192.168.1.1, a VPN route 10.8.0.0/16 via
# 10.9.0.1 on tun0, and an unreachable (reject) route; as the kernel prints them.
ROUTE = """Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0
tun0\t0000080A\t0100090A\t0003\t0\t0\t0\t0000FFFF\t0\t0\t0
lo\t0000140A\t00000000\t0201\t0\t0\t0\t0000FFFF\t0\t0\t0
garbage line
"""
IPV6_ROUTE = (
    "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n"
)


def net(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text)


def test_the_kernel_tables_are_read_byte_order_and_flags_included(tmp_path: Path) -> None:
    (tmp_path / "route").write_text(ROUTE)
    (tmp_path / "ipv6_route").write_text(IPV6_ROUTE)
    routes = read_routes(tmp_path)
    assert Route(net("0.0.0.0/0"), ipaddress.ip_address("192.168.1.1"), "eth0") in routes
    assert Route(net("192.168.1.0/24"), None, "eth0") in routes
    assert Route(net("10.8.0.0/16"), ipaddress.ip_address("10.9.0.1"), "tun0") in routes
    assert not any(r.network == net("10.20.0.0/16") for r in routes)  # reject route ignored
    assert Route(net("::/0"), ipaddress.ip_address("fd00::1"), "eth0") in parse_ipv6(IPV6_ROUTE)
    assert read_routes(tmp_path / "missing") == []


@pytest.mark.parametrize(
    ("target", "refused"),
    [
        ("192.168.1.0/24", None),  # attached
        ("192.168.1.0/28", None),
        ("10.8.3.0/24", None),  # a route of its own (VPN)
        ("127.0.0.0/24", None),  # loopback: the local table
        ("192.168.0.0/23", 256),  # half of it only through the gateway
        ("10.77.0.0/24", 256),  # only the default route: a lab's addresses from the host
        ("10.20.0.0/24", 256),  # a reject route does not count as a way there
        ("fd00::/120", None),
        ("2001:db8::/120", 256),
    ],
)
def test_only_what_the_default_route_alone_reaches_is_reported(
    target: str, refused: int | None
) -> None:
    routes = parse_ipv4(ROUTE) + parse_ipv6(IPV6_ROUTE)
    found = default_routed([net(target)], routes, [ipaddress.ip_address("192.168.1.5")])
    if refused is None:
        assert found == []
    else:
        (far,) = found
        assert far.addresses == refused
        assert str(far.route.gateway) in {"192.168.1.1", "fd00::1"}
        assert "only through the default route (via" in str(far)


def test_own_address_and_no_default_route_are_never_refused() -> None:
    routes = parse_ipv4(ROUTE)
    own = [ipaddress.ip_address("172.16.0.9")]
    assert default_routed([net("172.16.0.9/32")], routes, own) == []
    no_default = [r for r in routes if r.network.prefixlen]
    assert default_routed([net("10.77.0.0/24")], no_default) == []  # ENETUNREACH, not sent


# --- the real thing, in namespaces made here -------------------------------------------------


def _why_no_namespaces() -> str | None:
    if os.geteuid() != 0:
        return "needs root to make network namespaces"
    if not shutil.which("ip") or not shutil.which("tcpdump"):
        return "needs ip (iproute2) and tcpdump (make test installs them)"
    return None


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


@pytest.fixture
def gateway_only() -> Iterator[str]:
    """A scanner namespace with 10.99.0.2/24 on a veth whose peer (10.99.0.1, the fake gateway)
    sits in a second namespace, a default route via it and no other route; IPv6 off so the
    links say nothing by themselves. Yields the scanner namespace's name."""
    reason = _why_no_namespaces()
    if reason:
        pytest.skip(reason)
    tag = secrets.token_hex(3)
    scanner, gateway = f"bsft-{tag}-s", f"bsft-{tag}-g"
    try:
        for ns in (scanner, gateway):
            _ip("netns", "add", ns)
            for key in ("all", "default"):
                subprocess.run(
                    ["ip", "netns", "exec", ns, "sysctl", "-qw",
                     f"net.ipv6.conf.{key}.disable_ipv6=1"],
                    check=True, capture_output=True, timeout=30,
                )  # fmt: skip
        _ip(
            "-n",
            scanner,
            "link",
            "add",
            "vs",
            "type",
            "veth",
            "peer",
            "name",
            "vg",
            "netns",
            gateway,
        )
        _ip("-n", scanner, "addr", "add", "10.99.0.2/24", "dev", "vs")
        _ip("-n", gateway, "addr", "add", "10.99.0.1/24", "dev", "vg")
        for ns, dev in ((scanner, "vs"), (gateway, "vg"), (scanner, "lo")):
            _ip("-n", ns, "link", "set", dev, "up")
        _ip("-n", scanner, "route", "add", "default", "via", "10.99.0.1")
        yield scanner
    finally:
        for ns in (scanner, gateway):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


@contextlib.contextmanager
def capture(ns: str, dev: str, into: Path) -> Iterator[list[str]]:
    """Every frame on ``dev`` in ``ns`` while the block runs, as tcpdump's one-line summaries."""
    proc = subprocess.Popen(
        ["ip", "netns", "exec", ns, "tcpdump", "-i", dev, "-n", "-U", "-w", str(into)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    deadline = time.monotonic() + 20
    while "listening on" not in proc.stderr.readline():
        assert proc.poll() is None and time.monotonic() < deadline, "tcpdump did not start"
    frames: list[str] = []
    try:
        yield frames
    finally:
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
        read = subprocess.run(["tcpdump", "-n", "-r", str(into)], capture_output=True, text=True)
        frames += read.stdout.splitlines()


def sweep_in(ns: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ip", "netns", "exec", ns, sys.executable, "-m", "scanner", "sweep", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_scope_behind_the_default_gateway_is_refused_before_any_packet(
    gateway_only: str, tmp_path: Path
) -> None:
    with capture(gateway_only, "vs", tmp_path / "refused.pcap") as frames:
        done = sweep_in(gateway_only, "10.200.0.0/24", "--json")
    assert done.returncode == 2, done.stderr
    assert "10.200.0.0/24 only through the default route (via 10.99.0.1 on vs)" in done.stderr
    assert "--routed" in done.stderr and "biosweep lab sweep" in done.stderr
    assert done.stdout == ""
    assert frames == []  # not one frame: no ARP for the gateway, no SYN


def test_routed_says_the_operator_means_it_and_the_capture_sees_it(
    gateway_only: str, tmp_path: Path
) -> None:
    with capture(gateway_only, "vs", tmp_path / "routed.pcap") as frames:
        done = sweep_in(
            gateway_only, "10.200.0.5", "--routed", "--only", "tcp", "-p", "80",
            "--host-budget", "3", "--json", "-q",
        )  # fmt: skip
    assert done.returncode in (0, 5), done.stderr
    assert json.loads(done.stdout)["devices"] == []
    assert any("10.200.0.5" in f for f in frames), frames  # the capture works: SYNs went out
