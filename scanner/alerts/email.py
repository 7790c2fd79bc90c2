"""E-mail alerts over SMTP (RFC 5321) with STARTTLS (RFC 3207) by default.

``security = "starttls"`` (port 587) upgrades the plain connection and refuses to go on if
the server does not offer STARTTLS: no silent downgrade. ``"tls"`` (port 465) is TLS from
the first byte (RFC 8314); ``"none"`` sends in clear text and is meant for a relay on the
same host. Certificates are checked against the system store, or ``ca_file`` (a regular file
of at most :data:`MAX_CA_FILE`). The password (if any) is sent only after TLS is up. The
whole session has one total deadline (``timeout``), however slowly the server answers.
The message is plain text; the subject is one line (device text is cleaned of control
characters, so no header can be injected).
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import ClassVar, Protocol

from scanner.alerts.base import Alert, AlertError, Sender
from scanner.alerts.deadline import Deadline, check_peer
from scanner.config import Secret
from scanner.errors import InputError
from scanner.inputs import read_input
from scanner.normalize import clean_text

MAX_CA_FILE = 1 << 20


class SmtpClient(Protocol):
    """The part of :class:`smtplib.SMTP` the sender uses."""

    def ehlo(self, name: str = "") -> tuple[int, bytes]: ...
    def has_extn(self, opt: str) -> bool: ...
    def starttls(self, *, context: ssl.SSLContext | None = None) -> tuple[int, bytes]: ...
    def login(self, user: str, password: str) -> tuple[int, bytes]: ...
    def send_message(self, msg: EmailMessage) -> object: ...
    def quit(self) -> object: ...


Connect = Callable[[str, int, ssl.SSLContext | None, Deadline, bool], SmtpClient]


class _Guarded:
    """Mixed into smtplib's classes: the new socket is handed to the attempt's deadline and
    checked for where it really goes."""

    deadline: Deadline
    allow_link_local: bool
    _host: str

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        raw = socket.create_connection((host, port), self.deadline.left())
        self.deadline.watch(raw)
        check_peer(raw, self.allow_link_local, f"email {host}")
        return self._wrap(raw, host)

    def _wrap(self, raw: socket.socket, host: str) -> socket.socket:
        return raw


class _SMTP(_Guarded, smtplib.SMTP):
    pass


class _SMTPS(_Guarded, smtplib.SMTP_SSL):
    def _wrap(self, raw: socket.socket, host: str) -> socket.socket:
        return self.context.wrap_socket(raw, server_hostname=host)


def smtp_connect(
    host: str, port: int, tls: ssl.SSLContext | None, deadline: Deadline, allow: bool
) -> SmtpClient:
    """A real SMTP connection (implicit TLS when ``tls`` is given) under ``deadline``."""
    client: _SMTP | _SMTPS = (
        _SMTPS(timeout=deadline.left(), context=tls) if tls else _SMTP(timeout=deadline.left())
    )
    client.deadline, client.allow_link_local = deadline, allow
    client._host = host  # what STARTTLS checks the certificate against (set by __init__ only)
    client.connect(host, port)
    return client


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
        allow_link_local: bool = False,
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self.sender, self.to = sender, to
        self.username = username
        self._password = password
        self.ca_file = ca_file
        self.timeout = timeout
        self._connect = connect
        self.allow_link_local = allow_link_local

    def describe(self) -> str:
        return f"email via {self.host}:{self.port} ({self.security}) to {', '.join(self.to)}"

    def _context(self) -> ssl.SSLContext:
        if self.ca_file is None:
            return ssl.create_default_context()
        try:  # a regular file, bounded (OpenSSL would read /dev/zero for ever)
            pem = read_input(self.ca_file, MAX_CA_FILE).decode("ascii", "replace")
        except InputError as exc:
            raise AlertError(f"{self.describe()}: ca_file: {exc}") from None
        return ssl.create_default_context(cadata=pem)

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
        deadline = Deadline(self.timeout)
        try:
            tls = self._context() if self.security == "tls" else None
            with deadline.guard():
                self._session(msg, tls, deadline)
        except AlertError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise AlertError(f"{self.describe()}: login refused ({exc.smtp_code})") from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            text = getattr(exc, "strerror", None) or str(exc)
            if deadline.expired:
                text = str(deadline.timed_out("the SMTP session"))
            raise AlertError(f"{self.describe()}: not delivered: {text[:200]}") from None
        return f"{self.describe()}: accepted"

    def _session(self, msg: EmailMessage, tls: ssl.SSLContext | None, deadline: Deadline) -> None:
        client = self._connect(self.host, self.port, tls, deadline, self.allow_link_local)
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
            if not deadline.expired:
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    client.quit()
