r"""systemd service and timer units (and the crontab line) for ``biosweep schedule``.

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

Every value written into a unit or a crontab line comes from the user (site name, paths) and
is escaped for the program that reads it back: control characters (a newline would start a
new ``[Service]`` line or a new cron job) are refused; in units, ``%`` is written ``%%``
(systemd.unit(5), "Specifiers") and in command lines ``$`` is written ``$$``
(systemd.service(5), "Command lines"), words with spaces, quotes or backslashes are
double-quoted with C escapes; in crontab lines ``%`` is written ``\%`` (crontab(5): an
unescaped ``%`` ends the command). Unit names are restricted to :data:`UNIT_NAME`.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from scanner.config.schedule import Cron, Schedule, oncalendar
from scanner.errors import InputError

FAMILIES = "AF_UNIX AF_INET AF_INET6 AF_PACKET AF_NETLINK"
#: What ``--name`` may be: letters, digits and ``_ . : -`` (no ``/``, no ``@`` template,
#: no leading dot or dash), at most 100 characters.
UNIT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_PLAIN = re.compile(r"^[A-Za-z0-9_@+=:,./-]+$")

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


def unit_name(name: str) -> str:
    """``name`` if it is a safe unit name (:data:`UNIT_NAME`), else InputError."""
    if not UNIT_NAME.fullmatch(name):
        raise InputError(
            f"--name {name[:60]!r}: use letters, digits and _ . : - (at most 100, starting "
            "with a letter or digit)"
        )
    return name


def no_controls(text: str, what: str) -> str:
    """``text``, refused if it holds a control character (a newline would inject lines)."""
    if _CONTROL.search(text):
        raise InputError(f"{what} holds a control character (such as a newline): not written")
    return text


def _argv(config: Path) -> list[str]:
    path = no_controls(str(config), "the config path")
    return [*biosweep_command(), "watch", "--once", "--config", path]


def _systemd_word(word: str, dollars: bool = True) -> str:
    """One word of a systemd setting: specifiers (and, in command lines, variables) escaped,
    quoted when it holds anything but plain path characters."""
    text = word.replace("%", "%%")
    if dollars:
        text = text.replace("$", "$$")
    if _PLAIN.fullmatch(word):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _exec(config: Path) -> str:
    return " ".join(_systemd_word(a) for a in _argv(config))


def _writable(path: Path) -> str:
    """A ``ReadWritePaths=`` entry: ``-`` (ignore if missing) and the escaped path."""
    return _systemd_word("-" + no_controls(str(path), f"the path {str(path)[:60]!r}"), False)


def _description(text: str) -> str:
    """A ``Description=`` value: specifiers escaped, no trailing backslash (that would join
    the next line)."""
    return no_controls(text, "the site name").replace("%", "%%").rstrip("\\ ")


def render(
    name: str,
    config: Path,
    schedule: Schedule,
    writable: list[Path],
    site: str | None,
    user: bool,
) -> Units:
    """The two unit files for running ``biosweep watch --once --config CONFIG`` on a timer."""
    unit_name(name)
    what = _description(f"biosweep sweep of {site}" if site else "biosweep scheduled sweep")
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
        service += [f"ReadWritePaths={_writable(p)}" for p in writable]
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
    """The crontab(5) line that does what the timer would, logging through logger(1): the
    command quoted for sh(1), then every ``%`` escaped for cron."""
    cron: Cron | None = schedule.cron
    when = cron.text if cron is not None else _interval_cron(schedule.interval or 3600)
    command = " ".join(shlex.quote(a) for a in _argv(config)).replace("%", "\\%")
    return f"{when} {command} 2>&1 | logger -t biosweep"
