"""Alerts: which findings are alerted, and each channel through its fake and for real on
127.0.0.1 (webhook: http.server; e-mail: aiosmtpd with STARTTLS; syslog: UDP and unix
datagram sockets)."""

from __future__ import annotations

import email
import hashlib
import hmac
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from scanner.alerts import AlertError, EmailSender, SyslogSender, WebhookSender, build_alert
from scanner.alerts.fakes import FakeSmtp, FakeSyslogTransport, FakeTransport
from scanner.alerts.webhook import signature
from scanner.config import Secret
from scanner.models import FindingKind, Severity
from tests.store.sample import NEW_MAC, make_run

SECRET = Secret("s3cret-hmac-key-e1b0")


@pytest.fixture(scope="module")
def alert() -> Any:
    first = make_run(0)
    second = make_run(1, new_camera=True, previous=first)
    built = build_alert(second, first, Severity.HIGH)
    assert built is not None
    return built


# -- what is alerted --------------------------------------------------------------------------


def test_only_new_findings_at_or_above_the_floor_are_alerted(alert: Any) -> None:
    assert [(i.change, i.finding.kind) for i in alert.items] == [
        ("new", FindingKind.UNREGISTERED_COLLECTOR)
    ]
    assert alert.items[0].device.macs == (NEW_MAC,)
    first = make_run(0)
    second = make_run(1, new_camera=True, previous=first)
    medium = build_alert(second, first, Severity.MEDIUM)
    assert medium is not None
    assert {i.finding.kind for i in medium.items} >= {FindingKind.NEW_SINCE_LAST_RUN}


def test_nothing_new_means_no_alert_and_a_worse_finding_is_changed() -> None:
    first = make_run(0, new_camera=True)
    again = replace(first, id="run-again")
    assert build_alert(again, first) is None
    worse = replace(
        again,
        findings=tuple(
            replace(f, severity=Severity.CRITICAL)
            if f.kind is FindingKind.UNREGISTERED_COLLECTOR else f
            for f in again.findings
        ),
    )  # fmt: skip
    changed = build_alert(worse, first)
    assert changed is not None
    assert [i.change for i in changed.items] == ["changed"]


def test_the_first_run_of_a_site_alerts_on_everything_serious() -> None:
    run = make_run(0, new_camera=True)
    first = build_alert(run, None)
    assert first is not None
    assert [i.finding.kind for i in first.items] == [FindingKind.UNREGISTERED_COLLECTOR]
    assert build_alert(make_run(0), None) is None  # only the registered camera: info


# -- webhook ----------------------------------------------------------------------------------


def test_webhook_retries_with_backoff_and_signs_every_attempt(alert: Any) -> None:
    waits: list[float] = []
    fake = FakeTransport(statuses=[OSError("refused"), 503, 204])
    sender = WebhookSender("https://hooks.example/x", SECRET, retries=3, transport=fake,
                           sleep=waits.append)  # fmt: skip
    assert "204" in sender.send(alert)
    assert waits == [1.0, 2.0]
    deliveries = {h["X-Biosweep-Delivery"] for _u, _b, h in fake.requests}
    assert len(fake.requests) == 3 and len(deliveries) == 1  # one id across retries
    for _url, body, headers in fake.requests:
        assert headers["X-Biosweep-Signature"] == signature(
            SECRET, headers["X-Biosweep-Timestamp"], body
        )
        assert SECRET.reveal() not in json.dumps(headers) + body.decode()


def test_webhook_gives_up_at_once_on_a_client_error_and_names_no_secret(alert: Any) -> None:
    fake = FakeTransport(statuses=[403])
    sender = WebhookSender("https://user:pw@hooks.example/x?token=t0k", SECRET, transport=fake,
                           sleep=lambda _s: None)  # fmt: skip
    with pytest.raises(AlertError) as err:
        sender.send(alert)
    assert len(fake.requests) == 1
    message = str(err.value)
    assert "HTTP 403" in message
    for secret in ("pw", "t0k", SECRET.reveal()):
        assert secret not in message.replace("https", "")
    assert repr(SECRET) == "Secret('***')"


