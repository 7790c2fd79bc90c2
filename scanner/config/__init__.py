"""``biosweep.toml``: a site server's settings in one place; command-line flags override them.

Found at ``--config PATH``, else ``$BIOSWEEP_CONFIG``, else ``./biosweep.toml``, else
``$XDG_CONFIG_HOME/biosweep/biosweep.toml`` (``~/.config/…``), else
``/etc/biosweep/biosweep.toml``; none is fine (defaults). The file is input like any other:
a regular file of at most :data:`MAX_CONFIG`, nested at most
:data:`~scanner.inputs.MAX_DEPTH` deep. Every key is documented in README.md
("Configuration file") and in :data:`KEYS`, every number's range in
:data:`~scanner.config.ranges.RANGES`; an unknown key, a wrong type or a value out of range
is a problem, and every problem of the file is reported at once by one :class:`ConfigError`,
each as ``FILE:LINE: section.key: problem``. Relative paths are relative to the file's
folder. Secrets and alert destinations: :mod:`scanner.config.channels`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.config import channels
from scanner.config.channels import (
    FACILITIES,
    MAX_SECRET,
    EmailConfig,
    Secret,
    SecretRef,
    SyslogConfig,
    WebhookConfig,
)
from scanner.config.problems import ConfigError, Problems
from scanner.config.ranges import RANGES, parse_ports
from scanner.config.schedule import Schedule, parse_cron, parse_duration
from scanner.config.sweep import SweepSettings, settings_from_tables
from scanner.errors import InputError
from scanner.inputs import MAX_DEPTH, TOML_SKIP, bracket_depth, read_input
from scanner.models import Severity

ENV_CONFIG = "BIOSWEEP_CONFIG"
MAX_CONFIG = 1 << 20  # a configuration is a few hundred bytes; a megabyte is not one
OVERLAP = ("exit", "wait")
SEVERITIES = tuple(v.value for v in Severity)

#: Every key of every section, with its type (the README documents each).
KEYS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "site": {
        "name": str, "operator": str, "registry": str, "targets": list, "exclude": list,
        "exclude_files": list, "allow_public": bool, "confirm_large_scope": bool,
        "routed": bool,
    },
    "sweep": {
        "ports": str, "only": str, "snmp": bool, "rate": (int, float),
        "host_rate": (int, float), "host_connections": int, "deadline": (int, float),
        "host_budget": (int, float), "rtsp_describe": bool, "passive_first": (int, float),
        "early_stop": bool, "ble": bool, "ble_backend": str, "ble_transport": str,
        "ble_duration": (int, float), "ble_passive": bool, "ble_kernel_ok": bool,
    },
    "store": {"path": str, "keep_days": int},
    "watch": {
        "interval": (str, int), "cron": str, "lock": str, "on_overlap": str,
        "wait_lock": (str, int), "min_severity": str,
    },
    "alerts.webhook": {
        "url": str, "secret_file": str, "secret_env": str, "retries": int,
        "timeout": (int, float), "backoff": (int, float), "allow_link_local": bool,
    },
    "alerts.email": {
        "host": str, "port": int, "security": str, "from": str, "to": list, "username": str,
        "password_file": str, "password_env": str, "ca_file": str, "timeout": (int, float),
        "allow_link_local": bool,
    },
    "alerts.syslog": {"address": str, "facility": str, "allow_link_local": bool},
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Config:
    """The whole file, with defaults for what it leaves out."""

    source: Path | None = None
    site: str | None = None
    operator: str | None = None
    registry: Path | None = None
    targets: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    exclude_files: tuple[Path, ...] = ()
    allow_public: bool = False
    confirm_large_scope: bool = False
    sweep: dict[str, Any] = field(default_factory=dict)
    #: ``[site]`` scope keys and ``[sweep]`` as one sweep's settings (flags override them).
    settings: SweepSettings = field(default_factory=SweepSettings)
    store: Path | None = None
    keep_days: int = 180
    schedule: Schedule = field(default_factory=lambda: Schedule(interval=3600.0))
    lock: Path | None = None
    on_overlap: str = "exit"
    wait_lock: float = 0.0
    min_severity: Severity = Severity.HIGH
    webhook: WebhookConfig | None = None
    email: EmailConfig | None = None
    syslog: SyslogConfig | None = None


def find_config(explicit: Path | None = None) -> Path | None:
    """The configuration file to use (see the module docstring), or None."""
    if explicit is not None:
        return explicit
    if os.environ.get(ENV_CONFIG):
        return Path(os.environ[ENV_CONFIG])
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    for candidate in (
        Path("biosweep.toml"),
        xdg / "biosweep" / "biosweep.toml",
        Path("/etc/biosweep/biosweep.toml"),
    ):
        if candidate.is_file():
            return candidate
    return None


def load_config(explicit: Path | None = None) -> Config:
    """Read and validate the configuration (defaults when there is no file)."""
    path = find_config(explicit)
    if path is None:
        return Config()
    try:
        data = read_input(path, MAX_CONFIG)
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{path}:{line}: not UTF-8") from None
    if bracket_depth(data, TOML_SKIP) > MAX_DEPTH:
        raise ConfigError(f"{path}: arrays or tables nested deeper than {MAX_DEPTH} levels")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be a configuration") from None
    return parse_config(doc, path, text)


def _sections(p: Problems, doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The document as ``{section: {key: value}}``, keeping only known keys of the right type
    (every other one is a problem)."""
    out: dict[str, dict[str, Any]] = {}
    for name, body in doc.items():
        if name == "alerts" and isinstance(body, dict):
            for sub, sub_body in body.items():
                if (table := _table(p, f"alerts.{sub}", sub_body)) is not None:
                    out[f"alerts.{sub}"] = table
        elif (table := _table(p, name, body)) is not None:
            out[name] = table
    return out


