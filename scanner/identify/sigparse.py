"""Signature files' elements: the types and the strict validator of one signature.

A file (``signatures/<vendor>.yaml``) holds ``vendor``, ``references`` (key → citation) and a
list of ``signatures``. Each signature has an identity (id, vendor, product, class, references,
provenance), ``rules`` (conditions ``field: regex`` that must all hold on one device, with a
certainty), ``examples`` that must match with exact extractions and ``counterexamples`` (each
with a ``why``) that must not. ``signatures/README.md`` is the author's guide.

A rule made only of vendor-prefix fields (MAC block, OUI registrant, BLE company id) names who
made the network interface, not what the device is, so it may not claim a biometric class --
unless the signature sets ``biometric_only_vendor`` to the reference (a public product
catalogue) showing that the registrant makes nothing but biometric devices; such a rule claims
``medium`` at most. Likewise it claims ``access_control`` above ``low`` only when
``access_only_vendor`` names a catalogue showing the registrant's networked line is access
control (controllers, readers, access and attendance terminals), and then ``medium`` at most
(signatures/README.md, "Certainty").

Every problem is reported as a :class:`~scanner.errors.Problem` naming file, line and
signature, and all problems of a file are collected before failing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from scanner.errors import InputError, Problem
from scanner.identify import yamlines
from scanner.identify.lazyre import LazyPattern
from scanner.identify.vocab import Vocabulary
from scanner.models import BIOMETRIC_CLASSES, Certainty, DeviceClass
from scanner.normalize import normalize

#: Fields that only say who made the network interface or radio: a rule made of these alone
#: may name a vendor but never a biometric class (DESIGN.md, "Signatures").
VENDOR_PREFIX_FIELDS = frozenset({"mac.address", "mac.oui_vendor", "ble.company_id"})
_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
#: Signature key naming the reference that shows the vendor's whole product line is biometric.
BIOMETRIC_ONLY_KEY = "biometric_only_vendor"
#: Signature key naming the reference that shows the vendor's networked line is access control.
ACCESS_ONLY_KEY = "access_only_vendor"
#: The classes each vendor-line key may lift a vendor-prefix rule to.
LINE_KEY_CLASSES = {
    BIOMETRIC_ONLY_KEY: BIOMETRIC_CLASSES,
    ACCESS_ONLY_KEY: frozenset({DeviceClass.ACCESS_CONTROL}),
}
_SIG_KEYS = {
    "id", "vendor", "product", "class", "references", "provenance", "description", "generic",
    "rules", "examples", "counterexamples", BIOMETRIC_ONLY_KEY, ACCESS_ONLY_KEY,
}  # fmt: skip
_RULE_KEYS = {"certainty", "when"}
_EXAMPLE_KEYS = {"observe", "extract", "confidence", "note"}
_COUNTER_KEYS = {"observe", "why"}
_PROVENANCE_KEYS = {"verified", "capture", "note"}


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    pattern: LazyPattern

    @property
    def source(self) -> str:
        return self.pattern.pattern


@dataclass(frozen=True, slots=True)
class Rule:
    index: int
    certainty: Certainty
    conditions: tuple[Condition, ...]

    @property
    def vendor_prefix_only(self) -> bool:
        return all(c.field in VENDOR_PREFIX_FIELDS for c in self.conditions)


@dataclass(frozen=True, slots=True)
class Example:
    line: int
    observe: tuple[tuple[str, str], ...]
    extract: tuple[tuple[str, str], ...] | None
    confidence: float | None


@dataclass(frozen=True, slots=True)
class Counterexample:
    line: int
    observe: tuple[tuple[str, str], ...]
    why: str


@dataclass(frozen=True, slots=True)
class Signature:
    id: str
    vendor: str
    product: str
    device_class: DeviceClass
    references: tuple[str, ...]
    verified: bool
    generic: bool
    rules: tuple[Rule, ...]
    examples: tuple[Example, ...]
    counterexamples: tuple[Counterexample, ...]
    file: str
    line: int
    #: The reference showing the vendor makes only biometric devices (None: not claimed).
    biometric_only_vendor: str | None = None
    #: The reference showing the vendor's networked line is access control (None: not claimed).
    access_only_vendor: str | None = None
    #: Where the signature came from: a ``signatures:`` entry, a model grammar (``models:``) or
    #: a maker entry (``makers.yaml``).
    origin: str = "signature"


@dataclass(frozen=True, slots=True)
class SignatureFile:
    path: str
    vendor: str
    references: tuple[tuple[str, str], ...]
    signatures: tuple[Signature, ...]


class Collector:
    """Collects problems for one file; ``sig`` names the signature being read."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.sig = "-"
        self.problems: list[Problem] = []

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, self.sig, message))

    def keys(self, node: yamlines.LineDict, allowed: set[str], what: str) -> None:
        for key in node:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.add(
                    node.key_lines.get(key, node.line), f"unknown key {key!r} in {what} ({known})"
                )


