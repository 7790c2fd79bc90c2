"""``biosweep watch``: sweep a site on a schedule in the foreground; save every run; alert on
new or changed findings. ``--once`` is what a systemd timer or cron runs.

Exit status: 0 done (count reached, or stopped by Ctrl-C/SIGTERM after saving), 2 usage,
configuration or scope error, 3 runtime failure (history not writable, disk full, an alert
not delivered), 4 another run of this site holds the site lock (``already running``), 5 a run
was incomplete (a source it asked for could not run: saved and alerted on, but no all-clear).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import typer

from scanner import scan
from scanner.alerts import AlertError, Sender, senders, test_alert
from scanner.cli import ble_cmd
from scanner.cli import sweep_plan as flags
from scanner.cli.console import EXIT_INCOMPLETE, EXIT_RUNTIME, EXIT_USAGE, err_console, fail
from scanner.cli.push_cmd import CA_HELP, PUSH_HELP, TOKEN_HELP, push_run, pusher
from scanner.cli.stored import (
    CONFIG_HELP,
    EXIT_LOCKED,
    STORE_HELP,
    config_or_fail,
    open_store,
    store_path,
)
from scanner.cli.watching import WatchReport
from scanner.config import Config, ConfigError
from scanner.config.ranges import RANGES
from scanner.config.schedule import Schedule, parse_cron, parse_duration
from scanner.errors import BiosweepError, InputError
from scanner.models import ScanRun, Severity
from scanner.probes.multicast import SocketMulticast
from scanner.probes.net import Connector
from scanner.scope import Scope
from scanner.store import LockedError, StoreError, lock_path, site_lock
from scanner.watch import Sweep, Watch, deliver, stop_on_sigterm

WAIT_LOCK_HELP = "Wait this long for a running sweep of the site (default: exit 4)."

HELP = """Sweep on a schedule in the foreground, save every run, alert on what is new.

Settings come from biosweep.toml (see README "Configuration file"); flags override them.
Each run is saved in the history (--store), compared with the site registry (site.registry)
and the site's previous run; findings that are new or changed and at least --min-severity
(default high) go to every configured channel (webhook, e-mail, syslog). Only one run per site
at a time: a second one exits with status 4 (or waits, with --wait-lock).

Exit status: 0 done, 2 usage/configuration/scope error, 3 runtime failure (history, disk full,
alert not delivered), 4 another run of this site is in progress, 5 a run was incomplete (a
source it asked for could not run; the run is saved).
"""


def _schedule(cfg: Config, interval: str | None, cron: str | None) -> Schedule:
    if interval and cron:
        raise InputError("give --interval or --cron, not both")
    if interval:
        return Schedule(interval=parse_duration(interval))
    if cron:
        return Schedule(cron=parse_cron(cron))
    return cfg.schedule


def real_sweep(scope: Scope) -> Sweep:
    """The sweep ``biosweep sweep`` runs: real sockets, multicast discovery, this scope."""

    def sweep(opts: scan.SweepOptions) -> ScanRun:
        return scan.run_sweep(scope, Connector(scope), opts, multicast=SocketMulticast(scope))

    return sweep


def _alert_test(site: str | None, channels: list[Sender]) -> None:
    if not channels:
        raise fail(
            "no alert channel configured (alerts.webhook, alerts.email, alerts.syslog sections)"
        )
    delivered, failed = deliver(test_alert(site), channels)
    for line in delivered:
        err_console.print(f"test alert sent: {line}", markup=False)
    for line in failed:
        err_console.print(f"TEST ALERT FAILED: {line}", markup=False)
    raise typer.Exit(EXIT_RUNTIME if failed else 0)


def _what(scope: tuple[str, ...], schedule: str, once: bool) -> str:
    """The first line's head: one run (a timer's or cron's), or a watch on its schedule."""
    if once:
        return f"sweeping {', '.join(scope)} once"
    return f"watching {', '.join(scope)} ({schedule})"


def _channels(cfg: Config, alert_test: bool, site: str | None) -> list[Sender]:
    """The configured alert channels; with ``--alert-test`` a test alert for ``site`` goes to
    each and the command ends."""
    try:
        channels = senders(cfg)
    except (ConfigError, AlertError) as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    if alert_test:
        _alert_test(site, channels)
    return channels


def _lock_wait(cfg: Config, wait_lock: str | None) -> float:
    """Seconds to wait for a running sweep of the site (0: exit 4 at once)."""
    if wait_lock:
        return parse_duration(wait_lock)
    return cfg.wait_lock or (86400.0 if cfg.on_overlap == "wait" else 0.0)


def _planned(
    cfg: Config, given: dict[str, Any], targets: list[str] | None
) -> tuple[Scope, scan.SweepOptions]:
    """Scope and options from the merged settings; the configuration's targets by default."""
    settings = flags.settings(cfg, **given)
    chosen = list(targets or cfg.targets)
    ble_only = ble_cmd.radio_selection(settings.only, settings.ble)[2]
    if not chosen and not ble_only:
        raise InputError("no targets: name them, or set site.targets in biosweep.toml")
    return flags.plan(settings, chosen)


