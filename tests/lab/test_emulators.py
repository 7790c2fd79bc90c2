"""Each emulator against its wire format, in-process on 127.0.0.1 (no lab, no root needed).

Wire formats: RFC 9112/9110 (HTTP), RFC 2326 (RTSP), pyzk ``zk/base.py`` framing and checksum
(ZKTeco TCP 4370), raw print on 9100 (no protocol: bytes are counted).
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Awaitable, Callable
from pathlib import Path

from scanner.lab.catalogue import CATALOGUE, resolve
from scanner.lab.emulators import EventLog, ServiceSpec, emulator_for, read_events
from scanner.lab.emulators.jetdirect import JetDirectSpec
from scanner.lab.emulators.rtsp import RtspSpec
from scanner.lab.emulators.zk import CMD_ACK_OK, CMD_ACK_UNAUTH, CMD_CONNECT, ZkSpec, frame, parse

Talk = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bytes]]


def exchange(tmp_path: Path, spec: ServiceSpec, talk: Talk) -> tuple[bytes, list[object]]:
    """Serve ``spec`` on an ephemeral port, run ``talk`` against it, return reply and log."""
    log_path = tmp_path / "dev.jsonl"

    async def main() -> bytes:
        log = EventLog(log_path)
        emulator = emulator_for(spec, "dev", log)
        server = await asyncio.start_server(emulator.handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(talk(reader, writer), 10)
        finally:
            writer.close()
            server.close()
            await server.wait_closed()
            await asyncio.sleep(0.05)
            log.close()

    reply = asyncio.run(main())
    return reply, list(read_events(log_path))


async def _send_all(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes
) -> bytes:
    writer.write(data)
    await writer.drain()
    return await reader.read()


def _hik_http() -> ServiceSpec:
    return resolve(CATALOGUE["hikvision_ipc"], "cam", "44:19:b6:00:00:01", {})[0]


def test_http_login_page_carries_server_header_and_title(tmp_path: Path) -> None:
    request = b"GET / HTTP/1.1\r\nHost: cam\r\nUser-Agent: t\r\n\r\n"
    reply, events = exchange(tmp_path, _hik_http(), lambda r, w: _send_all(r, w, request))
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nServer: App-webs/\r\n" in head
    assert b"<title>Login</title>" in body
    assert f"Content-Length: {len(body)}".encode() in head
    [event] = events
    assert (event.kind, event.method, event.path, event.authorization) == (
        "request",
        "GET",
        "/",
        False,
    )


def test_http_api_path_challenges_and_log_redacts_credentials(tmp_path: Path) -> None:
    request = b"GET /ISAPI/System/deviceInfo HTTP/1.1\r\nHost: c\r\nAuthorization: Basic YWRtaW46MTIzNDU=\r\n\r\n"
    reply, events = exchange(tmp_path, _hik_http(), lambda r, w: _send_all(r, w, request))
    assert reply.startswith(b"HTTP/1.1 401 Unauthorized\r\n")
    assert b'\r\nWWW-Authenticate: Basic realm="hikvision"\r\n' in reply
    [event] = events
    assert event.authorization is True
    assert ("Authorization", "<redacted>") in event.headers
    assert "YWRtaW46" not in event.to_json()


def test_http_malformed_request_is_logged_not_crashing(tmp_path: Path) -> None:
    reply, events = exchange(
        tmp_path, _hik_http(), lambda r, w: _send_all(r, w, b"\x16\x03\x01junk\r\n\r\n")
    )
    assert reply == b""
    assert [e.kind for e in events] == ["malformed"]


def test_rtsp_options_then_describe_challenge(tmp_path: Path) -> None:
    spec = RtspSpec(
        port=554, server="Dahua Rtsp Server", www_authenticate='Digest realm="x", nonce="{nonce}"'
    )
    request = (
        b"OPTIONS rtsp://cam/ RTSP/1.0\r\nCSeq: 7\r\n\r\n"
        b"DESCRIBE rtsp://cam/ RTSP/1.0\r\nCSeq: 8\r\nAccept: application/sdp\r\n\r\n"
    )

    async def talk(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
        writer.write(request)
        await writer.drain()
        first = await reader.readuntil(b"\r\n\r\n")
        second = await reader.readuntil(b"\r\n\r\n")
        return first + second

    reply, events = exchange(tmp_path, spec, talk)
    options, describe = reply.split(b"\r\n\r\n")[:2]
    assert options.startswith(
        b"RTSP/1.0 200 OK\r\nCSeq: 7\r\nPublic: OPTIONS, DESCRIBE"
    )  # RFC 2326 §10.1
    assert b"Server: Dahua Rtsp Server" in options
    assert describe.startswith(b"RTSP/1.0 401 Unauthorized\r\nCSeq: 8\r\n")
    assert b'WWW-Authenticate: Digest realm="x", nonce="' in describe
    assert b"{nonce}" not in describe
    assert [(e.method, e.authorization) for e in events] == [
        ("OPTIONS", False),
        ("DESCRIBE", False),
    ]


def test_rtsp_without_cseq_is_a_bad_request(tmp_path: Path) -> None:
    spec = RtspSpec(port=554)

    async def talk(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
        writer.write(b"OPTIONS * RTSP/1.0\r\n\r\n")
        return await reader.readuntil(b"\r\n\r\n")

    reply, _ = exchange(tmp_path, spec, talk)
    assert reply.startswith(b"RTSP/1.0 400 Bad Request\r\n")


def test_zk_connect_frame_is_byte_exact() -> None:
    # pyzk connect(): header <4H (1000, checksum, session 0, reply_id USHRT_MAX-1) after the
    # 0x5050 0x7D82 length prefix; checksum 0xfc17 computed by hand from __create_checksum.
    assert frame(CMD_CONNECT, 0, 65534).hex() == "5050827d08000000e80317fc0000feff"
    assert parse(frame(CMD_CONNECT, 0, 65534)[8:]).checksum_ok


def _zk_talk(data: bytes) -> Talk:
    async def talk(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
        writer.write(data)
        await writer.drain()
        top = await reader.readexactly(8)
        return top + await reader.readexactly(struct.unpack("<HHI", top)[2])

    return talk


def test_zk_answers_connect_with_ack_ok_and_a_session(tmp_path: Path) -> None:
    spec = ZkSpec(port=4370, comm_key=False, session_id=0x1234)
    reply, events = exchange(tmp_path, spec, _zk_talk(frame(CMD_CONNECT, 0, 65534)))
    one, two, length = struct.unpack("<HHI", reply[:8])
    packet = parse(reply[8:])
    assert (one, two, length) == (0x5050, 0x7D82, 8)
    assert (packet.command, packet.session_id, packet.reply_id, packet.checksum_ok) == (
        CMD_ACK_OK,
        0x1234,
        65534,
        True,
    )
    [event] = events
    assert (event.method, event.authorization, event.detail) == ("1000", False, "")


def test_zk_with_comm_key_answers_unauth(tmp_path: Path) -> None:
    reply, _ = exchange(
        tmp_path, ZkSpec(port=4370, comm_key=True), _zk_talk(frame(CMD_CONNECT, 0, 65534))
    )
    assert parse(reply[8:]).command == CMD_ACK_UNAUTH


def test_jetdirect_counts_bytes_and_never_answers(tmp_path: Path) -> None:
    async def talk(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
        writer.write(b"x" * 100)
        await writer.drain()
        writer.write_eof()
        return await reader.read()

    reply, events = exchange(tmp_path, JetDirectSpec(port=9100), talk)
    assert reply == b""
    assert [(e.kind, e.size) for e in events] == [("bytes", 100)]
