"""ZKTeco standalone protocol on TCP 4370: connect, read two identity options, disconnect.

Wire format (github fananimi/pyzk ``zk/base.py`` and ``zk/const.py``): every TCP packet starts
with ``<HHI`` = 0x5050, 0x7D82, length of the rest; the rest is ``<4H`` command, checksum,
session id, reply id, then data. The checksum is the one's-complement style sum of 16-bit
little-endian words folded at 0xFFFF (pyzk ``__create_checksum``, "copied from zkemsdk.c").
CMD_CONNECT (1000) is answered by CMD_ACK_OK (2000), or CMD_ACK_UNAUTH (2005) when a comm key
is set: either proves a ZK terminal without credentials. On ACK_OK we ask CMD_OPTIONS_RRQ (11)
for ``~DeviceName`` and ``~Platform`` — device identity, never user, attendance or template
data — then send CMD_EXIT (1001). Nothing else is ever sent.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import ClassVar

from scanner.errors import ParseError
from scanner.models import Observation
from scanner.normalize import clean_text
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.stream import Stream

PREFIX = (0x5050, 0x7D82)
CMD_CONNECT, CMD_EXIT, CMD_OPTIONS_RRQ = 1000, 1001, 11
CMD_ACK_OK, CMD_ACK_UNAUTH = 2000, 2005
USHRT_MAX = 0xFFFF
MAX_PACKET = 1024


class ZkParseError(ParseError):
    """Bytes on 4370 that are not a ZK reply."""


@dataclass(frozen=True, slots=True)
class ZkPacket:
    command: int
    session: int
    reply: int
    data: bytes


def checksum(payload: bytes) -> int:
    total = 0
    for i in range(0, len(payload) - 1, 2):
        total += payload[i] | payload[i + 1] << 8
        if total > USHRT_MAX:
            total -= USHRT_MAX
    if len(payload) % 2:
        total += payload[-1]
    while total > USHRT_MAX:
        total -= USHRT_MAX
    total = ~total
    while total < 0:
        total += USHRT_MAX
    return total


def build(command: int, session: int, reply: int, data: bytes = b"") -> bytes:
    """One TCP frame. ``reply`` is the id *after* increment, as pyzk sends it."""
    body = struct.pack("<4H", command, 0, session, reply) + data
    body = struct.pack("<4H", command, checksum(body), session, reply) + data
    return struct.pack("<HHI", *PREFIX, len(body)) + body


def parse(frame: bytes) -> ZkPacket:
    if len(frame) < 16:
        raise ZkParseError("short ZK frame")
    magic1, magic2, length = struct.unpack("<HHI", frame[:8])
    if (magic1, magic2) != PREFIX or not 8 <= length <= MAX_PACKET:
        raise ZkParseError("not a ZK TCP frame")
    command, _, session, reply = struct.unpack("<4H", frame[8:16])
    return ZkPacket(command, session, reply, frame[16 : 8 + length])


async def exchange(stream: Stream, frame: bytes) -> ZkPacket:
    await stream.send(frame)
    top = await stream.read_exactly(8)
    magic1, magic2, length = struct.unpack("<HHI", top)
    if (magic1, magic2) != PREFIX or not 8 <= length <= MAX_PACKET:
        raise ZkParseError("not a ZK TCP frame")
    return parse(top + await stream.read_exactly(length))


def option_value(packet: ZkPacket, key: str) -> str | None:
    text = packet.data.split(b"\x00", 1)[0].decode("latin-1")
    prefix = f"~{key}="
    return clean_text(text[len(prefix) :], 128) or None if text.startswith(prefix) else None


class ZktecoProbe(Probe):
    name: ClassVar[str] = "zkteco"
    ports: ClassVar[frozenset[int]] = frozenset({4370})

    async def probe(self, ctx: ProbeContext, host: str, port: int) -> list[Observation]:
        subject, source = f"ip:{host}", f"zkteco:{port}"
        out: list[Observation] = []
        async with ctx.dialer.connect(host, port) as stream:
            reply = await exchange(stream, build(CMD_CONNECT, 0, 0))
            if reply.command not in (CMD_ACK_OK, CMD_ACK_UNAUTH):
                raise ZkParseError(f"unexpected ZK reply command {reply.command}")
            out.append(Observation(subject, "tcp.service", "zkteco", source))
            if reply.command == CMD_ACK_UNAUTH:
                return out  # comm key set: identity options need it; stop here
            session, rid = reply.session, 1
            for key, field in (("DeviceName", "zk.device_name"), ("Platform", "zk.platform")):
                answer = await exchange(
                    stream, build(CMD_OPTIONS_RRQ, session, rid, f"~{key}\x00".encode())
                )
                rid += 1
                value = option_value(answer, key) if answer.command == CMD_ACK_OK else None
                if value:
                    out.append(Observation(subject, field, value, source))
            await stream.send(build(CMD_EXIT, session, rid))
        return out
