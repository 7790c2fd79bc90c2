"""The verifier rejects bad signature files with the right message at the right line.

Each file in tests/data/bad_signatures/ starts with ``# expect: LINE: TEXT``; the verifier
must report a problem at that line whose message contains TEXT.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.identify.engine import Engine
from scanner.identify.selfcheck import check_database
from scanner.identify.signatures import load_files, parse_file

BAD = sorted((Path(__file__).parent.parent / "data" / "bad_signatures").glob("*.yaml"))


def _expected(path: Path) -> tuple[int, str]:
    header = path.read_text(encoding="utf-8").splitlines()[0]
    line, _, text = header.removeprefix("# expect:").strip().partition(":")
    return int(line), text.strip()


def _problems(path: Path) -> list[str]:
    files, problems = load_files([path])
    if not problems:
        sigs = [s for f in files for s in f.signatures]
        problems = check_database(sigs, Engine(sigs))
    return [f"{p.line}: {p.message}" for p in problems]


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_file_is_rejected_with_line_and_message(path: Path) -> None:
    line, text = _expected(path)
    found = _problems(path)
    assert any(f.startswith(f"{line}: ") and text in f for f in found), found


def test_problem_names_file_line_and_signature() -> None:
    path = next(p for p in BAD if p.stem == "unanchored")
    _, problems = load_files([path])
    rendered = str(problems[0])
    assert rendered.startswith(f"{problems[0].file}:12: acme.cam: ")
    assert "unanchored.yaml" in rendered


def test_good_file_parses_with_lines() -> None:
    text = """vendor: Acme
references:
  r1: "Acme manual"
signatures:
  - id: acme.cam
    product: Acme camera
    class: ip_camera
    references: [r1]
    rules:
      - certainty: high
        when: {http.server: '^Acme (?P<model>[A-Z]\\d+)$'}
    examples:
      - observe: {http.server: Acme X1}
        extract: {model: X1}
"""
    parsed, problems = parse_file(text, "acme.yaml")
    assert problems == []
    (sig,) = parsed.signatures
    assert (sig.id, sig.line, sig.device_class.value, sig.rules[0].certainty.value) == (
        "acme.cam", 5, "ip_camera", "high",
    )  # fmt: skip
    assert check_database([sig], Engine([sig])) == []
