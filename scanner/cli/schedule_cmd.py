"""``biosweep schedule install|remove|status``: run ``biosweep watch --once`` on a systemd timer
(system or user units, hardened: see :mod:`scanner.cli.units`), or print the crontab line
where there is no systemd."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import typer

from scanner.atomic import write_atomic
from scanner.cli.console import EXIT_RUNTIME, EXIT_USAGE, console, err_console, fail, safe
from scanner.cli.stored import CONFIG_HELP, config_or_fail, store_path
from scanner.cli.units import (
    biosweep_command,
    crontab_line,
    hidden_by_private_tmp,
    render,
    unit_name,
)
from scanner.config import find_config
from scanner.errors import InputError
from scanner.store import lock_path

SYSTEMD_RUNNING = Path("/run/systemd/system")  # sd_booted(3)
SYSTEM_DIR = Path("/etc/systemd/system")

app = typer.Typer(
    help="Run the watch on a systemd timer (or print the crontab line).", no_args_is_help=True
)


def _user_default(user: bool | None) -> bool:
    return os.geteuid() != 0 if user is None else user


def _unit_file(where: Path, name: str, suffix: str) -> Path:
    """``where/NAME.suffix``, checked to stay inside ``where`` (symlinks resolved)."""
    path = where / f"{unit_name(name)}{suffix}"
    if path.resolve().parent != where.resolve():
        raise InputError(f"{path} would be written outside {where}: not written")
    return path


def _unit_dir(user: bool, unit_dir: Path | None) -> Path:
    if unit_dir is not None:
        return unit_dir
    if not user:
        return SYSTEM_DIR
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def _systemctl(user: bool, *args: str) -> subprocess.CompletedProcess[str]:
    argv = ["systemctl", *(["--user"] if user else []), *args]
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise fail(f"{' '.join(argv)}: {exc}", EXIT_RUNTIME) from None


def _config_file(config: Path | None) -> Path:
    found = find_config(config)
    if found is None or not found.is_file():
        raise fail(
            "schedule needs a configuration file (biosweep.toml with site.targets): "
            "write one and pass --config"
        )
    return found.resolve()


def _check_name(name: str) -> None:
    try:
        unit_name(name)
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None


USER_OPT = typer.Option(
    None, "--user/--system", help="User or system units (default: system as root)."
)
NAME_OPT = typer.Option("biosweep-watch", "--name", help="Unit name (without .service/.timer).")
DIR_OPT = typer.Option(None, "--unit-dir", help="Write the units here and enable nothing.")


@app.command("install")
def install(
    config: Path = typer.Option(None, "--config", help=CONFIG_HELP),
    user: bool = USER_OPT,
    name: str = NAME_OPT,
    unit_dir: Path = DIR_OPT,
    force: bool = typer.Option(False, "--force", help="Replace existing unit files."),
    cron: bool = typer.Option(False, "--cron", help="Print the crontab line, even with systemd."),
) -> None:
    """Write NAME.service and NAME.timer, reload systemd and enable the timer.

    Without systemd (or with --cron) print the crontab line instead. Exit status: 0 done,
    2 bad configuration or the units exist (use --force), 3 systemctl failed.
    """
    path = _config_file(config)
    cfg = config_or_fail(path)
    if not cfg.targets:
        raise fail(f"{path}: set site.targets: a scheduled run has nobody to ask")
    as_user = _user_default(user)
    try:
        if cron or (unit_dir is None and not SYSTEMD_RUNNING.is_dir()):
            console.print(crontab_line(path, cfg.schedule), markup=False, soft_wrap=True)
            err_console.print("no systemd here: add the line above with crontab -e", markup=False)
            return
        db = store_path(None, cfg)
        writable = sorted({db.parent, (cfg.lock or lock_path(db, cfg.site)).parent})
        units = render(name, path, cfg.schedule, writable, cfg.site, as_user)
        where = _unit_dir(as_user, unit_dir)
        where.mkdir(parents=True, exist_ok=True)
        service, timer = _unit_file(where, name, ".service"), _unit_file(where, name, ".timer")
        write_atomic(service, units.service.encode(), force=force)
        write_atomic(timer, units.timer.encode(), force=True)
    except (InputError, OSError) as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    console.print(f"wrote {safe(where / name)}.service and .timer", markup=False)
    paths = {
        "configuration": path,
        "biosweep installation (venv)": Path(biosweep_command()[0]),
        "history database": db,
        **({"site registry": cfg.registry} if cfg.registry else {}),
    }
    for warning in hidden_by_private_tmp(units.service, paths):
        err_console.print(f"warning: {warning}", markup=False, soft_wrap=True)
    if unit_dir is not None:
        return
    for args in (("daemon-reload",), ("enable", "--now", f"{name}.timer")):
        done = _systemctl(as_user, *args)
        if done.returncode != 0:
            raise fail(f"systemctl {' '.join(args)}: {done.stderr.strip()[:300]}", EXIT_RUNTIME)
    console.print(f"enabled {name}.timer ({cfg.schedule.describe()})", markup=False)


@app.command("remove")
def remove(user: bool = USER_OPT, name: str = NAME_OPT, unit_dir: Path = DIR_OPT) -> None:
    """Disable the timer and delete both units. Exit status: 0 done, 3 systemctl failed."""
    _check_name(name)
    as_user = _user_default(user)
    where = _unit_dir(as_user, unit_dir)
    if unit_dir is None and SYSTEMD_RUNNING.is_dir():
        _systemctl(as_user, "disable", "--now", f"{name}.timer")
    removed = 0
    for suffix in (".timer", ".service"):
        try:
            (where / f"{name}{suffix}").unlink()
            removed += 1
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise fail(
                f"cannot remove {where / name}{suffix}: {exc.strerror}", EXIT_RUNTIME
            ) from None
    if unit_dir is None and SYSTEMD_RUNNING.is_dir():
        _systemctl(as_user, "daemon-reload")
    console.print(f"removed {removed} unit file(s) from {safe(where)}", markup=False)


@app.command("status")
def status(user: bool = USER_OPT, name: str = NAME_OPT, unit_dir: Path = DIR_OPT) -> None:
    """Whether the units are installed, enabled and when the timer fires next.

    Exit status: 0 installed, 1 not installed.
    """
    _check_name(name)
    as_user = _user_default(user)
    where = _unit_dir(as_user, unit_dir)
    present = [s for s in (".service", ".timer") if (where / f"{name}{s}").is_file()]
    console.print(f"{safe(where / name)}: {', '.join(present) or 'not installed'}", markup=False)
    if unit_dir is None and SYSTEMD_RUNNING.is_dir() and present:
        for args in (
            ("is-enabled", f"{name}.timer"),
            ("list-timers", f"{name}.timer", "--no-pager"),
        ):
            done = _systemctl(as_user, *args)
            console.print((done.stdout or done.stderr).strip(), markup=False)
    raise typer.Exit(0 if len(present) == 2 else 1)
