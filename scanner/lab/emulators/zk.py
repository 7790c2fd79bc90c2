"""ZKTeco standalone-protocol emulator on TCP 4370 (attendance and fingerprint terminals).

Wire format, from the open-source client pyzk (github ``fananimi/pyzk``, ``zk/base.py``
``__create_tcp_top`` / ``__create_header`` / ``__create_checksum``; ``zk/const.py``):

- over TCP each packet starts with an 8-byte prefix ``<HHI``: ``0x5050``, ``0x7D82``, payload
  length (``MACHINE_PREPARE_DATA_1/2``; the source comment says 0x7282, the value 32130 is 0x7D82);
- the payload is a header ``<4H`` = command, checksum, session id, reply id, then data;
- the checksum is pyzk's 16-bit ones'-complement-like sum over the header (checksum field 0) and
  data, with its quirk of folding by 65535 rather than 65536, reproduced here bit for bit;
- ``CMD_CONNECT`` (1000) is answered with ``CMD_ACK_OK`` (2000) or, when the terminal has a
  communication key, ``CMD_ACK_UNAUTH`` (2005); the reply carries the session id the client uses
  afterwards, and echoes the client's reply id.

Either answer proves a ZK terminal without credentials. A ``CMD_AUTH`` (1102) frame carries a
comm key, i.e. a credential: it is logged with ``authorization=true`` and always refused.
Read-only option queries (``CMD_OPTIONS_RRQ`` ``~DeviceName``, ``~Platform``, ``~SerialNumber``)
are answered only on a terminal without a comm key, as real ones do.

The framing is deliberately not shared with ``scanner.probes.zkteco``: the emulator is an
independent reading of pyzk, so the probe is tested against a second implementation.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass
from typing import ClassVar

from scanner.lab.emulators.base import READ_TIMEOUT, Emulator, MalformedRequest, ServiceSpec

PREFIX_1 = 0x5050
PREFIX_2 = 0x7D82
USHRT_MAX = 65535
CMD_OPTIONS_RRQ = 11
CMD_CONNECT = 1000
CMD_EXIT = 1001
CMD_GET_VERSION = 1100
CMD_AUTH = 1102
CMD_ACK_OK = 2000
CMD_ACK_ERROR = 2001
CMD_ACK_UNAUTH = 2005
CMD_ACK_UNKNOWN = 0xFFFF
MAX_PAYLOAD = 4096
MAX_FRAMES = 32


def checksum(payload: bytes) -> int:
    """pyzk's ``__create_checksum`` over header (checksum field zero) + data."""
    total = 0
    data = payload
    while len(data) > 1:
        total += data[0] | (data[1] << 8)
        data = data[2:]
        if total > USHRT_MAX:
            total -= USHRT_MAX
    if data:
        total += data[-1]
    while total > USHRT_MAX:
        total -= USHRT_MAX
    total = ~total
    while total < 0:
        total += USHRT_MAX
    return total


def frame(command: int, session_id: int, reply_id: int, data: bytes = b"") -> bytes:
    """A complete TCP packet: prefix + header (with checksum) + data."""
    unsummed = struct.pack("<4H", command, 0, session_id, reply_id) + data
    payload = struct.pack("<4H", command, checksum(unsummed), session_id, reply_id) + data
    return struct.pack("<HHI", PREFIX_1, PREFIX_2, len(payload)) + payload


@dataclass(frozen=True, slots=True)
class Packet:
    """One parsed request: the header fields, the data, and whether the checksum held."""

    command: int
    checksum_ok: bool
    session_id: int
    reply_id: int
    data: bytes


def parse(payload: bytes) -> Packet:
    """Parse the payload after the 8-byte prefix."""
    if len(payload) < 8:
        raise MalformedRequest("ZK payload shorter than its 8-byte header")
    command, got, session_id, reply_id = struct.unpack("<4H", payload[:8])
    unsummed = struct.pack("<4H", command, 0, session_id, reply_id) + payload[8:]
    return Packet(command, got == checksum(unsummed), session_id, reply_id, payload[8:])


@dataclass(frozen=True, slots=True, kw_only=True)
class ZkSpec(ServiceSpec):
    """A ZK terminal: whether a comm key is set, and what it says about itself."""

    proto: ClassVar[str] = "zk"
    comm_key: bool = True
    session_id: int = 0x3A21
    device_name: str = "K40/ID"
    platform: str = "ZEM560_TFT"
    serial: str = ""
    firmware: str = "Ver 6.60 Apr 28 2017"


class ZkEmulator(Emulator[ZkSpec]):
    """Answers ZK frames on one connection: connect, exit, and read-only option queries."""

    proto: ClassVar[str] = "zk"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connected = False
        for _ in range(MAX_FRAMES):
            try:
                top = await asyncio.wait_for(reader.readexactly(8), READ_TIMEOUT)
            except asyncio.IncompleteReadError as exc:
                if exc.partial:
                    self.event(writer, "malformed", size=len(exc.partial), detail="short prefix")
                return
            one, two, length = struct.unpack("<HHI", top)
            if (one, two) != (PREFIX_1, PREFIX_2) or not 8 <= length <= MAX_PAYLOAD:
                self.event(writer, "malformed", size=8, detail=f"bad prefix {top.hex()}")
                return
            packet = parse(await asyncio.wait_for(reader.readexactly(length), READ_TIMEOUT))
            self.event(
                writer,
                "request",
                method=str(packet.command),
                path=packet.data[:64].rstrip(b"\0").decode("latin-1"),
                authorization=packet.command == CMD_AUTH,
                size=8 + length,
                detail="" if packet.checksum_ok else "bad checksum",
            )
            connected = connected or packet.command == CMD_CONNECT
            writer.write(self.answer(packet, connected))
            await writer.drain()
            if packet.command == CMD_EXIT:
                return

    def answer(self, packet: Packet, connected: bool) -> bytes:
        spec = self.spec
        session = spec.session_id
        if packet.command == CMD_CONNECT:
            code = CMD_ACK_UNAUTH if spec.comm_key else CMD_ACK_OK
            return frame(code, session, packet.reply_id)
        if packet.command == CMD_EXIT:
            return frame(CMD_ACK_OK, session, packet.reply_id)
        if not connected or spec.comm_key:
            return frame(CMD_ACK_UNAUTH, session, packet.reply_id)
        if packet.command == CMD_GET_VERSION:
            return frame(CMD_ACK_OK, session, packet.reply_id, spec.firmware.encode() + b"\0")
        if packet.command == CMD_OPTIONS_RRQ:
            return self._option(packet)
        return frame(CMD_ACK_UNKNOWN, session, packet.reply_id)

    def _option(self, packet: Packet) -> bytes:
        key = packet.data.split(b"\0", 1)[0].decode("latin-1")
        values = {
            "~DeviceName": self.spec.device_name,
            "~Platform": self.spec.platform,
            "~SerialNumber": self.spec.serial,
        }
        if key not in values:
            return frame(CMD_ACK_ERROR, self.spec.session_id, packet.reply_id)
        data = f"{key}={values[key]}".encode("latin-1") + b"\0"
        return frame(CMD_ACK_OK, self.spec.session_id, packet.reply_id, data)
