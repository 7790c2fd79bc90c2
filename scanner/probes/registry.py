"""The per-port probes, registered with the ports they serve, and the curated port set.

A TCP probe declares the ports it speaks to once found open (:attr:`Probe.ports`); a UDP probe
the ports it asks every live host (:attr:`Probe.udp`). The curated set the sweep scans by
default is derived from those declarations plus :data:`CONNECT_ONLY`, the ports no probe
speaks to because an open port is itself the evidence, each with the reason. So a new probe's
ports are scanned without a second list to remember, and ``tests/probes/test_registry.py``
holds both lists to the signatures and to README's probe table.
"""

from __future__ import annotations

from scanner.probes.anviz import AnvizProbe
from scanner.probes.banner import BannerProbe
from scanner.probes.base import Probe
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

#: Curated ports that no probe speaks to: an open port is the evidence a signature reads
#: (``tcp.open_port``), and the reason each is scanned (docs/SIGNATURE-KNOWLEDGE.md).
CONNECT_ONLY: dict[int, str] = {
    631: "IPP: tells an Axis print server from an Axis camera",
    8000: "Hikvision SDK (no handshake built yet)",
    8800: "TP-Link Tapo camera service",
    9100: "raw printing (connect-only, never a payload byte): tells a print server apart",
    19443: "TP-Link Kasa camera service",
    34567: "Xiongmai DVR/NVR SDK",
    37777: "Dahua private protocol (no handshake built yet)",
    51211: "Suprema BioStar device port (no handshake on purpose)",
}

#: The ports ``sweep`` connect-scans by default: every TCP probe's ports and the connect-only
#: ones, ascending.
CURATED_PORTS: tuple[int, ...] = tuple(
    sorted({p for c in PROBES.values() if not c.udp for p in c.ports} | set(CONNECT_ONLY))
)

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
    chosen = {n: c for n, c in PROBES.items() if n in enabled and not c.udp and c.serves(port)}
    replaced = {c.supersedes for c in chosen.values()}
    return [c() for n, c in chosen.items() if n not in replaced]


def udp_probes(enabled: frozenset[str]) -> list[tuple[Probe, int]]:
    """The UDP questions asked of every live host: (probe, port)."""
    return [(c(), p) for n, c in PROBES.items() if n in enabled and c.udp for p in sorted(c.ports)]
