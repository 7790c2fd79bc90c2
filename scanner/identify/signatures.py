"""Signature files: the loader and the strict validator.

A vendor file (``signatures/<vendor>.yaml``) holds ``vendor``, ``references`` (key → citation),
a list of ``signatures`` and, optionally, ``models``: the vendor's model grammars
(:mod:`scanner.identify.grammar`), each expanded into a signature whose rules find the model in
every field where devices name it. The maker table (``signatures/makers.yaml``: ``references``
and ``makers``) maps maker strings to vendors (:mod:`scanner.identify.makers`). Each signature
has an identity (id, vendor, product, class, references, provenance), ``rules`` (conditions
``field: regex`` that must all hold on one device, with a certainty), ``examples`` that must
match with exact extractions and ``counterexamples`` (each with a ``why``) that must not.
``signatures/README.md`` is the author's guide; :mod:`scanner.identify.sigparse` validates one
signature.

Every problem is reported as a :class:`~scanner.errors.Problem` naming file, line and
signature, and all problems of a file are collected before failing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from scanner.errors import InputError, Problem, SignatureError
from scanner.identify import yamlines
from scanner.identify.grammar import parse_model
from scanner.identify.makers import parse_maker
from scanner.identify.sigparse import (
    VENDOR_PREFIX_FIELDS,
    Collector,
    Condition,
    Counterexample,
    Example,
    Rule,
    Signature,
    SignatureFile,
    compile_pattern,
    parse_signature,
)
from scanner.identify.vocab import Vocabulary, database_version, load_vocabulary, signatures_dir
from scanner.inputs import read_text

MAX_FILE = 4 << 20  # one vendor's signatures; the largest shipped file is under 64 KiB
_FILE_KEYS = {"vendor", "references", "signatures", "models", "version"}
_MAKERS_KEYS = {"references", "makers", "version"}


def parse_file(
    text: str, path: str, vocab: Vocabulary | None = None
) -> tuple[SignatureFile, list[Problem]]:
    """Parse one signature file, returning what could be read and every problem found."""
    vocab = vocab or load_vocabulary()
    c = Collector(path)
    try:
        doc = yamlines.load(text)
    except yamlines.LineError as exc:
        c.add(exc.line, str(exc))
        return SignatureFile(path, "", (), ()), c.problems
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        c.add(mark.line + 1 if mark else 1, f"YAML syntax: {getattr(exc, 'problem', exc)}")
        return SignatureFile(path, "", (), ()), c.problems
    if not isinstance(doc, yamlines.LineDict):
        c.add(1, "a signature file must be a mapping with vendor, references and signatures")
        return SignatureFile(path, "", (), ()), c.problems
    refs = _references(doc, c)
    if "makers" in doc:
        c.keys(doc, _MAKERS_KEYS, "maker file")
        sigs = _each(doc, "makers", c, lambda n, at: parse_maker(n, at, _keys(refs), vocab, c))
        return SignatureFile(path, "(makers)", refs, tuple(sigs)), c.problems
    c.keys(doc, _FILE_KEYS, "file")
    vendor = str(doc.get("vendor") or "")
    if not vendor:
        c.add(1, "file needs a 'vendor'")
    signatures = _each(
        doc, "signatures", c, lambda n, at: parse_signature(n, at, vendor, _keys(refs), vocab, c)
    )
    signatures += _each(
        doc, "models", c, lambda n, at: parse_model(n, at, vendor, _keys(refs), vocab, c)
    )
    c.sig = "-"
    if not signatures:
        c.add(doc.key_lines.get("signatures", 1), "file defines no valid signature")
    return SignatureFile(path, vendor, refs, tuple(signatures)), c.problems


def _references(doc: yamlines.LineDict, c: Collector) -> tuple[tuple[str, str], ...]:
    node = doc.get("references")
    refs = tuple((str(k), str(v)) for k, v in node.items()) if isinstance(node, Mapping) else ()
    if not refs:
        c.add(doc.key_lines.get("references", 1), "file needs 'references' (key: citation)")
    return refs


def _keys(refs: tuple[tuple[str, str], ...]) -> set[str]:
    return {k for k, _ in refs}


def _each(
    doc: yamlines.LineDict,
    key: str,
    c: Collector,
    parse: Callable[[object, int], Signature | None],
) -> list[Signature]:
    """Parse every item of the list ``doc[key]`` (absent: none)."""
    node = doc.get(key)
    lines = getattr(node, "item_lines", [])
    out = []
    for i, item in enumerate(node if isinstance(node, list) else []):
        sig = parse(item, lines[i] if i < len(lines) else doc.key_lines.get(key, 1))
        if sig is not None:
            out.append(sig)
    c.sig = "-"
    return out


def signature_files(root: Path | None = None) -> list[Path]:
    return sorted((root or signatures_dir()).glob("*.yaml"))


def load_files(
    paths: Iterable[Path], vocab: Vocabulary | None = None
) -> tuple[list[SignatureFile], list[Problem]]:
    """Parse files and check ids are unique across all of them."""
    files: list[SignatureFile] = []
    problems: list[Problem] = []
    seen: dict[str, Signature] = {}
    for path in paths:
        try:
            text = read_text(path, MAX_FILE)
        except InputError as exc:
            reason = str(exc).removeprefix(f"{path}: ")
            problems.append(Problem(_display(path), 1, "-", f"unreadable: {reason}"))
            continue
        parsed, found = parse_file(text, _display(path), vocab)
        files.append(parsed)
        problems.extend(found)
        for sig in parsed.signatures:
            if sig.id in seen:
                first = seen[sig.id]
                msg = f"duplicate signature id (first at {first.file}:{first.line})"
                problems.append(Problem(sig.file, sig.line, sig.id, msg))
            else:
                seen[sig.id] = sig
    return files, problems


def load_signatures(paths: Iterable[Path] | None = None) -> list[Signature]:
    """Every signature of the database (or of ``paths``); raises SignatureError on any problem."""
    files, problems = load_files(paths if paths is not None else signature_files())
    if problems:
        raise SignatureError(problems)
    return [sig for f in files for sig in f.signatures]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


__all__: list[Any] = [
    "VENDOR_PREFIX_FIELDS", "Condition", "Counterexample", "Example", "Rule", "Signature",
    "SignatureFile",
    "compile_pattern", "database_version", "load_files", "load_signatures", "parse_file",
    "signature_files",
]  # fmt: skip
