"""``biosweep identify`` as a user runs it: JSON lines in, one device per line out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def jl(*rows: dict[str, str]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def test_identify_reads_stdin_and_prints_one_device_per_line() -> None:
    data = jl(
        {"subject": "ip:10.0.0.5", "field": "http.server", "value": "DNVRS-Webs"},
        {"subject": "mac:58:03:fb:12:34:56", "field": "ip.address", "value": "10.0.0.5"},
        {"subject": "ip:10.0.0.9", "field": "http.server", "value": "Apache"},
    )
    out = run("identify", "--observations", "-", stdin=data)
    assert out.returncode == 0, out.stderr
    devices = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(devices) == 2
    nvr = devices[0]
    assert set(nvr["subjects"]) == {"ip:10.0.0.5", "mac:58:03:fb:12:34:56"}
    top = nvr["identifications"][0]
    assert (top["device_class"], top["vendor"], top["collector"]) == ("nvr_dvr", "Hikvision", True)
    assert top["evidence"][0]["field"] == "http.server"
    assert devices[1]["identifications"] == [] and devices[1]["collector"] is False


def test_identify_reads_a_file_and_prints_a_table(tmp_path: Path) -> None:
    path = tmp_path / "obs.jsonl"
    path.write_bytes(jl({"subject": "ip:1", "field": "http.server", "value": "Hikvision-Webs"}))
    out = run("identify", "--observations", str(path), "--format", "table")
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    assert "Hikvision" in text and "IP camera" in text


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            b'{"subject": "a", "field": "http.server", "value": "x"}\n{not json\n',
            "line 2: bad JSON",
        ),
        (b'{"subject": "a", "field": "http.server"}\n', "line 1: missing key 'value'"),
        (b'\n\n{"subject": "a", "field": "no.such", "value": "x"}\n', "line 3: unknown field"),
        (b'{"subject": "a", "field": "mac.address", "value": "zz"}\n', "line 1: not a MAC address"),
        (b"\xff\xfe\x00\x01binary\x00\n", "line 1: not UTF-8"),
        (b'["a", "b"]\n', "line 1: expected a JSON object"),
        (
            b'{"subject": "a", "field": "http.server", "value": "' + b"A" * (10 << 20) + b'"}\n',
            "line 1: longer than",
        ),
    ],
    ids=[
        "bad-json",
        "missing-key",
        "unknown-field",
        "bad-mac",
        "binary",
        "not-object",
        "10MB-line",
    ],
)
def test_malformed_input_is_one_line_error_naming_the_line(payload: bytes, message: str) -> None:
    out = run("identify", "--observations", "-", stdin=payload)
    err = out.stderr.decode()
    assert out.returncode == 2
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_missing_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    out = run("identify", "--observations", str(tmp_path / "nope.jsonl"))
    assert out.returncode == 2
    assert b"cannot read" in out.stderr and b"Traceback" not in out.stderr


def test_version_names_tool_and_signature_versions() -> None:
    out = run("--version")
    assert out.returncode == 0
    assert out.stdout.decode().startswith("biosweep ") and "signatures " in out.stdout.decode()
