"""Bring a lab up, report on it, tear it down: the only module the CLI and tests call.

``up`` records the run before making anything, asks the backend to plan and build the network,
starts the device processes detached and waits until every listener is bound. Any failure
(or Ctrl-C) tears the partial run down before the error propagates. ``down`` is backend-agnostic:
kill every process of the run (recorded or found in ``/proc``), delete every namespace whose
name starts with the run's prefix, remove the run directory. ``up`` first removes runs whose
``lab up`` died before finishing, so a crash never leaves the next run a mess.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import scanner
from scanner.errors import InputError
from scanner.lab import certs, netns, procs
from scanner.lab.backends import BACKENDS, Backend, choose
from scanner.lab.catalogue import resolve
from scanner.lab.errors import LabError
from scanner.lab.scenario import Scenario, load_scenario
from scanner.lab.spec import DeviceSpec, write_specs
from scanner.lab.state import STARTING, UP, RunState, caller_uid, load_runs, runtime_dir

PREFIX = "bsl-"
READY_TIMEOUT = 30.0  # seconds, plus READY_PER_DEVICE for each device
READY_PER_DEVICE = 0.02


@dataclass(frozen=True, slots=True)
class Teardown:
    """What ``down`` removed for one run."""

    run_id: str
    processes: int
    namespaces: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RunStatus:
    """A recorded run as it is now: live device processes and namespaces present."""

    state: RunState
    processes: int
    namespaces: int

    @property
    def crashed(self) -> bool:
        return self.state.status == STARTING and not procs.pid_alive(self.state.creator_pid)


def up(ref: str, backend: str | Backend = "auto") -> RunState:
    """Bring scenario ``ref`` (a shipped name or a path) up; return the finished run state.

    ``backend`` is a name (``auto`` picks) or a backend object, e.g. a namespaces backend
    with small bridges for a test.
    """
    scenario = load_scenario(ref)
    chosen = _backend(backend)
    clean_crashed()
    others = load_runs()
    run_id = secrets.token_hex(3)
    state = RunState(
        run_id=run_id,
        prefix=f"{PREFIX}{run_id}-",
        backend=chosen.name,
        scenario=scenario.name,
        site=scenario.site,
        subnet=str(scenario.subnet),
        status=STARTING,
        creator_pid=os.getpid(),
        created=time.time(),
        owner=caller_uid(),
    )
    state.save()  # before anything exists: a crash from here on is recoverable
    try:
        state = chosen.plan(scenario, state, others)
        state.save()
        chosen.build(scenario, state)
        state = _start(chosen, scenario, state)
        state = replace(state, status=UP)
        state.save()
    except BaseException:
        teardown(state)
        raise
    return state


def _backend(backend: str | Backend) -> Backend:
    if isinstance(backend, str):
        return choose(backend)
    reason = backend.unavailable()
    if reason:
        raise LabError(f"the {backend.name} backend cannot run here: {reason}")
    return backend


def _start(backend: Backend, scenario: Scenario, state: RunState) -> RunState:
    """Start the device processes, record their pids, wait until all are listening."""
    per = backend.devices_per_process(len(scenario.devices))
    work = state.directory / "procs"
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=_pythonpath())
    started: list[tuple[subprocess.Popen[bytes], Path, Path]] = []
    tls_dir = runtime_dir() / certs.CACHE  # kept across runs: certificates are made once
    for g in range(0, len(scenario.devices), per):
        group = scenario.devices[g : g + per]
        records = [state.device(d.name) for d in group]
        home = records[0].netns
        specs = [
            DeviceSpec(
                name=d.name,
                address=r.address,
                netns=None if r.netns == home else r.netns,
                log=r.log,
                services=certs.materialise(
                    resolve(d.model, d.name, d.mac, dict(d.overrides)), tls_dir, f"{d.name} {d.mac}"
                ),
                latency_ms=d.latency_ms,
            )
            for d, r in zip(group, records, strict=True)
        ]
        tag = f"g{g // per:04d}"
        spec, ready, err = work / f"{tag}.json", work / f"{tag}.ready", work / f"{tag}.err"
        write_specs(spec, specs)
        argv = [sys.executable, "-m", "scanner.lab.device", "--run", state.run_id]
        argv += ["--spec", str(spec), "--ready", str(ready)]
        with err.open("wb") as err_file:
            try:
                proc = subprocess.Popen(
                    [*backend.launcher(state, home), *argv],
                    stdin=subprocess.DEVNULL,
                    stdout=err_file,
                    stderr=err_file,
                    env=env,
                    start_new_session=True,  # survives lab up; lab down finds it by --run
                )
            except OSError as exc:
                raise LabError(f"cannot start a device process: {exc}") from None
        started.append((proc, ready, err))
    state = replace(state, pids=tuple(p.pid for p, _, _ in started))
    state.save()
    _wait_ready(started, READY_TIMEOUT + READY_PER_DEVICE * len(scenario.devices))
    return state


def _pythonpath() -> str:
    root = str(Path(scanner.__file__).resolve().parent.parent)
    extra = os.environ.get("PYTHONPATH")
    return f"{root}{os.pathsep}{extra}" if extra else root


def _wait_ready(started: list[tuple[subprocess.Popen[bytes], Path, Path]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(started)
    while waiting:
        for item in list(waiting):
            proc, ready, err = item
            if ready.exists():
                waiting.remove(item)
            elif proc.poll() is not None:
                text = err.read_text(encoding="utf-8", errors="replace").strip().splitlines()
                raise LabError(f"a device process exited: {text[-1] if text else proc.returncode}")
        if waiting and time.monotonic() > deadline:
            raise LabError(f"{len(waiting)} device processes not ready after {timeout:.0f} s")
        time.sleep(0.02)


def teardown(state: RunState) -> Teardown:
    """Remove everything of one run: processes, namespaces (by prefix), its directory."""
    names = sorted({n for n in netns.list_netns() if n.startswith(state.prefix)})
    inodes = {i for i in (netns.netns_inode(n) for n in names) if i is not None}
    pids = procs.run_processes(state.run_id, inodes)
    procs.stop(pids)
    netns.del_netns(names)
    shutil.rmtree(state.directory, ignore_errors=True)
    return Teardown(state.run_id, len(pids), tuple(names))


@dataclass(frozen=True, slots=True)
class DownResult:
    """What ``down`` removed, and how many recorded runs it left alone (other users')."""

    removed: list[Teardown]
    others_left: int = 0


def down(run_id: str | None = None, orphans: bool = False, everyone: bool = False) -> DownResult:
    """Tear down the caller's recorded runs (or just ``run_id``; or every run with
    ``everyone``). ``orphans`` (only with ``everyone``: nobody recorded their owner) also
    removes every ``bsl-…`` namespace that no recorded run claims (left by a run whose state
    was lost, or by a lab with another runtime dir)."""
    if orphans and not everyone:
        raise InputError(
            "--orphans removes lab namespaces no recorded run claims, whoever made them "
            "(another user, or a lab with its own BIOSWEEP_LAB_DIR): it needs --all"
        )
    runs = load_runs()
    if run_id is not None:
        chosen = [r for r in runs if r.run_id == run_id]
        if not chosen:
            raise LabError(f"no lab run {run_id!r} (see biosweep lab status)")
    else:
        chosen = [r for r in runs if everyone or r.owner == caller_uid()]
    done = [teardown(r) for r in chosen]
    if orphans:
        claimed = tuple(r.prefix for r in runs if r not in chosen)
        done += _orphans(claimed)
    left = 0 if run_id is not None else len(runs) - len(chosen)
    return DownResult(done, left)


def _orphans(claimed: tuple[str, ...]) -> list[Teardown]:
    by_prefix: dict[str, list[str]] = {}
    for name in netns.list_netns():
        if name.startswith(PREFIX) and not name.startswith(claimed):
            run_id = name[len(PREFIX) :].split("-", 1)[0]
            by_prefix.setdefault(run_id, []).append(name)
    done = []
    for run_id, names in sorted(by_prefix.items()):
        inodes = {i for i in (netns.netns_inode(n) for n in names) if i is not None}
        pids = procs.run_processes(run_id, inodes)
        procs.stop(pids)
        netns.del_netns(names)
        done.append(Teardown(run_id, len(pids), tuple(names)))
    return done


def clean_crashed() -> list[Teardown]:
    """Tear down the caller's runs whose ``lab up`` died before the run was complete."""
    return [teardown(s.state) for s in status() if s.crashed and s.state.owner == caller_uid()]


def status() -> list[RunStatus]:
    """Every recorded run with what is alive of it now."""
    present = netns.list_netns()
    return [
        RunStatus(
            state=run,
            processes=len(procs.run_processes(run.run_id, set())),
            namespaces=sum(1 for n in present if n.startswith(run.prefix)),
        )
        for run in load_runs()
    ]


def find(run_id: str | None = None) -> RunState:
    """Run ``run_id``, or the most recent run that finished coming up."""
    runs = [r for r in load_runs() if r.run_id == run_id or (run_id is None and r.status == UP)]
    if not runs:
        raise LabError(f"no lab run {run_id!r}" if run_id else "no lab is up (biosweep lab up)")
    return runs[-1]


def shell_prefix(state: RunState) -> list[str]:
    """Command prefix that runs a program where the scanner sits in run ``state``."""
    return BACKENDS[state.backend]().shell(state)


def sweep_command(state: RunState, args: Sequence[str] = ()) -> list[str]:
    """The argv of a sweep of the lab from its scanner seat, with ``args`` (sweep flags): inside
    the scanner namespace, its subnet less the scanner; on loopback, the devices' own
    addresses only (every 127.x address answers, so a wider scope would hold nothing but
    noise and the lab's addresses belong to no real network)."""
    if state.scanner_netns:
        targets = [state.subnet, "--exclude", state.scanner_address]
    else:
        own = ipaddress.collapse_addresses(ipaddress.IPv4Network(d.address) for d in state.devices)
        targets = [str(n) for n in own]
    prefix = shell_prefix(state) if state.scanner_netns else []
    return [*prefix, sys.executable, "-m", "scanner", "sweep", *targets, *args]
