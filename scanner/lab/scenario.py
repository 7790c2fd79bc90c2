"""Scenario files: an emulated site as YAML (format in ``scanner/lab/README.md``).

A scenario names a site, its subnet, the scanner's place on it, and devices (name, catalogue
kind, MAC, IP, ``registered``, overrides). A ``generate`` block adds a seeded, reproducible mix
of devices for large sites instead of thousands of literal lines. Loading validates everything
(unique names, MACs and IPs inside the subnet, known kinds and override keys) so the backends
never meet a bad value halfway through building namespaces.
"""

from __future__ import annotations

import ipaddress
import random
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from scanner.errors import InputError
from scanner.inputs import MAX_DEPTH, read_text, yaml_too_deep
from scanner.lab.catalogue import CATALOGUE, OVERRIDE_KEYS, DeviceModel
from scanner.lab.errors import ScenarioError

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
RESERVED = frozenset({"hub", "scanner"})  # namespace suffixes the backends use themselves
TOP_KEYS = frozenset(
    {"site", "description", "subnet", "scanner", "devices", "generate", "extends", "latency"}
)
MAX_LATENCY_MS = 10_000.0
DEVICE_KEYS = frozenset({"name", "kind", "mac", "ip", "registered", "overrides"})
SCANNER_MAC = "02:b5:00:00:00:01"  # locally administered (bit 1 of the first octet)


@dataclass(frozen=True, slots=True)
class ScenarioDevice:
    """One device of a scenario; ``overrides`` are ``(key, value)`` pairs from the YAML."""

    name: str
    kind: str
    mac: str
    ip: str
    registered: bool = False
    overrides: tuple[tuple[str, str | bool], ...] = ()
    prefixlen: int | None = None  # set for a device on a foreign subnet (``ip: A.B.C.D/len``)
    latency_ms: float = 0.0  # how long it takes to answer anything (scenario ``latency``)

    @property
    def model(self) -> DeviceModel:
        return CATALOGUE[self.kind]


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario. ``name`` is the file stem; ``source`` the file it came from."""

    name: str
    site: str
    subnet: ipaddress.IPv4Network
    scanner_ip: str
    scanner_mac: str
    devices: tuple[ScenarioDevice, ...]
    source: Path

    @property
    def prefixlen(self) -> int:
        return self.subnet.prefixlen


def available() -> list[str]:
    """Names of the scenarios shipped in ``scanner/lab/scenarios``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def scenario_path(ref: str) -> Path:
    """A scenario file from a shipped name (``office``) or a path."""
    path = Path(ref)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if not path.is_file():
            raise ScenarioError(f"no scenario file {ref}")
        return path
    shipped = SCENARIO_DIR / f"{ref}.yaml"
    if not shipped.is_file():
        raise ScenarioError(f"unknown scenario {ref!r}; shipped: {', '.join(available())}")
    return shipped


MAX_SCENARIO = 1 << 20


def load_scenario(ref: str) -> Scenario:
    """Load and validate a scenario by name or path."""
    path = scenario_path(ref)
    return parse_scenario(_extended(_read_yaml(path), path), path)


def _read_yaml(path: Path) -> Any:
    """One scenario file: a regular file of at most 1 MiB, nested at most MAX_DEPTH deep."""
    try:
        text = read_text(path, MAX_SCENARIO)
        line = yaml_too_deep(text, yaml.SafeLoader)
        data = yaml.safe_load(text) if line is None else None
    except (InputError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc}") from None
    if line is not None:
        raise ScenarioError(f"{path}:{line}: nested deeper than {MAX_DEPTH} levels")
    return data


def _extended(data: Any, path: Path, depth: int = 0) -> Any:
    """``extends: NAME`` takes that scenario's keys and devices, then adds this file's."""
    if not isinstance(data, dict) or not data.get("extends"):
        return data
    if depth > 3:
        raise ScenarioError(f"{path}: extends nests too deep")
    base_path = scenario_path(str(data["extends"]))
    base = _extended(_read_yaml(base_path), base_path, depth + 1)
    if not isinstance(base, dict):
        raise ScenarioError(f"{base_path}: a scenario is a mapping")
    merged = {**base, **{k: v for k, v in data.items() if k not in ("extends", "devices")}}
    merged["devices"] = [*(base.get("devices") or []), *(data.get("devices") or [])]
    return merged


