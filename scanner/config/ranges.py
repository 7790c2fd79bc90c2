"""The documented range of every numeric setting, one table for ``biosweep.toml`` and the flags.

A value out of range is refused where it enters (the configuration at load time, a flag before
any work), never clamped silently or left to fail later: ``rate = -1`` would otherwise hang the
rate limiter, ``rate = 0`` divide by zero, NaN compare false everywhere, and ``keep_days =
10**12`` overflow a date. Every number must be finite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Range:
    """``low``..``high`` (``low`` itself excluded when ``above``), whole numbers if ``whole``."""

    low: float
    high: float
    whole: bool = False
    above: bool = False  # the value must be more than ``low``, not equal to it

    def describe(self) -> str:
        low, high = _num(self.low), _num(self.high)
        if self.whole:
            return f"a whole number from {low} to {high}"
        if self.above:
            return f"a number more than {low} and at most {high}"
        return f"a number from {low} to {high}"

    def problem(self, value: object) -> str | None:
        """Why ``value`` is refused (one phrase), or None when it is in range."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"expected {self.describe()}"
        if self.whole and not isinstance(value, int):
            return f"expected {self.describe()}, not {value!r}"
        if not math.isfinite(value):
            return f"must be finite: {self.describe()}"
        if value < self.low or value > self.high or (self.above and value == self.low):
            return f"{_num(value)} is out of range: {self.describe()}"
        return None


def _num(value: float) -> str:
    return f"{value:,.0f}".replace(",", "") if float(value).is_integer() else f"{value:g}"


#: Every numeric key of ``biosweep.toml`` (``section.key``) and its range. The sweep's share
#: the flags of the same names (``--host-rate`` is ``sweep.host_rate``).
RANGES: dict[str, Range] = {
    "sweep.rate": Range(0, 100_000, above=True),
    "sweep.host_rate": Range(0, 10_000, above=True),
    "sweep.host_connections": Range(1, 8, whole=True),
    "sweep.deadline": Range(0, 3600, above=True),
    "sweep.host_budget": Range(0, 86_400, above=True),
    "sweep.passive_first": Range(0, 86_400),
    "sweep.ble_duration": Range(0, 86_400, above=True),
    "store.keep_days": Range(1, 36_500, whole=True),
    "alerts.webhook.retries": Range(0, 10, whole=True),
    "alerts.webhook.timeout": Range(0, 300, above=True),
    "alerts.webhook.backoff": Range(0, 60),
    "alerts.email.port": Range(1, 65_535, whole=True),
    "alerts.email.timeout": Range(0, 300, above=True),
}

#: A TCP or UDP port (syslog ``udp://HOST:PORT``).
PORT = Range(1, 65_535, whole=True)


def parse_ports(text: str) -> tuple[int, ...]:
    """Ports and ranges (``80,443,8000-8100``) as a sorted tuple; ValueError names the part
    that is not a port from 1 to 65535 or a range of them."""
    ports: set[int] = set()
    for part in text.split(","):
        lo, _, hi = part.strip().partition("-")
        try:
            first, last = int(lo), int(hi or lo)
        except ValueError:
            raise ValueError(f"{part.strip()[:40]!r} is not a port or range") from None
        if not 0 < first <= last < 65536:
            raise ValueError(f"{part.strip()[:40]!r} is out of range (ports are 1 to 65535)")
        ports.update(range(first, last + 1))
    return tuple(sorted(ports))


def flag_problems(**flags: object) -> list[str]:
    """``--flag: problem`` for every sweep flag out of its range (``host_rate=0.0`` is
    ``--host-rate``); flags left out (None) are not checked."""
    out = []
    for name, value in flags.items():
        if value is None:
            continue
        found = RANGES[f"sweep.{name}"].problem(value)
        if found is not None:
            out.append(f"--{name.replace('_', '-')}: {found}")
    return out


__all__ = ["PORT", "RANGES", "Range", "flag_problems", "parse_ports"]
