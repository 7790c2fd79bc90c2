"""Authoring tools: near-miss explanations (``match --why``) and the coverage report.

An author needs to see why a device did not match (which condition of which rule failed), and
the project needs to see which required vendors lack signatures with examples and
counterexamples (``signatures/coverage.txt``).
"""

from __future__ import annotations

from pathlib import Path

from scanner.cli.signatures_cmd import family, load_requirements, requirement_status
from scanner.identify.explain import closeness, literal, near_misses
from scanner.identify.signatures import load_signatures, parse_file
from scanner.models import Observation
from tests.cli.test_identify_cli import run

ACME = """
vendor: Acme
references:
  doc: "Acme manual"
signatures:
  - id: acme.cam
    product: Acme camera
    class: ip_camera
    references: [doc]
    rules:
      - certainty: medium
        when:
          http.server: '^Acme-Cam/\\d+$'
          tcp.open_port: '^8554$'
      - certainty: high
        when:
          ftp.banner: '^220 Acme (?P<model>AC-\\d+) ready$'
    examples:
      - observe: {http.server: Acme-Cam/2, tcp.open_port: "8554"}
"""


def _acme() -> list:
    parsed, problems = parse_file(ACME, "acme.yaml")
    assert problems == []
    return list(parsed.signatures)


def _obs(**pairs: str) -> list[Observation]:
    """Observations of one device; keyword ``http_server`` is field ``http.server``."""
    return [Observation("t:1", k.replace("_", ".", 1), v) for k, v in pairs.items()]


def test_near_miss_says_which_condition_held_and_which_failed() -> None:
    checks = near_misses(_acme(), [*_obs(http_server="Acme-Cam/2"), *_obs(tcp_open_port="80")])
    (first, *_) = checks
    assert first.signature.id == "acme.cam" and first.rule.index == 0
    held = {c.field: c.held for c in first.conditions}
    assert held == {"http.server": True, "tcp.open_port": False}
    port = next(c for c in first.conditions if c.field == "tcp.open_port")
    assert port.observed == ("80",)


def test_a_close_banner_is_a_near_miss_and_an_unrelated_one_is_not() -> None:
    close = near_misses(_acme(), _obs(ftp_banner="220 Acme AC-10 ready!"))
    assert [(c.signature.id, c.rule.index) for c in close] == [("acme.cam", 1)]
    assert near_misses(_acme(), _obs(ftp_banner="220 ProFTPD Server (Debian)")) == []


def test_ports_are_never_near_by_resemblance() -> None:
    # "8555" resembles "8554" as text, but a port either is the one or is not.
    assert near_misses(_acme(), _obs(tcp_open_port="8555")) == []


def test_naming_a_signature_explains_every_rule_held_or_not() -> None:
    checks = near_misses(_acme(), _obs(ftp_banner="220 Acme AC-7 ready"), only={"acme.cam"})
    assert [c.held for c in checks] == [False, True]
    assert checks[0].n_held == 0 and checks[1].conditions[0].matched == "220 Acme AC-7 ready"


def test_literal_strips_regex_syntax_for_the_closeness_score() -> None:
    assert literal("(?i)^AXIS (?P<model>\\S+) Network Camera$") == "AXIS  Network Camera"
    assert closeness("Vistabox", "^Vistabox$") == 1.0
    assert closeness("Vistabox", "^Vistabox(?:/\\d+)?$") > 0.9 > closeness("nginx", "^Vistabox$")


def test_field_families_group_vendor_protocols_and_banners() -> None:
    assert family("sadp.device_description") == "proto"
    assert family("zk.platform") == "proto"
    assert family("telnet.banner") == "banner"
    assert family("mdns.txt.md") == "mdns"
    assert family("mac.oui_vendor") == "oui"


def test_every_required_vendor_has_a_signature_with_examples_and_counterexamples() -> None:
    signatures = load_signatures()
    requirements = load_requirements()
    assert len(requirements) >= 45  # 45+ required vendors and product lines
    gaps = [r.label for r in requirements if requirement_status(r, signatures)[0] != "ok"]
    assert gaps == []


def test_requirement_classes_restrict_the_match() -> None:
    signatures = load_signatures()
    (palm,) = [r for r in load_requirements() if r.label == "Fujitsu PalmSecure"]
    _, found = requirement_status(palm, signatures)
    assert found and {s.device_class.value for s in found} == {"palm_vein"}


# ---------------------------------------------------------------- the CLI, as a user runs it


def test_match_why_shows_the_failing_condition_of_a_near_miss() -> None:
    out = run("signatures", "match", "--why", "http.server=Hikvision-Web")
    text = out.stdout.decode()
    assert out.returncode == 1  # still no match
    assert "no signature matches" in text
    assert "hikvision.http-server rule 1" in text
    assert "FAIL http.server" in text and "seen 'Hikvision-Web'" in text


def test_match_signature_option_lists_every_rule_of_it() -> None:
    out = run("signatures", "match", "-s", "hikvision.oui", "mac.address=58:03:fb:12:34:56")
    text = out.stdout.decode()
    assert out.returncode == 0
    assert "rules of the chosen signatures" in text
    assert "hikvision.oui rule 1" in text and "HOLDS" in text
    assert "hikvision.oui rule 3" in text and "1/2 held" in text


def test_match_rejects_an_unknown_signature_id() -> None:
    out = run("signatures", "match", "-s", "acme.nothing", "http.server=x")
    assert out.returncode == 2 and b"unknown signature id" in out.stderr


def test_coverage_prints_the_matrices_and_passes_on_the_shipped_list() -> None:
    out = run("signatures", "coverage")
    text = out.stdout.decode()
    assert out.returncode == 0, text[-2000:]
    assert "vendors × field families" in text and "classes × field families" in text
    n = len(load_requirements())
    assert f"{n}/{n} required entries covered" in text


def test_coverage_exits_1_and_names_a_missing_vendor(tmp_path: Path) -> None:
    wanted = tmp_path / "coverage.txt"
    wanted.write_text(
        "# test list\nHikvision | ^hikvision | ip_camera\nAcme Iris | ^acme | iris_scanner\n",
        encoding="utf-8",
    )
    out = run("signatures", "coverage", "--gaps", "--required", str(wanted))
    text = out.stdout.decode()
    assert out.returncode == 1
    assert "Acme Iris" in text and "missing" in text
    assert "1/2 required entries covered" in text


def test_coverage_rejects_a_malformed_list(tmp_path: Path) -> None:
    wanted = tmp_path / "coverage.txt"
    wanted.write_text("just a label\n", encoding="utf-8")
    out = run("signatures", "coverage", "--required", str(wanted))
    assert out.returncode == 1 and b"expected 'label | pattern | classes'" in out.stderr
