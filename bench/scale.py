"""How biosweep scales: the lab swept at /24 and /20, and synthetic sites of /24, /20 and /16
through identify and compare.

**lab** (root, namespaces): ``office`` (/24, 30 hosts) and ``large`` (a /20) swept from the
scanner namespace with the product's limits (1000 connection attempts/s overall, 40/s and 2
connections per host): wall time, CPU time, peak RSS of the sweep process, hosts found and
collectors identified (the office acceptance test's rule). ``--latency`` gives the devices
answer delays as in ``sweep_vs_nmap.py``. ``--live N`` (default 500, the issue's "about 500
live hosts") scales the ``large`` scenario's generated mix down to about N hosts, same kinds
in the same shares, same seed; ``--live 0`` sweeps the scenario file as it is (about 3,000
hosts: ``lab up`` alone takes about 90 s, and 3,000 hosts x 33 port checks at the 1000/s cap
cannot take less than about 100 s).

**synthetic** (no network, no root): every address of a /24, /20 or /16 is a host whose
observations are those a real sweep of the office lab recorded for a device of the same kind
(``bench/data/office-observations.jsonl``), with its addresses, MAC, serials and UUIDs made
unique; kinds follow the ``large`` scenario's mix and a registry authorises its share of the
collectors. Each size runs in a fresh process: load the signatures, identify, compare with the
registry (timed together), then the JSON report (timed apart); peak RSS is the process's.

    .venv/bin/python bench/scale.py synthetic [--prefixes 24,20,16] [--runs 5]
    sudo .venv/bin/python bench/scale.py lab [--scenarios office,large] [--runs 5]
                                             [--live 500] [--neigh-table 4096]

``--neigh-table N`` raises the host's neighbour-table limits (``gc_thresh2/3``, one table for
every namespace) for the run and restores them: with the default 1,024, a lab of more than
about 500 devices cannot make the entries it needs to answer ARP (see :func:`neighbour_table`).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.identify import default_engine, identify  # noqa: E402
from scanner.identify.reader import read_observations  # noqa: E402
from scanner.lab.catalogue import CATALOGUE  # noqa: E402
from scanner.lab.scenario import Scenario, load_scenario  # noqa: E402
from scanner.models import Observation  # noqa: E402
from scanner.registry import load_registry  # noqa: E402
from scanner.registry.model import RegisteredDevice, Registry  # noqa: E402
from scanner.reporters.jsonout import scanrun_json  # noqa: E402
from scanner.scan import compared, package_run  # noqa: E402

TEMPLATES = Path(__file__).with_name("data") / "office-observations.jsonl"
REGISTRY = ROOT / "scanner/lab/scenarios/registries/office.yaml"
TOKEN_FIELDS = re.compile(r"(serial|\.udn|\.endpoint|hardware_id)$")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


# --- synthetic sites -----------------------------------------------------------------------


def _mac_pattern(mac: str) -> re.Pattern[str]:
    return re.compile("[:-]?".join(mac.split(":")), re.IGNORECASE)


def templates() -> dict[str, list[Observation]]:
    """kind -> the observations the office sweep recorded for the office device of that kind."""
    office = load_scenario("office")
    kind_of = {d.mac: d.kind for d in office.devices}
    with TEMPLATES.open("rb") as f:
        devices = identify(list(read_observations(f)))
    out: dict[str, list[Observation]] = {}
    for device in devices:
        kind = next((kind_of[m] for m in device.macs if m in kind_of), None)
        if kind is not None and kind not in out:
            out[kind] = [o for o in device.observations if o.source != "ieee-oui"]
    return out


def _mac(n: int, like: str) -> str:
    """A MAC for synthetic host ``n`` under the vendor prefix (OUI) of ``like``: unique, and
    the vendor evidence a MAC carries stays what it was."""
    return f"{like[:8]}:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:{n & 255:02x}"


def _unique(token: str, n: int) -> str:
    """A serial or UUID made unique for host ``n`` (a UUID keeps its form)."""
    if UUID.search(token):
        return UUID.sub(lambda m: m.group(0)[:-6] + f"{n:06x}", token, count=1)
    return f"{token}-{n:06x}"


def _clone(template: list[Observation], n: int, ip: str) -> tuple[list[Observation], str]:
    """The template's observations for host ``n`` at ``ip`` with every identifier made
    unique, and the host's MAC."""
    ips = {o.value for o in template if o.field == "ip.address" and "." in o.value}
    macs = {o.value for o in template if o.field == "mac.address"}
    macs |= {o.subject[4:] for o in template if o.subject.startswith("mac:")}
    tokens = {o.value for o in template if TOKEN_FIELDS.search(o.field) and o.value}
    links = {o.value for o in template if o.field == "ip.address" and ":" in o.value}
    new_mac = _mac(n, min(macs))
    swaps = [(re.compile(re.escape(old)), ip) for old in ips]
    swaps += [(re.compile(re.escape(old)), f"fe80::{n >> 16:x}:{n & 0xFFFF:x}:5b") for old in links]
    swaps += [(re.compile(re.escape(old)), _unique(old, n)) for old in tokens]
    swaps += [(_mac_pattern(old), _mac(n, old)) for old in macs]

    def fix(text: str) -> str:
        for pattern, new in swaps:
            text = pattern.sub(new, text)
        return text

    found = [Observation(fix(o.subject), o.field, fix(o.value), o.source) for o in template]
    return found, new_mac


