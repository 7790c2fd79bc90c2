"""Per-device TLS certificates for the lab's HTTPS emulators, made at ``lab up`` time.

Each HTTPS port of a device gets its own key and self-signed X.509 certificate whose subject
and issuer are the vendor's public default (the catalogue cites where each comes from, e.g.
recog ``x509_subjects.xml``); names are given as RFC 4514 strings and parsed with
``cryptography`` (``Name.from_rfc4514_string``), so ``rfc4514_string()`` on the wire gives the
same text back. Keys are ECDSA P-256 (fast enough for a /20 of devices); a scanner fingerprints
the names, not the key type, and the docs say so.

Nothing is committed: keys are generated on first use and cached under the lab runtime dir
(``tls-cache/``, mode 0700), named by a hash of what they certify and for whom, so the next
``lab up`` of the same site reuses them.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from dataclasses import replace
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from scanner.lab.emulators.base import ServiceSpec
from scanner.lab.emulators.http import HttpSpec

CACHE = "tls-cache"
NOT_BEFORE = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
NOT_AFTER = datetime.datetime(2040, 1, 1, tzinfo=datetime.UTC)


def make_certificate(subject: str, issuer: str, owner: str) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) for RFC 4514 ``subject`` and ``issuer`` (empty: subject)."""
    key = ec.generate_private_key(ec.SECP256R1())
    serial = int.from_bytes(hashlib.sha256(f"{owner}\n{subject}".encode()).digest()[:16]) >> 1
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name.from_rfc4514_string(subject))
        .issuer_name(x509.Name.from_rfc4514_string(issuer or subject))
        .public_key(key.public_key())
        .serial_number(serial or 1)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def ensure(directory: Path, subject: str, issuer: str, owner: str) -> tuple[Path, Path]:
    """The cached (certificate, key) files for ``owner`` (device and port), made if missing."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    tag = hashlib.sha256(f"{owner}\n{subject}\n{issuer}".encode()).hexdigest()[:32]
    cert_path, key_path = directory / f"{tag}.crt", directory / f"{tag}.key"
    if cert_path.is_file() and key_path.is_file():
        return cert_path, key_path
    cert, key = make_certificate(subject, issuer, owner)
    _write(key_path, key)
    _write(cert_path, cert)
    return cert_path, key_path


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


def materialise(
    specs: tuple[ServiceSpec, ...], directory: Path, owner: str
) -> tuple[ServiceSpec, ...]:
    """``specs`` with every TLS web server given its certificate files (made or cached)."""

    def one(spec: ServiceSpec) -> ServiceSpec:
        if not isinstance(spec, HttpSpec) or not spec.tls_subject or spec.tls_cert:
            return spec
        cert, key = ensure(directory, spec.tls_subject, spec.tls_issuer, f"{owner}:{spec.port}")
        return replace(spec, tls_cert=str(cert), tls_key=str(key))

    return tuple(one(s) for s in specs)
