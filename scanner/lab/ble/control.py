"""Client of the air's control port (JSON lines on loopback): list or re-tune advertisers."""

from __future__ import annotations

import json
import socket
from typing import Any

MAX_REPLY = 1 << 20


def command(address: str, request: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
    """Send one request to ``HOST:PORT`` and return the reply object."""
    host, _, port = address.rpartition(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(json.dumps(request).encode() + b"\n")
        reply = b""
        while not reply.endswith(b"\n") and len(reply) < MAX_REPLY:
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    result = json.loads(reply)
    if not isinstance(result, dict):
        raise ValueError("the air answered something that is not an object")
    return result


def set_advertiser(
    address: str, name: str, *, tx_power: int | None = None, distance: float | None = None
) -> dict[str, Any]:
    """Change one advertiser's TX power (dBm) or distance (m); returns its new state."""
    request: dict[str, Any] = {"op": "set", "name": name}
    if tx_power is not None:
        request["tx_power"] = tx_power
    if distance is not None:
        request["distance"] = distance
    reply = command(address, request)
    if not reply.get("ok"):
        raise ValueError(str(reply.get("error")))
    state = reply["advertiser"]
    assert isinstance(state, dict)
    return state