def mix(scenario: Scenario) -> list[tuple[str, float, float]]:
    """(kind, weight, registered share) from the large scenario's generate block."""
    import yaml

    data = yaml.safe_load(scenario.source.read_text(encoding="utf-8"))
    return [
        (m["kind"], float(m["count"]), float(m.get("registered", 0)))
        for m in data["generate"]["mix"]
    ]


def site(prefix: int, seed: int = 11) -> tuple[list[Observation], list[RegisteredDevice], int]:
    """Observations of every host of 10.128.0.0/``prefix``, the registered devices, and the
    number of collectors among the hosts."""
    rng = random.Random(seed)
    kinds = mix(load_scenario("large"))
    by_kind = templates()
    kinds = [k for k in kinds if k[0] in by_kind]
    weights = [w for _, w, _ in kinds]
    observations: list[Observation] = []
    registered: list[RegisteredDevice] = []
    collectors = 0
    for n in range(1 << (32 - prefix)):
        ip = f"10.{128 + (n >> 16)}.{n >> 8 & 255}.{n & 255}"
        kind, _, share = rng.choices(kinds, weights)[0]
        found, mac = _clone(by_kind[kind], n, ip)
        observations += found
        if CATALOGUE[kind].is_collector:
            collectors += 1
            if rng.random() < share:
                vendor = CATALOGUE[kind].vendor
                registered.append(RegisteredDevice(f"dev-{n}", 0, mac=mac, ip=ip, vendor=vendor))
    return observations, registered, collectors


def registry_with(devices: list[RegisteredDevice]) -> Registry:
    """The office registry with its first deployment authorising ``devices``."""
    base = load_registry(REGISTRY)
    first = dataclasses.replace(base.deployments[0], devices=tuple(devices))
    return dataclasses.replace(base, deployments=(first,))


