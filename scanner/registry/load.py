"""Read and validate ``site.yaml`` with every problem located by line, like a compiler.

The YAML is composed into nodes (not constructed into Python objects) so every value keeps its
line and its text exactly as written: ``1:1`` stays the method ``1:1`` (YAML 1.1 would read a
base-60 integer), ``no`` is not silently ``False`` where a name is expected, and a duplicate
key is an error instead of a silent overwrite. Anchors and aliases are refused: a registry has
no use for them and they are how a small YAML file expands into a huge one. So is nesting
deeper than :data:`~scanner.inputs.MAX_DEPTH` (the composer recurses).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re
import uuid
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scanner.errors import InputError
from scanner.inputs import MAX_DEPTH, read_input
from scanner.normalize import clean_text
from scanner.normalize import mac as normalize_mac
from scanner.registry.model import (
    DEFAULT_FILING_THRESHOLD,
    SCHEMA,
    Assessment,
    Deployment,
    Filing,
    FilingStatus,
    LegalBasis,
    Method,
    Modality,
    Officer,
    Operator,
    RegisteredDevice,
    Registry,
    RegistryError,
    Site,
    SpaceType,
    Storage,
)

MAX_BYTES = 1024 * 1024
MAX_TEXT = 500
ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
#: GB 32100-2015: 18 characters from this alphabet, the last a mod-31 check character.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_TRUE = {"true", "yes"}
_FALSE = {"false", "no"}

E = TypeVar("E")
S = TypeVar("S", bound=StrEnum)


def credit_code_ok(code: str) -> bool:
    """Whether ``code`` is a well-formed unified social credit code (GB 32100-2015 check)."""
    if len(code) != 18 or any(c not in CREDIT_ALPHABET for c in code):
        return False
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(code, CREDIT_WEIGHTS, strict=False))
    return CREDIT_ALPHABET[(31 - total % 31) % 31] == code[17]


def normalize_uuid(raw: str) -> str:
    """A UUID in lower case without ``uuid:``/``urn:uuid:``; raises ValueError if it is not one."""
    text = raw.strip().lower().removeprefix("urn:").removeprefix("uuid:")
    return str(uuid.UUID(text))


class _Reader:
    """Walks composed nodes and collects ``file:line: path: message`` problems."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def problem(self, node: Node, path: str, message: str) -> None:
        self.problems.append(f"{self.source}:{node.start_mark.line + 1}: {path}: {message}")

    def mapping(
        self, node: Node, path: str, required: set[str], optional: set[str]
    ) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.problem(node, path, "expected a mapping")
            return None
        out: dict[str, Node] = {}
        for key_node, value in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            if key in out:
                self.problem(key_node, f"{path}.{key}", "duplicate key")
            elif key not in required | optional:
                known = ", ".join(sorted(required | optional))
                self.problem(key_node, f"{path}.{key}", f"unknown key (known: {known})")
            else:
                out[key] = value
        for key in sorted(required - set(out)):
            self.problem(node, f"{path}.{key}", "missing")
        return out

    def scalar(self, fields: dict[str, Node], key: str, path: str) -> tuple[Node, str] | None:
        node = fields.get(key)
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self.problem(node, f"{path}.{key}", "expected a single value")
            return None
        if node.tag == "tag:yaml.org,2002:null":
            return None
        return node, str(node.value).strip()

    def text(self, fields: dict[str, Node], key: str, path: str) -> str | None:
        got = self.scalar(fields, key, path)
        if got is None:
            return None
        node, value = got
        if clean_text(value, MAX_TEXT) != value or not value:
            self.problem(node, f"{path}.{key}", f"text must be 1-{MAX_TEXT} plain characters")
            return None
        return value

    def convert(
        self, fields: dict[str, Node], key: str, path: str, fn: Callable[[str], E], what: str
    ) -> E | None:
        got = self.scalar(fields, key, path)
        if got is None:
            return None
        node, value = got
        try:
            return fn(value)
        except (ValueError, InputError):
            self.problem(node, f"{path}.{key}", f"{value[:60]!r} is not {what}")
            return None

    def choice(self, fields: dict[str, Node], key: str, path: str, enum: type[S]) -> S | None:
        names = ", ".join(e.value for e in enum)
        return self.convert(fields, key, path, enum, f"one of {names}")

    def flag(self, fields: dict[str, Node], key: str, path: str) -> bool | None:
        def parse(value: str) -> bool:
            if value.lower() in _TRUE | _FALSE:
                return value.lower() in _TRUE
            raise ValueError(value)

        return self.convert(fields, key, path, parse, "true or false")

    def count(self, fields: dict[str, Node], key: str, path: str) -> int | None:
        def parse(value: str) -> int:
            number = int(value.replace("_", ""))
            if number < 0:
                raise ValueError(value)
            return number

        return self.convert(fields, key, path, parse, "a whole number >= 0")

    def date(self, fields: dict[str, Node], key: str, path: str) -> dt.date | None:
        return self.convert(fields, key, path, dt.date.fromisoformat, "a date YYYY-MM-DD")

    def items(self, fields: dict[str, Node], key: str, path: str) -> list[Node]:
        node = fields.get(key)
        if node is None or (isinstance(node, ScalarNode) and node.tag.endswith(":null")):
            return []
        if not isinstance(node, SequenceNode):
            self.problem(node, f"{path}.{key}", "expected a list")
            return []
        return list(node.value)


