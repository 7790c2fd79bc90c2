"""HTTP/1.1 emulator: vendor login pages, ``Server`` headers, ``401`` with ``WWW-Authenticate``.

Wire format: RFC 9112 (HTTP/1.1 message syntax) and RFC 9110 §11.6.1 (``WWW-Authenticate``);
Basic and Digest challenges per RFC 7617 and RFC 7616. Every response closes the connection
(``Connection: close``), which RFC 9112 §9.6 allows and which keeps the emulator simple.

A spec is a list of routes: exact paths, or prefixes ending in ``*``. Protected routes answer
``401`` with the device's realm as real cameras do for their API paths (e.g. Hikvision
``/ISAPI/``), so a test can check that a scanner records the challenge and sends no credential.
A route's body may be binary (``binary``: the body is base64 text), e.g. ``/favicon.ico``.

With ``tls_cert`` set the server speaks HTTPS (RFC 9110 §4.2.2, HTTP over TLS per RFC 2818):
the TLS layer is :mod:`scanner.lab.emulators.tls`, which logs a peer that does not speak TLS.
``tls_subject``/``tls_issuer`` record what the certificate says (RFC 4514 strings); the
certificate itself is made at ``lab up`` time by :mod:`scanner.lab.certs`.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar

from scanner.lab.emulators.base import (
    READ_TIMEOUT,
    Emulator,
    EventLog,
    ServiceSpec,
    read_head,
)
from scanner.lab.emulators.tls import TlsSession, server_context

MAX_BODY = 64 * 1024  # request bodies are read (to keep the connection sane) and discarded
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Route:
    """One answer: for ``path`` (or every path under it, when it ends in ``*``)."""

    path: str
    status: int = 200
    body: str = ""
    content_type: str = HTML
    headers: tuple[tuple[str, str], ...] = ()
    binary: bool = False  # body is base64 of the bytes to send

    def payload(self) -> bytes:
        return base64.b64decode(self.body) if self.binary else self.body.encode("utf-8")

    def matches(self, path: str) -> bool:
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpSpec(ServiceSpec):
    """One web server of a device: its ``Server`` header (``None`` sends none) and routes;
    over TLS when ``tls_cert``/``tls_key`` (PEM files) are set."""

    proto: ClassVar[str] = "http"
    server: str | None = None
    routes: tuple[Route, ...] = ()
    tls_subject: str = ""  # RFC 4514; non-empty: this server speaks TLS
    tls_issuer: str = ""  # RFC 4514; empty: same as the subject (self-signed)
    tls_cert: str = ""
    tls_key: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HttpSpec:
        routes = tuple(
            Route(
                path=r["path"],
                status=r["status"],
                body=r["body"],
                content_type=r["content_type"],
                headers=tuple((str(k), str(v)) for k, v in r["headers"]),
                binary=bool(r.get("binary", False)),
            )
            for r in data["routes"]
        )
        tls = {
            k: str(data.get(k, "")) for k in ("tls_subject", "tls_issuer", "tls_cert", "tls_key")
        }
        return cls(port=data["port"], server=data["server"], routes=routes, **tls)

    def route(self, path: str) -> Route:
        found = next((r for r in self.routes if r.matches(path)), None)
        return found or Route(path, 404, "<html><body><h1>404 Not Found</h1></body></html>")


class HttpEmulator(Emulator[HttpSpec]):
    """Answers one request per connection from the spec's routes and logs the request."""

    proto: ClassVar[str] = "http"

    def __init__(self, spec: HttpSpec, device: str, log: EventLog) -> None:
        if spec.tls_subject and not spec.tls_cert:
            raise ValueError(f"{device}: TLS port {spec.port} has no certificate (lab up makes it)")
        super().__init__(spec, device, log)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.spec.tls_cert:
            await self.exchange(reader, writer, _sender(writer))
            return
        context = server_context(self.spec.tls_cert, self.spec.tls_key)
        session = await TlsSession.accept(reader, writer, context)
        if session is None:
            return
        try:
            await self.exchange(session.plain, writer, session.send)
        finally:
            await session.close()

    async def exchange(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        send: Callable[[bytes], Awaitable[None]],
    ) -> None:
        """One request from ``reader``, logged against the peer of ``writer``, answered by
        ``send`` (plain or through TLS)."""
        head = await read_head(reader)
        if head is None:
            return
        path = head.target.split("?", 1)[0]
        size = await _drain_body(reader, head.header("content-length"))
        self.event(
            writer,
            "request",
            method=head.method,
            path=head.target,
            headers=head.logged_headers(),
            authorization=head.has_authorization,
            size=size,
        )
        await send(self.response(self.spec.route(path), with_body=head.method != "HEAD"))

    def response(self, route: Route, *, with_body: bool) -> bytes:
        body = route.payload()
        lines = [f"HTTP/1.1 {route.status} {_reason(route.status)}"]
        if self.spec.server is not None:
            lines.append(f"Server: {self.spec.server}")
        # A fresh nonce per challenge, as a Digest server sends (RFC 7616 §3.3).
        lines += [f"{k}: {v.replace('{nonce}', secrets.token_hex(16))}" for k, v in route.headers]
        lines += [
            f"Content-Type: {route.content_type}",
            f"Content-Length: {len(body)}",
            "Connection: close",
        ]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        return head + body if with_body else head


def _sender(writer: asyncio.StreamWriter) -> Callable[[bytes], Awaitable[None]]:
    async def send(data: bytes) -> None:
        writer.write(data)
        await writer.drain()

    return send


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


async def _drain_body(reader: asyncio.StreamReader, length: str | None) -> int:
    """Read and discard a request body of ``Content-Length`` bytes (capped); return its size."""
    if not length or not length.isdigit():
        return 0
    want = min(int(length), MAX_BODY)
    data = await asyncio.wait_for(reader.read(want), READ_TIMEOUT)
    return len(data)
