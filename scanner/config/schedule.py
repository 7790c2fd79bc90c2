"""When a watch runs: a fixed interval (``90s``, ``15m``, ``1h``, ``1d``) or a five-field
cron expression (minute hour day-of-month month day-of-week, as crontab(5) defines them:
``*``, numbers, ranges ``a-b``, steps ``*/n`` and ``a-b/n``, lists ``a,b``, month and day
names; day 7 is Sunday like 0; when both day fields are restricted, either may match).

:func:`oncalendar` writes the same schedule as a systemd ``OnCalendar=`` expression
(systemd.time(7), "Calendar Events") for ``biosweep schedule install``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from scanner.errors import InputError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_SYSTEMD_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
#: (name, lowest, highest) of each cron field
_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("weekday", 0, 7))
_SEARCH_LIMIT = timedelta(days=366 * 5)
MAX_DURATION = 366 * 86400.0


def parse_duration(text: str) -> float:
    """Seconds in ``90``, ``90s``, ``15m``, ``1h30m``, ``1d``; from one second to
    :data:`MAX_DURATION` (a longer one is a typo, and overflows dates)."""
    raw = text.strip().lower()
    parts = re.fullmatch(r"(?:\d+(?:\.\d+)?[smhd]?)+", raw) if len(raw) <= 64 else None
    if not parts:
        raise InputError(f"not a duration: {text[:40]!r} (use e.g. 90s, 15m, 1h, 1d)")
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)([smhd]?)", raw):
        total += float(number) * _UNITS[unit or "s"]
    if total < 1:
        raise InputError(f"duration {text!r} is shorter than one second")
    if not total <= MAX_DURATION:
        raise InputError(f"duration {text!r} is longer than 366 days")
    return total


def _value(token: str, field: str) -> int:
    names = _MONTHS if field == "month" else _DAYS if field == "weekday" else []
    low = token.lower()
    if low[:3] in names and not low.isdigit():
        return names.index(low[:3]) + (1 if field == "month" else 0)
    if not token.isdigit():
        raise ValueError(token)
    return int(token)


def _field(text: str, field: str, lo: int, hi: int) -> frozenset[int]:
    out: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(part)
        if base == "*":
            first, last = lo, hi
        elif "-" in base:
            a, b = base.split("-", 1)
            first, last = _value(a, field), _value(b, field)
        else:
            first = _value(base, field)
            last = hi if step_text else first
        if not lo <= first <= last <= hi:
            raise ValueError(part)
        out.update(range(first, last + 1, step))
    if field == "weekday" and 7 in out:
        out = (out - {7}) | {0}
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class Cron:
    """A parsed cron expression; :meth:`next_after` gives the next firing time."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    day_any: bool
    weekday_any: bool

    def _day_ok(self, when: datetime) -> bool:
        dom = when.day in self.days
        dow = (when.isoweekday() % 7) in self.weekdays
        if self.day_any or self.weekday_any:
            return dom and dow
        return dom or dow  # crontab(5): either field may match when both are restricted

    def next_after(self, when: datetime) -> datetime:
        """The first matching minute strictly after ``when`` (same time zone as ``when``)."""
        t = when.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = when + _SEARCH_LIMIT
        while t <= limit:
            if t.month not in self.months:
                t = (t.replace(day=1, hour=0, minute=0) + timedelta(days=32)).replace(day=1)
            elif not self._day_ok(t):
                t = t.replace(hour=0, minute=0) + timedelta(days=1)
            elif t.hour not in self.hours:
                t = t.replace(minute=0) + timedelta(hours=1)
            elif t.minute not in self.minutes:
                t += timedelta(minutes=1)
            else:
                return t
        raise InputError(f"cron expression {self.text!r} never fires")


def parse_cron(text: str) -> Cron:
    parts = text.split()
    if len(parts) != 5:
        raise InputError(f"cron expression {text!r}: expected 5 fields (min hour day month wday)")
    sets = []
    for raw, (name, lo, hi) in zip(parts, _FIELDS, strict=True):
        try:
            sets.append(_field(raw, name, lo, hi))
        except ValueError:
            raise InputError(f"cron expression {text!r}: bad {name} field {raw!r}") from None
    minutes, hours, days, months, weekdays = sets
    cron = Cron(text, minutes, hours, days, months, weekdays, parts[2] == "*", parts[4] == "*")
    cron.next_after(datetime(2000, 1, 1))  # raises for impossible dates such as 31 February
    return cron


def _systemd_list(values: frozenset[int], width: int = 2) -> str:
    return ",".join(f"{v:0{width}d}" for v in sorted(values))


def oncalendar(cron: Cron) -> str:
    """The cron schedule as a systemd ``OnCalendar=`` value.

    systemd has no "day-of-month OR weekday" form, so a cron line restricting both is
    refused rather than translated wrongly.
    """
    if not cron.day_any and not cron.weekday_any:
        raise InputError(
            f"cron expression {cron.text!r} restricts both day of month and weekday; "
            "systemd timers cannot say 'either': use one of them"
        )
    days = "" if cron.weekday_any else ",".join(_SYSTEMD_DAYS[d] for d in sorted(cron.weekdays))
    month = "*" if len(cron.months) == 12 else _systemd_list(cron.months)
    dom = "*" if cron.day_any else _systemd_list(cron.days)
    hour = "*" if len(cron.hours) == 24 else _systemd_list(cron.hours)
    minute = _systemd_list(cron.minutes)
    return f"{days + ' ' if days else ''}*-{month}-{dom} {hour}:{minute}:00"


@dataclass(frozen=True, slots=True)
class Schedule:
    """Either ``interval`` seconds between starts or a ``cron`` expression."""

    interval: float | None = None
    cron: Cron | None = None

    def next_after(self, start: datetime, now: datetime) -> datetime:
        """When the run after one started at ``start`` should start, seen at ``now``: the
        next slot after ``now`` (a run that overran its slot skips the missed ones)."""
        if self.cron is not None:
            return self.cron.next_after(now)
        step = timedelta(seconds=self.interval or 3600)
        slot = start + step
        if slot <= now:
            missed = (now - start) // step
            slot = start + step * (missed + 1)
        return slot

    def describe(self) -> str:
        if self.cron is not None:
            return f"cron {self.cron.text}"
        return f"every {self.interval or 3600:g} s"
