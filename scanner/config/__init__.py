"""``biosweep.toml``: a site server's settings in one place; command-line flags override them.

Found at ``--config PATH``, else ``$BIOSWEEP_CONFIG``, else ``./biosweep.toml``, else
``$XDG_CONFIG_HOME/biosweep/biosweep.toml`` (``~/.config/…``), else
``/etc/biosweep/biosweep.toml``; none is fine (defaults). Every key is documented in
README.md ("Configuration file") and in :data:`KEYS`; an unknown key, a wrong type or a bad
value stops with one :class:`ConfigError` naming ``file: section.key``. Relative paths are
relative to the file's folder. Secrets are never written in the file itself: each is read
from a file (``*_file``) or an environment variable (``*_env``) and held in a
:class:`Secret` that prints as ``***``.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.config.schedule import Schedule, parse_cron, parse_duration
from scanner.errors import InputError
from scanner.models import Severity

ENV_CONFIG = "BIOSWEEP_CONFIG"
MAX_SECRET = 4096

#: Every key of every section, with its type (the README documents each).
KEYS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "site": {
        "name": str, "operator": str, "registry": str, "targets": list, "exclude": list,
        "exclude_files": list, "allow_public": bool, "confirm_large_scope": bool,
    },
    "sweep": {
        "ports": str, "only": str, "snmp": bool, "rate": (int, float),
        "host_rate": (int, float), "host_connections": int, "deadline": (int, float),
        "host_budget": (int, float),
    },
    "store": {"path": str, "keep_days": int},
    "ble": {"kernel_ok": bool},
    "watch": {
        "interval": (str, int), "cron": str, "lock": str, "on_overlap": str,
        "wait_lock": (str, int), "min_severity": str,
    },
    "alerts.webhook": {
        "url": str, "secret_file": str, "secret_env": str, "retries": int,
        "timeout": (int, float), "backoff": (int, float),
    },
    "alerts.email": {
        "host": str, "port": int, "security": str, "from": str, "to": list, "username": str,
        "password_file": str, "password_env": str, "ca_file": str, "timeout": (int, float),
    },
    "alerts.syslog": {"address": str, "facility": str},
}  # fmt: skip


class ConfigError(InputError):
    """The configuration file is unreadable or invalid; the message names where."""


class Secret:
    """A secret value that never prints: ``str``/``repr`` give ``***``; :meth:`reveal` it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class SecretRef:
    """Where a secret comes from: a file or an environment variable (never the config)."""

    file: Path | None = None
    env: str | None = None

    def load(self, what: str) -> Secret:
        if self.file is not None:
            return _secret_file(self.file, what)
        if self.env is not None:
            value = os.environ.get(self.env)
            if not value:
                raise ConfigError(f"{what}: environment variable {self.env} is not set")
            return Secret(value.strip())
        raise ConfigError(f"{what}: give a *_file or *_env")


def _secret_file(path: Path, what: str) -> Secret:
    try:
        st = path.stat()
        data = path.read_bytes()[: MAX_SECRET + 1]
    except OSError as exc:
        raise ConfigError(f"{what}: cannot read {path}: {exc.strerror or exc}") from None
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{what}: {path} is readable by others; chmod 600 {path}")
    if len(data) > MAX_SECRET:
        raise ConfigError(f"{what}: {path} is larger than {MAX_SECRET} bytes")
    value = data.decode("utf-8", "replace").strip()
    if not value:
        raise ConfigError(f"{what}: {path} is empty")
    return Secret(value)


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    url: str
    secret: SecretRef | None = None
    retries: int = 3
    timeout: float = 10.0
    backoff: float = 1.0


@dataclass(frozen=True, slots=True)
class EmailConfig:
    host: str
    sender: str
    to: tuple[str, ...]
    port: int = 587
    security: str = "starttls"  # starttls | tls | none
    username: str | None = None
    password: SecretRef | None = None
    ca_file: Path | None = None
    timeout: float = 30.0


@dataclass(frozen=True, slots=True)
class SyslogConfig:
    address: str = "/dev/log"
    facility: str = "local0"


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
    ble_kernel_ok: bool = False  # [ble] kernel_ok: as --ble-kernel-ok
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
        with path.open("rb") as f:
            doc = tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(doc, path)


def _sections(doc: dict[str, Any], src: Path) -> dict[str, dict[str, Any]]:
    """The document as ``{section: {key: value}}``, every key and type checked."""
    out: dict[str, dict[str, Any]] = {}
    for name, body in doc.items():
        if name == "alerts" and isinstance(body, dict):
            for sub, sub_body in body.items():
                out[f"alerts.{sub}"] = _table(src, f"alerts.{sub}", sub_body)
        else:
            out[name] = _table(src, name, body)
    return out


def _table(src: Path, name: str, body: Any) -> dict[str, Any]:
    if name not in KEYS:
        raise ConfigError(f"{src}: unknown section [{name}] (known: {', '.join(KEYS)})")
    if not isinstance(body, dict):
        raise ConfigError(f"{src}: [{name}] must be a table")
    for key, value in body.items():
        expected = KEYS[name].get(key)
        if expected is None:
            raise ConfigError(f"{src}: {name}.{key}: unknown key")
        if isinstance(value, bool) and expected is not bool:
            raise ConfigError(f"{src}: {name}.{key}: expected {_tname(expected)}, not a boolean")
        if not isinstance(value, expected):
            raise ConfigError(f"{src}: {name}.{key}: expected {_tname(expected)}")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{src}: {name}.{key}: expected a list of strings")
    return body


