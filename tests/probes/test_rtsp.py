"""RTSP OPTIONS and the opt-in unauthenticated DESCRIBE (SAFETY-CATALOGUE case 39), against
real loopback RTSP peers that log every request, including hostile SDP answers (case 38's
caps apply to DESCRIBE too). Peers listen on 127.204.39.x only.
"""

from __future__ import annotations

import asyncio
import time
import unicodedata
from collections.abc import Awaitable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.errors import ParseError
from scanner.models import Observation
from scanner.probes import PROBES, probes_for
from scanner.probes.base import ProbeContext
from scanner.probes.net import Connector
from scanner.probes.rtsp import (
    MAX_SDP,
    RtspDescribeProbe,
    RtspProbe,
    challenge,
    describe_request,
    parse_sdp,
)
from scanner.scope import Limits, build_scope
from tests.probes.loopback import Handler, Peer, peers, read_request

LIMITS = Limits(request_deadline=1.5, host_budget=10.0, connect_timeout=0.5)
PUBLIC = "OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY, PAUSE, GET_PARAMETER"
SDP = (
    b"v=0\r\no=admin 1 1 IN IP4 10.0.0.5\r\ns=Media Presentation\r\n"
    b"i=Camera 01\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\na=tool:LIVE555 Streaming Media v2016.11.28\r\n"
    b"a=control:*\r\nm=video 0 RTP/AVP 96\r\na=control:trackID=1\r\ns=not-the-session\r\n"
    b"a=tool:not-the-tool\r\n"
)


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


def fields(obs: list[Observation]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for o in obs:
        out.setdefault(o.field, []).append(o.value)
    return out


def rtsp_server(
    describe: bytes | None = None,
    options_status: str = "200 OK",
    public: str | None = PUBLIC,
    after_describe: float = 0.0,
) -> Handler:
    """A persistent-connection RTSP server: answers each request head in turn (OPTIONS with
    ``options_status``; DESCRIBE with the raw bytes ``describe``, after ``after_describe``
    seconds of silence); anything else gets 200 too, so a SETUP/PLAY would be answered (and
    logged in ``peer.received``)."""

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _peer: Peer
    ) -> None:
        while request := await read_request(reader):
            cseq = next(
                (
                    ln.split(b":", 1)[1].strip()
                    for ln in request.split(b"\r\n")
                    if ln.lower().startswith(b"cseq:")
                ),
                b"0",
            )
            if request.startswith(b"OPTIONS"):
                head = [f"RTSP/1.0 {options_status}", f"CSeq: {cseq.decode()}", "Server: Hik RTSP"]
                if options_status.startswith("401"):
                    head.append('WWW-Authenticate: Digest realm="IP Camera(C6496)", nonce="n1"')
                if public is not None:
                    head.append(f"Public: {public}")
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
            elif request.startswith(b"DESCRIBE") and describe is not None:
                await asyncio.sleep(after_describe)
                writer.write(describe)
            else:
                writer.write(b"RTSP/1.0 200 OK\r\nCSeq: " + cseq + b"\r\nSession: 1\r\n\r\n")
            await writer.drain()

    return handle


def describe_answer(status: str, headers: list[str], body: bytes = b"") -> bytes:
    head = [f"RTSP/1.0 {status}", "CSeq: 2", *headers]
    if body:
        head += ["Content-Type: application/sdp", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def probe_peer(probe: RtspProbe, host: str, handler: Handler) -> tuple[Any, Peer]:
    async with peers((host, 554, handler)) as (peer,):
        scope = build_scope([host], limits=LIMITS)
        result: Any
        try:
            result = await probe.probe(ProbeContext(scope, Connector(scope)), host, 554)
        except (ParseError, TimeoutError) as exc:
            result = exc
        return result, peer


def verbs(peer: Peer) -> list[bytes]:
    """The method of every request the peer received, in order."""
    out = []
    for data in peer.received:
        out += [part.split(b" ", 1)[0] for part in data.split(b"\r\n\r\n") if part.strip()]
    return out


def assert_no_credentials_and_no_media(peer: Peer) -> None:
    sent = peer.all_received
    assert b"authorization" not in sent.lower()
    for verb in (b"SETUP", b"PLAY", b"RECORD", b"ANNOUNCE", b"GET_PARAMETER"):
        assert verb not in sent


# --- parsers on bytes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            'Digest realm="IP Camera(C6496)", nonce="abc", stale="FALSE"',
            ("Digest", "IP Camera(C6496)"),
        ),
        ('Basic realm="/"', ("Basic", "/")),
        ("Basic realm=Streaming", ("Basic", "Streaming")),
        ('Digest nonce="x", realm="a \\"quoted\\" realm"', ("Digest", 'a "quoted" realm')),
        ('Digest nonce="1", xrealm="decoy"', ("Digest", "")),
        ("", ("", "")),
        ("\x00\x01 realm=", ("", "")),
    ],
)
def test_challenge_scheme_and_realm(value: str, expected: tuple[str, str]) -> None:
    assert challenge(value) == expected


