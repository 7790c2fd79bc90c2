"""Generated patterns (maker tables, model grammars) are compiled on first use, and
``signatures verify`` still compiles every one."""

from __future__ import annotations

import dataclasses

from scanner.identify.lazyre import LazyPattern, compile_all
from scanner.identify.selfcheck import check_patterns
from scanner.identify.signatures import load_signatures
from scanner.models import Observation


def _patterns() -> list[LazyPattern]:
    return [c.pattern for s in load_signatures() for r in s.rules for c in r.conditions]


def test_loading_the_database_leaves_generated_patterns_uncompiled_and_each_one_compiles() -> None:
    patterns = _patterns()
    lazy = [p for p in patterns if p._compiled is None]
    assert len(lazy) > 1000  # the maker table and the grammars: most of the database
    assert compile_all(patterns) == []


def test_a_generated_pattern_compiles_when_its_field_is_first_matched() -> None:
    from scanner.identify import identify
    from scanner.identify.engine import Engine

    signatures = load_signatures()
    engine = Engine(signatures)
    devices = identify([Observation("10.0.0.5", "onvif.manufacturer", "Hikvision")], engine)
    assert devices and devices[0].identifications[0].vendor == "Hikvision"
    onvif = [
        c.pattern
        for s in signatures
        for r in s.rules
        for c in r.conditions
        if c.field == "onvif.manufacturer"
    ]
    assert all(p._compiled is not None for p in onvif)


def test_verify_names_a_generated_pattern_that_does_not_compile() -> None:
    sig = next(s for s in load_signatures() if s.id.startswith("maker."))
    rule = sig.rules[0]
    broken = dataclasses.replace(rule.conditions[0], pattern=LazyPattern("^(?P<model>x$"))
    bad = dataclasses.replace(sig, rules=(dataclasses.replace(rule, conditions=(broken,)),))
    problems = check_patterns(bad)
    assert len(problems) == 1
    assert "does not compile" in problems[0].message and sig.id == problems[0].signature
