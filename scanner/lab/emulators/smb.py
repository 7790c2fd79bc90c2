"""SMB2 on TCP 445: just enough of ``NEGOTIATE`` that a client (or nmap) sees an SMB2 server.

Wire format, [MS-SMB2] (Microsoft Open Specifications, "Server Message Block (SMB) Protocol
Versions 2 and 3"):

- §2.1 Direct TCP transport: every message is preceded by a 4-byte header, a zero byte and a
  24-bit big-endian length;
- §2.2.1.2 the 64-byte SYNC header: ``ProtocolId`` ``FE 'S' 'M' 'B'``, ``StructureSize`` 64,
  ``CreditCharge``, ``Status``, ``Command`` (``NEGOTIATE`` = 0), ``CreditResponse``, ``Flags``
  (``SMB2_FLAGS_SERVER_TO_REDIR`` = 1 in answers), ``NextCommand``, ``MessageId`` (echoed),
  ``ProcessId``, ``TreeId``, ``SessionId``, ``Signature``;
- §2.2.3 the ``NEGOTIATE`` request (``StructureSize`` 36, ``DialectCount``, …, dialects as
  16-bit values) and §2.2.4 the response (``StructureSize`` 65, ``SecurityMode``,
  ``DialectRevision``, ``ServerGuid``, ``Capabilities``, ``MaxTransactSize``/``MaxReadSize``/
  ``MaxWriteSize``, ``SystemTime`` as a FILETIME, ``SecurityBufferOffset``/``Length`` and the
  GSS token);
- §3.3.5.3.1 a client may open with an SMB1 ``SMB_COM_NEGOTIATE`` (``FF 'S' 'M' 'B'``,
  command 0x72) listing dialect strings; a server that sees ``"SMB 2.???"`` answers with an
  SMB2 ``NEGOTIATE`` response of dialect 0x02FF, one that sees only ``"SMB 2.002"`` with 0x0202.

The security buffer is a minimal SPNEGO ``negTokenInit`` (RFC 4178 §4.2.1, in the RFC 2743
§3.1 framing) offering NTLMSSP (OID 1.3.6.1.4.1.311.2.2.10). Dialects 2.0.2 to 3.0.2 are
spoken; 3.1.1 (which needs negotiate contexts) is not offered back. Anything after
``NEGOTIATE`` (``SESSION_SETUP`` carries authentication) is logged, with
``authorization=true`` for ``SESSION_SETUP``, and the connection is closed unanswered.
"""

from __future__ import annotations

import asyncio
import struct
import time
import uuid
from dataclasses import dataclass
from typing import ClassVar

from scanner.lab.emulators.base import READ_TIMEOUT, Emulator, MalformedRequest, ServiceSpec

SMB2_MAGIC = b"\xfeSMB"
SMB1_MAGIC = b"\xffSMB"
HEADER = struct.Struct("<4sHHIHHIIQIIQ16s")  # §2.2.1.2, 64 bytes
NEGOTIATE_RESPONSE = struct.Struct("<HHHH16sIIIIQQHHI")  # §2.2.4 fixed part, 64 bytes
NEGOTIATE, SESSION_SETUP = 0x0000, 0x0001
SMB1_NEGOTIATE = 0x72
FLAGS_SERVER_TO_REDIR = 0x00000001
SIGNING_ENABLED = 0x0001
WILDCARD = 0x02FF
SPOKEN = (0x0302, 0x0300, 0x0210, 0x0202)  # preference order
MAX_MESSAGE = 64 * 1024
MAX_MESSAGES = 4
MAX_SIZE = 8 * 1024 * 1024
#: SPNEGO negTokenInit with mechTypes = [NTLMSSP] (RFC 4178, RFC 2743 §3.1 framing).
SPNEGO_NTLM = bytes.fromhex("601c06062b0601050502a0123010a00e300c060a2b06010401823702020a")
COMMANDS = {
    0: "NEGOTIATE", 1: "SESSION_SETUP", 2: "LOGOFF", 3: "TREE_CONNECT", 4: "TREE_DISCONNECT",
    5: "CREATE", 6: "CLOSE", 7: "FLUSH", 8: "READ", 9: "WRITE", 10: "LOCK", 11: "IOCTL",
    12: "CANCEL", 13: "ECHO", 14: "QUERY_DIRECTORY", 15: "CHANGE_NOTIFY", 16: "QUERY_INFO",
    17: "SET_INFO", 18: "OPLOCK_BREAK",
}  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class SmbSpec(ServiceSpec):
    """An SMB2 server: its GUID (``ServerGuid``) as text."""

    proto: ClassVar[str] = "smb"
    server_guid: str = "00000000-0000-0000-0000-000000000000"


def filetime(now: float) -> int:
    """100-ns intervals since 1601-01-01 ([MS-DTYP] §2.3.3 FILETIME)."""
    return int((now + 11644473600) * 10_000_000)


