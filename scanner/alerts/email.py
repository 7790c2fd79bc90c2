"""E-mail alerts over SMTP (RFC 5321) with STARTTLS (RFC 3207) by default.

``security = "starttls"`` (port 587) upgrades the plain connection and refuses to go on if
the server does not offer STARTTLS: no silent downgrade. ``"tls"`` (port 465) is TLS from
the first byte (RFC 8314); ``"none"`` sends in clear text and is meant for a relay on the
same host. Certificates are checked against the system store, or ``ca_file``. The password
(if any) is sent only after TLS is up. The message is plain text; the subject is one line
(device text is cleaned of control characters, so no header can be injected).
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import ClassVar, Protocol

from scanner.alerts.base import Alert, AlertError, Sender
from scanner.config import Secret
from scanner.normalize import clean_text


class SmtpClient(Protocol):
    """The part of :class:`smtplib.SMTP` the sender uses."""

    def ehlo(self, name: str = "") -> tuple[int, bytes]: ...
    def has_extn(self, opt: str) -> bool: ...
    def starttls(self, *, context: ssl.SSLContext | None = None) -> tuple[int, bytes]: ...
    def login(self, user: str, password: str) -> tuple[int, bytes]: ...
    def send_message(self, msg: EmailMessage) -> object: ...
    def quit(self) -> object: ...


Connect = Callable[[str, int, float, ssl.SSLContext | None], SmtpClient]


def smtp_connect(host: str, port: int, timeout: float, tls: ssl.SSLContext | None) -> SmtpClient:
    """A real SMTP connection (implicit TLS when ``tls`` is given)."""
    if tls is not None:
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls)
    return smtplib.SMTP(host, port, timeout=timeout)


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


class EmailSender(Sender):
    name: ClassVar[str] = "email"

    def __init__(
        self,
        host: str,
        sender: str,
        to: tuple[str, ...],
        *,
        port: int = 587,
        security: str = "starttls",
        username: str | None = None,
        password: Secret | None = None,
        ca_file: Path | None = None,
        timeout: float = 30.0,
        connect: Connect = smtp_connect,
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self.sender, self.to = sender, to
        self.username = username
        self._password = password
        self.ca_file = ca_file
        self.timeout = timeout
        self._connect = connect

    def describe(self) -> str:
        return f"email via {self.host}:{self.port} ({self.security}) to {', '.join(self.to)}"

    def _context(self) -> ssl.SSLContext:
        if self.ca_file is not None:
            return ssl.create_default_context(cafile=str(self.ca_file))
        return ssl.create_default_context()

    def message(self, alert: Alert) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = alert.subject()
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.to)
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        msg["Message-ID"] = make_msgid(domain="biosweep.invalid")
        head = [f"Site: {clean_text(alert.site or '-', 200)}", f"Run: {alert.run_id}"]
        if alert.previous_run_id:
            head.append(f"Compared with: {alert.previous_run_id}")
        body = "\n".join([*head, "", *alert.lines(), "", f"biosweep history show {alert.run_id}"])
        msg.set_content(body + "\n")
        return msg

    def send(self, alert: Alert) -> str:
        msg = self.message(alert)
        try:
            tls = self._context() if self.security == "tls" else None
            client = self._connect(self.host, self.port, self.timeout, tls)
            try:
                client.ehlo()
                if self.security == "starttls":
                    if not client.has_extn("starttls"):
                        raise AlertError(f"{self.describe()}: the server does not offer STARTTLS")
                    client.starttls(context=self._context())
                    client.ehlo()
                if self.username and self._password is not None:
                    client.login(self.username, self._password.reveal())
                client.send_message(msg)
            finally:
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    client.quit()
        except AlertError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise AlertError(f"{self.describe()}: login refused ({exc.smtp_code})") from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            text = getattr(exc, "strerror", None) or str(exc)
            raise AlertError(f"{self.describe()}: not delivered: {text[:200]}") from None
        return f"{self.describe()}: accepted"
