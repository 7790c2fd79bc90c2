"""Hostile files handed to biosweep, as a user meets them.

Every reader of a file is bounded: nesting (JSON, YAML, TOML, XML) is refused before the
parser recurses, size is capped, a FIFO or a device is refused instead of read for ever, and
structures that used to cost quadratic time or a 4 GiB allocation are read in bounded time and
memory. Each case runs the real command in a subprocess under an address-space cap
(:data:`MEMORY`) and a timeout, and checks the exit status and the one plain line on stderr.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import resource
import sqlite3
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from scanner.inputs import MAX_DEPTH
from scanner.reporters.package import build_package
from scanner.store import Store
from tests.reporters.sample import sample_run

MEMORY = 768 << 20  # far below what the old 4 GiB block or quadratic nmap import needed
DEEP = 100_000


def run(
    *args: str, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    return subprocess.run(
        [sys.executable, "-m", "scanner", *args], capture_output=True, text=True,
        timeout=timeout, preexec_fn=cap, cwd=cwd, check=False,
    )  # fmt: skip


def error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused input prints (no traceback, nothing else on stderr)."""
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    return lines[0]


# -- nesting -----------------------------------------------------------------------------------


def test_a_json_line_nested_100000_deep_is_refused_with_its_line(tmp_path: Path) -> None:
    obs = tmp_path / "obs.jsonl"
    ok = {"subject": "ip:10.0.0.5", "field": "http.server", "value": "x"}
    obs.write_bytes(json.dumps(ok).encode() + b"\n" + b"[" * DEEP + b"]" * DEEP + b"\n")
    done = run("identify", "-i", str(obs))
    assert done.returncode == 2
    assert error_line(done).endswith(f"line 2: nested deeper than {MAX_DEPTH} levels")


