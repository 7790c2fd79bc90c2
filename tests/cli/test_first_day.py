"""What a first day in the field hits, as the user sees it: exit status, message,
files on disk. Nothing lost (every output checked before work starts, a failed write rescued),
no false all-clear (a source asked for that cannot run makes the run incomplete, exit 5; a run
that swept nothing is an error; no stale or wrong skipped entry; OS errors of ARP are reasons,
not crashes)."""

from __future__ import annotations

import errno
import ipaddress
import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app, report_cmd, sweep_cmd
from scanner.probes import arp
from scanner.store import Store
from tests.cli.test_identify_cli import run as run_cli
from tests.reporters.sample import sample_run

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite"
    with Store.open(path) as db:
        db.save_run(sample_run())
    return path


def _commands(tmp: Path, run_file: Path, store: Path, out: Path) -> dict[str, list[str]]:
    """Every command that writes a file, writing ``out``."""
    return {
        "sweep": ["sweep", "127.0.0.1", "-p", "1", "--observations-out", str(out)],
        "listen": ["listen", "--pcap", str(tmp / "none.pcap"), "--observations-out", str(out)],
        "import-nmap": ["import", "nmap", str(tmp / "none.xml"), "--observations-out", str(out)],
        "import-pcap": ["import", "pcap", str(tmp / "none.pcap"), "--observations-out", str(out)],
        "report": ["report", str(run_file), "-o", str(out.with_suffix(".html"))],
        "report-12339": ["report", str(run_file), "--for-12339", str(out.with_suffix(".zip"))],
        "history-show": ["history", "show", "latest", "--store", str(store), "-o",
                         str(out.with_suffix(".html"))],
        "history-backup": ["history", "backup", str(out), "--store", str(store)],
        "registry-add": ["registry", "add", "--from-run", str(run_file), "--device",
                         "10.0.0.64", "--registry", str(out.with_suffix(".yaml")), "--yes"],
        "demo": ["demo", "--report", str(out.with_suffix(".json")), "--backend", "loopback"],
        "compare": ["compare", str(run_file), "--registry", str(tmp / "none.yaml"), "-o",
                    str(out.with_suffix(".json"))],
        "update-oui": ["signatures", "update-oui", "--from", str(tmp), "--out",
                       str(out.with_suffix(".tsv.gz"))],
    }  # fmt: skip


@pytest.mark.parametrize(
    "command",
    ["sweep", "listen", "import-nmap", "import-pcap", "report", "report-12339", "history-show",
     "history-backup", "registry-add", "demo", "compare", "update-oui"],
)  # fmt: skip
def test_a_missing_folder_is_one_plain_sentence_and_exit_2_before_any_work(
    tmp_path: Path, run_file: Path, store: Path, command: str, socket_spy: list[Any]
) -> None:
    out = tmp_path / "no-such-folder" / "out.jsonl"
    args = _commands(tmp_path, run_file, store, out)[command]
    done = runner.invoke(app, args)
    assert done.exit_code == 2, done.output
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and "does not exist" in lines[0], done.output
    assert "Errno" not in done.output and "Traceback" not in done.output
    assert socket_spy == []  # the sweep (and the demo's lab) never started
    assert not (tmp_path / "no-such-folder").exists()


def test_an_existing_observations_file_is_refused_before_the_first_packet(
    tmp_path: Path, socket_spy: list[Any]
) -> None:
    out = tmp_path / "obs.jsonl"
    out.write_text("keep me\n")
    done = runner.invoke(app, ["sweep", "127.0.0.1", "--observations-out", str(out), "--json"])
    assert done.exit_code == 2 and "--force" in done.output
    assert socket_spy == []
    assert out.read_text() == "keep me\n"


def test_a_sweep_whose_output_folder_vanishes_is_delivered_and_rescued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, cwd = tmp_path / "out", tmp_path / "cwd"
    folder.mkdir()
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    finished = sample_run(with_registry=False)

    def sweep_then_lose_the_folder(*_args: Any) -> Any:
        folder.rmdir()  # the USB stick was pulled during the sweep
        return finished

    monkeypatch.setattr(sweep_cmd, "_run", sweep_then_lose_the_folder)
    out = folder / "obs.jsonl"
    done = runner.invoke(app, ["sweep", "127.0.0.1", "--json", "--observations-out", str(out)])
    assert done.exit_code == 3
    assert json.loads(done.stdout)["id"] == finished.id  # the run was delivered
    rescued = list(cwd.glob("biosweep-rescue-*-obs.jsonl"))
    assert len(rescued) == 1 and str(rescued[0]) in done.stderr.replace("\n", "")
    lines = rescued[0].read_text().splitlines()
    assert lines and all(json.loads(line)["subject"] for line in lines)
    assert oct(rescued[0].stat().st_mode & 0o777) == "0o600"


