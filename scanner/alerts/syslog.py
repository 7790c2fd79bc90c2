"""Syslog alerts: one RFC 5424 message per finding (plus a head line), to the local syslog
socket (``/dev/log``, datagrams) or to ``udp://HOST:PORT`` (RFC 5426) or ``tcp://HOST:PORT``
(RFC 6587 octet counting), all messages of an alert under one total deadline. Severity
maps to syslog levels: critical → crit (2), high → err (3), medium → warning (4), low →
notice (5), info → info (6).
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from typing import ClassVar
from urllib.parse import urlsplit

from scanner.alerts.base import Alert, AlertError, Sender, item_line
from scanner.alerts.deadline import Deadline, check_peer
from scanner.config import FACILITIES
from scanner.models import Severity
from scanner.normalize import clean_text

LEVELS = {
    Severity.CRITICAL: 2, Severity.HIGH: 3, Severity.MEDIUM: 4, Severity.LOW: 5,
    Severity.INFO: 6,
}  # fmt: skip
MAX_MESSAGE = 2048  # RFC 5426 section 3.2: receivers should take at least 2048 octets


class SyslogTransport:
    """Sends each message as one datagram (unix or UDP) or octet-counted frame (TCP), all of
    them under one total deadline, to a peer that is not link-local or a metadata service
    unless ``allow_link_local``."""

    def __init__(self, address: str, timeout: float = 5.0, allow_link_local: bool = False) -> None:
        self.address = address
        self.timeout = timeout
        self.allow_link_local = allow_link_local

    def send_all(self, messages: list[bytes]) -> None:
        deadline = Deadline(self.timeout)
        try:
            with deadline.guard():
                self._send(messages, deadline)
        except OSError:
            if deadline.expired:
                raise deadline.timed_out(f"syslog {self.address}") from None
            raise

    def _send(self, messages: list[bytes], deadline: Deadline) -> None:
        if self.address.startswith("/"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
                deadline.watch(s)
                s.settimeout(deadline.left())
                s.connect(self.address)
                for m in messages:
                    s.send(m)
            return
        p = urlsplit(self.address)
        if p.scheme not in ("udp", "tcp") or not p.hostname:
            raise AlertError(f"syslog address {self.address!r}: use /dev/log, udp:// or tcp://")
        where = (p.hostname, p.port or 514)
        if p.scheme == "udp":
            family = socket.AF_INET6 if ":" in p.hostname else socket.AF_INET
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                deadline.watch(s)
                s.settimeout(deadline.left())
                s.connect(where)
                check_peer(s, self.allow_link_local, f"syslog {p.hostname}")
                for m in messages:
                    s.send(m)
            return
        with socket.create_connection(where, timeout=deadline.left()) as s:
            deadline.watch(s)
            check_peer(s, self.allow_link_local, f"syslog {p.hostname}")
            s.sendall(b"".join(str(len(m)).encode() + b" " + m for m in messages))


def _line(pri: int, msg_id: str, text: str) -> bytes:
    """``<PRI>1 TIMESTAMP HOSTNAME APP PROCID MSGID - MSG`` (RFC 5424 section 6)."""
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    host = clean_text(socket.gethostname(), 255).replace(" ", "") or "-"
    head = f"<{pri}>1 {stamp} {host} biosweep {os.getpid()} {msg_id} - "
    return (head + clean_text(text, MAX_MESSAGE)).encode("utf-8")[:MAX_MESSAGE]


class SyslogSender(Sender):
    name: ClassVar[str] = "syslog"

    def __init__(
        self,
        address: str = "/dev/log",
        facility: str = "local0",
        transport: SyslogTransport | None = None,
        allow_link_local: bool = False,
    ) -> None:
        if facility not in FACILITIES:
            raise AlertError(f"syslog facility {facility!r}: one of {', '.join(FACILITIES)}")
        self.address = address
        self.facility = FACILITIES[facility]
        self.transport = transport or SyslogTransport(address, allow_link_local=allow_link_local)

    def describe(self) -> str:
        return f"syslog {self.address}"

    def messages(self, alert: Alert) -> list[bytes]:
        msg_id = "TEST" if alert.test else "ALERT"
        head_level = LEVELS[alert.severity] if not alert.test else 6
        out = [
            _line(self.facility * 8 + head_level, msg_id, f"{alert.subject()} run={alert.run_id}")
        ]
        for item in alert.items:
            level = LEVELS[item.finding.severity]
            out.append(
                _line(self.facility * 8 + level, "FINDING", f"run={alert.run_id} {item_line(item)}")
            )
        return out

    def send(self, alert: Alert) -> str:
        messages = self.messages(alert)
        try:
            self.transport.send_all(messages)
        except OSError as exc:
            raise AlertError(f"{self.describe()}: not delivered: {exc.strerror or exc}") from None
        return f"{self.describe()}: {len(messages)} message(s)"
