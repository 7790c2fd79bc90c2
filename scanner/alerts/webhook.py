"""Webhook alerts: the alert JSON (``biosweep.alert/1``) POSTed to a URL, signed.

Signature: ``X-Biosweep-Signature: sha256=HEX`` where HEX is HMAC-SHA256 (RFC 2104) keyed
with the shared secret over ``TIMESTAMP + "." + BODY``, and ``X-Biosweep-Timestamp`` is that
Unix time; a receiver recomputes it and rejects old timestamps (the same scheme as Stripe's
and GitHub's webhook signatures: https://docs.stripe.com/webhooks#verify-manually,
https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries).
``X-Biosweep-Delivery`` is one UUID per alert, kept across retries so a receiver can drop
duplicates. Retries: on a connection error, a timeout, 429 or 5xx, up to ``retries`` more
times, waiting ``backoff * 2**n`` seconds (capped at 60, or the server's ``Retry-After``).
Redirects are not followed. Each attempt has one total deadline (``timeout``, connect to the
end of the answer), however the receiver paces its bytes; an address that turns out to be
link-local or a metadata service is refused after the connect, before a byte is sent.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import socket
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from scanner import __version__
from scanner.alerts.base import Alert, AlertError, Sender
from scanner.alerts.deadline import Deadline, check_peer
from scanner.config import Secret

MAX_BACKOFF = 60.0


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    retry_after: float | None = None


class Transport:
    """POSTs bytes over HTTP(S) with the standard library (certificate checked), under one
    total deadline per attempt (:class:`~scanner.alerts.deadline.Deadline`), to a peer that
    is not link-local or a metadata service unless ``allow_link_local``."""

    def __init__(self, allow_link_local: bool = False) -> None:
        self.allow_link_local = allow_link_local

    def _connection(self, url: str, deadline: Deadline) -> http.client.HTTPConnection:
        parts = urlsplit(url)
        host = parts.hostname or ""
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            ctx = ssl.create_default_context()
            conn = http.client.HTTPSConnection(host, parts.port, timeout=deadline.left(),
                                               context=ctx)  # fmt: skip
        else:
            conn = http.client.HTTPConnection(host, parts.port, timeout=deadline.left())

        def connect(address: tuple[str, int], timeout: float, source: object = None) -> Any:
            sock = socket.create_connection(address, deadline.left())
            deadline.watch(sock)
            check_peer(sock, self.allow_link_local, f"webhook {host}")
            return sock

        conn._create_connection = connect  # type: ignore[attr-defined]  # the TCP step only
        return conn

    def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Response:
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        deadline = Deadline(timeout)
        conn = self._connection(url, deadline)
        try:
            with deadline.guard():
                conn.request("POST", path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read(64 * 1024)
                after = resp.getheader("Retry-After")
            if deadline.expired:  # an answer cut short by the deadline is no answer
                raise deadline.timed_out(f"webhook {parts.hostname}")
            return Response(resp.status, float(after) if after and after.isdigit() else None)
        except (OSError, http.client.HTTPException):
            if deadline.expired:
                raise deadline.timed_out(f"webhook {parts.hostname}") from None
            raise
        finally:
            conn.close()


def signature(secret: Secret, timestamp: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 of ``timestamp.body`` keyed with the secret."""
    mac = hmac.new(secret.reveal().encode("utf-8"), timestamp.encode("ascii") + b"." + body,
                   hashlib.sha256)  # fmt: skip
    return "sha256=" + mac.hexdigest()


def _redacted(url: str) -> str:
    """The URL without credentials, query or fragment (tokens often ride there)."""
    p = urlsplit(url)
    port = f":{p.port}" if p.port else ""
    return f"{p.scheme}://{p.hostname or ''}{port}{p.path}"


class WebhookSender(Sender):
    name: ClassVar[str] = "webhook"

    def __init__(
        self,
        url: str,
        secret: Secret | None = None,
        *,
        retries: int = 3,
        timeout: float = 10.0,
        backoff: float = 1.0,
        transport: Transport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        allow_link_local: bool = False,
    ) -> None:
        self.url = url
        self._secret = secret
        self.retries = retries
        self.timeout = timeout
        self.backoff = backoff
        self.transport = transport or Transport(allow_link_local)
        self._sleep = sleep

    def describe(self) -> str:
        return f"webhook {_redacted(self.url)}"

    def _headers(self, body: bytes, delivery: str) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"biosweep/{__version__}",
            "X-Biosweep-Delivery": delivery,
        }
        if self._secret is not None:
            stamp = str(int(time.time()))
            headers["X-Biosweep-Timestamp"] = stamp
            headers["X-Biosweep-Signature"] = signature(self._secret, stamp, body)
        return headers

    def send(self, alert: Alert) -> str:
        body, delivery = alert.body(), str(uuid.uuid4())
        problem = ""
        for attempt in range(self.retries + 1):
            wait = min(self.backoff * 2**attempt, MAX_BACKOFF)
            try:
                resp = self.transport.post(
                    self.url, body, self._headers(body, delivery), self.timeout
                )
            except (OSError, http.client.HTTPException) as exc:
                problem = f"{type(exc).__name__}: {getattr(exc, 'strerror', None) or exc}"
            else:
                if 200 <= resp.status < 300:
                    return f"{self.describe()}: HTTP {resp.status} (attempt {attempt + 1})"
                problem = f"HTTP {resp.status}"
                if resp.status != 429 and resp.status < 500:
                    break  # the receiver refused this alert; sending it again will not help
                wait = min(resp.retry_after, MAX_BACKOFF) if resp.retry_after else wait
            if attempt < self.retries:
                self._sleep(wait)
        raise AlertError(f"{self.describe()}: not delivered: {problem[:200]}")