def line_of(node: object, default: int) -> int:
    return getattr(node, "line", default)


def compile_pattern(source: str, vocab: Vocabulary) -> LazyPattern:
    """Compile one rule regex, enforcing anchoring and named-only extraction groups."""
    body = _FLAGS.sub("", source, count=1)
    if not body.startswith("^") or not body.endswith("$") or body.endswith("\\$"):
        raise ValueError(f"regex {source!r} must be anchored with ^ and $")
    try:
        pattern = re.compile(source)
    except re.error as exc:
        raise ValueError(f"regex {source!r} does not compile: {exc}") from None
    if pattern.groups != len(pattern.groupindex):
        raise ValueError(f"regex {source!r} has an unnamed group: use (?:…) or (?P<name>…)")
    for name in pattern.groupindex:
        if name not in vocab.attributes:
            raise ValueError(f"regex {source!r} extracts unknown attribute {name!r}")
    return LazyPattern(source, pattern)


def parse_observe(
    raw: object, line: int, vocab: Vocabulary, c: Collector
) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, Mapping) or not raw:
        c.add(line, "observe must be a mapping of field: value (or a list of values)")
        return ()
    pairs: list[tuple[str, str]] = []
    for field, value in raw.items():
        if not vocab.has_field(field):
            c.add(line, f"unknown field {field!r}")
            continue
        for item in value if isinstance(value, list) else [value]:
            try:
                pairs.append((field, normalize(field, str(item))))
            except InputError as exc:
                c.add(line, f"example value for {field}: {exc}")
    return tuple(pairs)


def _str_map(raw: object, line: int, c: Collector, what: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, Mapping):
        c.add(line, f"{what} must be a mapping")
        return ()
    return tuple((str(k), str(v)) for k, v in raw.items())


def parse_rule(node: object, index: int, line: int, vocab: Vocabulary, c: Collector) -> Rule | None:
    if not isinstance(node, yamlines.LineDict):
        c.add(line, "a rule must be a mapping with certainty and when")
        return None
    c.keys(node, _RULE_KEYS, "rule")
    try:
        certainty = Certainty(str(node.get("certainty", "")))
    except ValueError:
        c.add(node.line, "rule certainty must be one of high, medium, low")
        return None
    when = node.get("when")
    if not isinstance(when, yamlines.LineDict) or not when:
        c.add(node.line, "rule needs a non-empty 'when' mapping of field: regex")
        return None
    conditions: list[Condition] = []
    for field, sources in when.items():
        where = when.key_lines.get(field, when.line)
        if not vocab.has_field(field):
            c.add(where, f"unknown field {field!r}")
            continue
        for source in sources if isinstance(sources, list) else [sources]:
            try:
                conditions.append(Condition(field, compile_pattern(str(source), vocab)))
            except ValueError as exc:
                c.add(where, str(exc))
    return Rule(index, certainty, tuple(conditions)) if conditions else None


def parse_examples(node: object, vocab: Vocabulary, c: Collector, line: int) -> tuple[Example, ...]:
    out: list[Example] = []
    for i, item in enumerate(node if isinstance(node, list) else []):
        at = line_of(item, line)
        if not isinstance(item, yamlines.LineDict):
            c.add(at, f"example {i + 1} must be a mapping")
            continue
        c.keys(item, _EXAMPLE_KEYS, "example")
        extract = item.get("extract")
        confidence = item.get("confidence")
        if confidence is not None and not isinstance(confidence, float | int):
            c.add(at, "example confidence must be a number")
            confidence = None
        out.append(
            Example(
                at,
                parse_observe(item.get("observe"), at, vocab, c),
                None if extract is None else _str_map(extract, at, c, "extract"),
                None if confidence is None else float(confidence),
            )
        )
    return tuple(out)


def parse_counterexamples(
    node: object, vocab: Vocabulary, c: Collector, line: int
) -> tuple[Counterexample, ...]:
    out: list[Counterexample] = []
    for i, item in enumerate(node if isinstance(node, list) else []):
        at = line_of(item, line)
        if not isinstance(item, yamlines.LineDict):
            c.add(at, f"counterexample {i + 1} must be a mapping")
            continue
        c.keys(item, _COUNTER_KEYS, "counterexample")
        why = str(item.get("why") or "").strip()
        if not why:
            c.add(at, "counterexample needs a 'why'")
        out.append(Counterexample(at, parse_observe(item.get("observe"), at, vocab, c), why))
    return tuple(out)


