"""The database checks itself by its own examples (recog's self-test, DESIGN.md style rule 6).

Each example must match its own signature with exactly the stated extractions (and
confidence, when given) and rank it first across the whole database; each counterexample must
not match its signature. ``biosweep signatures verify`` and the test suite both run this.
"""

from __future__ import annotations

from scanner.errors import Problem
from scanner.identify import identify
from scanner.identify.engine import Engine, rank_key
from scanner.identify.lazyre import compile_all
from scanner.identify.signatures import Example, Signature
from scanner.models import Identification, Observation


def _observations(pairs: tuple[tuple[str, str], ...], subject: str) -> list[Observation]:
    return [Observation(subject, f, v, source="example") for f, v in pairs]


def identifications(
    pairs: tuple[tuple[str, str], ...], engine: Engine
) -> tuple[Identification, ...]:
    """Identifications of one example device (all pairs on one subject)."""
    devices = identify(_observations(pairs, "example:1"), engine)
    merged = [i for d in devices for i in d.identifications]
    return tuple(sorted(merged, key=rank_key, reverse=True))


def check_example(sig: Signature, ex: Example, engine: Engine) -> list[str]:
    found = identifications(ex.observe, engine)
    own = next((i for i in found if i.signature_id == sig.id), None)
    if own is None:
        return ["example does not match"]
    problems = []
    if ex.extract is not None and dict(own.attributes) != dict(ex.extract):
        problems.append(f"example extracts {dict(own.attributes)}, expected {dict(ex.extract)}")
    if ex.confidence is not None and abs(own.confidence - ex.confidence) > 1e-9:
        problems.append(f"example confidence {own.confidence}, expected {ex.confidence}")
    better = [i for i in found if rank_key(i) > rank_key(own)]
    if better:
        problems.append(f"example ranks {better[0].signature_id} above its own signature")
    return problems


def check_patterns(sig: Signature) -> list[Problem]:
    """Every pattern of ``sig`` compiled now (generated ones are otherwise compiled on first
    use, :mod:`scanner.identify.lazyre`)."""
    patterns = [c.pattern for rule in sig.rules for c in rule.conditions]
    return [
        Problem(sig.file, sig.line, sig.id, f"regex {source!r} does not compile: {error}")
        for source, error in compile_all(patterns)
    ]


def check_signature(sig: Signature, engine: Engine) -> list[Problem]:
    problems = check_patterns(sig)
    problems += [
        Problem(sig.file, ex.line, sig.id, message)
        for ex in sig.examples
        for message in check_example(sig, ex, engine)
    ]
    for counter in sig.counterexamples:
        hit = next(
            (i for i in identifications(counter.observe, engine) if i.signature_id == sig.id), None
        )
        if hit is not None:
            problems.append(Problem(sig.file, counter.line, sig.id, "counterexample matches"))
    return problems


def check_database(signatures: list[Signature], engine: Engine | None = None) -> list[Problem]:
    engine = engine or Engine(signatures)
    return [p for sig in signatures for p in check_signature(sig, engine)]
