"""The site registry as an officer meets it: init, check with line numbers, add from a run."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.registry import RegistryError, credit_code_ok, load_registry, parse_registry
from scanner.registry.edit import NewDevice, add_device
from scanner.registry.model import Method
from scanner.registry.template import TEMPLATE
from scanner.reporters.jsonout import scanrun_json
from tests.reporters.sample import REGISTRY, sample_run

runner = CliRunner()


def problems(text: str) -> list[str]:
    with pytest.raises(RegistryError) as info:
        parse_registry(text, "site.yaml")
    return info.value.problems


def test_the_template_is_a_valid_registry_and_keeps_yaml_1_1_surprises_out() -> None:
    registry = parse_registry(TEMPLATE)
    dep = registry.deployments[0]
    assert dep.method is Method.VERIFY  # "1:1" stays text, not the base-60 integer 61
    assert dep.devices[0].mac == "c0:56:e3:00:00:01"
    assert registry.filing_threshold == 100_000


def test_init_writes_the_template_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    assert runner.invoke(app, ["registry", "init", str(path)]).exit_code == 0
    assert path.read_text(encoding="utf-8") == TEMPLATE
    again = runner.invoke(app, ["registry", "init", str(path)])
    assert again.exit_code == 2
    assert "exists" in again.output


def test_init_into_a_missing_directory_says_so_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "no-such-dir" / "site.yaml"
    done = runner.invoke(app, ["registry", "init", str(path)])
    assert done.exit_code == 2
    assert "does not exist" in done.output and "Errno" not in done.output
    assert not path.parent.exists()


def test_check_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    bad = (
        TEMPLATE.replace('method: "1:1"', "method: 1:3")
        .replace('mac: "c0:56:e3:00:00:01"', "mac: zz:zz")
        .replace("91310000MA1FL0000N", "91310000MA1FL00001")
        .replace("signage: true", "signage: maybe")
    )
    path = tmp_path / "site.yaml"
    path.write_text(bad, encoding="utf-8")
    result = runner.invoke(app, ["registry", "check", str(path)])
    assert result.exit_code == 1
    lines = bad.splitlines()
    found = re.findall(r"site\.yaml:(\d+): (\S+): ", result.output)
    where = {path_: lines[int(n) - 1].split("#")[0].strip() for n, path_ in found}
    assert where == {
        "deployments[0].operator.credit_code": "credit_code: 91310000MA1FL00001",
        "deployments[0].method": "method: 1:3",
        "deployments[0].signage": "signage: maybe",
        "deployments[0].devices[0].mac": "mac: zz:zz",
    }
    assert "4 problem(s)" in result.output


def test_check_accepts_the_shipped_office_registry() -> None:
    path = Path("scanner/lab/scenarios/registries/office.yaml")
    result = runner.invoke(app, ["registry", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 deployment(s), 4 device(s)" in result.output


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("  - id: cam-lobby\n", "  - id: cam-lobby\n        id: again\n"), "duplicate key"),
        (("schema:", "colour: blue\nschema:"), "unknown key"),
        (
            (
                "        ip: 10.0.0.41\n",
                "        ip: 10.0.0.41\n      - id: cam-2\n        ip: 10.0.0.41\n",
            ),
            "also registered as device cam-lobby",
        ),
        (
            (
                "      - id: cam-lobby\n        mac:",
                "      - id: name-only\n        ble_name: FaceGate\n      - id: cam-lobby\n        mac:",
            ),
            "a Bluetooth name alone cannot identify a device",
        ),
        (("site:\n", "base: &a {x: 1}\nsite:\n"), "anchors and aliases are not supported"),
        (("enrolled: 0", "enrolled: -5"), "not a whole number"),
    ],
    ids=["duplicate-key", "unknown-key", "duplicate-ip", "ble-name-alone", "alias", "negative"],
)
def test_registry_mistakes_are_named(edit: tuple[str, str], message: str) -> None:
    text = REGISTRY.replace(*edit)
    assert text != REGISTRY
    assert any(message in p for p in problems(text)), problems(text)


def test_credit_code_check_character() -> None:
    assert credit_code_ok("91310000MA1FL0000N")
    assert not credit_code_ok("91310000MA1FL0000M")
    assert not credit_code_ok("91310000MA1FL0000")
    assert not credit_code_ok("91310000MA1FL0000I")  # I is not in the alphabet


def test_add_keeps_comments_and_quotes_device_text() -> None:
    hostile = 'X": {evil: 1}\n  - injected: true #'
    updated, registry = add_device(
        TEMPLATE, "lobby-face-gate", NewDevice("cam-2", mac="44:19:b6:00:00:02", model=hostile)
    )
    assert all(line in updated for line in TEMPLATE.splitlines() if line.strip().startswith("#"))
    added = registry.deployments[0].devices[-1]
    assert added.id == "cam-2"
    assert added.model == 'X": {evil: 1}   - injected: true #'  # text, not YAML structure
    assert len(registry.deployments[0].devices) == 2


def test_add_into_an_empty_device_list() -> None:
    text = REGISTRY.replace(REGISTRY[REGISTRY.index("      - id: cam-lobby") :], "") + "\n"
    text = text.replace("    devices:\n\n", "    devices: []  # none yet\n")
    _, registry = add_device(text, "lobby", NewDevice("cam-1", ip="10.0.0.9"))
    assert [d.id for d in registry.deployments[0].devices] == ["cam-1"]


def _run_file(tmp_path: Path, hostile: str = "") -> Path:
    path = tmp_path / "run.json"
    path.write_bytes(scanrun_json(sample_run(hostile)))
    return path


def test_registry_add_from_run_registers_the_found_device(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(REGISTRY, encoding="utf-8")
    run = _run_file(tmp_path)
    args = ["registry", "add", "--from-run", str(run), "--device", "10.0.0.51"]
    args += ["--registry", str(site), "--yes"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    added = load_registry(site).deployments[0].devices[-1]
    assert (added.mac, added.ip, added.model) == ("c0:56:e3:5a:d0:51", "10.0.0.51", "DS-K1T671MF")
    again = runner.invoke(app, args)
    assert again.exit_code == 1
    assert "already registered" in again.output


def test_registry_add_needs_confirmation(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(REGISTRY, encoding="utf-8")
    args = ["registry", "add", "--from-run", str(_run_file(tmp_path)), "--device", "10.0.0.51"]
    result = runner.invoke(app, [*args, "--registry", str(site)])
    assert result.exit_code == 2
    assert site.read_text(encoding="utf-8") == REGISTRY


CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def test_terminal_output_carries_no_control_bytes_from_devices(tmp_path: Path) -> None:
    """Catalogue case 50: escape sequences and Rich markup in device text, seen on a PTY."""
    hostile = "\x1b[2J\x1b]52;c;ZXZpbA==\x07\x1b]8;;http://x\x1b\\y\rz\u009b[bold red]x[/][link=http://x]y[/link][/]"
    site = tmp_path / "site.yaml"
    site.write_text(REGISTRY, encoding="utf-8")
    run = tmp_path / "run.json"
    run.write_bytes(scanrun_json(sample_run(hostile)))
    # make the hostile string the device's model: the add prompt prints it
    text = run.read_text(encoding="ascii").replace('"DS-K1T671MF"', _json(hostile))
    run.write_text(text, encoding="ascii")
    argv = [sys.executable, "-m", "scanner", "registry", "add", "--from-run", str(run)]
    argv += ["--device", "10.0.0.51", "--registry", str(site)]
    out = _on_pty(argv, answer=b"n\n")
    assert b"Register this" in out
    assert not CONTROL.search(out.replace(b"\r\n", b"\n")), out
    assert b"\x1b" not in out
    assert b"red]x[/][link=http://x]y[/link][/]" in out  # markup shown literally
    assert site.read_text(encoding="utf-8") == REGISTRY


def _json(text: str) -> str:
    import json

    return json.dumps(text)


def _on_pty(argv: list[str], answer: bytes) -> bytes:
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "dumb", "NO_COLOR": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(argv, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    out = b""
    os.write(leader, answer)
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(leader)
    return out