def test_a_run_file_nested_deep_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_bytes(b'{"schema": "biosweep.scanrun/1",\n "devices": ' + b"[" * DEEP)
    done = run("report", str(path), "-o", str(tmp_path / "r.html"))
    assert done.returncode == 2
    assert f"{path}:2: nested deeper than {MAX_DEPTH} levels" in error_line(done)
    assert not (tmp_path / "r.html").exists()


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def test_a_package_whose_manifest_nests_deep_is_not_a_package(tmp_path: Path) -> None:
    path = tmp_path / "case.zip"
    path.write_bytes(_zip({"manifest.json": b'{"files":\n' + b"[" * DEEP, "SHA256SUMS": b""}))
    done = run("report", "verify", str(path))
    assert done.returncode == 2
    assert f"manifest.json:2: nested deeper than {MAX_DEPTH} levels" in error_line(done)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("schema: biosweep.registry/1\nsite:\n  name: " + "[" * DEEP + "]" * DEEP, 3),
        ("schema: biosweep.registry/1\nsite: " + "{a: " * (DEEP // 2) + "1" + "}" * (DEEP // 2), 2),
        ("deployments:\n" + "".join(" " * i + "- \n" for i in range(1, 150)), 2),
    ],
    ids=["flow-sequence-100000", "flow-mapping-50000", "block-sequences"],
)
def test_registry_yaml_nested_deep_is_refused_at_once(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "site.yaml"
    path.write_text(text)
    started = time.monotonic()
    done = run("registry", "check", str(path), timeout=60)
    assert time.monotonic() - started < 40  # the pure-Python scanner used to take minutes
    assert done.returncode == 2
    message = error_line(done)
    assert "nested deeper than 100 levels" in message and f"{path}:" in message
    assert int(message.split(f"{path}:")[1].split(":")[0]) >= line


def test_a_config_nested_deep_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "biosweep.toml"
    cfg.write_text("[sweep]\nports = " + "[" * DEEP + "]" * DEEP + "\n")
    done = run("history", "list", "--config", str(cfg), "--store", str(tmp_path / "h.sqlite"))
    assert done.returncode == 2
    assert "nested deeper than 100 levels" in error_line(done)


def test_a_signature_file_nested_deep_is_a_problem_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("vendor: X\nreferences:\n  a: " + "[" * DEEP + "]" * DEEP + "\n")
    done = run("signatures", "verify", str(path))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "deep.yaml:3: -: nested deeper than 100 levels" in done.stdout


def test_a_lab_scenario_and_the_ble_salts_nested_deep_are_refused(tmp_path: Path) -> None:
    from scanner.lab.errors import ScenarioError
    from scanner.lab.scenario import load_scenario
    from scanner.probes.ble.privacy import _read_salts

    scenario = tmp_path / "deep.yaml"
    scenario.write_text("site: x\ndevices: " + "[" * DEEP + "]" * DEEP + "\n")
    with pytest.raises(ScenarioError, match=r"deep\.yaml:2: nested deeper than 100 levels"):
        load_scenario(str(scenario))
    salts = tmp_path / "ble-salts.json"
    salts.write_bytes(b'{"site": ' + b"[" * DEEP + b"]" * DEEP + b"}")
    assert _read_salts(salts) == {}  # unreadable salts are renewed, as a corrupt file is


def test_json_columns_of_the_history_are_depth_checked(tmp_path: Path) -> None:
    store = tmp_path / "h.sqlite"
    with Store.open(store) as db:
        db.save_run(sample_run())
    conn = sqlite3.connect(store)
    conn.execute("UPDATE devices SET identifications = ?", ("[" * DEEP + "]" * DEEP,))
    conn.commit()
    conn.close()
    done = run("history", "show", "latest", "--store", str(store))
    assert done.returncode == 2  # what history show says of a run it cannot load
    assert "nested deeper than 100 levels" in error_line(done)


# -- size and structure ------------------------------------------------------------------------


def _nmap(hosts: int, nested: bool) -> bytes:
    host = (
        '<host><status state="up"/><address addr="10.0.{a}.{b}" addrtype="ipv4"/>'
        '<ports><port protocol="tcp" portid="80"><state state="open"/></port></ports>'
    )
    opened = [host.format(a=n // 250, b=n % 250 + 1) for n in range(hosts)]
    body = "".join(opened) + "</host>" * hosts if nested else "</host>".join(opened) + "</host>"
    return f'<?xml version="1.0"?>\n<nmaprun scanner="nmap">{body}</nmaprun>\n'.encode()


def test_nested_nmap_hosts_are_refused_fast_and_flat_ones_read_linearly(tmp_path: Path) -> None:
    nested = tmp_path / "nested.xml"
    nested.write_bytes(_nmap(4000, nested=True))
    assert len(nested.read_bytes()) > 300_000
    started = time.monotonic()
    done = run("import", "nmap", str(nested), timeout=120)
    assert done.returncode == 2, done.stderr  # used to take 25 s and 2 GB
    assert "nested deeper than 100 elements" in error_line(done)
    flat = tmp_path / "flat.xml"
    flat.write_bytes(_nmap(4000, nested=False))
    done = run("import", "nmap", str(flat), "--json", timeout=120)
    assert done.returncode in (0, 1), done.stderr
    assert len(json.loads(done.stdout)["devices"]) == 4000
    assert time.monotonic() - started < 120  # two imports; the nested one took 25 s alone


def _pcapng(block_length: int) -> bytes:
    shb = struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28)
    idb = struct.pack("<IIHHI", 1, 20, 1, 0, 65535) + struct.pack("<I", 20)
    return shb + idb + struct.pack("<II", 6, block_length) + b"\0" * 64


def test_a_pcapng_block_claiming_4_gib_is_not_allocated(tmp_path: Path) -> None:
    path = tmp_path / "huge.pcapng"
    path.write_bytes(_pcapng(0xFFFFFFFC))
    done = run("listen", "--pcap", str(path), "--json")
    assert done.returncode == 0, done.stderr  # the capture before the block is kept
    notes = json.loads(done.stdout)["notes"]
    assert any("claims 4294967292 bytes, more than the 16 MiB" in n for n in notes), notes
    zipped = tmp_path / "huge.pcapng.gz"  # scapy would decompress it out of sight of the cap
    zipped.write_bytes(gzip.compress(_pcapng(0xFFFFFFFC)))
    notes = json.loads(run("listen", "--pcap", str(zipped), "--json").stdout)["notes"]
    assert any("more than the 16 MiB" in n for n in notes), notes
    cut = tmp_path / "cut.pcapng"
    cut.write_bytes(_pcapng(4096))  # a block longer than what is left of the file
    notes = json.loads(run("listen", "--pcap", str(cut), "--json").stdout)["notes"]
    assert any("past the end of the file" in n for n in notes), notes


# -- not a regular file ------------------------------------------------------------------------


def _config_with_secret(tmp_path: Path, secret: str) -> Path:
    cfg = tmp_path / "secret.toml"
    cfg.write_text(f'[alerts.webhook]\nurl = "http://127.0.0.1:9/x"\nsecret_file = "{secret}"\n')
    return cfg


Args = Callable[[Path, str], list[str]]
COMMANDS: dict[str, tuple[Args, int]] = {
    "identify": (lambda t, p: ["identify", "-i", p], 2),
    "report": (lambda t, p: ["report", p, "-o", str(t / "r.html")], 2),
    "report-verify": (lambda t, p: ["report", "verify", p], 2),
    "import-nmap": (lambda t, p: ["import", "nmap", p], 2),
    "listen-pcap": (lambda t, p: ["listen", "--pcap", p], 2),
    "registry": (lambda t, p: ["registry", "check", p], 2),
    "config": (lambda t, p: ["history", "list", "--config", p, "--store", str(t / "h.db")], 2),
    "secret-file": (
        lambda t, p: ["watch", "--alert-test", "--config", str(_config_with_secret(t, p))],
        2,
    ),
    "exclude-file": (lambda t, p: ["sweep", "127.0.0.1", "--exclude-file", p, "--json"], 2),
    "store": (lambda t, p: ["history", "list", "--store", p], 3),
}


@pytest.fixture(params=["fifo", "dev-zero"])
def special(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "dev-zero":
        return "/dev/zero"
    fifo = tmp_path / "input.fifo"
    os.mkfifo(fifo)  # nobody ever writes to it: opening it for reading would block for ever
    return str(fifo)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_fifo_or_a_device_is_refused_not_read_for_ever(
    tmp_path: Path, special: str, command: str
) -> None:
    make, code = COMMANDS[command]
    done = run(*make(tmp_path, special), timeout=30)
    assert done.returncode == code, done.stderr
    assert "not a regular file" in error_line(done)


def test_files_over_their_cap_are_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    with big.open("wb") as f:
        f.truncate(2 << 20)  # sparse: costs no disk
    done = run("history", "list", "--config", str(big), "--store", str(tmp_path / "h.db"))
    assert done.returncode == 2
    assert "larger than 1 MiB" in error_line(done)
    secret = tmp_path / "secret"
    secret.write_bytes(b"k" * 5000)
    secret.chmod(0o600)
    done = run("watch", "--alert-test", "--config", str(_config_with_secret(tmp_path, str(secret))))
    assert done.returncode == 2 and "larger than 4096 bytes" in error_line(done)


def test_a_hollow_package_fails_verification(tmp_path: Path) -> None:
    data = build_package(replace(sample_run(), operator="Li Ming"))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        manifest = json.loads(z.read("manifest.json"))
    manifest["files"] = []
    body = json.dumps(manifest).encode()
    sums = f"{hashlib.sha256(body).hexdigest()}  manifest.json\n".encode()
    path = tmp_path / "hollow.zip"
    path.write_bytes(_zip({"manifest.json": body, "SHA256SUMS": sums}))
    done = run("report", "verify", str(path))
    assert done.returncode == 1, done.stdout + done.stderr
    for name in ("cover.zh.txt", "report.zh.pdf", "report.zh.html", "report.json"):
        assert f"FAILED {name}: not listed in the manifest" in done.stdout
    intact = tmp_path / "intact.zip"
    intact.write_bytes(data)
    assert run("report", "verify", str(intact)).returncode == 0
