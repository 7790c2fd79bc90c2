"""Alert channels: one small ABC (:class:`~scanner.alerts.base.Sender`) and an explicit
registry (:data:`SENDERS`, by the ``[alerts.NAME]`` section that configures each).

Each sender has an I/O seam with a fake for unit tests in :mod:`scanner.alerts.fakes`
(webhook ``FakeTransport``, e-mail ``FakeSmtp``, syslog ``FakeSyslogTransport``); the real ones
are tested against real servers on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Callable

from scanner.alerts.base import Alert, AlertError, AlertItem, Sender, build_alert, test_alert
from scanner.alerts.email import EmailSender
from scanner.alerts.syslog import SyslogSender
from scanner.alerts.webhook import WebhookSender
from scanner.config import Config

Factory = Callable[[Config], Sender | None]


def _webhook(cfg: Config) -> Sender | None:
    w = cfg.webhook
    if w is None:
        return None
    secret = w.secret.load("alerts.webhook secret") if w.secret else None
    return WebhookSender(
        w.url, secret, retries=w.retries, timeout=w.timeout, backoff=w.backoff,
        allow_link_local=w.allow_link_local,
    )  # fmt: skip


def _email(cfg: Config) -> Sender | None:
    e = cfg.email
    if e is None:
        return None
    password = e.password.load("alerts.email password") if e.password else None
    return EmailSender(
        e.host, e.sender, e.to, port=e.port, security=e.security, username=e.username,
        password=password, ca_file=e.ca_file, timeout=e.timeout,
        allow_link_local=e.allow_link_local,
    )  # fmt: skip


def _syslog(cfg: Config) -> Sender | None:
    s = cfg.syslog
    if s is None:
        return None
    return SyslogSender(s.address, s.facility, allow_link_local=s.allow_link_local)


SENDERS: dict[str, Factory] = {"webhook": _webhook, "email": _email, "syslog": _syslog}


def senders(cfg: Config) -> list[Sender]:
    """Every channel the configuration sets up (secrets are read now, so a missing secret
    file stops the watch before its first sweep)."""
    return [s for make in SENDERS.values() if (s := make(cfg)) is not None]


__all__ = [
    "SENDERS",
    "Alert",
    "AlertError",
    "AlertItem",
    "EmailSender",
    "Sender",
    "SyslogSender",
    "WebhookSender",
    "build_alert",
    "senders",
    "test_alert",
]
