"""The ``[alerts.*]`` sections: webhook, e-mail and syslog, their secrets and destinations.

Secrets are never written in the file itself: each is read from a private file (``*_file``)
or an environment variable (``*_env``) and held in a :class:`Secret` that prints as ``***``.
A destination that is link-local or a cloud metadata service is refused unless the section
says ``allow_link_local = true`` (:mod:`scanner.config.destinations`).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scanner.config.destinations import refused_destination
from scanner.config.problems import ConfigError, Problems
from scanner.config.ranges import PORT
from scanner.errors import InputError
from scanner.inputs import open_input

MAX_SECRET = 4096
#: syslog facilities by name (RFC 5424 section 6.2.1).
FACILITIES = {
    "user": 1, "daemon": 3, "auth": 4, "local0": 16, "local1": 17, "local2": 18,
    "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}  # fmt: skip
ALLOW_HINT = "set allow_link_local = true in this section if you mean it"


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
    """A private regular file of at most MAX_SECRET bytes (its mode is read from the file
    opened, so it cannot be swapped between the check and the read)."""
    try:
        with open_input(path) as f:
            mode = os.fstat(f.fileno()).st_mode
            data = f.read(MAX_SECRET + 1)
    except InputError as exc:
        raise ConfigError(f"{what}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{what}: cannot read {path}: {exc.strerror or exc}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
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
    allow_link_local: bool = False


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
    allow_link_local: bool = False


@dataclass(frozen=True, slots=True)
class SyslogConfig:
    address: str = "/dev/log"
    facility: str = "local0"
    allow_link_local: bool = False


def _secret_ref(
    p: Problems, section: str, t: dict[str, Any], name: str, base: Path
) -> SecretRef | None:
    file, env = t.get(f"{name}_file"), t.get(f"{name}_env")
    if file is not None and env is not None:
        p.add(f"{section}.{name}_env", f"give {name}_file or {name}_env, not both")
        return None
    if not file and not env:
        return None
    return SecretRef(file=base / Path(file).expanduser() if file else None, env=env or None)


def _destination(p: Problems, where: str, host: str | None, t: dict[str, Any]) -> None:
    why = refused_destination(host or "")
    if why is not None and not t.get("allow_link_local", False):
        p.add(where, f"{host} {why}: alerts are not sent there; {ALLOW_HINT}")


def webhook(p: Problems, t: dict[str, Any] | None, base: Path) -> WebhookConfig | None:
    if t is None:
        return None
    url = t.get("url", "")
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or PORT.problem(parts.port) is None
    except ValueError:
        parts, port_ok = urlsplit(""), False
    if parts.scheme not in ("https", "http") or not parts.hostname or not port_ok:
        p.add(
            "alerts.webhook.url", "must be an http(s) URL with a host (and a port from 1 to 65535)"
        )
        return None
    _destination(p, "alerts.webhook.url", parts.hostname, t)
    return WebhookConfig(
        url=url,
        secret=_secret_ref(p, "alerts.webhook", t, "secret", base),
        retries=t.get("retries", 3),
        timeout=float(t.get("timeout", 10.0)),
        backoff=float(t.get("backoff", 1.0)),
        allow_link_local=t.get("allow_link_local", False),
    )


def email(p: Problems, t: dict[str, Any] | None, base: Path) -> EmailConfig | None:
    if t is None:
        return None
    missing = [key for key in ("host", "from", "to") if not t.get(key)]
    for key in missing:
        p.add(f"alerts.email.{key}", "required")
    security = t.get("security", "starttls")
    if security not in ("starttls", "tls", "none"):
        p.add("alerts.email.security", f"{security!r} is not one of starttls, tls, none")
        return None
    if missing:
        return None
    _destination(p, "alerts.email.host", t["host"], t)
    default_port = {"starttls": 587, "tls": 465, "none": 25}[security]
    return EmailConfig(
        host=t["host"],
        sender=t["from"],
        to=tuple(t["to"]),
        port=t.get("port", default_port),
        security=security,
        username=t.get("username"),
        password=_secret_ref(p, "alerts.email", t, "password", base),
        ca_file=base / Path(t["ca_file"]).expanduser() if t.get("ca_file") else None,
        timeout=float(t.get("timeout", 30.0)),
        allow_link_local=t.get("allow_link_local", False),
    )


def syslog(p: Problems, t: dict[str, Any] | None) -> SyslogConfig | None:
    if t is None:
        return None
    address, facility = t.get("address", "/dev/log"), t.get("facility", "local0")
    if facility not in FACILITIES:
        p.add("alerts.syslog.facility", f"{facility!r} is not one of {', '.join(FACILITIES)}")
    if not address.startswith("/"):
        try:
            parts = urlsplit(address)
            port = parts.port
        except ValueError:
            parts, port = urlsplit(""), -1
        if (
            parts.scheme not in ("udp", "tcp")
            or not parts.hostname
            or (port is not None and PORT.problem(port) is not None)
        ):
            p.add("alerts.syslog.address", "use /dev/log (a socket path), udp://HOST:PORT or "
                  "tcp://HOST:PORT (port 1 to 65535)")  # fmt: skip
        else:
            _destination(p, "alerts.syslog.address", parts.hostname, t)
    return SyslogConfig(address, facility, t.get("allow_link_local", False))


__all__ = [
    "FACILITIES",
    "MAX_SECRET",
    "EmailConfig",
    "Secret",
    "SecretRef",
    "SyslogConfig",
    "WebhookConfig",
    "email",
    "syslog",
    "webhook",
]