def test_a_report_that_cannot_be_written_goes_to_a_rescue_file(
    tmp_path: Path, run_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "r.html"
    real = report_cmd.write_atomic

    def disk_full(path: Path, *args: Any, **kwargs: Any) -> int:
        if path == target:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(report_cmd, "write_atomic", disk_full)
    done = runner.invoke(app, ["report", str(run_file), "-o", str(target), "--lang", "en"])
    assert done.exit_code == 3
    assert "No space left on device" in done.output and "saved to" in done.output
    (rescued,) = tmp_path.glob("biosweep-rescue-*-r.html")
    assert b"<html" in rescued.read_bytes() and not target.exists()


def test_ble_only_without_a_usable_radio_swept_nothing_and_is_an_error(
    socket_spy: list[Any],
) -> None:
    done = run_cli("sweep", "--only", "ble", "--ble-backend", "bumble", "-q")
    assert done.returncode == 3, done.stderr
    assert b"nothing was swept: ble" in done.stderr
    assert b"0 devices, 0 collectors" not in done.stdout  # no all-clear table


@pytest.fixture
def listener() -> Iterator[str]:
    """One TCP listener at 127.0.93.2:8080 (an answering host)."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.93.2", 8080))
    srv.listen(16)
    stop = threading.Event()

    def serve() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield "127.0.93.2"
    stop.set()
    thread.join()
    srv.close()


def test_a_source_asked_for_that_cannot_run_makes_the_run_incomplete(
    tmp_path: Path, listener: str
) -> None:
    # mdns asked for by name; no interface is attached to 127.x, so it cannot run
    done = run_cli("sweep", "127.0.93.0/29", "-p", "8080", "--only", "tcp,mdns", "-q")
    assert done.returncode == 5, done.stderr
    first = done.stdout.decode().splitlines()[0]
    assert first.startswith("INCOMPLETE RUN")
    assert "mdns was asked for and could not run (not_in_scope" in done.stdout.decode()
    assert b"INCOMPLETE" in done.stderr  # the progress line says it too
    as_json = run_cli("sweep", "127.0.93.0/29", "-p", "8080", "--only", "tcp,mdns", "--json")
    assert as_json.returncode == 5 and b"INCOMPLETE RUN" in as_json.stderr
    run = json.loads(as_json.stdout)
    assert run["complete"] is False
    assert run["notes"][0].startswith("incomplete: mdns was asked for")
    assert [d["ips"] for d in run["devices"]] == [[listener]]  # refusals on 127.x are no life
    # and a report of it says so at the top, before the summary
    saved = tmp_path / "run.json"
    saved.write_bytes(as_json.stdout)
    page = tmp_path / "r.html"
    assert runner.invoke(app, ["report", str(saved), "-o", str(page)]).exit_code == 0
    html = page.read_text()
    assert html.index('id="incomplete"') < html.index('id="summary"')
    assert "mdns was asked for and could not run" in html[: html.index('id="summary"')]


def test_watch_once_exits_5_on_an_incomplete_run_and_keeps_it(
    tmp_path: Path, listener: str
) -> None:
    # what a systemd timer runs: the run is saved, but the unit must not look like an all-clear
    store = tmp_path / "h.sqlite"
    args = ["watch", "127.0.93.0/29", "-p", "8080", "--only", "tcp,mdns", "--once"]
    done = run_cli(*args, "--site", "HQ", "--store", str(store))
    assert done.returncode == 5, done.stderr
    with Store.open(store) as db:
        saved = db.latest("HQ")
    assert saved is not None and not saved.complete
    assert saved.why_incomplete()[0].startswith("incomplete: mdns was asked for")
    done = run_cli("watch", "127.0.93.0/29", "-p", "8080", "--only", "tcp", "--once",
                   "--site", "HQ", "--store", str(store))  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_a_complete_sweep_carries_no_stale_or_unconditional_skipped_entry(listener: str) -> None:
    done = run_cli("sweep", "127.0.93.0/29", "-p", "8080", "--json")
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)
    # the loopback addresses nobody holds answered nothing (their refusals come from the
    # kernel, their UDP questions went unanswered): no device, no skipped entry of theirs
    assert [d["ips"] for d in run["devices"]] == [[listener]]
    assert all(s["target"] is None or s["target"].startswith(listener) for s in run["skipped"])
    assert run["complete"] is True and not any("incomplete" in n for n in run["notes"])
    skipped = [(s["probe"], s["reason"]) for s in run["skipped"]]
    assert ("nd", "disabled") not in skipped
    assert not any("not built yet" in s["detail"] for s in run["skipped"])
    # what is there is true: nothing here is attached to 127.x, so ARP and ND did not run
    assert ("arp", "not_in_scope") in skipped and ("nd", "not_in_scope") in skipped


def test_an_interface_that_vanished_is_a_skipped_reason_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, listener: str
) -> None:
    gone = arp.Attachment(
        "bsft-gone0", b"\x02\x00\x00\x00\x00\x01", ipaddress.IPv4Address("127.0.93.1"),
        ipaddress.IPv4Network("127.0.93.0/30"),
    )  # fmt: skip
    monkeypatch.setattr(arp, "attachments", lambda _scope: [gone])
    done = runner.invoke(app, ["sweep", "127.0.93.0/30", "-p", "8080", "--json"])
    assert done.exit_code == 0, done.output
    run = json.loads(done.stdout)
    reasons = {s["probe"]: s for s in run["skipped"]}
    expected = "no_adapter" if os.geteuid() == 0 else "needs_root"
    assert reasons["arp"]["reason"] == expected
    assert reasons["nd"]["reason"] == expected
    assert "bsft-gone0" in reasons["arp"]["detail"]
    if os.geteuid() == 0:
        assert "No such device" in reasons["arp"]["detail"]
    assert "TCP connects used" in reasons["arp"]["detail"]
    assert [d["ips"] for d in run["devices"]] == [[listener]]  # the sweep went on over TCP


def test_ble_asked_for_beside_the_network_that_cannot_run_is_exit_5_not_0(listener: str) -> None:
    done = run_cli("sweep", listener, "-p", "8080", "--ble", "--ble-backend", "bumble", "-q")
    assert done.returncode == 5, done.stderr
    text = done.stdout.decode()
    assert text.startswith("INCOMPLETE RUN") and "ble was asked for and could not run" in text
    assert "1 devices, 0 collectors" in text  # the network part still delivered