def parse_scenario(data: Any, path: Path) -> Scenario:
    """Validate parsed YAML into a :class:`Scenario`; errors name the file and device."""
    where = str(path)
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: a scenario is a mapping with site, subnet and devices")
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise ScenarioError(f"{where}: unknown keys {sorted(unknown)}")
    try:
        subnet = ipaddress.IPv4Network(str(data.get("subnet", "")), strict=True)
    except ValueError as exc:
        raise ScenarioError(f"{where}: subnet: {exc}") from None
    if subnet.prefixlen > 30 or not subnet.is_private:
        raise ScenarioError(f"{where}: subnet must be a private IPv4 network of /30 or larger")
    scanner = data.get("scanner") or {}
    if not isinstance(scanner, dict):
        raise ScenarioError(f"{where}: scanner must be a mapping with ip and mac")
    scanner_ip = str(scanner.get("ip", subnet.broadcast_address - 1))
    scanner_mac = str(scanner.get("mac", SCANNER_MAC)).lower()
    devices = [_device(raw, where) for raw in data.get("devices") or ()]
    if data.get("generate"):
        devices += _generate(data["generate"], subnet, devices, scanner_ip, where)
    _check_unique(devices, subnet, scanner_ip, scanner_mac, where)
    if data.get("latency") is not None:
        devices = _with_latency(devices, data["latency"], where)
    return Scenario(
        name=path.stem,
        site=str(data.get("site") or path.stem),
        subnet=subnet,
        scanner_ip=scanner_ip,
        scanner_mac=scanner_mac,
        devices=tuple(devices),
        source=path,
    )


def _device(raw: Any, where: str) -> ScenarioDevice:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: each device is a mapping")
    name = str(raw.get("name", ""))
    at = f"{where}: device {name or '?'}"
    if set(raw) - DEVICE_KEYS:
        raise ScenarioError(f"{at}: unknown keys {sorted(set(raw) - DEVICE_KEYS)}")
    kind = str(raw.get("kind", ""))
    if kind not in CATALOGUE:
        raise ScenarioError(f"{at}: unknown kind {kind!r} (see scanner/lab/catalogue.py)")
    overrides = raw.get("overrides") or {}
    if not isinstance(overrides, dict) or set(overrides) - OVERRIDE_KEYS:
        raise ScenarioError(f"{at}: overrides may only set {sorted(OVERRIDE_KEYS)}")
    registered = raw.get("registered", False)
    if not isinstance(registered, bool):
        raise ScenarioError(f"{at}: registered must be true or false")
    pairs = tuple((str(k), v if isinstance(v, bool) else str(v)) for k, v in overrides.items())
    ip, _, plen = str(raw.get("ip", "")).partition("/")
    if plen and not (plen.isdigit() and 8 <= int(plen) <= 30):
        raise ScenarioError(f"{at}: a foreign subnet's prefix length must be 8..30")
    return ScenarioDevice(
        name, kind, str(raw.get("mac", "")).lower(), ip, registered, pairs,
        int(plen) if plen else None,
    )  # fmt: skip


def _generate(
    spec: Any,
    subnet: ipaddress.IPv4Network,
    fixed: list[ScenarioDevice],
    scanner_ip: str,
    where: str,
) -> list[ScenarioDevice]:
    """Expand a ``generate`` block: a seeded mix of kinds filling the subnet's free addresses."""
    if not isinstance(spec, dict) or not isinstance(spec.get("mix"), list):
        raise ScenarioError(f"{where}: generate needs a mix list of {{kind, count, registered}}")
    rng = random.Random(int(spec.get("seed", 0)))  # noqa: S311 - reproducible test data
    used = {d.ip for d in fixed} | {scanner_ip}
    start = ipaddress.IPv4Address(str(spec.get("start", subnet.network_address + 10)))
    free = (str(ip) for ip in subnet.hosts() if ip >= start and str(ip) not in used)
    macs = {d.mac for d in fixed}
    out: list[ScenarioDevice] = []
    for entry in spec["mix"]:
        kind, count = str(entry.get("kind", "")), int(entry.get("count", 0))
        if kind not in CATALOGUE:
            raise ScenarioError(f"{where}: generate: unknown kind {kind!r}")
        share = float(entry.get("registered", 0))
        for n in range(1, count + 1):
            ip = next(free, None)
            if ip is None:
                raise ScenarioError(f"{where}: generate: subnet {subnet} is full")
            mac = _random_mac(rng, CATALOGUE[kind].ouis, macs)
            name = f"{kind.replace('_', '-')}-{n:04d}"
            out.append(ScenarioDevice(name, kind, mac, ip, rng.random() < share))
    return out


