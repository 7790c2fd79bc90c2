"""The namespaces backend (root): one network namespace per device on bridges in a hub namespace.

Layout for run ``R`` (all names start with ``bsl-R-``)::

    bsl-R-hub       br0, br1 … brB-1: at most ``ports_per_bridge`` lab ports each, chained
                    br0 - br1 - br2 … by veth pairs (up1/down1, up2/down2 …)
                    p0 … pN: veth ends enslaved to a bridge (pN is the scanner's)
    bsl-R-<device>  eth0 (peer of pK): the scenario MAC and IP, lo up, no default route
    bsl-R-scanner   eth0 (peer of pN): the scanner's MAC and IP, no default route

Nothing is created in the root namespace but the namespace files themselves: veth pairs are made
inside the hub with the peer placed straight into its namespace, and no namespace has a route
off the lab subnet, so no lab packet can reach a real interface. ARP, IPv6 neighbour discovery,
broadcast and multicast work for real between the namespaces.

Why small bridges in a chain: a Linux bridge floods a broadcast (an ARP who-has) by handing a
copy to every port in one go, and each copy sent into a veth lands in the same per-CPU backlog
queue, which holds ``net.core.netdev_max_backlog`` packets (1,000 by default, one value for the
whole host); copies past that are dropped. A bridge of 1,000 ports therefore drops part of
every flood, and since the kernel floods ports newest-first (``br_add_if`` puts a new port at
the head of the list), the trunks to the other bridges, added before the devices, were the
ones dropped: a 3,001-device lab lost every broadcast to one of its bridges and a sweep never
found its 1,000 hosts. Now a bridge holds at most ``PORTS_PER_BRIDGE`` (100) ports plus two
trunks, the bridges form a chain (a broadcast crosses them one after the other, so each step
queues one bridge's worth of copies, never the whole lab's), and the trunks are attached
after the device ports so a bridge floods them first.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from scanner.identify.merge import link_local_of
from scanner.lab import netns
from scanner.lab.backends.base import Backend
from scanner.lab.errors import LabError
from scanner.lab.scenario import Scenario
from scanner.lab.state import DeviceRecord, RunState

PORTS_PER_BRIDGE = 100  # lab ports on one bridge: a flood queues about this many copies
BR_MAX_PORTS = 1024  # a Linux bridge's limit (net/bridge/br_private.h)
SINGLE_PROCESS_LIMIT = 64  # up to this many devices, one device process per device
MAX_PROCESSES = 32


class NamespacesBackend(Backend):
    name: ClassVar[str] = "namespaces"

    def __init__(self, ports_per_bridge: int = PORTS_PER_BRIDGE) -> None:
        """``ports_per_bridge`` lab ports go on each bridge (tests make it small to get many
        bridges from a few devices); between 1 and ``BR_MAX_PORTS - 2`` (two trunk ports)."""
        if not 1 <= ports_per_bridge <= BR_MAX_PORTS - 2:
            raise LabError(
                f"ports per bridge must be 1..{BR_MAX_PORTS - 2}, not {ports_per_bridge}"
            )
        self.ports_per_bridge = ports_per_bridge

    def unavailable(self) -> str | None:
        return netns.unavailable_reason()

    def plan(self, scenario: Scenario, state: RunState, others: list[RunState]) -> RunState:
        logs = state.directory / "logs"
        records = tuple(
            DeviceRecord(
                name=d.name,
                kind=d.kind,
                device_class=d.model.device_class.value,
                mac=d.mac,
                ip=d.ip,
                address=d.ip,
                netns=state.prefix + d.name,
                registered=d.registered,
                log=str(logs / f"{d.name}.jsonl"),
            )
            for d in scenario.devices
        )
        hub, scan = state.prefix + "hub", state.prefix + "scanner"
        names = (hub, scan, *(r.netns for r in records if r.netns))
        return replace(
            state,
            devices=records,
            namespaces=names,
            scanner_netns=scan,
            scanner_address=scenario.scanner_ip,
        )

    def build(self, scenario: Scenario, state: RunState) -> None:
        hub, per = state.prefix + "hub", self.ports_per_bridge
        bridges = bridge_count(len(state.devices) + 1, per)
        netns.add_netns([hub])
        netns.ip(netns=hub, batch=["link set lo up", *_bridges(bridges)])
        netns.add_netns([n for n in state.namespaces if n != hub])
        plen = scenario.prefixlen
        lines = []
        jobs: list[tuple[str, list[str]]] = []
        own = {d.name: d.prefixlen for d in scenario.devices if d.prefixlen is not None}
        members = [(r.netns or "", r.mac, r.ip, own.get(r.name, plen)) for r in state.devices]
        members.append((state.scanner_netns or "", scenario.scanner_mac, scenario.scanner_ip, plen))
        for k, (ns, mac, address, prefixlen) in enumerate(members):
            port = f"p{k}"
            lines += [
                f"link add {port} type veth peer name eth0 address {mac} netns {ns}",
                f"link set {port} master br{k // per}",
                f"link set {port} up",
            ]
            jobs.append(
                (
                    ns,
                    [
                        "link set lo up",
                        f"addr add {address}/{prefixlen} dev eth0",
                        *_link_local(mac),
                        "link set eth0 up",
                    ],
                )
            )
        netns.ip(netns=hub, batch=[*lines, *_trunks(bridges)])  # trunks last: flooded first
        netns.configure(jobs)

    def launcher(self, state: RunState, netns_name: str | None) -> list[str]:
        return ["ip", "netns", "exec", netns_name] if netns_name else []

    def devices_per_process(self, count: int) -> int:
        if count <= SINGLE_PROCESS_LIMIT:
            return 1
        return -(-count // MAX_PROCESSES)

    def shell(self, state: RunState) -> list[str]:
        return self.launcher(state, state.scanner_netns)


#: The EUI-64 link-local address the kernel would give a MAC (RFC 4291 appendix A).
link_local = link_local_of


def _link_local(mac: str) -> list[str]:
    """Batch lines giving eth0 its link-local address without duplicate address detection.

    A kernel-made address is *tentative* for about a second after the link comes up (DAD,
    RFC 4862 5.4): a sweep started at once could neither send nor get an IPv6 answer, and on a
    loaded machine "at once" stretches. Every lab MAC is unique, so the same address is made
    here, ready at once (``nodad``).
    """
    return ["link set eth0 addrgenmode none", f"addr add {link_local(mac)}/64 dev eth0 nodad"]


def bridge_count(ports: int, per: int) -> int:
    """How many bridges ``ports`` lab ports (devices and the scanner) need, ``per`` a bridge."""
    return max(1, -(-ports // per))


def _bridges(count: int) -> list[str]:
    """Batch lines for bridges br0 … br{count-1}, up, without ports.

    Bridges get no IPv6 link-local address (``addrgenmode none``): the hub is wiring, not a
    host a sweep should find.
    """
    lines = []
    for k in range(count):
        lines += [f"link add br{k} type bridge", f"link set br{k} addrgenmode none"]
        lines.append(f"link set br{k} up")
    return lines


def _trunks(count: int) -> list[str]:
    """Batch lines chaining br{k-1} to br{k} with the veth pair up{k}/down{k}.

    A chain, not a star: a broadcast reaches the next bridge only when the previous one's
    copies have been taken from the backlog, so no step queues more than one bridge's ports
    plus two trunks. Run after the device ports are attached, so that each bridge floods its
    trunks first (see the module docstring).
    """
    lines = []
    for k in range(1, count):
        lines += [
            f"link add up{k} type veth peer name down{k}",
            f"link set up{k} master br{k - 1}",
            f"link set down{k} master br{k}",
            f"link set up{k} up",
            f"link set down{k} up",
        ]
    return lines
