"""Probes: the only code that touches the network. One module per source; the per-port probes
are registered in :mod:`scanner.probes.registry`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.lazy import members

if TYPE_CHECKING:
    from scanner.probes.base import Probe, ProbeContext
    from scanner.probes.multicast import MULTICAST_PROBES
    from scanner.probes.registry import (
        CURATED_PORTS,
        DEFAULT_PROBES,
        KNOWN_PROBES,
        PROBES,
        probes_for,
        udp_probes,
    )

# Imported when first asked for: reading a capture uses a few of the probes' parsers
# (``scanner.probes.banner``, ...) and none of the registry of every probe (bench/startup.py).
__getattr__ = members(__name__, {
    "Probe": "base", "ProbeContext": "base", "MULTICAST_PROBES": "multicast",
    "CURATED_PORTS": "registry", "DEFAULT_PROBES": "registry", "KNOWN_PROBES": "registry",
    "PROBES": "registry", "probes_for": "registry", "udp_probes": "registry",
})  # fmt: skip


__all__ = [
    "CURATED_PORTS",
    "DEFAULT_PROBES",
    "KNOWN_PROBES",
    "MULTICAST_PROBES",
    "PROBES",
    "Probe",
    "ProbeContext",
    "probes_for",
    "udp_probes",
]
