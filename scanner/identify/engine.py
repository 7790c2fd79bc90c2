"""The matching engine: every signature once per device, regexes compiled once.

Conditions are indexed by field, so a device only meets the patterns of the fields it has, and
the outcome of each (field, value) against all patterns of that field is memoised: on a real
site the same Server header or OUI registrant recurs on hundreds of devices.

A claim resting on Bluetooth LE advertisement fields alone is capped at ``medium``: anyone can
advertise a vendor's company id and a product name (advertising data carry no authentication:
Bluetooth Core Specification Vol 3 Part C §11 defines them as plain length-type-value
structures), so a BLE name is never model-string evidence. The cap lives here so offline
``biosweep identify`` and the sweep give one answer (signatures/README.md, "Certainty";
SAFETY-CATALOGUE case 46).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from scanner.identify.makers import MAKER_PREFIX
from scanner.identify.signatures import VENDOR_PREFIX_FIELDS, Condition, Rule, Signature
from scanner.models import Certainty, Evidence, Identification, Observation

_MEMO_LIMIT = 200_000
#: The highest certainty a rule made only of ``ble.*`` fields can claim.
BLE_ONLY_CAP = Certainty.MEDIUM
_ORDER = (Certainty.LOW, Certainty.MEDIUM, Certainty.HIGH)


@dataclass(frozen=True, slots=True)
class _Slot:
    """One condition of one rule: the rule's position in the table and the condition's."""

    rule: int
    cond: int
    condition: Condition


@dataclass(frozen=True, slots=True)
class _Hit:
    slot: _Slot
    groups: tuple[tuple[str, str], ...]


RankKey = tuple[float, int, int, int, int]


def rank_key(ident: Identification) -> RankKey:
    """Best first: confidence; then evidence about the product over a mere vendor prefix or
    maker name (a Hikvision MAC must not decide between camera and NVR when a banner can);
    then a vendor's own signature over a maker entry over a generic one; then more conditions;
    then longer (specific) patterns."""
    about_maker = ident.signature_id.startswith(MAKER_PREFIX)
    prefix_only = all(e.field in VENDOR_PREFIX_FIELDS for e in ident.evidence)
    product = 0 if about_maker or prefix_only else 1
    own = 0 if ident.generic else 1 if about_maker else 2
    specificity = sum(len(e.pattern) for e in ident.evidence)
    return (ident.confidence, product, own, len(ident.evidence), specificity)


class Engine:
    """A compiled signature database that identifies one device's observations at a time."""

    def __init__(self, signatures: Sequence[Signature]) -> None:
        self.signatures = tuple(signatures)
        self._rules: list[tuple[Signature, Rule]] = []
        self._by_field: dict[str, list[_Slot]] = defaultdict(list)
        for sig in self.signatures:
            for rule in sig.rules:
                index = len(self._rules)
                self._rules.append((sig, rule))
                for n, condition in enumerate(rule.conditions):
                    self._by_field[condition.field].append(_Slot(index, n, condition))
        self._memo: dict[tuple[str, str], tuple[_Hit, ...]] = {}

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self._by_field)

    def _hits(self, field: str, value: str) -> tuple[_Hit, ...]:
        key = (field, value)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        hits = []
        for slot in self._by_field.get(field, ()):
            m = slot.condition.pattern.match(value)
            if m is not None:
                groups = tuple((k, v) for k, v in m.groupdict().items() if v)
                hits.append(_Hit(slot, groups))
        result = tuple(hits)
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[key] = result
        return result

    def identify(self, observations: Iterable[Observation]) -> tuple[Identification, ...]:
        """Every signature that matches these observations (of one device), best first."""
        satisfied: dict[int, dict[int, tuple[Observation, _Hit]]] = defaultdict(dict)
        for obs in observations:
            if obs.field not in self._by_field:
                continue
            for hit in self._hits(obs.field, obs.value):
                satisfied[hit.slot.rule].setdefault(hit.slot.cond, (obs, hit))
        best: dict[str, Identification] = {}
        for rule_index, conds in satisfied.items():
            sig, rule = self._rules[rule_index]
            if len(conds) < len(rule.conditions):
                continue
            ident = _identification(sig, rule, [conds[n] for n in range(len(rule.conditions))])
            current = best.get(sig.id)
            if current is None or rank_key(ident) > rank_key(current):
                best[sig.id] = ident
        ranked = sorted(best.values(), key=lambda i: (_neg(rank_key(i)), i.signature_id))
        return attribute_vendor(tuple(ranked))


def attribute_vendor(ranked: tuple[Identification, ...]) -> tuple[Identification, ...]:
    """Name the vendor of a cross-vendor claim from the device's best vendor claim.

    When the best identification is a ``generic`` one (an ONVIF scope, a HomeKit category, a
    "Network Camera" title: the class without a maker) and another identification of the same
    device names a maker (a maker string, a MAC block, a banner), the best one takes that
    vendor and carries the vendor claim's evidence too: an officer reads "Hikvision camera",
    and ``--why`` shows which observation named Hikvision. Class, confidence and signature id
    stay the generic claim's.
    """
    if not ranked or not ranked[0].generic:
        return ranked
    vendor = next((i for i in ranked[1:] if not i.generic), None)
    if vendor is None:
        return ranked
    head = replace(
        ranked[0],
        vendor=vendor.vendor,
        evidence=ranked[0].evidence + vendor.evidence,
        attributes=tuple(sorted({*ranked[0].attributes, ("vendor_from", vendor.signature_id)})),
    )
    return (head, *ranked[1:])


def _neg(key: RankKey) -> RankKey:
    return (-key[0], -key[1], -key[2], -key[3], -key[4])


def claimed_certainty(rule: Rule) -> Certainty:
    """The certainty a rule claims: its own, capped at :data:`BLE_ONLY_CAP` when every
    condition is a BLE advertisement field."""
    if all(c.field.startswith("ble.") for c in rule.conditions):
        return min(rule.certainty, BLE_ONLY_CAP, key=_ORDER.index)
    return rule.certainty


def _identification(
    sig: Signature, rule: Rule, parts: list[tuple[Observation, _Hit]]
) -> Identification:
    attributes: dict[str, str] = {}
    evidence = []
    for obs, hit in parts:
        for name, value in hit.groups:
            attributes.setdefault(name, value)
        evidence.append(
            Evidence(obs.field, hit.slot.condition.source, obs.value, obs.subject, obs.source)
        )
    certainty = claimed_certainty(rule)
    return Identification(
        signature_id=sig.id,
        vendor=sig.vendor,
        product=sig.product,
        device_class=sig.device_class,
        confidence=certainty.confidence,
        certainty=certainty,
        rule=rule.index,
        generic=sig.generic,
        attributes=tuple(sorted(attributes.items())),
        evidence=tuple(evidence),
    )