def negotiate_response(dialect: int, message_id: int, guid: uuid.UUID, now: float) -> bytes:
    """A complete SMB2 ``NEGOTIATE`` response message (without the transport header)."""
    header = HEADER.pack(
        SMB2_MAGIC, 64, 0, 0, NEGOTIATE, 1, FLAGS_SERVER_TO_REDIR, 0, message_id, 0, 0, 0,
        bytes(16),
    )  # fmt: skip
    capabilities = 0 if dialect in (0x0202, WILDCARD) else 0x00000006  # LEASING | LARGE_MTU
    body = NEGOTIATE_RESPONSE.pack(
        65, SIGNING_ENABLED, dialect, 0, guid.bytes_le, capabilities, MAX_SIZE, MAX_SIZE,
        MAX_SIZE, filetime(now), 0, HEADER.size + NEGOTIATE_RESPONSE.size, len(SPNEGO_NTLM), 0,
    )  # fmt: skip
    return header + body + SPNEGO_NTLM


def transport(message: bytes) -> bytes:
    """The Direct TCP transport header (§2.1) and the message."""
    return struct.pack(">I", len(message)) + message


def smb2_dialects(message: bytes) -> list[int]:
    """The dialects of an SMB2 ``NEGOTIATE`` request (§2.2.3)."""
    if len(message) < HEADER.size + 36:
        raise MalformedRequest("SMB2 NEGOTIATE shorter than its fixed part")
    size, count = struct.unpack_from("<HH", message, HEADER.size)
    start = HEADER.size + 36
    if size != 36 or count == 0 or len(message) < start + 2 * count:
        raise MalformedRequest(f"bad SMB2 NEGOTIATE (StructureSize {size}, {count} dialects)")
    return list(struct.unpack_from(f"<{count}H", message, start))


def smb1_dialects(message: bytes) -> list[str]:
    """The dialect strings of an SMB1 ``SMB_COM_NEGOTIATE`` ([MS-CIFS] §2.2.4.52.1)."""
    if len(message) < 35 or message[4] != SMB1_NEGOTIATE:
        raise MalformedRequest("SMB1 message that is not SMB_COM_NEGOTIATE")
    data = message[35:]
    return [d.decode("latin-1") for d in data.split(b"\x00") if d.startswith(b"\x02")]


class SmbEmulator(Emulator[SmbSpec]):
    """Answers ``NEGOTIATE`` (SMB2, or SMB1 multi-protocol), logs everything, goes no further."""

    proto: ClassVar[str] = "smb"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(MAX_MESSAGES):
            try:
                top = await asyncio.wait_for(reader.readexactly(4), READ_TIMEOUT)
            except asyncio.IncompleteReadError as exc:
                if exc.partial:
                    raise MalformedRequest("connection closed inside a transport header") from None
                return
            length = int.from_bytes(top[1:], "big")
            if top[0] != 0 or not 4 <= length <= MAX_MESSAGE:
                raise MalformedRequest(f"bad SMB transport header {top.hex()}")
            message = await asyncio.wait_for(reader.readexactly(length), READ_TIMEOUT)
            answer = self.answer(message, writer)
            if answer is None:
                return
            writer.write(transport(answer))
            await writer.drain()

    def answer(self, message: bytes, writer: asyncio.StreamWriter) -> bytes | None:
        guid = uuid.UUID(self.spec.server_guid)
        if message[:4] == SMB1_MAGIC:
            names = smb1_dialects(message)
            self.event(writer, "request", method="SMB1 NEGOTIATE", size=len(message),
                       detail=", ".join(n[1:] for n in names)[:200])  # fmt: skip
            offered = {n[1:] for n in names}
            if "SMB 2.???" in offered:
                return negotiate_response(WILDCARD, 0, guid, time.time())
            if "SMB 2.002" in offered:
                return negotiate_response(0x0202, 0, guid, time.time())
            return None  # an SMB1-only client: this server speaks no SMB1
        if message[:4] != SMB2_MAGIC or len(message) < HEADER.size:
            raise MalformedRequest(f"not an SMB message (starts {message[:4].hex()})")
        command = struct.unpack_from("<H", message, 12)[0]
        message_id = struct.unpack_from("<Q", message, 24)[0]
        name = COMMANDS.get(command, f"0x{command:04x}")
        if command != NEGOTIATE:
            self.event(writer, "request", method=f"SMB2 {name}", size=len(message),
                       authorization=command == SESSION_SETUP)  # fmt: skip
            return None
        dialects = smb2_dialects(message)
        self.event(writer, "request", method="SMB2 NEGOTIATE", size=len(message),
                   detail=", ".join(f"0x{d:04x}" for d in dialects)[:200])  # fmt: skip
        chosen = next((d for d in SPOKEN if d in dialects), None)
        if chosen is None:
            return None
        return negotiate_response(chosen, message_id, guid, time.time())
