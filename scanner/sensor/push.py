"""Upload runs to a console's ``POST /api/v1/runs`` with the sensor's token.

Every run goes into the spool first (one file per run, written atomically), then the whole
spool is sent oldest first; a file leaves the spool only when the console answered 2xx (201
stored, 200 already had it: uploads are idempotent by run id). When the console cannot be
reached the files wait and go with the next push, in order. A run the console refuses (bad
token, too large, invalid) stays in the spool too and the refusal is reported.

Only HTTPS is used, except to a loopback address; the console's certificate is checked
against the system's CAs or a given CA/certificate file (``--push-ca``, e.g. the console's
self-signed certificate). Progress reports are best-effort, throttled and never delay a sweep.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import secrets
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from scanner.errors import BiosweepError
from scanner.models import ScanRun
from scanner.reporters.jsonin import read_scanrun
from scanner.reporters.jsonout import scanrun_json

TIMEOUT = 60.0
PROGRESS_EVERY = 2.0  # seconds between progress reports
MAX_TOKEN = 300


class PushError(BiosweepError):
    """A push that cannot be attempted (bad URL, no token) or that the console refused."""


def check_url(url: str) -> str:
    """The console's base URL; http:// only to a loopback address."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise PushError(f"--push: expected https://HOST[:PORT], got {url[:80]!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise PushError(
            "--push: the console must be reached over https:// (http:// only to 127.0.0.1, "
            "::1 or localhost), or the token and the run would cross the network in clear"
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_token(token_file: Path | None) -> str:
    """The sensor token: from ``token_file`` or ``$BIOSWEEP_PUSH_TOKEN`` (never a flag: a
    command line is visible to every user of the machine)."""
    raw = ""
    if token_file is not None:
        try:
            raw = token_file.read_text(encoding="ascii")[:MAX_TOKEN]
        except (OSError, UnicodeDecodeError) as exc:
            raise PushError(f"cannot read the token file {token_file}: {exc}") from None
    raw = (raw or os.environ.get("BIOSWEEP_PUSH_TOKEN", "")).strip()
    if not re.fullmatch(r"bsw1\.[0-9a-f]{12}\.[A-Za-z0-9_-]{20,80}", raw):
        raise PushError(
            "no sensor token: set BIOSWEEP_PUSH_TOKEN or pass --push-token-file (issued by "
            "'biosweep serve sensor add SITE')"
        )
    return raw


@dataclass(slots=True)
class PushResult:
    sent: list[str] = field(default_factory=list)  # run ids the console now has
    waiting: int = 0  # runs still in the spool
    problem: str | None = None  # why the rest is waiting
    refused: bool = False  # the console answered and said no (token, size, validation)


@dataclass(slots=True)
class Pusher:
    url: str
    token: str
    spool: Path
    ca: Path | None = None
    timeout: float = TIMEOUT
    _last_progress: float = 0.0

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca) if self.ca else None)

    def _post(self, path: str, body: bytes, timeout: float) -> tuple[int, str]:
        request = urllib.request.Request(  # noqa: S310 - the scheme was checked (check_url)
            self.url + path, data=body, method="POST",
            headers={"Authorization": f"Bearer {self.token}",
                     "Content-Type": "application/json", "User-Agent": "biosweep-sensor"},
        )  # fmt: skip
        https = self.url.startswith("https:")
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=timeout, context=self._context() if https else None
            ) as response:
                return int(response.status), response.read(4096).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return int(exc.code), exc.read(4096).decode("utf-8", "replace")

    def spool_run(self, run: ScanRun) -> Path:
        """Write ``run`` into the spool (atomically, fsync'd); its path."""
        self.spool.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", run.id)[:100] or "run"
        path = self.spool / f"{time.time_ns():020d}-{name}.json"
        tmp = self.spool / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            with open(tmp, "xb") as f:
                f.write(scanrun_json(run))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
        return path

    def spool_file(self, path: Path) -> Path:
        """Check a saved run (``sweep --json``) with the hostile-JSON reader and spool it."""
        return self.spool_run(read_scanrun(path))

    def waiting(self) -> list[Path]:
        return sorted(self.spool.glob("*.json")) if self.spool.is_dir() else []

    def flush(self) -> PushResult:
        """Send the spool oldest first; stop at the first failure (order is kept)."""
        result = PushResult()
        files = self.waiting()
        for n, path in enumerate(files):
            try:
                status, text = self._post("/api/v1/runs", path.read_bytes(), self.timeout)
            except (OSError, ssl.SSLError) as exc:
                result.problem = f"console unreachable: {exc}"
                result.waiting = len(files) - n
                return result
            if status in (200, 201):
                result.sent.append(_run_id(text) or path.stem)
                path.unlink(missing_ok=True)
                continue
            result.problem = f"console refused the run ({status}): {_error(text)}"
            result.refused = True
            result.waiting = len(files) - n
            return result
        return result

    def push(self, run: ScanRun) -> PushResult:
        """Spool ``run`` and send everything waiting."""
        self.spool_run(run)
        return self.flush()

    def progress(self, phase: str, addresses: int, discovered: int, probed: int) -> None:
        """Best effort, at most every PROGRESS_EVERY seconds, short timeout, errors ignored."""
        now = time.monotonic()
        if now - self._last_progress < PROGRESS_EVERY:
            return
        self._last_progress = now
        body = json.dumps({"phase": phase, "addresses": addresses, "discovered": discovered,
                           "probed": probed}).encode()  # fmt: skip
        with contextlib.suppress(OSError, ssl.SSLError):
            self._post("/api/v1/progress", body, 2.0)


def _run_id(text: str) -> str | None:
    with contextlib.suppress(ValueError, AttributeError):
        value = json.loads(text).get("run_id")
        return value if isinstance(value, str) else None
    return None


def _error(text: str) -> str:
    with contextlib.suppress(ValueError, AttributeError):
        value = json.loads(text).get("error")
        if isinstance(value, str):
            return value[:200]
    return text[:200].replace("\n", " ")
