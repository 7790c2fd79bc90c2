"""A lab spread over several bridges: every device is reachable by ARP from the scanner.

A Linux bridge floods a broadcast to all its ports at once, into one per-CPU backlog of
``net.core.netdev_max_backlog`` packets; a lab whose bridges were bigger than that (1,000 ports
plus every trunk on br0) dropped every ARP who-has to one of its bridges, and a sweep of the
3,001-device ``large`` scenario found 2,001 hosts. These tests bring up a few dozen devices on
bridges of a few ports each, so the multi-bridge wiring is exercised in seconds.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.lab import manager, netns
from scanner.lab.backends.namespaces import PORTS_PER_BRIDGE, NamespacesBackend, link_local
from scanner.lab.errors import LabError
from scanner.lab.scenario import load_scenario
from scanner.lab.state import RunState
from tests.lab.conftest import in_scanner, python_in_scanner
from tests.lab.test_lab import PROBE_ALL

PER_BRIDGE = 6
DEVICES = 22  # + the scanner = 23 ports: 4 bridges of at most 6
SCENARIO = f"""
site: Bridges test
subnet: 10.79.0.0/24
scanner: {{ip: 10.79.0.250, mac: "02:b5:00:00:00:01"}}
generate:
  seed: 7
  mix:
    - {{kind: windows_pc, count: {DEVICES}}}
"""
BACKLOG = Path("/proc/sys/net/core/netdev_max_backlog")


@pytest.fixture(scope="module")
def wide_lab(
    backend_name: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunState, Path]]:
    """A lab of DEVICES PCs on bridges of PER_BRIDGE ports (namespaces backend only)."""
    if backend_name != "namespaces":
        pytest.skip("loopback backend: no bridges, no ARP (needs root and ip netns)")
    path = tmp_path_factory.mktemp("bridges") / "bridges.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    state = manager.up(str(path), NamespacesBackend(ports_per_bridge=PER_BRIDGE))
    try:
        yield state, path
    finally:
        manager.teardown(state)


def _ports_by_bridge(state: RunState) -> dict[str, list[tuple[str, int]]]:
    """``{bridge: [(port name, bridge port number), …]}`` in the run's hub namespace."""
    links = json.loads(netns.ip("-d", "-j", "link", "show", netns=state.prefix + "hub"))
    ports: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for link in links:
        if "master" in link:
            number = int(link["linkinfo"]["info_slave_data"]["no"], 16)
            ports[link["master"]].append((link["ifname"], number))
    return ports


def test_every_device_on_every_bridge_answers_arp_from_the_scanner(
    wide_lab: tuple[RunState, Path],
) -> None:
    state, path = wide_lab
    assert len(_ports_by_bridge(state)) >= 4
    expected = {d.ip: d.mac for d in load_scenario(str(path)).devices}
    seen: dict[str, str] = {}
    for _ in range(3):  # a who-has can be lost under load; a real sweep retries too
        missing = [ip for ip in expected if seen.get(ip) != expected[ip]]
        out = python_in_scanner(state, PROBE_ALL.replace("sys.argv[1:]", repr(missing)))
        assert out.returncode == 0, out.stderr
        for _ in range(30):
            neigh = in_scanner(state, ["ip", "-j", "neigh", "show", "dev", "eth0"])
            seen = {n["dst"]: n.get("lladdr", "") for n in json.loads(neigh.stdout or "[]")}
            if all(seen.get(ip) == mac for ip, mac in expected.items()):
                break
            time.sleep(0.1)
    assert {ip: seen.get(ip) for ip in expected} == expected


def test_no_bridge_floods_more_than_its_share_and_trunks_go_first(
    wide_lab: tuple[RunState, Path],
) -> None:
    """Each bridge holds at most PER_BRIDGE lab ports and two trunks (a chain, not a star), and
    its trunks joined last: a bridge floods newest-first, so trunks are never the copies a full
    backlog drops."""
    state, _ = wide_lab
    ports = _ports_by_bridge(state)
    for bridge, members in ports.items():
        lab_ports = [n for n, _ in members if n.startswith("p")]
        trunks = [(n, no) for n, no in members if not n.startswith("p")]
        assert 1 <= len(lab_ports) <= PER_BRIDGE, bridge
        assert 1 <= len(trunks) <= 2, bridge
        newest_lab_port = max(no for n, no in members if n.startswith("p"))
        assert all(no > newest_lab_port for _, no in trunks), bridge


def test_default_bridge_flood_fits_the_kernel_backlog() -> None:
    """A full bridge's flood (its lab ports plus two trunks) fits twice in the per-CPU backlog,
    so a broadcast on the largest scenario reaches every bridge."""
    if not BACKLOG.exists():
        pytest.skip(f"{BACKLOG} not readable here (not Linux?)")
    backlog = int(BACKLOG.read_text(encoding="utf-8"))
    assert backlog >= 2 * (PORTS_PER_BRIDGE + 2)


def test_a_bridge_size_past_the_kernel_limit_is_refused() -> None:
    with pytest.raises(LabError, match="ports per bridge"):
        NamespacesBackend(ports_per_bridge=1023)
    with pytest.raises(LabError, match="ports per bridge"):
        NamespacesBackend(ports_per_bridge=0)


def test_ipv6_link_local_addresses_are_ready_as_soon_as_the_lab_is_up(
    wide_lab: tuple[RunState, Path],
) -> None:
    """No address waits for duplicate address detection: a sweep started right after
    ``lab up`` gets every device's IPv6 echo answer (the office test failed on a loaded machine
    when the scanner's own link-local address was still tentative)."""
    state, _ = wide_lab
    for record in (*state.devices[:3], None):
        ns = state.scanner_netns if record is None else record.netns
        assert ns is not None
        addrs = json.loads(netns.ip("-j", "-6", "addr", "show", "dev", "eth0", netns=ns))
        (info,) = [a for i in addrs for a in i["addr_info"] if a["scope"] == "link"]
        assert not info.get("tentative"), ns
        (link,) = json.loads(netns.ip("-j", "link", "show", "dev", "eth0", netns=ns))
        assert info["local"] == link_local(link["address"])
