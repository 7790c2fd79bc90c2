"""Probes: the only code that touches the network. One module per source, registered here."""

from __future__ import annotations

from scanner.probes.anviz import AnvizProbe
from scanner.probes.banner import BannerProbe
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.http import HttpProbe
from scanner.probes.multicast import MULTICAST_PROBES
from scanner.probes.onvif import OnvifProbe
from scanner.probes.rtsp import RtspDescribeProbe, RtspProbe
from scanner.probes.snmp import SnmpProbe
from scanner.probes.vendor_udp import DhipProbe, HidProbe, SadpProbe
from scanner.probes.zkteco import ZktecoProbe

#: name → probe class; ``sweep --only`` takes these names (plus ``tcp`` for the port scan).
PROBES: dict[str, type[Probe]] = {
    "http": HttpProbe,
    "onvif": OnvifProbe,
    "rtsp": RtspProbe,
    "rtsp-describe": RtspDescribeProbe,
    "banner": BannerProbe,
    "zkteco": ZktecoProbe,
    "sadp": SadpProbe,
    "dhip": DhipProbe,
    "hid": HidProbe,
    "anviz": AnvizProbe,
    "snmp": SnmpProbe,
}

#: Probes that run unless named otherwise: everything but the opt-in ones (SNMP).
DEFAULT_PROBES = frozenset(name for name, cls in PROBES.items() if not cls.opt_in) | frozenset(
    MULTICAST_PROBES
)
#: Every name ``sweep --only`` accepts besides ``tcp``: the per-host probes and the multicast
#: ones (``sadp``/``dhip`` are both: see :mod:`scanner.probes.multicast`).
KNOWN_PROBES = frozenset(PROBES) | frozenset(MULTICAST_PROBES)


def probes_for(port: int, enabled: frozenset[str]) -> list[Probe]:
    """The TCP probes that speak to an open ``port`` (a probe that supersedes another enabled
    one, such as ``rtsp-describe``, runs in its place)."""
    chosen = {n: c for n, c in PROBES.items() if n in enabled and not c.udp and port in c.ports}
    replaced = {c.supersedes for c in chosen.values()}
    return [c() for n, c in chosen.items() if n not in replaced]


def udp_probes(enabled: frozenset[str]) -> list[tuple[Probe, int]]:
    """The UDP questions asked of every live host: (probe, port)."""
    return [(c(), p) for n, c in PROBES.items() if n in enabled and c.udp for p in sorted(c.ports)]


__all__ = [
    "DEFAULT_PROBES",
    "KNOWN_PROBES",
    "MULTICAST_PROBES",
    "PROBES",
    "Probe",
    "ProbeContext",
    "probes_for",
    "udp_probes",
]
