"""``schedule install`` writes files other programs read (systemd, cron), so every
value it writes is escaped for them, and what cannot be escaped is refused.

The unit files are parsed back here with systemd's rules (systemd.syntax(7): words, double
and single quotes, C escapes; systemd.unit(5): ``%`` specifiers; systemd.service(5): ``$``
variables) and must give back exactly the values written; ``systemd-analyze verify`` must
stay green on hostile-but-valid values.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import schedule_cmd
from scanner.cli.app import app
from scanner.cli.units import biosweep_command

runner = CliRunner()
ANALYZE = shutil.which("systemd-analyze")
HOSTILE_SITE = "HQ %h $USER ${HOME} \"quoted\" 'single' back\\slash 50% 三楼"
HOSTILE_DIR = "conf dir %h $USER \"q\" 's' \\x41 ; `id`"
ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t", " ": " "}


def _words(value: str) -> list[str]:
    """A systemd command line split as systemd does (quotes, C escapes)."""
    words, word, quote, i, started = [], "", "", 0, False
    while i < len(value):
        c = value[i]
        if c == "\\":
            word += ESCAPES[value[i + 1]]
            i += 2
            started = True
            continue
        if quote:
            if c == quote:
                quote = ""
            else:
                word += c
        elif c in "\"'":
            quote, started = c, True
        elif c == " ":
            if started:
                words.append(word)
            word, started = "", False
        else:
            word += c
            started = True
        i += 1
    if started:
        words.append(word)
    return words


def _expand(word: str, dollars: bool) -> str:
    """Undo specifier (and variable) escaping; any other ``%x`` or ``$x`` is an injection."""
    out, i = "", 0
    while i < len(word):
        pair = word[i : i + 2]
        if pair == "%%" or (dollars and pair == "$$"):
            out += word[i]
            i += 2
            continue
        assert word[i] not in ("%$" if dollars else "%"), f"unescaped {pair!r} in {word!r}"
        out += word[i]
        i += 1
    return out


def _unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    sections: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for line in path.read_text().splitlines():
        assert not line.endswith("\\"), f"a continuation line in {path.name}: {line!r}"
        if line.startswith("["):
            current = line.strip("[]")
            assert current not in sections, f"a second [{current}] section"
            sections[current] = []
        elif line:
            key, _, value = line.partition("=")
            sections[current].append((key, value))
    return sections


def _config(tmp_path: Path, site: str, folder: str = HOSTILE_DIR) -> Path:
    where = tmp_path / folder
    where.mkdir(parents=True, exist_ok=True)
    cfg = where / "biosweep.toml"
    store = tmp_path / "store 50% $HOME" / "h.sqlite"
    cfg.write_text(
        f'[site]\nname = {_toml(site)}\ntargets = ["10.0.0.0/24"]\n\n'
        f'[store]\npath = {_toml(str(store))}\n\n[watch]\ninterval = "15m"\n'
    )
    return cfg


def _toml(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    special = {ord('"'), ord("\\"), 0x7F}
    body = "".join(f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) in special else c for c in text)
    return f'"{body}"'


@pytest.mark.parametrize("mode", ["--system", "--user"])
def test_hostile_but_valid_values_are_written_escaped_and_read_back_exactly(
    tmp_path: Path, mode: str
) -> None:
    cfg = _config(tmp_path, HOSTILE_SITE)
    units = tmp_path / "units"
    done = runner.invoke(app, ["schedule", "install", "--config", str(cfg), mode,
                               "--unit-dir", str(units)])  # fmt: skip
    assert done.exit_code == 0, done.output
    service = _unit(units / "biosweep-watch.service")
    assert list(service) == ["Unit", "Service"]
    keys = [k for k, _ in service["Service"]]
    assert keys.count("ExecStart") == 1 and "ExecStartPre" not in keys
    [exec_start] = [v for k, v in service["Service"] if k == "ExecStart"]
    argv = [_expand(w, dollars=True) for w in _words(exec_start)]
    assert argv == [*biosweep_command(), "watch", "--once", "--config", str(cfg.resolve())]
    [description] = [v for k, v in service["Unit"] if k == "Description"]
    assert _expand(description, dollars=False) == f"biosweep sweep of {HOSTILE_SITE}"
    if mode == "--system":
        paths = [_expand(w, False) for k, v in service["Service"] if k == "ReadWritePaths"
                 for w in _words(v)]  # fmt: skip
        assert f"-{tmp_path / 'store 50% $HOME'}" in paths
    timer = _unit(units / "biosweep-watch.timer")
    assert list(timer) == ["Unit", "Timer", "Install"]
    if ANALYZE is not None:
        runtime = tmp_path / "runtime"
        runtime.mkdir(mode=0o700)
        argv = [ANALYZE, *(["--user"] if mode == "--user" else []), "verify", "--man=no",
                str(units / "biosweep-watch.service"), str(units / "biosweep-watch.timer")]  # fmt: skip
        env = {"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(runtime), "HOME": str(tmp_path)}
        check = subprocess.run(argv, capture_output=True, text=True, cwd=units, env=env,
                               check=False)  # fmt: skip
        assert check.returncode == 0, check.stderr
        assert check.stderr.strip() == ""


@pytest.mark.parametrize(
    "site",
    [
        "HQ\n[Service]\nExecStartPre=/bin/sh -c 'id > /tmp/owned'",
        "HQ\rExecStartPre=/bin/true",
        "HQ\x1b[31m",
    ],
)
def test_control_characters_in_the_site_name_are_refused_and_nothing_written(
    tmp_path: Path, site: str
) -> None:
    cfg = _config(tmp_path, site, "conf")
    units = tmp_path / "units"
    done = runner.invoke(app, ["schedule", "install", "--config", str(cfg), "--unit-dir",
                               str(units)])  # fmt: skip
    assert done.exit_code == 2
    assert "control character" in done.output
    assert not units.exists() or list(units.iterdir()) == []


def test_a_newline_in_the_config_path_is_refused(tmp_path: Path) -> None:
    cfg = _config(tmp_path, "HQ", "conf\nExecStartPre=evil")
    units = tmp_path / "units"
    done = runner.invoke(app, ["schedule", "install", "--config", str(cfg), "--unit-dir",
                               str(units)])  # fmt: skip
    assert done.exit_code == 2 and "the config path holds a control character" in done.output
    assert not units.exists() or list(units.iterdir()) == []


@pytest.mark.parametrize("name", ["../../x", "a/b", ".hidden", "-x", "x@y", "x y", "x\n"])
def test_unit_names_outside_the_safe_alphabet_are_refused(tmp_path: Path, name: str) -> None:
    cfg = _config(tmp_path, "HQ", "conf")
    units = tmp_path / "a" / "b" / "units"
    for command in (["install", "--config", str(cfg)], ["status"], ["remove"]):
        done = runner.invoke(app, ["schedule", *command, "--name", name, "--unit-dir",
                                   str(units)])  # fmt: skip
        assert done.exit_code == 2, done.output
        assert "--name" in done.output
    written = [p for p in tmp_path.rglob("*") if p.suffix in (".service", ".timer")]
    assert written == []


def test_the_crontab_line_escapes_percent_and_quotes_for_the_shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule_cmd, "SYSTEMD_RUNNING", tmp_path / "no-systemd")
    cfg = _config(tmp_path, "HQ", "cron 100% $(id) `id` 'q'")
    done = runner.invoke(app, ["schedule", "install", "--config", str(cfg)])
    assert done.exit_code == 0, done.output
    line = done.output.splitlines()[0]
    when, command = line[:13], line[13:]
    assert when == "*/15 * * * * "
    # cron(8): an unescaped % ends the command; \% is a literal % handed to sh
    assert "%" not in command.replace("\\%", "")
    argv = shlex.split(command.replace("\\%", "%").removesuffix(" 2>&1 | logger -t biosweep"))
    assert argv == [*biosweep_command(), "watch", "--once", "--config", str(cfg.resolve())]
