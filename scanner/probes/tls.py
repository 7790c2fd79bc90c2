"""Summary of a device's TLS certificate: subject, issuer, SANs, SHA-256 fingerprint.

Parsed with ``cryptography`` from the DER the server sent (never verified: we only identify).
Names are rendered as RFC 4514 strings (``CN=…,OU=…,O=…``), the form recog and the signature
database use. A certificate that does not parse yields its fingerprint only.
"""

from __future__ import annotations

import hashlib

from cryptography import x509

from scanner.models import Observation
from scanner.normalize import clean_text

MAX_SANS = 16


def certificate_observations(subject: str, der: bytes | None, source: str) -> list[Observation]:
    if not der:
        return []
    out = [Observation(subject, "tls.fingerprint_sha256", hashlib.sha256(der).hexdigest(), source)]
    try:
        cert = x509.load_der_x509_certificate(der)
        pairs = [
            ("tls.subject", cert.subject.rfc4514_string()),
            ("tls.issuer", cert.issuer.rfc4514_string()),
        ]
        pairs += [("tls.san", name) for name in _sans(cert)]
    except ValueError:
        return out
    return out + [Observation(subject, f, clean_text(v), source) for f, v in pairs if v]


def _sans(cert: x509.Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return []
    names = [str(v) for v in san.get_values_for_type(x509.DNSName)]
    names += [str(v) for v in san.get_values_for_type(x509.IPAddress)]
    return names[:MAX_SANS]