def test_sdp_keeps_only_the_session_name_and_tool_before_the_media() -> None:
    assert parse_sdp(SDP) == [
        ("rtsp.sdp_session", "Media Presentation"),
        ("rtsp.sdp_tool", "LIVE555 Streaming Media v2016.11.28"),
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"v=0\ns=-\nm=audio 0 RTP/AVP 0\n", []),  # "-": no name
        (b"m=video 0 RTP/AVP 96\ns=after media\n", []),
        (b"a=x\r\n" * 10_000 + b"s=too late\r\n", []),  # only the first lines are looked at
        (
            b"s=\x1b[2J\xe2\x80\xaeevil\x00" + b"x" * 5000 + b"\r\n",
            [("rtsp.sdp_session", "[2Jevil" + "x" * 121)],
        ),
        (b"\xff\xfe\x00s=binary\n", []),
        (
            b"s=first\ns=second\na=tool:t1\na=tool:t2\n",
            [("rtsp.sdp_session", "first"), ("rtsp.sdp_tool", "t1")],
        ),
    ],
    ids=["dash", "after-media", "line-flood", "escapes", "binary", "first-only"],
)
def test_hostile_sdp_is_bounded_and_clean(body: bytes, expected: list[tuple[str, str]]) -> None:
    assert parse_sdp(body) == expected


def test_describe_request_carries_no_credentials() -> None:
    req = describe_request("10.0.0.5", 554)
    assert req.startswith(b"DESCRIBE rtsp://10.0.0.5:554/ RTSP/1.0\r\nCSeq: 2\r\n")
    assert b"Authorization" not in req and req.endswith(b"\r\n\r\n")


def test_rtsp_describe_runs_in_place_of_options_only_when_named() -> None:
    assert [p.name for p in probes_for(554, frozenset({"rtsp"}))] == ["rtsp"]
    named = frozenset({"rtsp", "rtsp-describe"})
    assert [p.name for p in probes_for(554, named)] == ["rtsp-describe"]
    assert PROBES["rtsp-describe"].opt_in and not PROBES["rtsp"].opt_in


# --- real loopback peers -------------------------------------------------------------------


def test_default_probe_sends_only_options_even_when_describe_is_offered() -> None:
    sdp = describe_answer("200 OK", [], SDP)
    obs, peer = run(probe_peer(RtspProbe(), "127.204.39.1", rtsp_server(sdp)))
    assert verbs(peer) == [b"OPTIONS"]
    assert fields(obs) == {"rtsp.server": ["Hik RTSP"]}


def test_describe_401_gives_status_scheme_and_realm_and_no_retry() -> None:
    challenge_line = 'WWW-Authenticate: Digest realm="IP Camera(C6496)", nonce="n2"'
    answer = describe_answer(
        "401 Unauthorized", [challenge_line, 'WWW-Authenticate: Basic realm="/"']
    )
    obs, peer = run(probe_peer(RtspDescribeProbe(), "127.204.39.2", rtsp_server(answer)))
    assert verbs(peer) == [b"OPTIONS", b"DESCRIBE"]
    assert peer.connections == 1  # one connection, no second try
    assert_no_credentials_and_no_media(peer)
    got = fields(obs)
    assert got["rtsp.describe_status"] == ["401"]
    assert got["rtsp.auth_scheme"] == ["Digest", "Basic"]
    assert got["rtsp.auth_realm"] == ["IP Camera(C6496)", "/"]
    assert got["rtsp.server"] == ["Hik RTSP"]


def test_describe_200_gives_the_session_name_and_tool_and_never_setup_or_play() -> None:
    answer = describe_answer("200 OK", ["Content-Base: rtsp://127.204.39.3/"], SDP)
    obs, peer = run(probe_peer(RtspDescribeProbe(), "127.204.39.3", rtsp_server(answer)))
    assert verbs(peer) == [b"OPTIONS", b"DESCRIBE"]
    assert_no_credentials_and_no_media(peer)
    got = fields(obs)
    assert got["rtsp.describe_status"] == ["200"]
    assert got["rtsp.sdp_session"] == ["Media Presentation"]
    assert got["rtsp.sdp_tool"] == ["LIVE555 Streaming Media v2016.11.28"]
    values = " ".join(o.value for o in obs)
    assert "trackID" not in values and "admin" not in values and "not-the" not in values


