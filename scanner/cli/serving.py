"""Running the console under uvicorn, its TLS files, and ``serve --demo``.

Imported only by ``biosweep serve`` (it needs ``biosweep[console]``)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from scanner.cli.console import EXIT_RUNTIME, EXIT_USAGE, err_console, fail
from scanner.store import StoreError, default_store_path

TLS = tuple[Path, Path]
DEMO_SCENARIOS = ("office", "office-swapped")


def _console_modules() -> None:
    try:
        import argon2  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise fail(
            f"biosweep serve needs the console extras ({exc.name} is missing): "
            "pip install 'biosweep[console]'",
            EXIT_USAGE,
        ) from None


def tls_files(host: str, store: str, cert: Path | None, key: Path | None,
              self_signed: bool) -> TLS | None:  # fmt: skip
    """(cert, key) for HTTPS, or None for plain HTTP."""
    if cert or key:
        if not (cert and key and cert.is_file() and key.is_file()):
            raise fail("--tls-cert and --tls-key: both, and readable files", EXIT_USAGE)
        return cert, key
    if not self_signed:
        return None
    from scanner.console.tls import fingerprint
    from scanner.console.tls import self_signed as make

    base = Path(store[len("sqlite:///") :]).parent if store.startswith("sqlite:///") else None
    made = make((base or default_store_path().parent) / "console-tls", host)
    err_console.print(
        f"self-signed certificate {made[0]} (SHA-256 {fingerprint(made[0].read_bytes())}); "
        f"sensors: --push-ca {made[0]}",
        markup=False,
    )
    return made


def _server(host: str, port: int, store: str, tls: TLS | None, db: object = None):  # type: ignore[no-untyped-def]
    _console_modules()
    import uvicorn

    from scanner.console import ConsoleConfig, create_app

    app = create_app(ConsoleConfig(store, secure=tls is not None), db)  # type: ignore[arg-type]
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", server_header=False,
        proxy_headers=False, ssl_certfile=str(tls[0]) if tls else None,
        ssl_keyfile=str(tls[1]) if tls else None,
    )  # fmt: skip
    return uvicorn.Server(config)


def url_of(host: str, port: int, tls: TLS | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"


def run(host: str, port: int, store: str, tls: TLS | None) -> None:
    """Serve until Ctrl-C/SIGTERM."""
    from scanner.store.backend import open_database

    _console_modules()
    try:
        open_database(store).close()  # migrate and check before listening
    except StoreError as exc:
        raise fail(str(exc), EXIT_RUNTIME) from None
    server = _server(host, port, store, tls)
    err_console.print(f"biosweep console on {url_of(host, port, tls)}/", markup=False)
    server.run()
    if not server.started:
        raise fail(f"could not listen on {host}:{port}", EXIT_RUNTIME)


def _wait_healthy(base: str, tls: TLS | None, seconds: float = 30.0) -> None:
    import ssl

    context = ssl.create_default_context(cafile=str(tls[0])) if tls else None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2, context=context):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)
    raise fail("the console did not come up", EXIT_RUNTIME)


def _sweep_lab(scenario: str, folder: Path) -> Path:
    """``biosweep demo SCENARIO``'s ScanRun JSON (it brings the lab up and tears it down)."""
    report = folder / f"{scenario}.json"
    log = folder / f"{scenario}.log"
    sys.stderr.write(f"sweeping the {scenario} lab (log: {log}) …\n")
    with open(log, "wb") as out:
        done = subprocess.run(
            [sys.executable, "-m", "scanner", "demo", scenario, "--report", str(report)],
            stdout=out, stderr=subprocess.STDOUT, timeout=1200, check=False,
        )  # fmt: skip
    if done.returncode != 0 or not report.is_file():
        raise fail(f"the {scenario} lab sweep failed (exit {done.returncode}): see {log}")
    return report


def demo(host: str, port: int, store: str | None, tls: TLS | None) -> None:
    """A new console with an admin, a sensor and the office registry; the office lab swept
    twice (as it is, then with a device swapped) and pushed; then served until Ctrl-C."""
    _console_modules()
    from scanner.cli.demo_cmd import registry_for
    from scanner.console import auth, registries, sensors
    from scanner.registry import load_registry
    from scanner.sensor import Pusher
    from scanner.store.backend import open_database

    folder = Path(tempfile.mkdtemp(prefix="biosweep-console-demo-"))
    url = store or f"sqlite:///{folder / 'console.sqlite'}"
    reg_path = registry_for("office")
    site = load_registry(reg_path).site.name if reg_path else "office"
    password = auth.one_time_password()
    try:
        db = open_database(url)
        with db.write("preparing the demo") as tx:
            auth.add(tx, "demo", "admin", "admin", password, must_change=True)
            _sensor, token = sensors.add(tx, "demo", site)
            if reg_path:
                registries.save(tx, "demo", site, reg_path.read_text(encoding="utf-8"))
    except (StoreError, OSError) as exc:
        raise fail(f"demo: {exc}", EXIT_RUNTIME) from None
    server = _server(host, port, url, tls, db)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = url_of(host, port, tls)
    try:
        _wait_healthy(base, tls)
        pusher = Pusher(base, token, folder / "spool", tls[0] if tls else None)
        for scenario in DEMO_SCENARIOS:
            pusher.spool_file(_sweep_lab(scenario, folder))
            result = pusher.flush()
            if result.problem:
                raise fail(f"demo push: {result.problem}", EXIT_RUNTIME)
        sys.stderr.write(
            f"store: {url}\nconsole: {base}/  user: admin  one-time password: {password}\n"
            "Ctrl-C stops it.\n"
        )
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.should_exit = True
        thread.join(10)
        db.close()
