"""TLS servers OpenSSL refuses, on 127.0.0.0/8: the certificate is still fingerprinted, and the
run says what was wrong with it.

- A real OpenSSL server (Python's ``ssl``) presenting a chain of about 150 KiB: over OpenSSL's
  100 KiB limit, so the client's handshake fails (``EXCESSIVE_MESSAGE_SIZE``); the leaf is
  read from the raw records of a TLS 1.2 hello and recorded with ``oversized certificate``.
- A server whose Certificate message carries bytes that are no certificate: OpenSSL's
  handshake fails (``ASN1 lib``); the bytes' SHA-256 is recorded with
  ``unparseable certificate``.
- A TLS 1.3-only server with the same oversized chain shows its certificate only encrypted:
  nothing is invented, the handshake error stands.

Bounded: wall clock and a tracemalloc peak, generous.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hashlib
import os
import ssl
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from scanner.lab.certs import make_certificate
from scanner.models import Observation, SkipReason
from scanner.probes.source import SourceResult
from scanner.probes.stream import Stream
from scanner.probes.tls import OPENSSL_MAX_CERT_LIST, certificate_observations
from scanner.probes.tlsraw import MAX_HANDSHAKE, TlsRecordError, client_hello, read_certificate
from tests.probes.test_hostile import bounded, fields, run, sweep

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
GARBAGE = b"\x30\x82\x01\x00" + b"this is not a certificate " * 8


def filler(key: ec.EllipticCurvePrivateKey, n: int) -> bytes:
    """A certificate of about 7.5 KiB (400 SANs), DER, to pad a chain."""
    name = x509.Name.from_rfc4514_string(f"CN=padding {n}")
    sans = x509.SubjectAlternativeName([x509.DNSName(f"h{i}.example.com") for i in range(400)])
    return (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(n + 1)
        .not_valid_before(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2040, 1, 1, tzinfo=datetime.UTC))
        .add_extension(sans, critical=False)
        .sign(key, hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )  # fmt: skip


@pytest.fixture(scope="module")
def oversized(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, bytes]:
    """(chain PEM, key PEM, the leaf's DER): a self-signed leaf and 20 padding certificates."""
    leaf_pem, key_pem = make_certificate("CN=IPC-oversized,O=Hostile", "", "tls-test")
    padding_key = ec.generate_private_key(ec.SECP256R1())
    padding = [filler(padding_key, n) for n in range(20)]
    assert sum(map(len, padding)) > OPENSSL_MAX_CERT_LIST + 32 * 1024
    pems = b"".join(
        x509.load_der_x509_certificate(d).public_bytes(serialization.Encoding.PEM) for d in padding
    )
    where = tmp_path_factory.mktemp("oversized")
    (where / "chain.pem").write_bytes(leaf_pem + pems)
    (where / "key.pem").write_bytes(key_pem)
    leaf = x509.load_pem_x509_certificate(leaf_pem).public_bytes(serialization.Encoding.DER)
    return where / "chain.pem", where / "key.pem", leaf


def context(chain: Path, key: Path, tls13_only: bool = False) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(chain, key)
    if tls13_only:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    return ctx


async def idle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, ssl.SSLError):
        await reader.read(4096)
    writer.close()


def _record(body: bytes) -> bytes:
    return bytes([22, 3, 3]) + struct.pack("!H", len(body)) + body


