"""biosweep's complete sweep against nmap on the `office` lab, with realistic timing.

The lab runs in network namespaces (root, iproute2) with per-device answer delays drawn from
``--latency`` (the scenario's ``latency`` key; this kernel has no netem), and unused addresses
have no host at all, so ARP and connects to them time out as on a real segment. Every tool runs
inside the lab's scanner namespace, on the same hosts (the subnet minus the scanner) and the
same ports (biosweep's curated set):

- ``biosweep sweep SUBNET -x SCANNER --json --registry office.yaml``: discovery (ARP, IPv6
  echo, multicast), port checks, every probe, identification, comparison with the office
  registry and the JSON report, with the product's safety limits (1000/s, 40/s and 2
  connections per host, deadlines);
- ``nmap -n -sV --version-light -p PORTS`` (service detection, the peer that identifies);
- ``nmap -n -sT -p PORTS`` (connect scan: identifies nothing, the floor for "asked every port").

``-n``: no DNS lookups (biosweep resolves nothing either; in the lab they would only time out).
Runs are interleaved, tool order rotating per round. For each tool: median/min/max wall time,
median CPU time (user + system of the process) and peak RSS (``wait4``), and how many of the
scenario's collectors it identified: biosweep by the office acceptance test's rule (best
identification a collector of the right vendor, and of the right class unless the device shows
nothing but its MAC prefix); nmap when its service detection names the vendor (product, extra
info, device type or hostname of any port).

    sudo .venv/bin/python bench/sweep_vs_nmap.py [--runs 5] [--latency 5-120] [--seed 11]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.lab import manager  # noqa: E402
from scanner.lab.catalogue import CATALOGUE  # noqa: E402
from scanner.lab.scenario import Scenario, load_scenario  # noqa: E402
from scanner.lab.state import ENV_DIR, RunState  # noqa: E402
from scanner.probes.registry import CURATED_PORTS  # noqa: E402

REGISTRY = ROOT / "scanner/lab/scenarios/registries/office.yaml"
TARGETS = {"sweep_vs_sV": 0.10, "sweep_vs_sT": 2.0}


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float
    identified: int
    #: biosweep's ``--timings``: start-up, each phase's (start, end), the sweep's total
    phases: dict[str, tuple[float, float]] = field(default_factory=dict)


@dataclass
class Tool:
    name: str
    samples: list[Sample] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(s, attr) for s in self.samples)


def timed(
    argv: list[str], stdout: Path, env: dict[str, str] | None = None
) -> tuple[float, float, float, int]:
    """Run argv; wall seconds, CPU seconds, peak RSS (MB) and exit status of that process
    (its stderr goes to ``stdout`` with the suffix ``.err``)."""
    with stdout.open("wb") as out, stdout.with_suffix(".err").open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def phases(stderr: Path) -> dict[str, tuple[float, float]]:
    """biosweep's ``timings (s): start-up 0.41; arp 0.00-0.84; …; sweep 1.64`` (the last thing
    it prints on stderr), parsed: a single number is a duration from 0."""
    text = stderr.read_text(encoding="utf-8", errors="replace")
    _, found, line = text.partition("timings (s): ")
    out: dict[str, tuple[float, float]] = {}
    for part in " ".join(line.split()).split("; ") if found else []:
        name, _, span = part.rpartition(" ")
        low, _, high = span.partition("-")
        out[name] = (float(low), float(high)) if high else (0.0, float(low))
    return out


def collectors(scenario: Scenario) -> list[Any]:
    return [d for d in scenario.devices if CATALOGUE[d.kind].is_collector]


def score_biosweep(path: Path, scenario: Scenario) -> int:
    run = json.loads(path.read_text(encoding="utf-8"))
    found = {mac: d for d in run["devices"] for mac in d["macs"]}
    hits = 0
    for device in collectors(scenario):
        model = CATALOGUE[device.kind]
        best = ((found.get(device.mac) or {}).get("identifications") or [{}])[0]
        vendor_ok = model.vendor.split()[0].lower() in best.get("vendor", "").lower()
        class_ok = best.get("device_class") == model.device_class
        hits += bool(best.get("collector") and vendor_ok and class_ok)
    return hits


def score_nmap(path: Path, scenario: Scenario) -> int:
    try:
        root = ElementTree.parse(path).getroot()  # nmap's own output, local
    except ElementTree.ParseError:
        return 0
    said: dict[str, str] = {}
    for host in root.iter("host"):
        addr = next(
            (a.get("addr") for a in host.iter("address") if a.get("addrtype") == "ipv4"), ""
        )
        words = [
            s.get(k, "")
            for s in host.iter("service")
            for k in ("product", "extrainfo", "devicetype", "hostname")
        ]
        said[addr or ""] = " ".join(words).lower()
    return sum(
        CATALOGUE[d.kind].vendor.split()[0].lower() in said.get(d.ip, "")
        for d in collectors(scenario)
    )


def scenario_file(directory: Path, low: float, high: float, seed: int) -> Path:
    path = directory / "office-latency.yaml"
    path.write_text(
        "# office with per-device answer delays (bench/sweep_vs_nmap.py)\n"
        f"extends: office\nlatency: {{min_ms: {low}, max_ms: {high}, seed: {seed}}}\n",
        encoding="utf-8",
    )
    return path


def commands(state: RunState, work: Path) -> dict[str, tuple[list[str], Path]]:
    assert state.scanner_netns, "the namespaces backend puts the scanner in its own namespace"
    inside = ["ip", "netns", "exec", state.scanner_netns]
    ports = ",".join(map(str, CURATED_PORTS))
    hosts = ["--exclude", state.scanner_address, state.subnet]
    sweep = [sys.executable, "-m", "scanner", "sweep", state.subnet, "-x", state.scanner_address]
    sweep += ["--quiet", "--json", "--registry", str(REGISTRY), "--timings"]
    return {
        "biosweep": ([*inside, *sweep], work / "biosweep.json"),
        "nmap -sV --version-light": (
            [*inside, "nmap", "-n", "-sV", "--version-light", "-p", ports, "-oX", "-", *hosts],
            work / "nmap-sV.xml",
        ),
        "nmap -sT": (
            [*inside, "nmap", "-n", "-sT", "-p", ports, "-oX", "-", *hosts],
            work / "nmap-sT.xml",
        ),
    }


def installed_env(work: Path) -> dict[str, str]:
    """The environment biosweep runs in: byte-compiled as an installed package is (pip compiles
    at install; ``PYTHONDONTWRITEBYTECODE``, as some shells set it, would make every run
    compile the project's sources again, ~0.5 s). The bytecode goes to a cache of the run's
    own (``PYTHONPYCACHEPREFIX``), compiled once before the runs; the checkout stays clean."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "scanner")],
        env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return env


def measure(state: RunState, scenario: Scenario, runs: int, work: Path) -> list[Tool]:
    cmds = commands(state, work)
    env = installed_env(work)
    tools = {name: Tool(name) for name in cmds}
    names = list(cmds)
    for r in range(runs):
        for name in names[r % 3 :] + names[: r % 3]:  # rotate who goes first
            argv, out = cmds[name]
            wall, cpu, rss, code = timed(argv, out, env)
            spans = {}
            if name == "biosweep":
                if code not in (0, 1):
                    raise SystemExit(f"biosweep sweep failed (exit {code}): {' '.join(argv)}")
                hits = score_biosweep(out, scenario)
                spans = phases(out.with_suffix(".err"))
            else:
                hits = score_nmap(out, scenario)
            tools[name].samples.append(Sample(wall, cpu, rss, hits, spans))
            print(f"  run {r + 1} {name:<26} {wall:7.2f} s  {hits}/{len(collectors(scenario))}")
    return list(tools.values())


def report(tools: list[Tool], scenario: Scenario, args: argparse.Namespace) -> None:
    total = len(collectors(scenario))
    print()
    print(
        f"office lab, {len(scenario.devices)} hosts in {scenario.subnet}, {total} collectors, "
        f"{len(CURATED_PORTS)} ports, latency {args.latency} ms (seed {args.seed}), "
        f"{args.runs} runs, {time.strftime('%Y-%m-%d %H:%M')}, load {args.load}"
    )
    print(
        "| tool | median wall s | min-max s | median CPU s | peak RSS MB | collectors identified |"
    )
    print("|---|---|---|---|---|---|")
    for t in tools:
        walls = [s.wall for s in t.samples]
        ident = sorted(s.identified for s in t.samples)
        shown = (
            f"{ident[0]}/{total}" if ident[0] == ident[-1] else f"{ident[0]}-{ident[-1]}/{total}"
        )
        print(
            f"| {t.name} | {t.median('wall'):.2f} | {min(walls):.2f}-{max(walls):.2f} | "
            f"{t.median('cpu'):.2f} | {max(s.rss_mb for s in t.samples):.0f} | {shown} |"
        )
    by = {t.name: t.median("wall") for t in tools}
    ratios = {
        "sweep_vs_sV": by["biosweep"] / by["nmap -sV --version-light"],
        "sweep_vs_sT": by["biosweep"] / by["nmap -sT"],
    }
    print()
    print(
        f"biosweep / nmap -sV --version-light = {ratios['sweep_vs_sV']:.3f} "
        f"(target <= {TARGETS['sweep_vs_sV']}: "
        f"{'met' if ratios['sweep_vs_sV'] <= TARGETS['sweep_vs_sV'] else 'NOT met'})"
    )
    print(
        f"biosweep / nmap -sT = {ratios['sweep_vs_sT']:.2f} "
        f"(target <= {TARGETS['sweep_vs_sT']}: "
        f"{'met' if ratios['sweep_vs_sT'] <= TARGETS['sweep_vs_sT'] else 'NOT met'})"
    )
    every = all(
        s.identified == total for s in next(t for t in tools if t.name == "biosweep").samples
    )
    print(f"biosweep identified every collector in every run: {'yes' if every else 'NO'}")
    breakdown(next(t for t in tools if t.name == "biosweep"))


def breakdown(tool: Tool) -> None:
    """Where biosweep's time went: each phase's median start and end (seconds from the sweep's
    start; start-up before it), and what follows the sweep (output, exit) to the wall time."""
    names = {n for s in tool.samples for n in s.phases}
    if not names:
        return
    rows = []
    for name in names:
        spans = [s.phases[name] for s in tool.samples if name in s.phases]
        rows.append(
            (statistics.median(a for a, _ in spans), statistics.median(b for _, b in spans), name)
        )
    print()
    print("biosweep's breakdown (median of the runs, seconds; phases overlap):")
    print("| phase | from | to |")
    print("|---|---|---|")
    for start, end, name in sorted(rows):
        print(f"| {name} | {start:.2f} | {end:.2f} |")
    after = [
        s.wall - s.phases["start-up"][1] - s.phases["sweep"][1]
        for s in tool.samples
        if "start-up" in s.phases and "sweep" in s.phases
    ]
    if after:
        print(f"| after the sweep (output, exit) | | {statistics.median(after):.2f} |")


def load_average() -> str:
    """The 1/5/15-minute load averages when the runs start (other jobs skew the times)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--latency", default="5-120", help="per-device answer delay range, ms")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--keep", type=Path, help="keep the last outputs in this directory")
    args = ap.parse_args()
    if os.geteuid() != 0 or shutil.which("ip") is None:
        raise SystemExit("needs root and iproute2: the lab runs in network namespaces")
    if shutil.which("nmap") is None:
        raise SystemExit("needs nmap (make capture-tools installs it from Debian)")
    low, _, high = args.latency.partition("-")
    args.load = load_average()
    with tempfile.TemporaryDirectory(prefix="biosweep-bench-") as tmp:
        work = Path(tmp)
        os.environ[ENV_DIR] = str(work / "lab")  # a lab of our own, invisible to other runs
        path = scenario_file(work, float(low), float(high or low), args.seed)
        scenario = load_scenario(str(path))
        print(f"bringing {path.name} up (namespaces) ...")
        state = manager.up(str(path), "namespaces")
        try:
            tools = measure(state, scenario, args.runs, work)
        finally:
            manager.teardown(state)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for f in work.glob("*.*"):
                if f.is_file():
                    shutil.copy(f, args.keep / f.name)
    report(tools, scenario, args)


if __name__ == "__main__":
    main()