def _with_latency(devices: list[ScenarioDevice], spec: Any, where: str) -> list[ScenarioDevice]:
    """``latency: {min_ms, max_ms, seed}``: each device answers after its own delay, drawn
    uniformly from the range by a generator seeded with the seed and the device's name (the
    same device keeps its delay whatever else the scenario holds)."""
    if not isinstance(spec, dict) or set(spec) - {"min_ms", "max_ms", "seed"}:
        raise ScenarioError(f"{where}: latency is a mapping of min_ms, max_ms and seed")
    try:
        low, high = float(spec.get("min_ms", 0)), float(spec.get("max_ms", 0))
        seed = int(spec.get("seed", 0))
    except (TypeError, ValueError):
        raise ScenarioError(f"{where}: latency: min_ms, max_ms and seed are numbers") from None
    if not 0 <= low <= high <= MAX_LATENCY_MS:
        raise ScenarioError(f"{where}: latency: need 0 <= min_ms <= max_ms <= {MAX_LATENCY_MS:g}")
    return [
        replace(d, latency_ms=round(random.Random(f"{seed}:{d.name}").uniform(low, high), 1))  # noqa: S311
        for d in devices
    ]


def _random_mac(rng: random.Random, ouis: tuple[str, ...], taken: set[str]) -> str:
    while True:
        prefix = rng.choice(ouis).replace(":", "")
        hexes = prefix + "".join(rng.choice("0123456789abcdef") for _ in range(12 - len(prefix)))
        mac = ":".join(hexes[i : i + 2] for i in range(0, 12, 2))
        if mac not in taken:
            taken.add(mac)
            return mac


def _check_unique(
    devices: list[ScenarioDevice],
    subnet: ipaddress.IPv4Network,
    scanner_ip: str,
    scanner_mac: str,
    where: str,
) -> None:
    names: set[str] = set()
    macs: set[str] = set()
    ips: set[str] = set()
    for d in [ScenarioDevice("scanner-host", "phone", scanner_mac, scanner_ip), *devices]:
        at = f"{where}: device {d.name}"
        if not NAME.match(d.name) or d.name in RESERVED:
            raise ScenarioError(f"{at}: names are 1-40 of a-z 0-9 - and not hub/scanner")
        if not MAC.match(d.mac) or int(d.mac[:2], 16) & 1:
            raise ScenarioError(f"{at}: mac {d.mac!r} is not a unicast aa:bb:cc:dd:ee:ff")
        try:
            ip = ipaddress.IPv4Address(d.ip)
        except ValueError:
            raise ScenarioError(f"{at}: ip {d.ip!r} is not an IPv4 address") from None
        home = subnet
        if d.prefixlen is not None:  # a device left on another subnet (factory default)
            home = ipaddress.IPv4Network(f"{ip}/{d.prefixlen}", strict=False)
            if home.overlaps(subnet) or not home.is_private:
                raise ScenarioError(f"{at}: a foreign subnet must be private, outside {subnet}")
        if ip not in home or ip in (home.network_address, home.broadcast_address):
            raise ScenarioError(f"{at}: ip {d.ip} is not a host address of {home}")
        if d.name in names or d.ip in ips or d.mac in macs:
            raise ScenarioError(f"{at}: name, mac and ip must be unique (scanner included)")
        names.add(d.name)
        ips.add(d.ip)
        macs.add(d.mac)
