"""Probes: the only code that touches the network. One module per source, registered here."""

from __future__ import annotations

from scanner.probes.banner import BannerProbe
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.http import HttpProbe
from scanner.probes.onvif import OnvifProbe
from scanner.probes.rtsp import RtspProbe
from scanner.probes.zkteco import ZktecoProbe

#: name → probe class; ``sweep --only`` takes these names (plus ``tcp`` for the port scan).
PROBES: dict[str, type[Probe]] = {
    "http": HttpProbe,
    "onvif": OnvifProbe,
    "rtsp": RtspProbe,
    "banner": BannerProbe,
    "zkteco": ZktecoProbe,
}


def probes_for(port: int, enabled: frozenset[str]) -> list[Probe]:
    return [cls() for name, cls in PROBES.items() if name in enabled and port in cls.ports]


__all__ = ["PROBES", "Probe", "ProbeContext", "probes_for"]