def _handshake(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + len(body).to_bytes(3, "big") + body


def garbage_flight() -> bytes:
    """ServerHello (TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256, renegotiation_info), a Certificate
    message whose one entry is :data:`GARBAGE`, ServerHelloDone: RFC 5246 §7.4."""
    ext = b"\xff\x01\x00\x01\x00"
    hello = b"\x03\x03" + os.urandom(32) + b"\x00\xc0\x2f\x00" + struct.pack("!H", len(ext)) + ext
    entries = len(GARBAGE).to_bytes(3, "big") + GARBAGE
    certificate = len(entries).to_bytes(3, "big") + entries
    return _record(
        _handshake(2, hello) + _handshake(11, certificate) + _handshake(14, b"")
    )  # fmt: skip


async def garbage_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers every ClientHello with :func:`garbage_flight`."""
    try:
        head = await reader.readexactly(5)
        await reader.readexactly(struct.unpack("!H", head[3:5])[0])
        writer.write(garbage_flight())
        await writer.drain()
        await reader.read(4096)
    except (OSError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


@contextlib.asynccontextmanager
async def server(host: str, handler: Handler, tls: ssl.SSLContext | None) -> AsyncIterator[None]:
    assert host.startswith("127.")
    srv = await asyncio.start_server(handler, host, 443, ssl=tls, reuse_address=True)
    try:
        yield
    finally:
        srv.close()


def tls_sweep(host: str, handler: Handler, tls: ssl.SSLContext | None = None) -> SourceResult:
    async def main() -> SourceResult:
        async with server(host, handler, tls):
            return await sweep([host], (443,))

    return bounded(20.0)(lambda: run(main()))  # type: ignore[no-any-return]


def by_field(obs: list[Observation], host: str) -> dict[str, list[str]]:
    return fields([o for o in obs if o.subject == f"ip:{host}" and o.source == "tls:443"])


def test_an_oversized_chain_is_fingerprinted_and_named(oversized: tuple[Path, Path, bytes]) -> None:
    chain, key, leaf = oversized
    res = tls_sweep("127.0.62.1", idle, context(chain, key))
    got = by_field(res.observations, "127.0.62.1")
    assert got["tls.fingerprint_sha256"] == [hashlib.sha256(leaf).hexdigest()]
    assert got["tls.problem"] == ["oversized certificate"]
    assert got["tls.subject"] == ["CN=IPC-oversized,O=Hostile"]
    assert [(s.probe, s.reason, s.detail) for s in res.skipped if s.target == "127.0.62.1:443"] == [
        ("http", SkipReason.ERROR, "TLS handshake failed: EXCESSIVE_MESSAGE_SIZE")
    ]


def test_a_garbage_certificate_is_fingerprinted_and_called_unparseable() -> None:
    res = tls_sweep("127.0.62.2", garbage_server)
    got = by_field(res.observations, "127.0.62.2")
    assert got["tls.fingerprint_sha256"] == [hashlib.sha256(GARBAGE).hexdigest()]
    assert got["tls.problem"] == ["unparseable certificate"]
    assert "tls.subject" not in got
    [error] = [s for s in res.skipped if s.target == "127.0.62.2:443"]
    assert error.reason is SkipReason.ERROR and error.detail.startswith("TLS handshake failed")


def test_a_tls13_only_server_invents_nothing(oversized: tuple[Path, Path, bytes]) -> None:
    chain, key, _ = oversized
    res = tls_sweep("127.0.62.3", idle, context(chain, key, tls13_only=True))
    assert by_field(res.observations, "127.0.62.3") == {}
    [error] = [s for s in res.skipped if s.target == "127.0.62.3:443"]
    assert error.detail == "TLS handshake failed: EXCESSIVE_MESSAGE_SIZE"


def test_a_certificate_that_does_not_parse_says_so_beside_its_fingerprint() -> None:
    got = fields(certificate_observations("ip:10.0.0.9", GARBAGE, "tls:443"))
    assert got == {
        "tls.fingerprint_sha256": [hashlib.sha256(GARBAGE).hexdigest()],
        "tls.problem": ["unparseable certificate"],
    }


async def read_raw(data: bytes) -> object:
    """:func:`read_certificate` over a stream that holds ``data`` and then ends."""
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    return await read_certificate(Stream(reader, None))


def test_the_raw_reader_stops_at_its_cap_when_no_certificate_comes() -> None:
    """A server that sends handshake records forever (no Certificate) is cut at 1 MiB."""
    message = _handshake(12, bytes(16000))  # ServerKeyExchange-sized filler, endlessly
    flood = _record(_handshake(2, bytes(38))) + _record(message) * 200

    def read() -> None:
        with pytest.raises(TlsRecordError, match="no whole certificate"):
            run(read_raw(flood))

    bounded(5.0)(read)
    assert len(flood) > MAX_HANDSHAKE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x15\x03\x03\x00\x02\x02\x46", "alert"),
        (b"HTTP/1.1 400 Bad Request\r\n\r\n", "not a TLS handshake record"),
        (_record(_handshake(2, bytes(38)) + _handshake(14, b"")), "no certificate"),
    ],
    ids=["alert", "not-tls", "no-certificate"],
)
def test_the_raw_reader_refuses_what_is_not_a_certificate(data: bytes, message: str) -> None:
    with pytest.raises(TlsRecordError, match=message):
        run(read_raw(data))


def test_the_hello_is_one_well_formed_tls12_record() -> None:
    hello = client_hello()
    kind, version, length = struct.unpack("!BHH", hello[:5])
    assert (kind, version, length) == (22, 0x0301, len(hello) - 5)
    assert hello[5] == 1 and int.from_bytes(hello[6:9], "big") == length - 4
    assert hello[9:11] == b"\x03\x03"  # TLS 1.2: the Certificate message travels in clear
