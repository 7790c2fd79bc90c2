"""The layout shows the architecture: no module imports a stage downstream of it.

Pipeline order (docs/ARCHITECTURE.md): models/errors → scope → probes → identify/registry → compare →
store → reporters → scan/lab/watch → cli. A module may import its own stage and stages before it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "scanner"
RANK = {
    "models": 0, "codec": 0, "atomic": 0, "lazy": 0, "errors": 0, "normalize": 0, "inputs": 0,
    "wording": 0,
    "scope": 1, "config": 1, "routes": 1,
    "probes": 2, "passive": 2, "importers": 2,
    "identify": 3, "registry": 3,
    "compare": 4,
    "store": 5,
    "reporters": 6, "alerts": 6,
    "scan": 7, "lab": 7, "watch": 7, "sensor": 7, "console": 7,
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
    """A new field is added to the vocabulary with the probe that emits it (docs/ARCHITECTURE.md)."""
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


#: Modules that are data tables (a scenario catalogue, lists of records), not logic: exempt
#: from the module size limit (their functions are held to the function limit all the same). Add one only when it holds data, never to pass the test.
DATA_TABLES = frozenset({"lab/catalogue.py"})
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def _modules() -> list[tuple[str, str]]:
    return [
        (path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(ROOT.rglob("*.py"))
    ]


def test_no_module_over_500_lines() -> None:
    """Small modules (the house style, DESIGN.md): split by what the code does."""
    long = [
        f"{name}: {len(text.splitlines())} lines"
        for name, text in _modules()
        if name not in DATA_TABLES and len(text.splitlines()) > MAX_MODULE_LINES
    ]
    assert long == []


def test_no_function_over_60_lines() -> None:
    """Small functions (docstring included, decorators not)."""
    long = []
    for name, text in _modules():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    long.append(f"{name}:{node.lineno} {node.name}: {size} lines")
    assert long == []


def _exception_classes() -> dict[str, tuple[str, str]]:
    """Every exception class defined under scanner/: name → (its base's name, module)."""
    import builtins

    known = {
        n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException)
    }
    classes: dict[str, tuple[list[str], str]] = {}
    for name, text in _modules():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases]
                classes[node.name] = (bases, name)
    found: dict[str, tuple[str, str]] = {}
    changed = True
    while changed:  # a class is an exception when one of its bases is
        changed = False
        for cls, (bases, module) in classes.items():
            base = next((b for b in bases if b in known or b.endswith("Error")), None)
            if cls not in found and base is not None:
                found[cls] = (base, module)
                known.add(cls)
                changed = True
    return found


def _drawn_tree(doc: str) -> dict[str, str]:
    """The parent of each class in the tree drawn in scanner/errors.py's docstring."""
    import re

    parents: dict[str, str] = {}
    stack: list[str] = []
    for line in doc.splitlines():
        m = re.match(r"^ {4}((?:[│ ] {3})*)(?:[├└]── )?([A-Za-z_.]+)\b", line)
        if not m or not (m.group(2)[0].isupper() or "." in m.group(2)):
            continue
        depth = len(m.group(1)) // 4 + (1 if "──" in line[: m.start(2)] else 0)
        stack[depth:] = [m.group(2).rsplit(".", 1)[-1]]
        if depth:
            parents[stack[-1]] = stack[depth - 1]
    return parents


def test_the_error_tree_names_every_exception_class() -> None:
    """errors.py draws every exception class of scanner/ under the base it derives from."""
    from scanner import errors

    drawn = _drawn_tree(errors.__doc__ or "")
    wrong = [
        f"{cls} ({module}) derives from {base}, drawn under {drawn.get(cls, 'nothing')}"
        for cls, (base, module) in sorted(_exception_classes().items())
        if drawn.get(cls) != base
    ]
    gone = sorted(set(drawn) - set(_exception_classes()))  # drawn, but no longer in the code
    assert (wrong, gone) == ([], [])
