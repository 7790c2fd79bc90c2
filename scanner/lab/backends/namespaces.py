"""The namespaces backend (root): one network namespace per device on a bridge in a hub namespace.

Layout for run ``R`` (all names start with ``bsl-R-``)::

    bsl-R-hub       br0 (+ br1, br2 … for more than 1000 ports, trunked to br0 by veth pairs)
                    p1 … pN, ps: veth ends enslaved to a bridge
    bsl-R-<device>  eth0 (peer of pK): the scenario MAC and IP, lo up, no default route
    bsl-R-scanner   eth0 (peer of ps): the scanner's MAC and IP, no default route

Nothing is created in the root namespace but the namespace files themselves: veth pairs are made
inside the hub with the peer placed straight into its namespace, and no namespace has a route
off the lab subnet, so no lab packet can reach a real interface. ARP, IPv6 neighbour discovery,
broadcast and multicast work for real between the namespaces. A Linux bridge has at most 1024
ports (``BR_MAX_PORTS``), hence the trunked bridges for large scenarios.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from scanner.lab import netns
from scanner.lab.backends.base import Backend
from scanner.lab.scenario import Scenario
from scanner.lab.state import DeviceRecord, RunState

PORTS_PER_BRIDGE = 1000
SINGLE_PROCESS_LIMIT = 64  # up to this many devices, one device process per device
MAX_PROCESSES = 32


class NamespacesBackend(Backend):
    name: ClassVar[str] = "namespaces"

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
        hub = state.prefix + "hub"
        netns.add_netns([hub])
        netns.ip(netns=hub, batch=["link set lo up", *_bridges(len(state.devices))])
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
                f"link set {port} master br{k // PORTS_PER_BRIDGE}",
                f"link set {port} up",
            ]
            jobs.append(
                (
                    ns,
                    [
                        "link set lo up",
                        f"addr add {address}/{prefixlen} dev eth0",
                        "link set eth0 up",
                    ],
                )
            )
        netns.ip(netns=hub, batch=lines)
        netns.configure(jobs)

    def launcher(self, state: RunState, netns_name: str | None) -> list[str]:
        return ["ip", "netns", "exec", netns_name] if netns_name else []

    def devices_per_process(self, count: int) -> int:
        if count <= SINGLE_PROCESS_LIMIT:
            return 1
        return -(-count // MAX_PROCESSES)

    def shell(self, state: RunState) -> list[str]:
        return self.launcher(state, state.scanner_netns)


def _bridges(ports: int) -> list[str]:
    """Batch lines for br0 and, past 1000 ports, more bridges trunked to it.

    Port ``k`` (devices 0…N-1, then the scanner as N) goes on bridge ``k // 1000``. Bridges get
    no IPv6 link-local address (``addrgenmode none``): the hub is wiring, not a host a sweep
    should find.
    """
    count = ports // PORTS_PER_BRIDGE + 1
    lines = ["link add br0 type bridge", "link set br0 addrgenmode none", "link set br0 up"]
    for k in range(1, count):
        lines += [
            f"link add br{k} type bridge",
            f"link set br{k} addrgenmode none",
            f"link add up{k} type veth peer name down{k}",
            f"link set up{k} master br0",
            f"link set down{k} master br{k}",
            f"link set up{k} up",
            f"link set down{k} up",
            f"link set br{k} up",
        ]
    return lines