class _Hook(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []  # noqa: RUF012
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers.items()), body))
        self.send_response(type(self).status)
        if type(self).status == 302:
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[tuple[str, type[_Hook]]]:
    handler = type("Hook", (_Hook,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_posts_signed_json_to_a_real_server(alert: Any, hook: Any) -> None:
    url, handler = hook
    WebhookSender(url, SECRET).send(alert)
    [(headers, body)] = handler.received
    assert headers["Content-Type"] == "application/json"
    want = hmac.new(
        SECRET.reveal().encode(), headers["X-Biosweep-Timestamp"].encode() + b"." + body,
        hashlib.sha256,
    ).hexdigest()  # fmt: skip
    assert headers["X-Biosweep-Signature"] == f"sha256={want}"
    assert json.loads(body)["findings"][0]["kind"] == "unregistered_collector"


def test_webhook_does_not_follow_redirects(alert: Any, hook: Any) -> None:
    url, handler = hook
    handler.status = 302
    with pytest.raises(AlertError, match="HTTP 302"):
        WebhookSender(url, SECRET, retries=0).send(alert)
    assert len(handler.received) == 1


def test_webhook_to_a_dead_port_fails_after_its_retries(alert: Any) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    waits: list[float] = []
    sender = WebhookSender(f"http://127.0.0.1:{port}/", retries=2, sleep=waits.append)
    with pytest.raises(AlertError, match="not delivered"):
        sender.send(alert)
    assert waits == [1.0, 2.0]


# -- e-mail -----------------------------------------------------------------------------------


def _fake_sender(fake: FakeSmtp, **kw: Any) -> EmailSender:
    return EmailSender("smtp.example", "biosweep@example.com", ("sec@example.com",),
                       connect=lambda *_a: fake, **kw)  # fmt: skip


def test_email_upgrades_to_tls_before_logging_in(alert: Any) -> None:
    fake = FakeSmtp()
    _fake_sender(fake, username="u", password=Secret("pw")).send(alert)
    assert fake.log == ["ehlo", "starttls", "ehlo", "login u", "send", "quit"]
    msg = fake.messages[0]
    assert "unregistered_collector" in msg.get_content()
    assert msg["Subject"].startswith("[biosweep] high:")


def test_email_refuses_a_server_without_starttls(alert: Any) -> None:
    fake = FakeSmtp(starttls_offered=False)
    with pytest.raises(AlertError, match="does not offer STARTTLS"):
        _fake_sender(fake, username="u", password=Secret("pw")).send(alert)
    assert "send" not in fake.log and "login u" not in fake.log


def test_device_text_cannot_inject_mail_headers(alert: Any) -> None:
    fake = FakeSmtp()
    evil = replace(alert, site="Lobby\r\nBcc: attacker@example.org")
    _fake_sender(fake).send(evil)
    parsed = email.message_from_string(fake.messages[0].as_string())
    assert parsed["Bcc"] is None
    assert "\nBcc:" not in parsed.as_string()


def test_email_over_starttls_to_a_real_aiosmtpd(alert: Any, tmp_path: Path) -> None:
    pytest.importorskip("aiosmtpd")
    from tests.watch.receivers import smtp_server

    controller = smtp_server(tmp_path, "biosweep", b"pw-123")
    try:
        sender = EmailSender(
            "127.0.0.1", "biosweep@example.com", ("sec@example.com",), port=controller.port,
            username="biosweep", password=Secret("pw-123"), ca_file=tmp_path / "cert.pem",
        )  # fmt: skip
        sender.send(alert)
        wrong = EmailSender(
            "127.0.0.1", "biosweep@example.com", ("sec@example.com",), port=controller.port,
            username="biosweep", password=Secret("wrong"), ca_file=tmp_path / "cert.pem",
        )  # fmt: skip
        with pytest.raises(AlertError, match="login refused"):
            wrong.send(alert)
        untrusted = EmailSender("127.0.0.1", "b@example.com", ("s@example.com",),
                                port=controller.port)  # fmt: skip
        with pytest.raises(AlertError, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
            untrusted.send(alert)
    finally:
        controller.stop()
    [saved] = [json.loads(p.read_text()) for p in tmp_path.glob("mail-*.json")]
    assert saved["tls"] is True and saved["auth"] == "biosweep"
    msg = email.message_from_string(saved["message"])
    assert NEW_MAC in msg.get_payload()
    assert isinstance(ssl.OPENSSL_VERSION, str)


# -- syslog -----------------------------------------------------------------------------------


def test_syslog_messages_follow_rfc5424_with_mapped_levels(alert: Any) -> None:
    fake = FakeSyslogTransport()
    SyslogSender("fake", "local0", transport=fake).send(alert)
    head, item = fake.sent
    assert head.startswith(b"<131>1 ")  # local0 (16) * 8 + err (3): a high alert
    assert b" biosweep " in head and b" ALERT - " in head
    assert item.startswith(b"<131>1 ") and b"unregistered_collector" in item


def test_syslog_over_real_udp_and_unix_sockets(alert: Any, tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        udp.settimeout(5)
        port = udp.getsockname()[1]
        SyslogSender(f"udp://127.0.0.1:{port}").send(alert)
        assert udp.recv(4096).startswith(b"<131>1 ")
    path = tmp_path / "log.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as unix:
        unix.bind(str(path))
        unix.settimeout(5)
        SyslogSender(str(path), "daemon").send(alert)
        assert unix.recv(4096).startswith(b"<27>1 ")  # daemon (3) * 8 + err (3)
