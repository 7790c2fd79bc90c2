"""HTTP(S) probe: ``GET /`` and ``GET /favicon.ico``, nothing else, never with credentials.

Emits ``http.status``, ``http.server``, ``http.title``, ``http.www_authenticate``,
``http.location`` (untrusted text: redirects are not followed; one that names another host,
a DNS name, an address out of scope or another scheme is also a ``not_followed`` entry),
``http.cookie`` (names only: values may be session tokens), ``http.favicon_md5`` and
``http.favicon_mmh3`` (Shodan's form: MurmurHash3 of the base64 text with line breaks, as
FingerprintHub and EHole use), and on TLS ports the certificate summary
(:mod:`scanner.probes.tls`; when OpenSSL refuses the handshake, the certificate read from the
raw records, and the handshake error). The favicon is the site's icon, not a camera picture;
snapshot, stream and MJPEG paths are never requested (catalogue case 9).
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import re
from typing import ClassVar

import mmh3

from scanner.errors import ParseError, ProbeError
from scanner.models import Observation
from scanner.normalize import clean_text
from scanner.probes.base import PartialProbeError, Probe, ProbeContext
from scanner.probes.derived import WEB, url_problem
from scanner.probes.httphead import Response, read_body, read_head
from scanner.probes.net import TlsHandshakeError
from scanner.probes.tls import certificate_observations, observations_after_refusal

_TITLE = re.compile(rb"<title[^>]{0,200}>(.{0,4096}?)</title", re.I | re.S)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}charset=[\"']?([A-Za-z0-9_-]{1,40})", re.I)
_CT_CHARSET = re.compile(r"charset=[\"']?([A-Za-z0-9_-]{1,40})", re.I)
_SAFE_CHARSETS = {"utf-8", "gbk", "gb2312", "gb18030", "big5", "shift_jis", "euc-jp", "euc-kr"}
TITLE_MAX = 256
TLS_PORTS = frozenset({443, 4443, 7443, 8443, 9443})


def request(host: str, path: str) -> bytes:
    """A well-formed HTTP/1.1 GET: identity encoding, closed after the answer, no credentials."""
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: biosweep\r\n"
        "Accept: */*\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n"
    ).encode("ascii")


def charset(response: Response) -> str:
    """The body's charset if it is one we decode safely; UTF-7 and unknowns fall back to UTF-8."""
    found = _CT_CHARSET.search(response.head.get("content-type") or "")
    name = found.group(1) if found else None
    if name is None and (meta := _META_CHARSET.search(response.body[:4096])):
        name = meta.group(1).decode("ascii")
    try:
        canonical = codecs.lookup(name).name if name else "utf-8"
    except LookupError:
        return "utf-8"
    return canonical if canonical in {codecs.lookup(c).name for c in _SAFE_CHARSETS} else "utf-8"


def title(response: Response) -> str | None:
    """The page title, decoded, cleaned and capped at 256 characters (catalogue case 20)."""
    m = _TITLE.search(response.body)
    if m is None:
        return None
    text = clean_text(m.group(1).decode(charset(response), errors="replace"), TITLE_MAX)
    return text or None


def favicon_hashes(data: bytes) -> tuple[str, str]:
    """(md5 hex, Shodan-style mmh3 as a signed decimal) of a favicon."""
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    return md5, str(mmh3.hash(base64.encodebytes(data)))


def head_observations(subject: str, response: Response, source: str) -> list[Observation]:
    head = response.head
    pairs: list[tuple[str, str]] = [("http.status", str(head.status))]
    for field, header in (("http.server", "server"), ("http.location", "location")):
        value = head.get(header)
        if value:
            pairs.append((field, value))
    pairs += [("http.www_authenticate", v) for v in head.get_all("www-authenticate")[:8]]
    for cookie in head.get_all("set-cookie")[:16]:
        name = cookie.split("=", 1)[0].strip()
        if name:
            pairs.append(("http.cookie", name))
    if found := title(response):
        pairs.append(("http.title", found))
    return [Observation(subject, f, clean_text(v), source) for f, v in pairs]


class HttpProbe(Probe):
    name: ClassVar[str] = "http"
    ports: ClassVar[frozenset[int]] = frozenset(
        {80, 81, 82, 88, 443, 5000, 7001, 8001, 8008, 8080, 8081, 8088, 8443, 8888, 9443}
    )

    async def probe(self, ctx: ProbeContext, host: str, port: int) -> list[Observation]:
        tls = port in TLS_PORTS
        subject, source = f"ip:{host}", f"http:{port}"
        limits = ctx.scope.limits
        out: list[Observation] = []
        try:
            async with ctx.dialer.connect(host, port, tls=tls) as stream:
                if tls:
                    der = stream.peer_certificate()
                    out += certificate_observations(subject, der, f"tls:{port}")
                await stream.send(request(host, "/"))
                head = await read_head(stream, limits.max_headers)
                body, truncated = await read_body(stream, head, limits.max_body)
        except TlsHandshakeError as exc:
            seen = await observations_after_refusal(ctx.dialer, host, port, f"tls:{port}")
            if seen:
                raise PartialProbeError(str(exc), seen) from exc
            raise
        out += head_observations(subject, Response(head, body, truncated), source)
        if (location := head.get("location")) and (
            why := url_problem(ctx.scope, location, host, WEB)
        ):
            ctx.unfollowed.record(self.name, "redirect", location, f"{host}:{port}", why)
        out += await self._favicon(ctx, host, port, tls)
        return out

    async def _favicon(
        self, ctx: ProbeContext, host: str, port: int, tls: bool
    ) -> list[Observation]:
        limits = ctx.scope.limits
        try:
            async with ctx.dialer.connect(host, port, tls=tls) as stream:
                await stream.send(request(host, "/favicon.ico"))
                head = await read_head(stream, limits.max_headers)
                if head.status != 200:
                    return []
                data, truncated = await read_body(stream, head, limits.max_favicon)
        except (ProbeError, ParseError, TimeoutError):
            return []  # a missing icon is no error worth reporting
        if not data or truncated:
            return []
        md5, murmur = favicon_hashes(data)
        source = f"http:{port}"
        return [
            Observation(f"ip:{host}", "http.favicon_md5", md5, source),
            Observation(f"ip:{host}", "http.favicon_mmh3", murmur, source),
        ]
