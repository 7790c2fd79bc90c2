"""The curated port set derives from the probes, and every port in it earns its place."""

from __future__ import annotations

import re
from pathlib import Path

from scanner.identify import default_engine
from scanner.probes import CURATED_PORTS, PROBES, probes_for
from scanner.probes.registry import CONNECT_ONLY, DEFAULT_PROBES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_tcp_probe_port_is_scanned_by_default() -> None:
    """A new TCP probe's ports are in the curated set without a second list to edit."""
    served = {p for c in PROBES.values() if not c.udp for p in c.ports}
    assert served <= set(CURATED_PORTS)
    assert all(probes_for(p, DEFAULT_PROBES) for p in served)


def test_curated_ports_are_the_probes_and_the_connect_only_ones() -> None:
    """Nothing else is scanned by default: 32 ports, the set the benchmarks measure."""
    served = {p for c in PROBES.values() if not c.udp for p in c.ports}
    assert set(CURATED_PORTS) == served | set(CONNECT_ONLY)
    assert len(CURATED_PORTS) == 32 and list(CURATED_PORTS) == sorted(CURATED_PORTS)
    assert not served & set(CONNECT_ONLY)  # a port a probe speaks to is not "connect-only"


def test_every_connect_only_port_is_evidence_to_some_signature() -> None:
    """A connect-only port is scanned because a signature reads it as open: one that no
    signature reads would cost a connection per host for nothing."""
    patterns = [
        c.pattern
        for sig in default_engine().signatures
        for rule in sig.rules
        for c in rule.conditions
        if c.field == "tcp.open_port"
    ]
    unread = [p for p in CONNECT_ONLY if not any(r.match(str(p)) for r in patterns)]
    assert unread == []


def test_the_readme_probe_table_names_each_probes_ports() -> None:
    """README's probe table lists the ports each probe speaks to (docs drift otherwise)."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `([a-z-]+)`[^|]*\| (?:UDP )?([0-9, ]+) \|", line)
        if m and m.group(1) in PROBES:
            rows[m.group(1)] = {int(p) for p in m.group(2).split(",")}
    want = {n: set(c.ports) | set(c.more_ports) for n, c in PROBES.items()}
    assert rows == want


def test_a_port_outside_the_curated_set_is_served_when_scanned() -> None:
    """``more_ports``: telnet's alternate port gets the banner probe under ``--ports 2323``."""
    assert 2323 not in CURATED_PORTS
    assert [p.name for p in probes_for(2323, DEFAULT_PROBES)] == ["banner"]