def _tname(t: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
             list: "a list"}  # fmt: skip
    kinds = t if isinstance(t, tuple) else (t,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def parse_config(doc: dict[str, Any], src: Path) -> Config:
    """A :class:`Config` from a parsed TOML document read from ``src``."""
    s = _sections(doc, src)
    base = src.parent
    site, store, watch = s.get("site", {}), s.get("store", {}), s.get("watch", {})

    def path(value: str | None) -> Path | None:
        return None if value is None else base / Path(value).expanduser()

    try:
        return Config(
            source=src,
            site=site.get("name"),
            operator=site.get("operator"),
            registry=path(site.get("registry")),
            targets=tuple(site.get("targets", ())),
            exclude=tuple(site.get("exclude", ())),
            exclude_files=tuple(base / p for p in site.get("exclude_files", ())),
            allow_public=site.get("allow_public", False),
            confirm_large_scope=site.get("confirm_large_scope", False),
            sweep=dict(s.get("sweep", {})),
            ble_kernel_ok=s.get("ble", {}).get("kernel_ok", False),
            store=path(store.get("path")),
            keep_days=_positive(src, "store.keep_days", store.get("keep_days", 180)),
            schedule=_schedule(src, watch),
            lock=path(watch.get("lock")),
            on_overlap=_choice(
                src, "watch.on_overlap", watch.get("on_overlap", "exit"), ("exit", "wait")
            ),
            wait_lock=parse_duration(str(watch["wait_lock"])) if "wait_lock" in watch else 0.0,
            min_severity=Severity(
                _choice(
                    src,
                    "watch.min_severity",
                    watch.get("min_severity", "high"),
                    tuple(s.value for s in Severity),
                )
            ),
            webhook=_webhook(src, s.get("alerts.webhook"), base),
            email=_email(src, s.get("alerts.email"), base),
            syslog=_syslog(src, s.get("alerts.syslog")),
        )
    except ConfigError:
        raise
    except InputError as exc:
        raise ConfigError(f"{src}: {exc}") from None


def _positive(src: Path, key: str, value: int) -> int:
    if value < 1:
        raise ConfigError(f"{src}: {key}: must be at least 1")
    return value


def _choice(src: Path, key: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ConfigError(f"{src}: {key}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _schedule(src: Path, watch: dict[str, Any]) -> Schedule:
    if "interval" in watch and "cron" in watch:
        raise ConfigError(f"{src}: watch: give interval or cron, not both")
    if "cron" in watch:
        return Schedule(cron=parse_cron(watch["cron"]))
    return Schedule(interval=parse_duration(str(watch.get("interval", "1h"))))


def _secret_ref(src: Path, table: dict[str, Any], name: str, base: Path) -> SecretRef | None:
    file, env = table.get(f"{name}_file"), table.get(f"{name}_env")
    if file is not None and env is not None:
        raise ConfigError(f"{src}: give {name}_file or {name}_env, not both")
    if file is None and env is None:
        return None
    return SecretRef(file=base / file if file else None, env=env)


def _webhook(src: Path, t: dict[str, Any] | None, base: Path) -> WebhookConfig | None:
    if t is None:
        return None
    url = t.get("url", "")
    if not url.startswith(("https://", "http://")):
        raise ConfigError(f"{src}: alerts.webhook.url: must be an http(s) URL")
    return WebhookConfig(
        url=url,
        secret=_secret_ref(src, t, "secret", base),
        retries=max(0, min(int(t.get("retries", 3)), 10)),
        timeout=float(t.get("timeout", 10.0)),
        backoff=float(t.get("backoff", 1.0)),
    )


def _email(src: Path, t: dict[str, Any] | None, base: Path) -> EmailConfig | None:
    if t is None:
        return None
    for key in ("host", "from", "to"):
        if not t.get(key):
            raise ConfigError(f"{src}: alerts.email.{key}: required")
    security = _choice(src, "alerts.email.security", t.get("security", "starttls"),
                       ("starttls", "tls", "none"))  # fmt: skip
    default_port = {"starttls": 587, "tls": 465, "none": 25}[security]
    return EmailConfig(
        host=t["host"],
        sender=t["from"],
        to=tuple(t["to"]),
        port=int(t.get("port", default_port)),
        security=security,
        username=t.get("username"),
        password=_secret_ref(src, t, "password", base),
        ca_file=base / t["ca_file"] if t.get("ca_file") else None,
        timeout=float(t.get("timeout", 30.0)),
    )


def _syslog(src: Path, t: dict[str, Any] | None) -> SyslogConfig | None:
    if t is None:
        return None
    return SyslogConfig(address=t.get("address", "/dev/log"), facility=t.get("facility", "local0"))


__all__ = [
    "KEYS",
    "Config",
    "ConfigError",
    "EmailConfig",
    "Schedule",
    "Secret",
    "SecretRef",
    "SyslogConfig",
    "WebhookConfig",
    "find_config",
    "load_config",
    "parse_config",
]