def one_synthetic(prefix: int) -> dict[str, Any]:
    """Build one site, then time identify + compare, then the report; print JSON."""
    start = time.perf_counter()
    observations, registered, collectors = site(prefix)
    registry = registry_with(registered)
    built = time.perf_counter() - start
    start = time.perf_counter()
    default_engine()
    run = package_run(observations, started=_now(), scope=(f"10.128.0.0/{prefix}",))
    identified = time.perf_counter() - start
    start = time.perf_counter()
    run = compared(run, registry, None)
    compare_s = time.perf_counter() - start
    start = time.perf_counter()
    size = len(scanrun_json(run))
    report_s = time.perf_counter() - start
    flagged = sum(d.identifications[0].is_collector for d in run.devices if d.identifications)
    return {
        "prefix": prefix,
        "hosts": 1 << (32 - prefix),
        "observations": len(observations),
        "collectors": collectors,
        "registered": len(registered),
        "devices": len(run.devices),
        "flagged": flagged,
        "findings": dict(Counter(str(f.kind) for f in run.findings)),
        "build_s": built,
        "identify_s": identified,
        "compare_s": compare_s,
        "report_s": report_s,
        "report_mb": size / 1e6,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def synthetic(prefixes: list[int], runs: int) -> None:
    rows = []
    load = _load()
    for prefix in prefixes:
        results = []
        for _ in range(runs):
            done = subprocess.run(
                [sys.executable, __file__, "one-synthetic", str(prefix)],
                capture_output=True,
                text=True,
                check=True,
            )
            results.append(json.loads(done.stdout))
            r = results[-1]
            print(
                f"  /{prefix}: identify {r['identify_s']:.2f} s, compare {r['compare_s']:.2f} s, "
                f"report {r['report_s']:.2f} s, peak RSS {r['rss_mb']:.0f} MB",
                flush=True,
            )
        rows.append(results)
    print()
    print(
        f"synthetic sites, {runs} runs each (fresh process per run), "
        f"{time.strftime('%Y-%m-%d %H:%M')}, load at start {load}"
    )
    print(
        "| prefix | hosts | observations | devices | collectors (flagged) | "
        "identify+compare s (median) | of which compare s | JSON report s | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for results in rows:
        r = results[0]
        total = statistics.median(x["identify_s"] + x["compare_s"] for x in results)
        print(
            f"| /{r['prefix']} | {r['hosts']:,} | {r['observations']:,} | {r['devices']:,} | "
            f"{r['collectors']:,} ({r['flagged']:,}) | {total:.2f} | "
            f"{statistics.median(x['compare_s'] for x in results):.2f} | "
            f"{statistics.median(x['report_s'] for x in results):.2f} | "
            f"{max(x['rss_mb'] for x in results):.0f} |"
        )
    last = rows[-1]
    if last[0]["prefix"] == 16:
        total = statistics.median(x["identify_s"] + x["compare_s"] for x in last)
        rss = max(x["rss_mb"] for x in last)
        print()
        print(
            f"/16: identify+compare {total:.1f} s (target <= 60: {_met(total <= 60)}), "
            f"peak RSS {rss:.0f} MB (target <= 1024: {_met(rss <= 1024)})"
        )


def _load() -> str:
    """The 1/5/15-minute load averages (other jobs on the machine skew the times)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


# --- lab sweeps ----------------------------------------------------------------------------


NEIGH = Path("/proc/sys/net/ipv4/neigh/default")


@contextlib.contextmanager
def neighbour_table(size: int) -> Iterator[None]:
    """Raise the kernel's neighbour-table limits (``gc_thresh2/3``) for the run, then restore.

    The table is one for all network namespaces: in a lab of 3,000 namespaces, each device's
    entry for the scanner counts against the same default limit of 1,024, and a device whose
    entry cannot be made does not answer ARP (``arp_process`` replies only with an entry). On
    a real segment every device has a table of its own. Writes two host sysctls, nothing else.
    """
    if size <= 0:
        yield
        return
    files = [NEIGH / "gc_thresh2", NEIGH / "gc_thresh3"]
    old = [f.read_text() for f in files]
    try:
        for f, value in zip(files, (size // 2, size), strict=True):
            f.write_text(str(max(value, int(f.read_text()))))
        yield
    finally:
        for f, value in reversed(list(zip(files, old, strict=True))):
            f.write_text(value)


def scaled_mix(scenario: Scenario, live: int) -> str:
    """A ``generate`` block (YAML) with the scenario's mix scaled to about ``live`` hosts in
    all: every kind keeps its share (at least one of each), its registered share and the seed."""
    import yaml

    data = yaml.safe_load(scenario.source.read_text(encoding="utf-8"))
    spec = dict(data["generate"])
    fixed = len(data.get("devices") or ())
    total = sum(int(m["count"]) for m in spec["mix"])
    factor = max(0, live - fixed) / total
    spec["mix"] = [{**m, "count": max(1, round(int(m["count"]) * factor))} for m in spec["mix"]]
    return yaml.safe_dump({"generate": spec}, sort_keys=False)


def bench_scenario(name: str, work: Path, latency: str, seed: int, live: int) -> Path:
    """The scenario file a lab run brings up: ``name`` with the answer delays, and for a
    scenario with a ``generate`` block and ``live`` > 0, its mix scaled to ``live`` hosts."""
    path = work / f"{name}-bench.yaml"
    low, _, high = latency.partition("-")
    text = f"extends: {name}\n"
    if latency:
        text += f"latency: {{min_ms: {low}, max_ms: {high or low}, seed: {seed}}}\n"
    base = load_scenario(name)
    if live > 0 and len(base.devices) > live:
        text += scaled_mix(base, live)
    path.write_text(text, encoding="utf-8")
    return path


def lab(names: list[str], runs: int, latency: str, seed: int, neigh: int, live: int) -> None:
    from scanner.lab import manager
    from scanner.lab.errors import LabError
    from scanner.lab.state import ENV_DIR

    if os.geteuid() != 0 or shutil.which("ip") is None:
        raise SystemExit("the lab part needs root and iproute2 (network namespaces)")
    rows = []
    load = _load()
    with tempfile.TemporaryDirectory(prefix="biosweep-scale-") as tmp, neighbour_table(neigh):
        work = Path(tmp)
        os.environ[ENV_DIR] = str(work / "lab")
        for name in names:
            path = bench_scenario(name, work, latency, seed, live)
            scenario = load_scenario(str(path))
            _check_neighbour_table(len(scenario.devices))
            print(
                f"bringing {name} up ({len(scenario.devices)} devices, namespaces) ...", flush=True
            )
            start = time.perf_counter()
            state = manager.up(str(path), "namespaces")
            print(f"  up in {time.perf_counter() - start:.0f} s", flush=True)
            try:
                rows.append(
                    (name, scenario, [sweep_once(state, scenario, work) for _ in range(runs)])
                )
            finally:
                try:
                    manager.teardown(state)
                except LabError as exc:  # e.g. someone's `lab down --orphans` got there first
                    print(f"  teardown: {exc}", flush=True)
    print()
    print(
        f"lab sweeps, {runs} runs each, latency {latency or 'none'} ms, "
        f"neighbour table {neigh or 'default'}, {time.strftime('%Y-%m-%d %H:%M')}, "
        f"load at start {load}"
    )
    print(
        "| scenario | subnet | hosts | median wall s | min-max s | median CPU s | peak RSS MB | "
        "hosts found | collectors identified | connection attempts/s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, scenario, results in rows:
        walls = [r["wall"] for r in results]
        collectors = sum(CATALOGUE[d.kind].is_collector for d in scenario.devices)
        wall, cpu = statistics.median(walls), statistics.median(r["cpu"] for r in results)
        print(
            f"| {name} | {scenario.subnet} | {len(scenario.devices):,} | {wall:.1f} | "
            f"{min(walls):.1f}-{max(walls):.1f} | {cpu:.1f} | "
            f"{max(r['rss'] for r in results):.0f} | {min(r['found'] for r in results):,} | "
            f"{min(r['identified'] for r in results):,}/{collectors:,} | "
            f"{statistics.median(r['attempts'] / r['wall'] for r in results):.0f} |"
        )
        if name == "large":
            wall, rss = statistics.median(walls), max(r["rss"] for r in results)
            print(
                f"large: {wall:.1f} s (target <= 90: {'met' if wall <= 90 else 'NOT met'}), "
                f"peak RSS {rss:.0f} MB (target <= 250: {'met' if rss <= 250 else 'NOT met'})"
            )


def _check_neighbour_table(devices: int) -> None:
    """Warn when the lab's ARP entries (one per device for the scanner, one per device in the
    scanner's table) may not fit the shared neighbour table (``--neigh-table``)."""
    limit = int((NEIGH / "gc_thresh3").read_text())
    if 2 * devices + 64 > limit:
        print(
            f"  warning: {devices} devices need about {2 * devices} neighbour entries, the "
            f"table holds {limit}: devices will miss ARP (use --neigh-table)",
            flush=True,
        )


def sweep_once(state: Any, scenario: Scenario, work: Path) -> dict[str, Any]:
    inside = ["ip", "netns", "exec", state.scanner_netns]
    out = work / "run.json"
    argv = [*inside, sys.executable, "-m", "scanner", "sweep", state.subnet]
    argv += ["-x", state.scanner_address, "--quiet", "--json"]
    with out.open("wb") as f:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=f, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"sweep failed (is the lab still up?): {' '.join(argv)}")
    run = json.loads(out.read_text(encoding="utf-8"))
    found = {mac: d for d in run["devices"] for mac in d["macs"]}
    identified = 0
    for d in scenario.devices:
        model = CATALOGUE[d.kind]
        if not model.is_collector:
            continue
        best = ((found.get(d.mac) or {}).get("identifications") or [{}])[0]
        vendor_ok = model.vendor.split()[0].lower() in best.get("vendor", "").lower()
        class_ok = best.get("device_class") == model.device_class
        identified += bool(best.get("collector") and vendor_ok and class_ok)
    attempts = _attempts(run)
    result = {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss / 1024,
        "found": sum(1 for d in scenario.devices if d.mac in found),
        "identified": identified,
        "attempts": attempts,
    }
    print(
        f"  {scenario.name}: {wall:.1f} s, {result['rss']:.0f} MB, found {result['found']}, "
        f"identified {identified}",
        flush=True,
    )
    return result


def _attempts(run: dict[str, Any]) -> int:
    for note in run.get("notes", []):
        if note.startswith("connections:"):
            return int(note.split()[1])
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="part", required=True)
    syn = sub.add_parser("synthetic")
    syn.add_argument("--prefixes", default="24,20,16")
    syn.add_argument("--runs", type=int, default=5)
    one = sub.add_parser("one-synthetic")
    one.add_argument("prefix", type=int)
    lb = sub.add_parser("lab")
    lb.add_argument("--scenarios", default="office,large")
    lb.add_argument("--runs", type=int, default=5)
    lb.add_argument(
        "--latency", default="5-120", help="per-device answer delay range, ms ('' for none)"
    )
    lb.add_argument("--seed", type=int, default=11)
    lb.add_argument(
        "--live",
        type=int,
        default=500,
        help="scale a generated scenario (large) to about this many hosts (0: as it is)",
    )
    lb.add_argument(
        "--neigh-table",
        type=int,
        default=0,
        help="raise the host's neighbour-table limit to this for the run (0: leave it)",
    )
    a = ap.parse_args()
    if a.part == "one-synthetic":
        print(json.dumps(one_synthetic(a.prefix)))
    elif a.part == "synthetic":
        synthetic([int(p) for p in a.prefixes.split(",")], a.runs)
    else:
        lab(a.scenarios.split(","), a.runs, a.latency, a.seed, a.neigh_table, a.live)


if __name__ == "__main__":
    main()
