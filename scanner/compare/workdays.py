"""Working days in mainland China, for deadlines the law counts in working days.

The Facial Recognition Measures (Art. 15) give a processor 30 working days from the day its
stored face information reaches 100,000 people to file. Working days are Monday to Friday,
less the public holidays, plus the weekend days the State Council General Office's annual
notice makes working days (调休上班). The notices are shipped as data
(``cn-workdays.yaml``, each year citing its notice); outside the years it covers only
weekends are skipped, and :class:`Deadline` says so, so a finding can tell the officer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

#: The Measures took effect on this day; a count reached earlier is counted from it (the
#: CAC's notice set 2025-07-14 for processors already above the threshold: 30 working days
#: after 2025-06-01).
MEASURES_IN_FORCE = dt.date(2025, 6, 1)
FILING_WORKING_DAYS = 30


@dataclass(frozen=True, slots=True)
class Calendar:
    first: dt.date
    last: dt.date
    off: frozenset[dt.date]
    work: frozenset[dt.date]
    notices: tuple[str, ...]

    def covers(self, day: dt.date) -> bool:
        return self.first <= day <= self.last

    def working(self, day: dt.date) -> bool:
        if day in self.work:
            return True
        return day.weekday() < 5 and day not in self.off


@dataclass(frozen=True, slots=True)
class Deadline:
    """A due date, and whether every day counted was in the shipped calendar."""

    due: dt.date
    covered: bool
    calendar: str


def _days(entry: object) -> list[dt.date]:
    if isinstance(entry, dt.date):
        return [entry]
    first, _, last = str(entry).partition("..")
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last or first)
    return [start + dt.timedelta(n) for n in range((end - start).days + 1)]


def parse_calendar(text: str) -> Calendar:
    data = yaml.safe_load(text)
    off: set[dt.date] = set()
    work: set[dt.date] = set()
    notices = []
    for year in data["years"]:
        off.update(d for e in year["holidays"] for d in _days(e))
        work.update(d for e in year["workdays"] for d in _days(e))
        notices.append(str(year["notice"]))
    covers = data["covers"]
    return Calendar(covers["from"], covers["to"], frozenset(off), frozenset(work), tuple(notices))


@cache
def calendar() -> Calendar:
    """The shipped calendar (read once)."""
    text = resources.files("scanner.compare").joinpath("cn-workdays.yaml").read_text("utf-8")
    return parse_calendar(text)


def add_working_days(start: dt.date, days: int, cal: Calendar | None = None) -> Deadline:
    """The ``days``-th working day after ``start`` (``start`` itself is not counted)."""
    cal = cal or calendar()
    day, left, covered = start, days, True
    while left > 0:
        day += dt.timedelta(days=1)
        covered = covered and cal.covers(day)
        if cal.working(day):
            left -= 1
    span = f"{cal.first.isoformat()}..{cal.last.isoformat()}"
    return Deadline(day, covered, span)


def filing_deadline(reached: dt.date, cal: Calendar | None = None) -> Deadline:
    """When a filing is due for a count that reached the threshold on ``reached``."""
    return add_working_days(max(reached, MEASURES_IN_FORCE), FILING_WORKING_DAYS, cal)