def _site(r: _Reader, node: Node) -> Site | None:
    f = r.mapping(node, "site", {"name", "address", "officer"}, set())
    if f is None:
        return None
    name, address = r.text(f, "name", "site"), r.text(f, "address", "site")
    officer = None
    if "officer" in f:
        o = r.mapping(f["officer"], "site.officer", {"name"}, {"phone", "email"})
        if o is not None:
            who = r.text(o, "name", "site.officer")
            phone, email = r.text(o, "phone", "site.officer"), r.text(o, "email", "site.officer")
            officer = Officer(who, phone, email) if who else None
    if name and address and officer:
        return Site(name, address, officer)
    return None


def _operator(r: _Reader, node: Node, path: str) -> Operator | None:
    f = r.mapping(node, path, {"name", "credit_code", "contact"}, set())
    if f is None:
        return None
    name, contact = r.text(f, "name", path), r.text(f, "contact", path)
    code = r.text(f, "credit_code", path)
    if code is not None and not credit_code_ok(code):
        r.problem(f["credit_code"], f"{path}.credit_code", "not a valid unified social credit code")
        code = None
    return Operator(name, code, contact) if name and code and contact else None


def _filing(r: _Reader, node: Node, path: str) -> Filing | None:
    f = r.mapping(node, path, {"status"}, {"authority", "reference", "date", "due", "reached"})
    if f is None:
        return None
    status = r.choice(f, "status", path, FilingStatus)
    filing = Filing(
        status or FilingStatus.NOT_FILED,
        r.text(f, "authority", path),
        r.text(f, "reference", path),
        r.date(f, "date", path),
        r.date(f, "due", path),
        r.date(f, "reached", path),
    )
    if status == FilingStatus.FILED and not (filing.authority and filing.reference and filing.date):
        r.problem(node, path, "a filed deployment needs authority, reference and date")
    return filing if status else None


def _ports(r: _Reader, fields: dict[str, Node], path: str) -> tuple[int, ...] | None:
    if "ports" not in fields:
        return None
    ports = []
    for item in r.items(fields, "ports", path):
        value = str(item.value) if isinstance(item, ScalarNode) else ""
        if not (value.isascii() and value.isdigit()) or not 0 < int(value) < 65536:
            r.problem(item, f"{path}.ports", f"{value[:20]!r} is not a port number")
        else:
            ports.append(int(value))
    return tuple(sorted(set(ports)))


DEVICE_KEYS = {
    "mac", "ip", "serial", "uuid", "ble_address", "ble_name", "vendor", "model", "firmware",
    "ports",
}  # fmt: skip
STRONG_KEYS = ("serial", "uuid", "mac", "ble_address", "ip")


