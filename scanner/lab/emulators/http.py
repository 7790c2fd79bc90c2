"""HTTP/1.1 emulator: vendor login pages, ``Server`` headers, ``401`` with ``WWW-Authenticate``.

Wire format: RFC 9112 (HTTP/1.1 message syntax) and RFC 9110 §11.6.1 (``WWW-Authenticate``);
Basic and Digest challenges per RFC 7617 and RFC 7616. Every response closes the connection
(``Connection: close``), which RFC 9112 §9.6 allows and which keeps the emulator simple.

A spec is a list of routes: exact paths, or prefixes ending in ``*``. Protected routes answer
``401`` with the device's realm as real cameras do for their API paths (e.g. Hikvision
``/ISAPI/``), so a test can check that a scanner records the challenge and sends no credential.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar

from scanner.lab.emulators.base import READ_TIMEOUT, Emulator, ServiceSpec, read_head

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

    def matches(self, path: str) -> bool:
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpSpec(ServiceSpec):
    """One web server of a device: its ``Server`` header (``None`` sends none) and routes."""

    proto: ClassVar[str] = "http"
    server: str | None = None
    routes: tuple[Route, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HttpSpec:
        routes = tuple(
            Route(
                path=r["path"],
                status=r["status"],
                body=r["body"],
                content_type=r["content_type"],
                headers=tuple((str(k), str(v)) for k, v in r["headers"]),
            )
            for r in data["routes"]
        )
        return cls(port=data["port"], server=data["server"], routes=routes)

    def route(self, path: str) -> Route:
        found = next((r for r in self.routes if r.matches(path)), None)
        return found or Route(path, 404, "<html><body><h1>404 Not Found</h1></body></html>")


class HttpEmulator(Emulator[HttpSpec]):
    """Answers one request per connection from the spec's routes and logs the request."""

    proto: ClassVar[str] = "http"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
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
        writer.write(self.response(self.spec.route(path), with_body=head.method != "HEAD"))
        await writer.drain()

    def response(self, route: Route, *, with_body: bool) -> bytes:
        body = route.body.encode("utf-8")
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
