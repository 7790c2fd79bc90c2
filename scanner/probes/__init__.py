"""Probes: the only code that touches the network. One module per source; the per-port probes
are registered in :mod:`scanner.probes.registry`."""

from __future__ import annotations

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