def _device(r: _Reader, node: Node, path: str) -> RegisteredDevice | None:
    f = r.mapping(node, path, {"id"}, DEVICE_KEYS)
    if f is None:
        return None
    ident = r.text(f, "id", path)
    if ident is not None and not ID.match(ident):
        r.problem(f["id"], f"{path}.id", "ids are 1-64 of a-z 0-9 . _ - (lower case)")
        ident = None
    device = RegisteredDevice(
        id=ident or "?",
        line=node.start_mark.line + 1,
        mac=r.convert(f, "mac", path, normalize_mac, "a MAC address"),
        ip=r.convert(f, "ip", path, lambda v: str(ipaddress.ip_address(v)), "an IP address"),
        serial=r.text(f, "serial", path),
        uuid=r.convert(f, "uuid", path, normalize_uuid, "a UUID"),
        ble_address=r.convert(f, "ble_address", path, normalize_mac, "a Bluetooth address"),
        ble_name=r.text(f, "ble_name", path),
        vendor=r.text(f, "vendor", path),
        model=r.text(f, "model", path),
        firmware=r.text(f, "firmware", path),
        ports=_ports(r, f, path),
    )
    if not any(getattr(device, k) for k in STRONG_KEYS) and not set(STRONG_KEYS) & set(f):
        r.problem(
            node,
            path,
            "needs at least one of mac, serial, uuid, ble_address or ip "
            "(a Bluetooth name alone cannot identify a device)",
        )
    return device if ident else None


DEPLOYMENT_KEYS = {
    "id", "operator", "location", "area", "space", "purpose", "method", "modalities",
    "legal_basis", "signage", "alternative", "storage", "crosses_internet", "retention_days",
    "enrolled", "devices",
}  # fmt: skip
#: Optional: registries written before these keys existed stay valid.
OPTIONAL_DEPLOYMENT_KEYS = {"filing", "separate_consent", "pia", "purpose_retention_days"}


def _assessment(r: _Reader, node: Node, path: str) -> Assessment | None:
    f = r.mapping(node, path, {"date"}, {"reference"})
    if f is None:
        return None
    date = r.date(f, "date", path)
    return Assessment(date, r.text(f, "reference", path)) if date else None


def _modalities(r: _Reader, f: dict[str, Node], path: str) -> tuple[Modality, ...]:
    found: list[Modality] = []
    for item in r.items(f, "modalities", path):
        value = str(item.value) if isinstance(item, ScalarNode) else ""
        try:
            found.append(Modality(value))
        except ValueError:
            names = ", ".join(m.value for m in Modality)
            r.problem(item, f"{path}.modalities", f"{value[:30]!r} is not one of {names}")
    if "modalities" in f and not found:
        r.problem(f["modalities"], f"{path}.modalities", "name at least one modality")
    return tuple(found)