def _table(p: Problems, name: str, body: Any) -> dict[str, Any] | None:
    if name not in KEYS:
        p.add(name, f"unknown section [{name}] (known: {', '.join(KEYS)})")
        return None
    if not isinstance(body, dict):
        p.add(name, f"[{name}] must be a table")
        return None
    kept = {}
    for key, value in body.items():
        where, expected = f"{name}.{key}", KEYS[name].get(key)
        if expected is None:
            p.add(where, "unknown key")
        elif isinstance(value, bool) and expected is not bool:
            p.add(where, f"expected {_tname(expected)}, not a boolean")
        elif not isinstance(value, expected):
            p.add(where, f"expected {_tname(expected)}")
        elif isinstance(value, list) and not all(isinstance(v, str) for v in value):
            p.add(where, "expected a list of strings")
        elif (problem := _value_problem(where, value)) is not None:
            p.add(where, problem)
        else:
            kept[key] = value
    return kept


def _value_problem(where: str, value: Any) -> str | None:
    """Why a value of the right type is still refused: out of its range, or a bad port list."""
    if where in RANGES:
        return RANGES[where].problem(value)
    if where == "sweep.ports":
        try:
            parse_ports(value)
        except ValueError as exc:
            return str(exc)
    return None


def _tname(t: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
             list: "a list"}  # fmt: skip
    kinds = t if isinstance(t, tuple) else (t,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def parse_config(doc: dict[str, Any], src: Path, text: str = "") -> Config:
    """A :class:`Config` from a parsed TOML document read from ``src`` (``text``, its source,
    places each problem on its line); raises ConfigError listing every problem."""
    p = Problems(src, text)
    s = _sections(p, doc)
    base = src.parent
    site, store, watch = s.get("site", {}), s.get("store", {}), s.get("watch", {})

    def path(value: str | None) -> Path | None:
        return None if value is None else base / Path(value).expanduser()

    cfg = Config(
        source=src,
        site=site.get("name"),
        operator=site.get("operator"),
        registry=path(site.get("registry")),
        targets=tuple(site.get("targets", ())),
        exclude=tuple(site.get("exclude", ())),
        exclude_files=tuple(base / f for f in site.get("exclude_files", ())),
        allow_public=site.get("allow_public", False),
        confirm_large_scope=site.get("confirm_large_scope", False),
        sweep=dict(s.get("sweep", {})),
        settings=settings_from_tables(site, s.get("sweep", {}), base),
        store=path(store.get("path")),
        keep_days=store.get("keep_days", 180),
        schedule=_schedule(p, watch),
        lock=path(watch.get("lock")),
        on_overlap=_choice(p, "watch.on_overlap", watch.get("on_overlap", "exit"), OVERLAP),
        wait_lock=_duration(p, "watch.wait_lock", watch.get("wait_lock")) or 0.0,
        min_severity=Severity(
            _choice(p, "watch.min_severity", watch.get("min_severity", "high"), SEVERITIES, "high")
        ),
        webhook=channels.webhook(p, s.get("alerts.webhook"), base),
        email=channels.email(p, s.get("alerts.email"), base),
        syslog=channels.syslog(p, s.get("alerts.syslog")),
    )
    p.raise_any()
    return cfg


def _choice(
    p: Problems, key: str, value: str, allowed: tuple[str, ...], default: str | None = None
) -> str:
    if value not in allowed:
        p.add(key, f"{value!r} is not one of {', '.join(allowed)}")
        return default or allowed[0]
    return value


def _duration(p: Problems, key: str, value: str | int | None) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(str(value))
    except InputError as exc:
        p.add(key, str(exc))
        return None


def _schedule(p: Problems, watch: dict[str, Any]) -> Schedule:
    default = Schedule(interval=3600.0)
    if "interval" in watch and "cron" in watch:
        p.add("watch.cron", "give interval or cron, not both")
        return default
    if "cron" in watch:
        try:
            return Schedule(cron=parse_cron(watch["cron"]))
        except InputError as exc:
            p.add("watch.cron", str(exc))
            return default
    interval = _duration(p, "watch.interval", watch.get("interval", "1h"))
    return Schedule(interval=interval) if interval is not None else default


__all__ = [
    "FACILITIES",
    "KEYS",
    "MAX_SECRET",
    "Config",
    "ConfigError",
    "EmailConfig",
    "Schedule",
    "Secret",
    "SecretRef",
    "SweepSettings",
    "SyslogConfig",
    "WebhookConfig",
    "find_config",
    "load_config",
    "parse_config",
]
