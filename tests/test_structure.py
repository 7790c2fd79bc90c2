"""The layout shows the architecture: no module imports a stage downstream of it.

Pipeline order (DESIGN.md): models/errors → scope → probes → identify/registry → compare →
store → reporters → scan/lab → cli. A module may import its own stage and stages before it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "scanner"
RANK = {
    "models": 0, "errors": 0, "normalize": 0, "inputs": 0,
    "scope": 1, "config": 1, "routes": 1,
    "probes": 2, "passive": 2, "importers": 2,
    "identify": 3, "registry": 3,
    "compare": 4,
    "store": 5,
    "reporters": 6, "alerts": 6,
    "scan": 7, "lab": 7, "sensor": 7, "console": 7,
    "cli": 8, "__main__": 8, "__init__": 0,
}  # fmt: skip


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m == "scanner" or m.startswith("scanner.")}


def test_every_stage_is_known() -> None:
    stages = {
        p.stem
        for p in ROOT.iterdir()
        if p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())
    }
    assert stages <= set(RANK), stages - set(RANK)


def test_no_module_imports_a_downstream_stage() -> None:
    bad = []
    for path in ROOT.rglob("*.py"):
        module = "scanner." + ".".join(path.relative_to(ROOT).with_suffix("").parts)
        own = RANK[_stage(module)]
        for target in _imports(path):
            if RANK[_stage(target)] > own:
                bad.append(f"{module} imports {target}")
    assert bad == []


def test_only_the_cli_prints() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        if (
            "cli" in path.relative_to(ROOT).parts
            or path.parent.name == "lab"
            or "lab" in path.parts
        ):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "print"
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_every_field_a_probe_names_is_in_the_vocabulary() -> None:
    """A new field is added to the vocabulary with the probe that emits it (DESIGN.md)."""
    import re

    from scanner.identify.vocab import load_vocabulary

    vocab = load_vocabulary()
    field_like = re.compile(
        r"^(?:ip|tcp|udp|http|tls|rtsp|onvif|upnp|ssdp|mdns|dhcp|dns|homekit|lldp|cdp|sadp|dhip|zk|hid|anviz|snmp|ssh|telnet|ftp|ble|wifi|mac|wsd)\.[a-z_.0-9]+$"
    )
    unknown = []
    for path in [*(ROOT / "probes").rglob("*.py"), *(ROOT / "passive").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and field_like.match(value) and not vocab.has_field(value):
                unknown.append(f"{path.name}: {value}")
    assert unknown == []