def parse_signature(
    node: object, line: int, file_vendor: str, refs: set[str], vocab: Vocabulary, c: Collector
) -> Signature | None:
    if not isinstance(node, yamlines.LineDict):
        c.add(line, "a signature must be a mapping")
        return None
    sig_id = str(node.get("id") or "")
    c.sig = sig_id or "-"
    c.keys(node, _SIG_KEYS, "signature")
    if not _ID.match(sig_id):
        c.add(node.line, "signature id must be lowercase letters, digits, '.', '_' or '-'")
    try:
        device_class = DeviceClass(str(node.get("class", "")))
    except ValueError:
        c.add(node.key_lines.get("class", node.line), f"unknown class {node.get('class')!r}")
        return None
    cited = tuple(str(r) for r in node.get("references") or [])
    if not cited:
        c.add(node.line, "signature must cite at least one reference")
    for ref in cited:
        if ref not in refs:
            c.add(
                node.key_lines.get("references", node.line),
                f"reference {ref!r} is not defined in the file",
            )
    provenance = node.get("provenance") or yamlines.LineDict()
    if isinstance(provenance, yamlines.LineDict):
        c.keys(provenance, _PROVENANCE_KEYS, "provenance")
    rules_node = node.get("rules")
    rule_lines = getattr(rules_node, "item_lines", [])
    rules = [
        parse_rule(r, i, rule_lines[i] if i < len(rule_lines) else node.line, vocab, c)
        for i, r in enumerate(rules_node if isinstance(rules_node, list) else [])
    ]
    kept = tuple(r for r in rules if r is not None)
    if not kept:
        c.add(node.line, "signature needs at least one valid rule")
    biometric_only = check_line_key(node, BIOMETRIC_ONLY_KEY, device_class, cited, kept, c)
    access_only = check_line_key(node, ACCESS_ONLY_KEY, device_class, cited, kept, c)
    check_prefix_rules(kept, rule_lines, device_class, biometric_only or access_only, c)
    examples = parse_examples(node.get("examples"), vocab, c, node.line)
    if not examples:
        c.add(node.line, "signature needs at least one example")
    return Signature(
        id=sig_id,
        vendor=str(node.get("vendor") or file_vendor),
        product=str(node.get("product") or ""),
        device_class=device_class,
        references=cited,
        verified=bool(isinstance(provenance, Mapping) and provenance.get("verified")),
        generic=node.get("generic") in (True, "true"),
        rules=kept,
        examples=examples,
        counterexamples=parse_counterexamples(node.get("counterexamples"), vocab, c, node.line),
        file=c.path,
        line=node.line,
        biometric_only_vendor=biometric_only,
        access_only_vendor=access_only,
    )


def check_prefix_rules(
    rules: tuple[Rule, ...],
    rule_lines: list[int],
    device_class: DeviceClass,
    line_key: str | None,
    c: Collector,
) -> None:
    """A collector class claimed by vendor-prefix rules alone: a biometric class is refused
    without ``biometric_only_vendor``, ``access_control`` above low without
    ``access_only_vendor``, and either is ``medium`` at most (a MAC block says who made the
    NIC, never which model)."""
    if device_class in BIOMETRIC_CLASSES:
        key, what, floor = BIOMETRIC_ONLY_KEY, "a biometric class", None
    elif device_class is DeviceClass.ACCESS_CONTROL:
        key, what, floor = ACCESS_ONLY_KEY, "access_control above low", Certainty.LOW
    else:
        return
    for rule in rules:
        if not rule.vendor_prefix_only or rule.certainty is floor:
            continue
        where = rule_lines[rule.index]
        if line_key is None:
            vendor = "a biometrics-only" if floor is None else "an access-control-only"
            c.add(
                where,
                f"a rule of vendor-prefix fields alone cannot claim {what} "
                f"(unless {key} cites a catalogue of {vendor} vendor)",
            )
        elif rule.certainty is Certainty.HIGH:
            target = "a biometric class" if floor is None else "access_control"
            c.add(where, f"a vendor-prefix rule claims {target} at medium certainty at most")


def check_line_key(
    node: yamlines.LineDict,
    key: str,
    device_class: DeviceClass,
    cited: tuple[str, ...],
    rules: tuple[Rule, ...],
    c: Collector,
) -> str | None:
    """The checked vendor-line reference key (``biometric_only_vendor`` or
    ``access_only_vendor``), or None when absent or invalid.

    The key lifts the vendor-prefix rule for one signature, so it must be narrow: it names a
    reference the signature cites, the class is one the key may claim, the signature is the
    vendor's own (not ``generic``) and at least one rule is made of vendor-prefix fields alone."""
    if key not in node:
        return None
    where = node.key_lines.get(key, node.line)
    raw = node.get(key)
    ref = raw if isinstance(raw, str) else ""
    problems = []
    if not ref or ref not in cited:
        problems.append(f"{key} must name a reference the signature cites (got {raw!r})")
    if device_class not in LINE_KEY_CLASSES[key]:
        kind = "a biometric class" if key == BIOMETRIC_ONLY_KEY else "access_control"
        problems.append(f"{key} applies only to {kind}, not {device_class}")
    if node.get("generic") in (True, "true"):
        problems.append(f"{key} cannot be set on a generic signature")
    if rules and not any(r.vendor_prefix_only for r in rules):
        problems.append(f"{key} is unused: no rule is made of vendor-prefix fields alone")
    for message in problems:
        c.add(where, message)
    return None if problems else ref
