"""The server's certificate read from the handshake records themselves, when OpenSSL refuses
the handshake (an oversized chain, a certificate it cannot parse).

OpenSSL stops a handshake whose certificate chain is over 100 KiB (``SSL_CTX_set_max_cert_list``
(3): "the default value for the maximum certificate chain size is 100kB"), and one whose
certificate does not decode; either way the device showed a certificate the report should
fingerprint. Python's ``ssl`` cannot raise that limit, so biosweep asks once more, on a new
connection, with a ClientHello of its own offering TLS 1.0-1.2 only (RFC 5246 §7.4.1.2: a
well-formed hello, the same a 2015 browser sends), and reads the server's answer record by
record (§6.2.1) up to the first entry of its ``Certificate`` message (§7.4.2), which travels
in clear before TLS 1.3. A server that speaks TLS 1.3 only answers with an alert: nothing is
learned, and the handshake failure stands. Nothing else is sent: the connection is closed as
soon as the certificate (or an alert, or the cap) is read.

Bounded: records over 2^14 + 2048 bytes (§6.2.3) and handshakes over :data:`MAX_HANDSHAKE`
bytes before the certificate is complete are parse errors.
"""

from __future__ import annotations

import secrets
import struct
from dataclasses import dataclass

from scanner.errors import ParseError
from scanner.probes.stream import Stream

MAX_HANDSHAKE = 1024 * 1024  # handshake bytes read before the first certificate must be whole
MAX_RECORD = (1 << 14) + 2048  # TLSCiphertext.length limit, RFC 5246 §6.2.3
_HANDSHAKE, _ALERT = 22, 21  # ContentType, RFC 5246 §6.2.1
_SERVER_HELLO, _CERTIFICATE, _SERVER_HELLO_DONE = 2, 11, 14  # HandshakeType, §7.4
#: TLS 1.2 and older suites cameras and recorders serve: ECDHE-ECDSA/RSA with AES-GCM,
#: ChaCha20 and AES-CBC, then plain RSA key exchange (IANA TLS Cipher Suites registry).
_SUITES = (
    0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC009, 0xC013, 0xC00A, 0xC014,
    0x009C, 0x009D, 0x002F, 0x0035, 0x000A,
)  # fmt: skip
#: RFC 8422 §5.1 groups and point formats; RFC 5246 §7.4.1.4.1 / RFC 8446 §4.2.3 signatures.
_GROUPS = (0x001D, 0x0017, 0x0018)
_SIGNATURES = (0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0203, 0x0201)


class TlsRecordError(ParseError):
    """The server's handshake records are malformed, oversized, or carry no certificate."""


@dataclass(frozen=True, slots=True)
class Presented:
    """The first certificate a server presented (DER) and its Certificate message's size."""

    der: bytes
    message_size: int


def _vector(width: int, data: bytes) -> bytes:
    return len(data).to_bytes(width, "big") + data


def _extension(kind: int, data: bytes) -> bytes:
    return struct.pack("!H", kind) + _vector(2, data)


def client_hello() -> bytes:
    """One TLS 1.2 ClientHello record (no SNI: the target is an address)."""
    extensions = b"".join(
        (
            _extension(0x000A, _vector(2, b"".join(struct.pack("!H", g) for g in _GROUPS))),
            _extension(0x000B, _vector(1, b"\x00")),  # uncompressed points
            _extension(0x000D, _vector(2, b"".join(struct.pack("!H", s) for s in _SIGNATURES))),
            _extension(0xFF01, _vector(1, b"")),  # renegotiation_info, RFC 5746 §3.4
        )
    )
    body = (
        b"\x03\x03"
        + secrets.token_bytes(32)
        + _vector(1, b"")  # no session id
        + _vector(2, b"".join(struct.pack("!H", s) for s in _SUITES))
        + _vector(1, b"\x00")  # null compression
        + _vector(2, extensions)
    )
    handshake = bytes([1]) + _vector(3, body)
    return bytes([_HANDSHAKE, 3, 1]) + _vector(2, handshake)


def first_certificate(handshake: bytes) -> Presented | None:
    """The first certificate of the Certificate message in ``handshake`` (the concatenated
    handshake bytes so far), or None while it is incomplete. Raises TlsRecordError when the
    messages say the server sends no certificate."""
    at = 0
    while at + 4 <= len(handshake):
        kind = handshake[at]
        size = int.from_bytes(handshake[at + 1 : at + 4], "big")
        body = handshake[at + 4 : at + 4 + size]
        if kind == _CERTIFICATE:
            if len(body) < 6:
                return None
            length = int.from_bytes(body[3:6], "big")
            if length == 0 or 6 + length > size:
                raise TlsRecordError("Certificate message without a certificate")
            return Presented(body[6 : 6 + length], size) if len(body) >= 6 + length else None
        if kind == _SERVER_HELLO_DONE:
            raise TlsRecordError("the server sent no certificate")
        if len(body) < size:
            return None
        at += 4 + size
    return None


async def read_certificate(stream: Stream, limit: int = MAX_HANDSHAKE) -> Presented:
    """Read the server's records after :func:`client_hello` until its first certificate is
    whole; TlsRecordError on an alert, a record that is not a handshake, or the cap."""
    handshake = bytearray()
    while True:
        kind, _version, length = struct.unpack("!BHH", await stream.read_exactly(5))
        if kind == _ALERT:
            raise TlsRecordError("the server refused a TLS 1.2 handshake (alert)")
        if kind != _HANDSHAKE or length > MAX_RECORD:
            raise TlsRecordError("not a TLS handshake record")
        handshake += await stream.read_exactly(length)
        if len(handshake) > limit:
            raise TlsRecordError(f"no whole certificate in the first {limit} handshake bytes")
        found = first_certificate(bytes(handshake))
        if found is not None:
            return found
