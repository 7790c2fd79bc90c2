"""``biosweep serve``: the site console in the browser, and its accounts and sensors.

  biosweep serve --store sqlite:///var/lib/biosweep/console.sqlite          # 127.0.0.1:8765
  biosweep serve --listen 0.0.0.0:8443 --tls-cert c.pem --tls-key k.pem --store postgresql://…
  biosweep serve user add alice --role officer --store …    # prints a one-time password
  biosweep serve sensor add "Office HQ" --store …             # prints the sensor's token
  biosweep serve --demo                                       # the office lab, pushed and served

The console never sends packets to devices; sensors sweep and push (sweep/watch --push).
Exit status: 0 stopped, 2 usage (bad flags, non-loopback without TLS), 3 the store or the
listening socket failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scanner.cli.console import EXIT_RUNTIME, EXIT_USAGE, err_console, fail
from scanner.errors import InputError
from scanner.sensor.push import is_loopback
from scanner.store import StoreError, default_store_path

if TYPE_CHECKING:
    from scanner.store.backend import Database

DEFAULT_LISTEN = "127.0.0.1:8765"
STORE_HELP = "sqlite:///PATH (default: the history database) or postgresql://USER@HOST/DB."

app = typer.Typer(help="The site console in the browser (and its accounts and sensors).")
sensor_app = typer.Typer(help="Sensors: issue and revoke upload tokens.", no_args_is_help=True)
user_app = typer.Typer(help="Console accounts (viewer, officer, admin).", no_args_is_help=True)
app.add_typer(sensor_app, name="sensor")
app.add_typer(user_app, name="user")


def store_url(store: str | None) -> str:
    return store or f"sqlite:///{default_store_path()}"


def parse_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"--listen: HOST:PORT, got {listen[:60]!r}")
    return host, int(port)


def _open(ctx: typer.Context, store: str | None) -> Database:
    """The store of a subcommand: its own --store, else the one given to ``serve``."""
    from scanner.store.backend import open_database

    given = store or (ctx.obj or {}).get("store")
    try:
        return open_database(store_url(given))
    except StoreError as exc:
        raise fail(str(exc), EXIT_RUNTIME) from None


@app.callback(invoke_without_command=True)
def serve(
    ctx: typer.Context,
    listen: str = typer.Option(DEFAULT_LISTEN, "--listen", help="HOST:PORT to listen on."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    tls_cert: Path = typer.Option(None, "--tls-cert", help="Certificate (PEM) for HTTPS."),
    tls_key: Path = typer.Option(None, "--tls-key", help="Its private key (PEM)."),
    tls_self_signed: bool = typer.Option(
        False, "--tls-self-signed", help="HTTPS with a generated self-signed certificate."
    ),
    insecure_http: bool = typer.Option(
        False, "--insecure-http", help="Allow plain HTTP on a non-loopback address."
    ),
    demo: bool = typer.Option(
        False, "--demo", help="Sweep the office lab, push it into a new console, serve it."
    ),
) -> None:
    """Serve the console (see biosweep serve --help)."""
    if ctx.invoked_subcommand:
        ctx.obj = {"store": store}  # `serve --store X user add …` means that store too
        return
    from scanner.cli import serving

    try:
        host, port = parse_listen(listen)
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    tls = serving.tls_files(host, store_url(store), tls_cert, tls_key, tls_self_signed)
    if tls is None and not is_loopback(host) and not insecure_http:
        raise fail(
            f"{host} is not a loopback address: serve over HTTPS (--tls-cert/--tls-key or "
            "--tls-self-signed), or pass --insecure-http if a TLS proxy is in front",
            EXIT_USAGE,
        )
    if demo:
        serving.demo(host, port, store, tls)
    else:
        serving.run(host, port, store_url(store), tls)


@sensor_app.command("add")
def sensor_add(
    ctx: typer.Context,
    site: str = typer.Argument(..., help="The site this sensor sweeps."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
) -> None:
    """Issue a sensor token for SITE (printed once; the console keeps only its hash)."""
    from scanner.console import sensors

    with _open(ctx, store) as db:
        try:
            with db.write("adding a sensor") as tx:
                sensor, token = sensors.add(tx, "cli", site)
        except InputError as exc:
            raise fail(str(exc), EXIT_USAGE) from None
    err_console.print(f"sensor {sensor.sensor_id} for site {sensor.site!r}; its token (shown "
                      "once):", markup=False)  # fmt: skip
    typer.echo(token)


@sensor_app.command("revoke")
def sensor_revoke(
    ctx: typer.Context,
    sensor_id: str = typer.Argument(..., help="The sensor's id (biosweep serve sensor list)."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
) -> None:
    """Refuse the sensor's uploads from now on."""
    from scanner.console import sensors

    with _open(ctx, store) as db, db.write("revoking a sensor") as tx:
        sensors.revoke(tx, "cli", sensor_id)
    err_console.print(f"sensor {sensor_id} revoked", markup=False)


@sensor_app.command("list")
def sensor_list(
    ctx: typer.Context, store: str = typer.Option(None, "--store", help=STORE_HELP)
) -> None:
    """The sensors, their sites and when each last pushed."""
    from scanner.console import sensors

    with _open(ctx, store) as db, db.read() as tx:
        for s in sensors.all_sensors(tx):
            state = "revoked" if s.revoked else f"last push {s.last_seen or 'never'}"
            typer.echo(f"{s.sensor_id}  {s.site}  {state}")


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="a-z, 0-9, . _ -"),
    role: str = typer.Option("viewer", "--role", help="viewer, officer or admin."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
) -> None:
    """Add an account; prints a one-time password (to be changed at first login)."""
    from scanner.console import auth

    password = auth.one_time_password()
    with _open(ctx, store) as db:
        try:
            with db.write("adding a user") as tx:
                user = auth.add(tx, "cli", username, role, password, must_change=True)
        except InputError as exc:
            raise fail(str(exc), EXIT_USAGE) from None
    err_console.print(f"user {user.username} ({user.role}); one-time password:", markup=False)
    typer.echo(password)


@user_app.command("password")
def user_password(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
) -> None:
    """Reset an account's password to a new one-time password (its sessions end)."""
    from scanner.console import auth

    password = auth.one_time_password()
    with _open(ctx, store) as db, db.write("resetting a password") as tx:
        if auth.get(tx, username) is None:
            raise fail(f"no user {username}", EXIT_USAGE)
        auth.set_password(tx, "cli", username, password, must_change=True)
    typer.echo(password)
