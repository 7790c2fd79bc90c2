"""``biosweep signatures verify|match|stats``."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.cli.test_identify_cli import run

BAD = Path(__file__).parent.parent / "data" / "bad_signatures"


def test_verify_whole_database_passes() -> None:
    out = run("signatures", "verify")
    assert out.returncode == 0, out.stdout.decode()[-2000:]
    assert b"0 problems" in out.stdout


def test_verify_reports_each_problem_as_file_line_id_message(tmp_path: Path) -> None:
    bad = tmp_path / "acme.yaml"
    shutil.copy(BAD / "unanchored.yaml", bad)
    out = run("signatures", "verify", str(bad))
    assert out.returncode == 1
    first = out.stdout.decode().splitlines()[0]
    assert first.endswith(":12: acme.cam: regex 'Acme.*' must be anchored with ^ and $")
    assert b": 2 problems" in out.stderr  # the bad regex, and so no valid rule


def test_verify_many_bad_files_counts_every_problem() -> None:
    files = sorted(str(p) for p in BAD.glob("*.yaml"))
    out = run("signatures", "verify", *files)
    assert out.returncode == 1
    assert (
        len(out.stdout.decode().splitlines()) >= len(files) - 3
    )  # some fail only at example stage


def test_match_ranks_identifications_with_evidence() -> None:
    out = run("signatures", "match", "http.server=DNVRS-Webs", "mac.address=58:03:fb:12:34:56")
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    assert text.splitlines()[0].startswith("1. ")
    assert "nvr_dvr" in text and "http.server = DNVRS-Webs" in text


def test_match_without_any_hit_exits_1() -> None:
    out = run("signatures", "match", "http.server=Apache/2.4.41 (Ubuntu)")
    assert out.returncode == 1
    assert b"no signature matches" in out.stdout


def test_match_rejects_unknown_field() -> None:
    out = run("signatures", "match", "http.banner=x")
    assert out.returncode == 2 and b"unknown field" in out.stderr


def test_stats_lists_classes_and_vendors() -> None:
    out = run("signatures", "stats")
    assert out.returncode == 0
    text = out.stdout.decode()
    assert "ip_camera" in text and "Hikvision" in text
