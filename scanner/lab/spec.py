"""What a device process is told to serve: one :class:`DeviceSpec` per device, as JSON.

``lab up`` resolves each scenario device through the catalogue and writes the specs of one
process to a file; :mod:`scanner.lab.device` reads them back. The file is the only thing that
crosses that process boundary, so it is versioned by its ``format`` key.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.lab.emulators import ServiceSpec, spec_from_json

FORMAT = 1


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    """One device for a device process.

    ``address`` is where its listeners bind; ``netns`` the network namespace to open them in
    (``None``: the process's own); ``log`` the JSON-lines event log of its emulators;
    ``latency_ms`` how long the device takes to answer (0: at once).
    """

    name: str
    address: str
    netns: str | None
    log: str
    services: tuple[ServiceSpec, ...]
    latency_ms: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "address": self.address,
            "netns": self.netns,
            "log": self.log,
            "services": [s.to_json() for s in self.services],
            "latency_ms": self.latency_ms,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeviceSpec:
        services = tuple(spec_from_json(s) for s in data["services"])
        latency = float(data.get("latency_ms", 0.0))
        return cls(data["name"], data["address"], data["netns"], data["log"], services, latency)


def write_specs(path: Path, specs: list[DeviceSpec]) -> None:
    """Write the specs of one device process atomically."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"format": FORMAT, "devices": [s.to_json() for s in specs]}), "utf-8")
    os.replace(tmp, path)


def read_specs(path: Path) -> list[DeviceSpec]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: spec format {data.get('format')!r}, expected {FORMAT}")
    return [DeviceSpec.from_json(d) for d in data["devices"]]
