"""Anviz terminals on TCP 5010: one "get device type" command, nothing else.

Frame (github MxLabs/Anviz ``Anviz.SDK/Commands/Command.cs``, ``Responses/Response.cs``,
``Utils/CRC16.cs``): STX ``0xA5``, device id (4 bytes, big-endian; 0 asks whoever answers),
command, data length (2 bytes, big-endian), data, CRC-16 (reflected polynomial 0x8408, initial
0xFFFF, no final XOR; sent low byte first) over everything before it. The answer has STX,
device id, ACK, return code, length, data, CRC. GET_DEVICE_TYPE is 0x48
(``GetDeviceTypeCommand.cs``); its data is an ASCII model code such as ``FACE7`` (FacePass 7)
or ``VF30PRO`` (``Utils/BiometricType.cs``). Nothing about users, records or templates is asked.
"""

from __future__ import annotations

import struct
from typing import ClassVar

from scanner.errors import ParseError
from scanner.models import Observation
from scanner.normalize import clean_text
from scanner.probes.base import Probe, ProbeContext

STX = 0xA5
GET_DEVICE_TYPE = 0x48
MAX_DATA = 1024


class AnvizParseError(ParseError):
    """Bytes on 5010 that are not an Anviz answer."""


def crc16(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def build(command: int, data: bytes = b"", device_id: int = 0) -> bytes:
    body = struct.pack(">BIBH", STX, device_id, command, len(data)) + data
    return body + struct.pack("<H", crc16(body))


def parse(frame: bytes) -> tuple[int, int, bytes]:
    """(ack, return code, data) of one answer; raises AnvizParseError."""
    if len(frame) < 11 or frame[0] != STX:
        raise AnvizParseError("not an Anviz frame")
    ack, ret, length = struct.unpack(">BBH", frame[5:9])
    if length > MAX_DATA or len(frame) < 11 + length:
        raise AnvizParseError("Anviz length field runs past the frame")
    (crc,) = struct.unpack("<H", frame[9 + length : 11 + length])
    if crc != crc16(frame[: 9 + length]):
        raise AnvizParseError("Anviz CRC mismatch")
    return ack, ret, frame[9 : 9 + length]


class AnvizProbe(Probe):
    name: ClassVar[str] = "anviz"
    ports: ClassVar[frozenset[int]] = frozenset({5010})

    async def probe(self, ctx: ProbeContext, host: str, port: int) -> list[Observation]:
        async with ctx.dialer.connect(host, port) as stream:
            await stream.send(build(GET_DEVICE_TYPE))
            head = await stream.read_exactly(9)
            if head[0] != STX:
                raise AnvizParseError("not an Anviz frame")
            (length,) = struct.unpack(">H", head[7:9])
            if length > MAX_DATA:
                raise AnvizParseError("Anviz length field too large")
            frame = head + await stream.read_exactly(length + 2)
        _ack, ret, data = parse(frame)
        subject, source = f"ip:{host}", f"anviz:{port}"
        out = [Observation(subject, "tcp.service", "anviz", source)]
        model = clean_text(data.split(b"\x00", 1)[0].decode("ascii", errors="replace"), 64)
        if ret == 0 and model:
            out.append(Observation(subject, "anviz.device_type", model, source))
        return out
