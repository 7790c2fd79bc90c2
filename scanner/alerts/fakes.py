"""The alert channels' fakes (next to the senders they fake): scripted transports that record
what a sender did, for unit tests. The real transports are tested against real servers."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

from scanner.alerts.syslog import SyslogTransport
from scanner.alerts.webhook import Response, Transport


@dataclass
class FakeTransport(Transport):
    """Scripted statuses (an ``OSError`` instance is raised instead); records each request."""

    statuses: list[int | OSError] = field(default_factory=lambda: [200])
    requests: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Response:
        self.requests.append((url, body, dict(headers)))
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        if isinstance(status, OSError):
            raise status
        return Response(status)


@dataclass
class FakeSyslogTransport(SyslogTransport):
    sent: list[bytes] = field(default_factory=list)
    address: str = "fake"

    def send_all(self, messages: list[bytes]) -> None:
        self.sent += messages


@dataclass
class FakeSmtp:
    """Records what a session did; ``starttls_offered`` scripts the server's EHLO."""

    starttls_offered: bool = True
    log: list[str] = field(default_factory=list)
    messages: list[EmailMessage] = field(default_factory=list)

    def ehlo(self, name: str = "") -> tuple[int, bytes]:
        self.log.append("ehlo")
        return 250, b"ok"

    def has_extn(self, opt: str) -> bool:
        return opt.lower() == "starttls" and self.starttls_offered

    def starttls(self, *, context: ssl.SSLContext | None = None) -> tuple[int, bytes]:
        self.log.append("starttls")
        return 220, b"go ahead"

    def login(self, user: str, password: str) -> tuple[int, bytes]:
        self.log.append(f"login {user}")
        return 235, b"ok"

    def send_message(self, msg: EmailMessage) -> object:
        self.log.append("send")
        self.messages.append(msg)
        return {}

    def quit(self) -> object:
        self.log.append("quit")
        return 221, b"bye"
