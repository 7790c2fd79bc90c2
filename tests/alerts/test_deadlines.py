"""A hostile alert receiver cannot hold an alert (and the watch round) for long.

Real receivers on 127.0.0.1 that drip the status line one byte every 1.5 s, drip header
lines, answer ``100 Continue`` for ever, or drip an SMTP greeting: each delivery attempt ends
at its one total deadline. The address actually connected to is checked too.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from scanner.alerts import AlertError, EmailSender, WebhookSender
from scanner.alerts.base import Alert
from scanner.alerts.deadline import check_peer
from scanner.alerts.syslog import SyslogTransport

Serve = Callable[[socket.socket], None]
DEADLINE = 2.0


@contextlib.contextmanager
def receiver(serve: Serve) -> Iterator[int]:
    """A TCP server on 127.0.0.1 running ``serve`` for each connection; yields its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def loop() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=_guarded, args=(serve, conn, stop), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        thread.join(5)


def _guarded(serve: Serve, conn: socket.socket, stop: threading.Event) -> None:
    with contextlib.suppress(OSError), conn:
        conn.settimeout(30)
        serve(conn)


def _read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk


def drip_status(conn: socket.socket) -> None:
    _read_request(conn)
    for byte in b"HTTP/1.1 200 OK\r\n\r\n":
        conn.sendall(bytes([byte]))
        time.sleep(1.5)


def drip_headers(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    for n in range(1000):
        conn.sendall(f"X-Drip-{n}: 1\r\n".encode())
        time.sleep(0.5)


def endless_continue(conn: socket.socket) -> None:
    _read_request(conn)
    while True:
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n" * 64)
        time.sleep(0.01)


def drip_greeting(conn: socket.socket) -> None:
    for byte in b"220 smtp.example ESMTP\r\n":
        conn.sendall(bytes([byte]))
        time.sleep(1.5)


ALERT = Alert("HQ", "run-1", datetime(2026, 5, 4, tzinfo=UTC), (), test=True)


@pytest.mark.parametrize("serve", [drip_status, drip_headers, endless_continue])
def test_a_webhook_receiver_cannot_hold_an_attempt_past_its_deadline(serve: Serve) -> None:
    with receiver(serve) as port:
        sender = WebhookSender(f"http://127.0.0.1:{port}/hook", retries=1, timeout=DEADLINE,
                               backoff=0.1)  # fmt: skip
        started = time.monotonic()
        with pytest.raises(AlertError, match=r"within the 2 s deadline|not delivered") as err:
            sender.send(ALERT)
        took = time.monotonic() - started
    assert took < 2 * DEADLINE + 8, took  # two attempts, each cut at its deadline
    assert "Traceback" not in str(err.value)


def test_a_tls_receiver_that_drips_its_handshake_is_cut_at_the_deadline() -> None:
    def drip_handshake(conn: socket.socket) -> None:
        conn.recv(4096)  # the ClientHello
        for byte in b"\x16\x03\x03\x00\x40" + b"\x02" * 64:  # a ServerHello, slowly
            conn.sendall(bytes([byte]))
            time.sleep(1.0)

    with receiver(drip_handshake) as port:
        sender = WebhookSender(f"https://127.0.0.1:{port}/hook", retries=0, timeout=DEADLINE)
        started = time.monotonic()
        with pytest.raises(AlertError, match=r"within the 2 s deadline|handshake operation timed"):
            sender.send(ALERT)
    assert time.monotonic() - started < DEADLINE + 8


def test_an_smtp_server_dripping_its_greeting_is_cut_at_the_deadline() -> None:
    with receiver(drip_greeting) as port:
        sender = EmailSender("127.0.0.1", "a@example.org", ("b@example.org",), port=port,
                             security="none", timeout=DEADLINE)  # fmt: skip
        started = time.monotonic()
        with pytest.raises(AlertError, match="within the 2 s deadline"):
            sender.send(ALERT)
    assert time.monotonic() - started < DEADLINE + 8


def test_a_syslog_tcp_receiver_that_never_reads_is_cut_at_the_deadline() -> None:
    def never_read(conn: socket.socket) -> None:
        time.sleep(30)

    with receiver(never_read) as port:
        transport = SyslogTransport(f"tcp://127.0.0.1:{port}", timeout=DEADLINE)
        started = time.monotonic()
        with pytest.raises(OSError, match=r"within the 2 s deadline|timed out"):
            transport.send_all([b"x" * 2000] * 20_000)  # 40 MB: far more than socket buffers
    assert time.monotonic() - started < DEADLINE + 8


class _Peer:
    family = socket.AF_INET

    def __init__(self, address: str) -> None:
        self.address = address
        self.closed = False

    def getpeername(self) -> tuple[str, int]:
        return (self.address, 80)

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("address", ["169.254.169.254", "100.100.100.200"])
def test_a_name_that_resolves_to_a_metadata_address_is_refused_after_the_connect(
    address: str,
) -> None:
    peer = _Peer(address)
    with pytest.raises(AlertError, match=f"its address {address} is"):
        check_peer(peer, False, "webhook hooks.example.org")  # type: ignore[arg-type]
    assert peer.closed
    check_peer(_Peer(address), True, "webhook")  # type: ignore[arg-type]  # allowed
    check_peer(_Peer("10.0.0.5"), False, "webhook")  # type: ignore[arg-type]