def _checked(
    cfg: Config,
    keep_days: int | None,
    interval: str | None,
    cron: str | None,
    min_severity: str | None,
    wait_lock: str | None,
) -> tuple[Schedule, Severity, float]:
    """The schedule, the alert floor and the lock wait, from the flags over the configuration
    (InputError, or ValueError for an unknown severity)."""
    if keep_days is not None and (bad := RANGES["store.keep_days"].problem(keep_days)):
        raise InputError(f"--keep-days: {bad}")
    floor = Severity(min_severity) if min_severity else cfg.min_severity
    return _schedule(cfg, interval, cron), floor, _lock_wait(cfg, wait_lock)


def _announce(what: str, db_path: Path, channels: list[Sender], has_registry: bool) -> None:
    """The first lines: what is swept, where the history goes, which channels alert."""
    err_console.print(
        f"{what}; history {db_path}; alerts: {', '.join(c.describe() for c in channels) or 'none'}",
        markup=False,
    )
    if not has_registry:
        err_console.print(
            "no site registry (--registry or site.registry): runs are saved but have "
            "no findings, so nothing will be alerted",
            markup=False,
        )


@flags.with_sweep_flags
def watch(
    targets: list[str] = typer.Argument(None, help="What to sweep (default: site.targets)."),
    config: Path = typer.Option(None, "--config", help=CONFIG_HELP),
    store: Path = typer.Option(None, "--store", help=STORE_HELP),
    site: str = typer.Option(None, "--site", help="Site name (default: site.name)."),
    operator: str = typer.Option(None, "--operator", help="Recorded in each run."),
    registry: Path = typer.Option(None, "--registry", help="Site registry (site.yaml)."),
    interval: str = typer.Option(None, "--interval", help="Time between runs: 90s, 15m, 1h."),
    cron: str = typer.Option(None, "--cron", help="Cron expression instead: '*/15 * * * *'."),
    count: int = typer.Option(None, "--count", help="Stop after this many runs."),
    once: bool = typer.Option(False, "--once", help="One run, then exit (timers, cron)."),
    min_severity: str = typer.Option(
        None, "--min-severity", help="Alert on findings at least this severe (default high)."
    ),
    keep_days: int = typer.Option(None, "--keep-days", help="Purge runs older than this."),
    lock: Path = typer.Option(None, "--lock", help="Site lock file (default: beside the store)."),
    wait_lock: str = typer.Option(None, "--wait-lock", help=WAIT_LOCK_HELP),
    alert_test: bool = typer.Option(False, "--alert-test", help="Send a test alert and exit."),
    push: str = typer.Option(None, "--push", help=PUSH_HELP),
    push_token_file: Path = typer.Option(None, "--push-token-file", help=TOKEN_HELP),
    push_ca: Path = typer.Option(None, "--push-ca", help=CA_HELP),
    sweep_flags: dict[str, Any] | None = None,
) -> None:
    given = {**(sweep_flags or {}), "site": site, "operator": operator}
    logging.basicConfig(level=logging.INFO, format="biosweep: %(message)s")
    sensor = pusher(push, push_token_file, push_ca)
    cfg = config_or_fail(config)
    channels = _channels(cfg, alert_test, site or cfg.site)
    try:
        schedule, floor, wait = _checked(cfg, keep_days, interval, cron, min_severity, wait_lock)
        scope, opts = _planned(cfg, given, targets)
    except ValueError:
        raise fail(f"--min-severity: one of {', '.join(x.value for x in Severity)}") from None
    except BiosweepError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    db_path = store_path(store, cfg)
    lock_file = lock or cfg.lock or lock_path(db_path, opts.site)
    try:
        with site_lock(lock_file, wait), open_store(store, cfg) as db, stop_on_sigterm():
            what = _what(scope.describe(), schedule.describe(), once)
            _announce(what, db_path, channels, bool(registry or cfg.registry))
            w = Watch(
                db, real_sweep(scope), opts, scope.describe(), schedule, channels,
                floor=floor, registry=registry or cfg.registry,
                keep_days=keep_days or cfg.keep_days,
                events=WatchReport(lambda line: err_console.print(line, markup=False)),
                push=(lambda run: push_run(sensor, run)) if sensor else None,
            )  # fmt: skip
            w.run(1 if once else count)
    except LockedError as exc:
        raise fail(f"already running: {exc}", EXIT_LOCKED) from None
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    except (StoreError, BiosweepError, OSError) as exc:
        raise fail(f"watch failed: {exc}", EXIT_RUNTIME) from None
    if w.failures:
        raise typer.Exit(EXIT_RUNTIME)
    if w.incomplete:
        raise typer.Exit(EXIT_INCOMPLETE)


watch.__doc__ = HELP
