"""Why a signature did or did not match: each condition of each relevant rule, held or not.

The engine reports only rules that hold (and stays fast by never looking at the others). An
author who asks "why is my banner not recognised?" needs the other side: the *near misses*,
rules some of whose conditions held (a port seen, the banner not), or whose field was observed
with a value the pattern rejected. ``biosweep signatures match --why`` prints them.

This module is separate from :mod:`scanner.identify.engine` on purpose: it tries every
condition of every signature against one device, which is fine for one device on the command
line and far too slow for a site (the engine indexes and memoises instead).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from scanner.identify.signatures import Condition, Rule, Signature
from scanner.models import Observation

#: Regex syntax removed to leave a pattern's literal text (for a rough closeness score).
_SYNTAX = re.compile(
    r"\(\?[a-zA-Z]+\)|\(\?P<\w+>|\(\?[:=!]|\\[dDsSwWbB]|\[[^\]]*\]|[\\^$()|?*+{}.]"
)
#: Fields whose values are identifiers (ports, addresses, ids, hashes): "almost equal" means
#: nothing there, so a rejected value of these never makes a near miss by closeness.
_IDENTIFIER_FIELDS = (
    "tcp.", "udp.", "mac.address", "ip.address", "ble.address", "ble.company_id", "ble.service",
    "wifi.bssid", "http.favicon", "http.status", "tls.fingerprint",
)  # fmt: skip
#: How close a rejected value must be to a pattern's literal text to count as a near miss.
MIN_CLOSENESS = 0.5


@dataclass(frozen=True, slots=True)
class ConditionCheck:
    """One condition of one rule against one device's observations."""

    field: str
    pattern: str
    matched: str | None
    """The observed value that satisfied the condition (None: the condition failed)."""
    observed: tuple[str, ...]
    """Every value of ``field`` the device had (empty: the field was never observed)."""

    @property
    def held(self) -> bool:
        return self.matched is not None


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """One rule of one signature, condition by condition, with how close a failing one came."""

    signature: Signature
    rule: Rule
    conditions: tuple[ConditionCheck, ...]
    closeness: float
    """Best similarity (0..1) between a rejected value and a failing pattern's literal text."""

    @property
    def held(self) -> bool:
        return all(c.held for c in self.conditions)

    @property
    def n_held(self) -> int:
        return sum(c.held for c in self.conditions)


def _values(observations: Iterable[Observation]) -> dict[str, tuple[str, ...]]:
    found: dict[str, dict[str, None]] = defaultdict(dict)
    for obs in observations:
        found[obs.field][obs.value] = None
    return {field: tuple(values) for field, values in found.items()}


def literal(pattern: str) -> str:
    """A regex's literal text, syntax stripped: ``(?i)^AXIS (?P<model>\\S+)$`` → ``AXIS ``."""
    return _SYNTAX.sub("", pattern)


def closeness(value: str, pattern: str) -> float:
    """How alike a value and a pattern's literal text are (difflib ratio, case-folded)."""
    text = literal(pattern).lower()
    return SequenceMatcher(None, value.lower(), text).ratio() if text else 0.0


def check_condition(condition: Condition, values: Mapping[str, Sequence[str]]) -> ConditionCheck:
    observed = tuple(values.get(condition.field, ()))
    matched = next((v for v in observed if condition.pattern.match(v)), None)
    return ConditionCheck(condition.field, condition.source, matched, observed)


def check_rule(sig: Signature, rule: Rule, values: Mapping[str, Sequence[str]]) -> RuleCheck:
    """Every condition of ``rule`` against a device's values (``field → values``)."""
    checks = tuple(check_condition(c, values) for c in rule.conditions)
    near = [
        closeness(value, check.pattern)
        for check in checks
        if not check.held and not check.field.startswith(_IDENTIFIER_FIELDS)
        for value in check.observed
    ]
    return RuleCheck(sig, rule, checks, max(near, default=0.0))


def _is_near(check: RuleCheck) -> bool:
    if check.held:
        return False
    return check.n_held > 0 or check.closeness >= MIN_CLOSENESS


def near_misses(
    signatures: Iterable[Signature],
    observations: Iterable[Observation],
    *,
    only: Collection[str] = (),
    limit: int = 10,
) -> list[RuleCheck]:
    """Rules that did not hold but came close, closest first, at most ``limit`` of them.

    A rule comes close when some of its conditions held, or when a failing condition's field
    was observed with a value resembling the pattern's literal text. With ``only`` (signature
    ids), every rule of those signatures is returned instead, held or not, unlimited.
    """
    values = _values(observations)
    chosen = [s for s in signatures if not only or s.id in only]
    checks = [check_rule(sig, rule, values) for sig in chosen for rule in sig.rules]
    if only:
        return checks
    near = [c for c in checks if _is_near(c)]
    near.sort(key=lambda c: (-score(c), c.signature.id, c.rule.index))
    return near[:limit]


def score(check: RuleCheck) -> float:
    """How nearly a rule held: conditions held, plus the closest failing one's closeness,
    over the number of conditions (1.0 = held)."""
    if check.held:
        return 1.0
    return (check.n_held + check.closeness) / len(check.conditions)


__all__ = [
    "MIN_CLOSENESS", "ConditionCheck", "RuleCheck", "check_condition", "check_rule",
    "closeness", "literal", "near_misses", "score",
]  # fmt: skip
