"""``biosweep sweep --rtsp-describe`` as a user meets it: off by default, documented in --help,
and when given, one unauthenticated DESCRIBE whose answer lands in the saved observations.
A threaded RTSP server on 127.204.40.1 logs what the scanner sent."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from tests.cli.test_identify_cli import run as run_cli

HOST = "127.204.40.1"
SDP = b"v=0\r\ns=Session streamed by HikVision\r\na=tool:HIK RTSP\r\nm=video 0 RTP/AVP 96\r\n"


def _answer(request: bytes) -> bytes:
    if request.startswith(b"OPTIONS"):
        return (
            b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Hik RTSP\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n"
        )
    head = b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\n"
    return head + b"Content-Length: %d\r\n\r\n" % len(SDP) + SDP


def _serve(conn: socket.socket, log: list[bytes]) -> None:
    buf = b""
    with conn:
        conn.settimeout(3)
        try:
            while chunk := conn.recv(4096):
                buf += chunk
                while b"\r\n\r\n" in buf:
                    request, _, buf = buf.partition(b"\r\n\r\n")
                    log.append(request)
                    conn.sendall(_answer(request))
        except OSError:
            pass


@pytest.fixture
def rtsp_log() -> Iterator[list[bytes]]:
    srv = socket.create_server((HOST, 554))
    srv.settimeout(0.2)
    log: list[bytes] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except TimeoutError:
                continue
            _serve(conn, log)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield log
    finally:
        stop.set()
        thread.join(3)
        srv.close()


def _fields(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        row = json.loads(line)
        out.setdefault(row["field"], []).append(row["value"])
    return out


def test_describe_is_off_by_default_and_one_unauthenticated_describe_with_the_flag(
    rtsp_log: list[bytes], tmp_path: Path
) -> None:
    plain, described = tmp_path / "plain.jsonl", tmp_path / "described.jsonl"
    args = ("sweep", HOST, "--ports", "554", "-q", "--only", "tcp,rtsp")
    first = run_cli(*args, "--observations-out", str(plain))
    assert first.returncode in (0, 1), first.stderr
    assert [r.split(b" ", 1)[0] for r in rtsp_log] == [b"OPTIONS"]
    assert "rtsp.sdp_session" not in _fields(plain)

    rtsp_log.clear()
    second = run_cli(*args, "--rtsp-describe", "--observations-out", str(described))
    assert second.returncode in (0, 1), second.stderr
    assert [r.split(b" ", 1)[0] for r in rtsp_log] == [b"OPTIONS", b"DESCRIBE"]
    sent = b"\n".join(rtsp_log).lower()
    assert b"authorization" not in sent and b"setup" not in sent and b"play " not in sent
    got = _fields(described)
    assert got["rtsp.describe_status"] == ["200"]
    assert got["rtsp.sdp_session"] == ["Session streamed by HikVision"]
    assert got["rtsp.sdp_tool"] == ["HIK RTSP"]


def test_sweep_help_documents_rtsp_describe_and_the_tarpit_rule() -> None:
    text = " ".join(CliRunner().invoke(app, ["sweep", "--help"]).output.split())
    assert "--rtsp-describe" in text
    assert "without credentials" in text
    assert "tarpit" in text
