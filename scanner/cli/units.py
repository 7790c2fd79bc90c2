"""systemd service and timer units (and the crontab line) for ``biosweep schedule``.

The service runs one sweep (``biosweep watch --once --config FILE``, ``Type=oneshot``); the
timer starts it on the configured schedule (a cron expression becomes ``OnCalendar=``, an
interval ``OnUnitActiveSec=``). Hardening, per systemd.exec(5) and systemd.resource-control(5):

- system units run as root with every capability dropped but ``CAP_NET_RAW`` (ARP needs a
  raw socket), ``NoNewPrivileges``, a read-only OS (``ProtectSystem=strict``) with only the
  history's folder writable, home directories read-only, a private /tmp and /dev, kernel
  tunables, modules, logs and control groups protected, no new namespaces, realtime or
  set-uid, native system calls of the ``@system-service`` set only, and only the address
  families a sweep uses (IPv4/6, packet for ARP, netlink for interfaces, unix for syslog);
- user units get what an unprivileged service manager can enforce without user namespaces:
  no capabilities at all (so no ARP: TCP discovery is used), ``NoNewPrivileges``, the same
  address families, system-call and personality limits.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from scanner.config.schedule import Cron, Schedule, oncalendar
from scanner.errors import InputError

FAMILIES = "AF_UNIX AF_INET AF_INET6 AF_PACKET AF_NETLINK"

SYSTEM_HARDENING = (
    "CapabilityBoundingSet=CAP_NET_RAW",
    "AmbientCapabilities=CAP_NET_RAW",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=read-only",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "ProtectClock=yes",
    "ProtectHostname=yes",
    "RestrictNamespaces=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "LockPersonality=yes",
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    f"RestrictAddressFamilies={FAMILIES}",
    "UMask=0077",
)
USER_HARDENING = (
    "CapabilityBoundingSet=",
    "NoNewPrivileges=yes",
    "LockPersonality=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    f"RestrictAddressFamilies={FAMILIES}",
    "UMask=0077",
)


@dataclass(frozen=True, slots=True)
class Units:
    name: str
    service: str
    timer: str


def biosweep_command() -> list[str]:
    """How to start this biosweep: its console script beside the interpreter, else ``-m``."""
    script = Path(sys.executable).parent / "biosweep"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "scanner"]


def _exec(config: Path) -> str:
    argv = [*biosweep_command(), "watch", "--once", "--config", str(config)]
    return " ".join(shlex.quote(a) for a in argv)


def _quote_path(path: Path) -> str:
    text = str(path)
    if any(c.isspace() for c in text):
        raise InputError(f"{text}: systemd path settings cannot hold spaces here; move it")
    return text


def render(
    name: str,
    config: Path,
    schedule: Schedule,
    writable: list[Path],
    site: str | None,
    user: bool,
) -> Units:
    """The two unit files for running ``biosweep watch --once --config CONFIG`` on a timer."""
    what = f"biosweep sweep of {site}" if site else "biosweep scheduled sweep"
    service = [
        "[Unit]",
        f"Description={what}",
        "Wants=network-online.target",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        f"ExecStart={_exec(config)}",
        # 4 = another run of the site holds the lock: the earlier run is still going, fine
        "SuccessExitStatus=4",
        "TimeoutStartSec=6h",
        *(USER_HARDENING if user else SYSTEM_HARDENING),
    ]
    if not user:
        service += [f"ReadWritePaths=-{_quote_path(p)}" for p in writable]
    timer = ["[Unit]", f"Description=Timer for the {what}", "", "[Timer]"]
    if schedule.cron is not None:
        timer += [f"OnCalendar={oncalendar(schedule.cron)}", "Persistent=true"]
    else:
        timer += ["OnActiveSec=1min", f"OnUnitActiveSec={int(schedule.interval or 3600)}s"]
    timer += ["AccuracySec=1s", f"Unit={name}.service", "", "[Install]", "WantedBy=timers.target"]
    return Units(name, "\n".join(service) + "\n", "\n".join(timer) + "\n")


#: The folders a unit with ``PrivateTmp=yes`` sees empty and private (systemd.exec(5)).
PRIVATE_TMP = (Path("/tmp"), Path("/var/tmp"))  # noqa: S108 - named, never written


def hidden_by_private_tmp(service: str, paths: dict[str, Path]) -> list[str]:
    """What the service cannot reach because its unit sets ``PrivateTmp=yes`` and the path
    lies under /tmp or /var/tmp (the service gets an empty /tmp of its own): one warning each.
    """
    if "PrivateTmp=yes" not in service.splitlines():
        return []
    warnings = []
    for what, path in paths.items():
        resolved = path.expanduser().resolve()
        under = next((t for t in PRIVATE_TMP if resolved.is_relative_to(t)), None)
        if under is not None:
            warnings.append(
                f"the {what} {path} lies under {under}, but the service runs with PrivateTmp=yes "
                f"and sees an empty {under} of its own: move the {what} out of {under}"
            )
    return warnings


def _interval_cron(seconds: float) -> str:
    minutes = int(seconds // 60)
    if seconds % 60 or minutes < 1:
        raise InputError("cron counts whole minutes: use an interval of whole minutes, or --cron")
    if minutes < 60 and 60 % minutes == 0:
        return f"*/{minutes} * * * *"
    if minutes % 60 == 0 and 24 % (minutes // 60) == 0:
        hours = minutes // 60
        return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    if minutes == 1440:
        return "0 0 * * *"
    raise InputError(f"an interval of {minutes} minutes has no cron form: use a cron expression")


def crontab_line(config: Path, schedule: Schedule) -> str:
    """The crontab(5) line that does what the timer would, logging through logger(1)."""
    cron: Cron | None = schedule.cron
    when = cron.text if cron is not None else _interval_cron(schedule.interval or 3600)
    return f"{when} {_exec(config)} 2>&1 | logger -t biosweep"