@pytest.mark.parametrize(
    ("options_status", "public"),
    [("401 Unauthorized", PUBLIC), ("200 OK", "OPTIONS, SETUP, PLAY, TEARDOWN")],
    ids=["options-refused", "describe-not-offered"],
)
def test_no_describe_after_a_401_or_when_not_offered(options_status: str, public: str) -> None:
    sdp = describe_answer("200 OK", [], SDP)
    handler = rtsp_server(sdp, options_status=options_status, public=public)
    obs, peer = run(probe_peer(RtspDescribeProbe(), "127.204.39.4", handler))
    assert verbs(peer) == [b"OPTIONS"]
    got = fields(obs)
    assert "rtsp.describe_status" not in got
    if options_status.startswith("401"):  # the challenge of OPTIONS itself is kept
        assert (got["rtsp.auth_scheme"], got["rtsp.auth_realm"]) == (
            ["Digest"],
            ["IP Camera(C6496)"],
        )


async def _endless_sdp(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _peer: Peer
) -> None:
    await read_request(reader)
    writer.write(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Drip RTSP\r\nPublic: DESCRIBE\r\n\r\n")
    await read_request(reader)
    writer.write(
        b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\n"
        b"Content-Length: 104857600\r\n\r\nv=0\r\ns=Huge\r\n"
    )
    while True:  # 100 MiB promised: page-sized writes until the client hangs up
        writer.write(b"a=x" + b"y" * 4093)
        await writer.drain()


async def _drip_after_head(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _peer: Peer
) -> None:
    await read_request(reader)
    writer.write(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Drip RTSP\r\n\r\n")
    await read_request(reader)
    writer.write(b"RTSP/1.0 200 OK\r\n")
    while True:  # one byte of a header every 0.2 s, forever
        writer.write(b"X")
        await writer.drain()
        await asyncio.sleep(0.2)


def test_hostile_describe_answers_are_bounded_and_options_results_stand() -> None:
    """A 100 MiB SDP stops at MAX_SDP (the session name is still read); a DESCRIBE answer
    that drips ends at the request deadline; binary instead of a status line is a parse
    error. In each case the OPTIONS answer is kept and nothing else is sent."""
    binary = b"$\x00\x00\x10" + bytes(range(256)) * 64
    cases: list[tuple[str, Handler]] = [
        ("127.204.39.5", _endless_sdp),
        ("127.204.39.6", _drip_after_head),
        ("127.204.39.7", rtsp_server(binary)),
    ]
    for host, handler in cases:
        start = time.monotonic()
        obs, peer = run(probe_peer(RtspDescribeProbe(), host, handler))
        assert time.monotonic() - start < 2 * LIMITS.request_deadline + 1.0, host
        assert verbs(peer)[:2] == [b"OPTIONS", b"DESCRIBE"] and len(verbs(peer)) == 2, host
        assert_no_credentials_and_no_media(peer)
        got = fields(obs)
        assert got["rtsp.server"] in (["Drip RTSP"], ["Hik RTSP"]), host
        if host.endswith(".5"):
            assert got["rtsp.sdp_session"] == ["Huge"]
        else:
            assert "rtsp.sdp_session" not in got
    assert MAX_SDP <= 64 * 1024


@settings(max_examples=200, deadline=2000, derandomize=True)
@given(st.binary(max_size=MAX_SDP))
def test_any_sdp_bytes_give_at_most_two_clean_short_values(data: bytes) -> None:
    pairs = parse_sdp(data)
    assert len(pairs) <= 2 and {f for f, _ in pairs} <= {"rtsp.sdp_session", "rtsp.sdp_tool"}
    assert all(0 < len(v) <= 128 and v == v.strip() for _, v in pairs)
    assert not any(unicodedata.category(c) == "Cc" for _, v in pairs for c in v)


@settings(max_examples=200, deadline=2000, derandomize=True)
@given(st.text(max_size=4096))
def test_any_challenge_gives_a_short_scheme_and_a_realm_from_the_value(value: str) -> None:
    scheme, realm = challenge(value)
    assert len(scheme) <= 32 and len(realm) <= len(value)
