"""RTSP probe: ``OPTIONS`` (RFC 2326 §10.1), and with ``--rtsp-describe`` one unauthenticated
``DESCRIBE`` (§10.2) on the same connection. Never SETUP/PLAY, never credentials, never media.

OPTIONS gives ``rtsp.server`` and each challenge (``rtsp.www_authenticate`` with its
``rtsp.auth_scheme`` and ``rtsp.auth_realm``): the Server header names the camera family in the
signature sources (recog ``rtsp_servers.xml``). DESCRIBE is off by default
(SAFETY-CATALOGUE case 39: "only OPTIONS, and unauthenticated DESCRIBE if enabled"): its answer
is the stream's SDP description, which says more than identification needs. When enabled, it
is sent once, without an Authorization header and with no retry, unless OPTIONS was already
refused (401: DESCRIBE would be too) or OPTIONS' ``Public`` list leaves it out. Only these are
kept from its answer:

- ``rtsp.describe_status``: the status code (200, 401, 404, …);
- its challenges, as OPTIONS' (``WWW-Authenticate: Digest realm="IP Camera(C6496)",
  nonce=…``; scheme and realm as RFC 7235 §4.1, RFC 7616 §3.3 and RFC 7617 §2 place them);
- ``rtsp.sdp_session`` / ``rtsp.sdp_tool``: the session-level ``s=`` (session name, RFC 4566
  §5.3) and ``a=tool:`` (the tool that made the description, §6) lines of a 200 answer. No
  other line is kept (the origin line carries a user name, ``c=`` an address), and nothing
  after the first ``m=`` line, where the media descriptions begin, is looked at.

The SDP body is read within :data:`MAX_SDP` bytes, at most :data:`MAX_SDP_LINES` lines are
looked at, and the whole exchange runs under the request deadline. A DESCRIBE that fails
(timeout, malformed answer) leaves the OPTIONS observations standing.
"""

from __future__ import annotations

import re
from typing import ClassVar

from scanner.errors import ParseError, ProbeError
from scanner.models import Observation
from scanner.normalize import clean_text
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.httphead import Head, read_body, read_head
from scanner.probes.stream import Stream

MAX_SDP = 16 * 1024  # an SDP session description is a few hundred bytes
MAX_SDP_LINES = 64  # session-level lines looked at before giving up on s=/a=tool:
MAX_CHALLENGES = 8
_SCHEME = re.compile(r"^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]{1,32})(?:\s|$)")
_REALM = re.compile(r"""(?i)(?:^|[\s,])realm\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))""")


def options_request(host: str, port: int) -> bytes:
    return (
        f"OPTIONS rtsp://{host}:{port}/ RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: biosweep\r\n\r\n"
    ).encode()


def describe_request(host: str, port: int) -> bytes:
    """DESCRIBE of the server's root URL, asking for SDP; no Authorization header, ever."""
    return (
        f"DESCRIBE rtsp://{host}:{port}/ RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n"
        "User-Agent: biosweep\r\n\r\n"
    ).encode()


def challenge(value: str) -> tuple[str, str]:
    """(scheme, realm) of one WWW-Authenticate value; either may be empty."""
    scheme = _SCHEME.match(value)
    realm = _REALM.search(value)
    found = (realm.group(1) if realm.group(1) is not None else realm.group(2)) if realm else ""
    return (scheme.group(1) if scheme else ""), found.replace('\\"', '"')


def parse_sdp(data: bytes) -> list[tuple[str, str]]:
    """``rtsp.sdp_session`` and ``rtsp.sdp_tool`` from the session part of an SDP body."""
    text = data.decode("utf-8", errors="replace")
    found: dict[str, str] = {}
    for line in text.splitlines()[:MAX_SDP_LINES]:
        if line.startswith("m="):
            break  # the media descriptions begin: nothing below is read
        if line.startswith("s=") and "rtsp.sdp_session" not in found:
            found["rtsp.sdp_session"] = line[2:]
        elif line.startswith("a=tool:") and "rtsp.sdp_tool" not in found:
            found["rtsp.sdp_tool"] = line[7:]
    pairs = [(f, clean_text(v, 128)) for f, v in found.items()]
    return [(f, v) for f, v in pairs if v and v != "-"]  # "s=-": no name (RFC 4566 §5.3)


def challenges(head: Head) -> list[tuple[str, str]]:
    """``rtsp.www_authenticate`` as sent, with its ``rtsp.auth_scheme`` and ``rtsp.auth_realm``,
    for each challenge of an answer (at most :data:`MAX_CHALLENGES`)."""
    pairs = []
    for value in head.get_all("www-authenticate")[:MAX_CHALLENGES]:
        scheme, realm = challenge(value)
        pairs += [("rtsp.www_authenticate", value), ("rtsp.auth_scheme", scheme)]
        pairs.append(("rtsp.auth_realm", realm))
    return pairs


def _may_describe(head: Head) -> bool:
    """Is DESCRIBE worth asking? Not after a 401 (it would be refused alike), nor when the
    server's Public list leaves it out, nor while an OPTIONS body is still unread."""
    if head.status == 401 or (head.get("content-length") or "0").strip() != "0":
        return False
    public = head.get("public")
    return public is None or "DESCRIBE" in public.upper().replace(" ", "").split(",")


async def describe(stream: Stream, host: str, port: int, max_headers: int) -> list[tuple[str, str]]:
    """Send the one DESCRIBE and keep what identifies (see the module docstring)."""
    await stream.send(describe_request(host, port))
    head = await read_head(stream, max_headers, protocol="RTSP")
    pairs = [("rtsp.describe_status", str(head.status)), *challenges(head)]
    sdp = "application/sdp" in (head.get("content-type") or "").lower()
    if head.status == 200 and sdp:
        body, _truncated = await read_body(stream, head, MAX_SDP)
        pairs += parse_sdp(body)
    return pairs


class RtspProbe(Probe):
    name: ClassVar[str] = "rtsp"
    ports: ClassVar[frozenset[int]] = frozenset({554, 8554})
    sends_describe: ClassVar[bool] = False

    async def probe(self, ctx: ProbeContext, host: str, port: int) -> list[Observation]:
        limits = ctx.scope.limits
        pairs: list[tuple[str, str]] = []
        try:
            async with ctx.dialer.connect(host, port) as stream:
                await stream.send(options_request(host, port))
                head = await read_head(stream, limits.max_headers, protocol="RTSP")
                pairs.append(("rtsp.server", head.get("server") or ""))
                pairs += challenges(head)
                if self.sends_describe and _may_describe(head):
                    pairs += await describe(stream, host, port, limits.max_headers)
        except (TimeoutError, ProbeError, ParseError):
            if not pairs:
                raise  # OPTIONS itself failed: the scan records it
        subject, source = f"ip:{host}", f"rtsp:{port}"
        kept = dict.fromkeys((f, clean_text(v)) for f, v in pairs)  # each once, in order
        return [Observation(subject, f, v, source) for f, v in kept if v]


class RtspDescribeProbe(RtspProbe):
    """OPTIONS, then the unauthenticated DESCRIBE: runs only when named (``--rtsp-describe``)
    and then in place of the plain OPTIONS probe."""

    name: ClassVar[str] = "rtsp-describe"
    opt_in: ClassVar[bool] = True
    sends_describe: ClassVar[bool] = True
    supersedes: ClassVar[str | None] = "rtsp"
