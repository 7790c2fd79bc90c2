"""Local alert receivers for the watch tests, runnable as a script inside a lab namespace.

``python tests/watch/receivers.py --out DIR --secret-file F --password-file P`` starts, on
127.0.0.1 only:

- a webhook receiver (http.server) that checks each POST's HMAC-SHA256 signature against the
  shared secret and saves ``DIR/webhook-N.json`` (``{"valid": bool, "headers": …, "body": …}``);
- an SMTP sink (aiosmtpd) that requires STARTTLS (a self-signed certificate for 127.0.0.1,
  written to ``DIR/cert.pem`` for the client to trust) and LOGIN/PLAIN auth after TLS, and
  saves ``DIR/mail-N.json`` (``{"tls": bool, "auth": user, "message": …}``).

Then it writes ``DIR/ready.json`` with both ports and serves until killed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"


def make_cert(
    out: Path, host: str = HOST, common_name: str = "biosweep test sink"
) -> tuple[Path, Path]:
    """A self-signed certificate for ``host`` (also usable as its own CA)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = out / "cert.pem", out / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Counter:
    def __init__(self) -> None:
        self.n = 0
        self.lock = threading.Lock()

    def next(self) -> int:
        with self.lock:
            self.n += 1
            return self.n


def webhook_server(out: Path, secret: bytes) -> ThreadingHTTPServer:
    count = Counter()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            stamp = self.headers.get("X-Biosweep-Timestamp", "")
            want = (
                "sha256="
                + hmac.new(secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            )
            got = self.headers.get("X-Biosweep-Signature", "")
            record = {
                "valid": hmac.compare_digest(want, got),
                "headers": dict(self.headers.items()),
                "body": body.decode("utf-8", "replace"),
            }
            (out / f"webhook-{count.next()}.json").write_text(json.dumps(record))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((HOST, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Sink:
    """aiosmtpd handler: saves each message with whether TLS and auth were used."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.count = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        record = {
            "tls": session.ssl is not None,
            "auth": session.auth_data.login.decode() if session.auth_data else None,
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "message": envelope.content.decode("utf-8", "replace"),
        }
        (self.out / f"mail-{self.count.next()}.json").write_text(json.dumps(record))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def smtp_server(out: Path, user: str, password: bytes) -> Controller:
    cert, key = make_cert(out)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == user
            and data.password == password
        )
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    controller = Controller(
        Sink(out),
        hostname=HOST,
        port=free_port(),
        tls_context=ctx,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    return controller


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--secret-file", type=Path, required=True)
    parser.add_argument("--user", default="biosweep")
    parser.add_argument("--password-file", type=Path, required=True)
    args = parser.parse_args()
    hook = webhook_server(args.out, args.secret_file.read_bytes().strip())
    smtp = smtp_server(args.out, args.user, args.password_file.read_bytes().strip())
    ready = {"webhook": hook.server_address[1], "smtp": smtp.port}
    tmp = args.out / "ready.tmp"
    tmp.write_text(json.dumps(ready))
    tmp.replace(args.out / "ready.json")
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
