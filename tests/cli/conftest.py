"""Fixtures of the CLI tests."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from tests.reporters.test_report_cli import run_file  # noqa: F401 - a shared fixture


@pytest.fixture
def socket_spy(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record every attempt to open a connection or send a datagram."""
    calls: list[Any] = []
    real_connect = socket.socket.connect

    def spy(name: str):  # type: ignore[no-untyped-def]
        def record(*args: Any, **kwargs: Any) -> Any:
            calls.append((name, args[1:]))
            raise OSError("blocked by test spy")

        return record

    monkeypatch.setattr(socket.socket, "connect", spy("connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", spy("connect_ex"))
    monkeypatch.setattr(socket.socket, "sendto", spy("sendto"))
    monkeypatch.setattr(asyncio, "open_connection", spy("open_connection"))
    assert real_connect is not None
    return calls
