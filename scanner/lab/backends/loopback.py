"""The loopback backend (no root): every device listens on its own 127.x.y.z address.

Linux routes all of 127.0.0.0/8 to the loopback interface, so a device at scenario address
``subnet + k`` gets ``127.B.0.0 + k``, with ``B`` chosen per run (77…126) so two runs never
collide. There is no layer 2 here: no ARP, no MACs, no broadcast or multicast, and the
scanner runs on the host itself. Subnets larger than /16 do not fit.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import replace
from typing import ClassVar

from scanner.lab.backends.base import Backend
from scanner.lab.errors import LabError, ScenarioError
from scanner.lab.scenario import Scenario
from scanner.lab.state import DeviceRecord, RunState

BASES = range(77, 127)
DEVICES_PER_PROCESS = 500


class LoopbackBackend(Backend):
    name: ClassVar[str] = "loopback"

    def unavailable(self) -> str | None:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            probe.bind(("127.77.254.254", 0))
        except OSError as exc:
            return f"cannot bind 127.77.254.254 ({exc.strerror}): only 127.0.0.1 is loopback here"
        finally:
            probe.close()
        return None

    def plan(self, scenario: Scenario, state: RunState, others: list[RunState]) -> RunState:
        if scenario.prefixlen < 16:
            raise ScenarioError(
                f"{scenario.source}: the loopback backend needs a subnet of /16 or smaller"
            )
        foreign = [d.name for d in scenario.devices if d.prefixlen is not None]
        if foreign:
            raise ScenarioError(
                f"{scenario.source}: {', '.join(foreign)} sit on a foreign subnet, which needs "
                "layer 2 (the namespaces backend)"
            )
        used = {r.loopback_base for r in others}
        base = next((b for b in BASES if b not in used), None)
        if base is None:
            raise LabError("every loopback lab slot (127.77-126.x.x) is taken: run lab down")
        origin = ipaddress.IPv4Address(f"127.{base}.0.0")
        network = int(scenario.subnet.network_address)
        logs = state.directory / "logs"
        records = tuple(
            DeviceRecord(
                name=d.name,
                kind=d.kind,
                device_class=d.model.device_class.value,
                mac=d.mac,
                ip=d.ip,
                address=str(origin + (int(ipaddress.IPv4Address(d.ip)) - network)),
                netns=None,
                registered=d.registered,
                log=str(logs / f"{d.name}.jsonl"),
            )
            for d in scenario.devices
        )
        return replace(state, devices=records, loopback_base=base, scanner_address="127.0.0.1")

    def build(self, scenario: Scenario, state: RunState) -> None:
        """Nothing to build: the loopback interface is always there."""

    def launcher(self, state: RunState, netns: str | None) -> list[str]:
        return []

    def devices_per_process(self, count: int) -> int:
        return DEVICES_PER_PROCESS

    def shell(self, state: RunState) -> list[str]:
        base = state.loopback_base
        raise LabError(
            f"a loopback lab has no scanner namespace: its devices listen on 127.{base}.0.0/16 here"
        )
