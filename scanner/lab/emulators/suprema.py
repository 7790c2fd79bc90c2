"""Suprema BioStar 2 terminals: the device port TCP 51211 and the discovery port UDP 51210.

The port numbers are public (github supremainc/BioStar2_device_SDK,
``Include/BSCommon/config/BS2IpConfig.h``: ``BS2_TCP_DEVICE_PORT_DEFAULT = 51211``,
``BS2_UDP_BROADCAST_PORT_DEFAULT = 51210``). The wire format is not: the SDK ships its
protocol inside a closed library, and its headers describe API structures, not packets.
So these emulators do not pretend to speak it. TCP 51211 accepts, waits briefly for the
peer's bytes, logs how many came (and their first bytes, escaped) and closes without a
word; UDP 51210 logs each datagram (kind ``bytes``) and never answers. A scanner can see the
port open and nothing more, which is all that the public data supports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from scanner.lab.emulators.banner import BannerEmulator, BannerSpec
from scanner.lab.emulators.base import ServiceSpec
from scanner.lab.emulators.discovery import DatagramEmulator

TCP_PORT, UDP_PORT = 51211, 51210


@dataclass(frozen=True, slots=True, kw_only=True)
class SupremaSpec(BannerSpec):
    """The device port: silent (no public greeting)."""

    proto: ClassVar[str] = "suprema"


class SupremaEmulator(BannerEmulator):
    proto: ClassVar[str] = "suprema"


@dataclass(frozen=True, slots=True, kw_only=True)
class SupremaUdpSpec(ServiceSpec):
    proto: ClassVar[str] = "suprema_udp"
    transport: ClassVar[str] = "udp"


class SupremaUdpEmulator(DatagramEmulator):
    """Logs every datagram as raw bytes; answers none (no public format to answer in)."""

    proto: ClassVar[str] = "suprema_udp"

    def answer(self, data: bytes, address: str) -> bytes | None:
        return None

    def received(self, data: bytes, peer: tuple[str, int], address: str) -> bytes | None:
        self._log(peer, "bytes", len(data), repr(data[:40])[2:-1])
        return None
