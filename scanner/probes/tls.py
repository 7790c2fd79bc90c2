"""Summary of a device's TLS certificate: subject, issuer, SANs, SHA-256 fingerprint.

Parsed with ``cryptography`` from the DER the server sent (never verified: we only identify).
Names are rendered as RFC 4514 strings (``CN=…,OU=…,O=…``), the form recog and the signature
database use. The fingerprint is kept whenever the certificate's bytes were received, and
``tls.problem`` says what else went wrong: ``unparseable certificate`` (the DER does not
decode: only the fingerprint is known) or ``oversized certificate`` (the chain is over
OpenSSL's 100 KiB handshake limit, so OpenSSL refused the handshake and the certificate was
read from the raw records: :mod:`scanner.probes.tlsraw`).
"""

from __future__ import annotations

import hashlib

from cryptography import x509

from scanner.errors import ParseError, ProbeError
from scanner.models import Observation
from scanner.normalize import clean_text
from scanner.probes.net import Dialer
from scanner.probes.tlsraw import Presented, client_hello, read_certificate

MAX_SANS = 16
#: OpenSSL's default limit on the peer's certificate chain (SSL_CTX_set_max_cert_list(3)).
OPENSSL_MAX_CERT_LIST = 100 * 1024
UNPARSEABLE, OVERSIZED = "unparseable certificate", "oversized certificate"


def certificate_observations(
    subject: str, der: bytes | None, source: str, *, oversized: bool = False
) -> list[Observation]:
    if not der:
        return []
    out = [Observation(subject, "tls.fingerprint_sha256", hashlib.sha256(der).hexdigest(), source)]
    if oversized:
        out.append(Observation(subject, "tls.problem", OVERSIZED, source))
    try:
        cert = x509.load_der_x509_certificate(der)
        pairs = [
            ("tls.subject", cert.subject.rfc4514_string()),
            ("tls.issuer", cert.issuer.rfc4514_string()),
        ]
        pairs += [("tls.san", name) for name in _sans(cert)]
    except ValueError:
        return [*out, Observation(subject, "tls.problem", UNPARSEABLE, source)]
    return out + [Observation(subject, f, clean_text(v), source) for f, v in pairs if v]


def _sans(cert: x509.Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return []
    names = [str(v) for v in san.get_values_for_type(x509.DNSName)]
    names += [str(v) for v in san.get_values_for_type(x509.IPAddress)]
    return names[:MAX_SANS]


async def refused_certificate(dialer: Dialer, host: str, port: int) -> Presented | None:
    """After OpenSSL refused a handshake: the certificate read from the raw records of one
    more TLS 1.2 hello (None when the server shows none, or the attempt fails too)."""
    try:
        async with dialer.connect(host, port) as stream:
            await stream.send(client_hello())
            return await read_certificate(stream)
    except (ProbeError, ParseError, TimeoutError):
        return None


async def observations_after_refusal(
    dialer: Dialer, host: str, port: int, source: str
) -> list[Observation]:
    """The certificate observations of a server whose handshake OpenSSL refused."""
    found = await refused_certificate(dialer, host, port)
    if found is None:
        return []
    oversized = found.message_size > OPENSSL_MAX_CERT_LIST
    return certificate_observations(f"ip:{host}", found.der, source, oversized=oversized)