def _deployment(r: _Reader, node: Node, path: str) -> Deployment | None:
    f = r.mapping(node, path, DEPLOYMENT_KEYS, OPTIONAL_DEPLOYMENT_KEYS)
    if f is None:
        return None
    ident = r.text(f, "id", path)
    if ident is not None and not ID.match(ident):
        r.problem(f["id"], f"{path}.id", "ids are 1-64 of a-z 0-9 . _ - (lower case)")
        ident = None
    operator = _operator(r, f["operator"], f"{path}.operator") if "operator" in f else None
    filing = _filing(r, f["filing"], f"{path}.filing") if "filing" in f else None
    devices = [
        _device(r, item, f"{path}.devices[{i}]")
        for i, item in enumerate(r.items(f, "devices", path))
    ]
    values = {
        "location": r.text(f, "location", path),
        "area": r.text(f, "area", path),
        "space": r.choice(f, "space", path, SpaceType),
        "purpose": r.text(f, "purpose", path),
        "method": r.choice(f, "method", path, Method),
        "legal_basis": r.choice(f, "legal_basis", path, LegalBasis),
        "signage": r.flag(f, "signage", path),
        "alternative": r.flag(f, "alternative", path),
        "storage": r.choice(f, "storage", path, Storage),
        "crosses_internet": r.flag(f, "crosses_internet", path),
        "retention_days": r.count(f, "retention_days", path),
        "enrolled": r.count(f, "enrolled", path),
    }
    modalities = _modalities(r, f, path)
    pia = _assessment(r, f["pia"], f"{path}.pia") if "pia" in f else None
    extra = {
        "separate_consent": r.flag(f, "separate_consent", path),
        "purpose_retention_days": r.count(f, "purpose_retention_days", path),
    }
    if ident is None or operator is None or any(v is None for v in values.values()):
        return None
    return Deployment(
        id=ident,
        line=node.start_mark.line + 1,
        operator=operator,
        modalities=modalities,
        filing=filing or Filing(FilingStatus.NOT_FILED),
        devices=tuple(d for d in devices if d is not None),
        pia=pia,
        **values,  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


def _unique(r: _Reader, deployments: list[Deployment]) -> None:
    seen: dict[str, str] = {}
    for dep in deployments:
        key = f"deployment id {dep.id}"
        if key in seen:
            r.problems.append(f"{r.source}:{dep.line}: deployment {dep.id}: id used twice")
        seen[key] = dep.id
        for dev in dep.devices:
            for name in ("id", "mac", "serial", "uuid", "ble_address", "ip"):
                value = getattr(dev, name)
                if value is None:
                    continue
                key = f"{name} {str(value).lower()}"
                if key in seen:
                    r.problems.append(
                        f"{r.source}:{dev.line}: device {dev.id}: {name} {value} is also "
                        f"registered as device {seen[key]}"
                    )
                seen[key] = dev.id


def _check_events(text: str, source: str) -> None:
    """Refuse anchors, aliases and nesting deeper than MAX_DEPTH, stopping at the first (the
    pure-Python scanner costs time quadratic in the flow depth, so it must not read on)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = int(getattr(event.start_mark, "line", 0)) + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise RegistryError([f"{source}:{line}: anchors and aliases are not supported"])
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:  # unreadable, not a registry with a problem (exit 2)
                raise InputError(f"{source}:{line}: nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def parse_registry(text: str, source: str = "site.yaml") -> Registry:
    """Validate registry text; raises :class:`RegistryError` listing every problem, or
    InputError for text nested too deep to read."""
    try:
        _check_events(text, source)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        line = int(getattr(getattr(exc, "problem_mark", None), "line", 0)) + 1
        raise RegistryError([f"{source}:{line}: not valid YAML: {exc}"]) from None
    r = _Reader(source)
    if root is None:
        raise RegistryError([f"{source}:1: the registry is empty (biosweep registry init)"])
    top = r.mapping(root, "registry", {"schema", "site", "deployments"}, {"filing_threshold"})
    if top is None:
        raise RegistryError(r.problems)
    schema = r.text(top, "schema", "registry")
    if schema is not None and schema != SCHEMA:
        r.problem(top["schema"], "schema", f"expected {SCHEMA}")
    site = _site(r, top["site"]) if "site" in top else None
    threshold = r.count(top, "filing_threshold", "registry")
    deployments = [
        _deployment(r, item, f"deployments[{i}]")
        for i, item in enumerate(r.items(top, "deployments", "registry"))
    ]
    found = [d for d in deployments if d is not None]
    _unique(r, found)
    if r.problems or site is None:
        problems = sorted(r.problems, key=lambda p: int(p[len(source) + 1 :].split(":")[0]))
        raise RegistryError(problems or [f"{source}:1: site: incomplete"])
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Registry(site, tuple(found), threshold or DEFAULT_FILING_THRESHOLD, source, digest)


def load_registry(path: Path) -> Registry:
    """Read ``path`` (a regular file of at most 1 MiB of UTF-8) and validate it."""
    data = read_input(path, MAX_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RegistryError([f"{path}:{line}: not UTF-8"]) from None
    return parse_registry(text, str(path))
