"""HID discoveryd on UDP 4070 (VertX / Edge door controllers): the ``discover`` answer.

Wire format, from two open-source clients read independently:

- metasploit ``modules/auxiliary/scanner/misc/hid_discoveryd.rb`` (github
  rapid7/metasploit-framework): the probe is the ASCII text ``discover;013;`` (013 is the
  length of the probe itself); an answer is ``discovered;<len>;<mac>;<name>;<ip>;1;<model>;
  <version>;<date>``: nine ``;``-separated fields, the first ``discovered``, the second the
  length of the whole answer in characters;
- lixmk/Concierge ``hid/nse/hid-evo-discover.nse``: the same fields, with a sample
  (``00:06:8E:XX:XX:XX``, host name ``EdgeEH400-001``, device type ``EH400``, firmware
  ``3.5.1.1483``, build date ``07/02/2015``): upper-case colon MAC, dates as MM/DD/YYYY.

The length is written as three digits, like the probe's ``013``. Only a ``discover;`` probe
is answered; the controllers' other discoveryd commands (``command_blink_on`` and the rest
change the device) are logged as ``malformed`` and never answered. Broadcast discovery
(255.255.255.255, msf's default target) is not emulated: a device's socket is bound to its
own address, so only unicast probes reach it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from scanner.lab.emulators.base import ServiceSpec
from scanner.lab.emulators.discovery import DatagramEmulator

PROBE = b"discover;013;"


@dataclass(frozen=True, slots=True, kw_only=True)
class HidSpec(ServiceSpec):
    proto: ClassVar[str] = "hid"
    transport: ClassVar[str] = "udp"
    mac: str  # aa:bb:cc:dd:ee:ff
    name: str
    model: str
    version: str
    date: str  # MM/DD/YYYY


def discovered(mac: str, name: str, ip: str, model: str, version: str, date: str) -> bytes:
    """The answer text, its second field the answer's own length in three digits."""
    rest = f";{mac.upper()};{name};{ip};1;{model};{version};{date}"
    length = len("discovered;000") + len(rest)
    return f"discovered;{length:03d}{rest}".encode("ascii", "replace")


class HidEmulator(DatagramEmulator):
    proto: ClassVar[str] = "hid"

    def answer(self, data: bytes, address: str) -> bytes | None:
        if not data.startswith(b"discover;"):
            return None
        s: HidSpec = self.spec
        return discovered(s.mac, s.name, address, s.model, s.version, s.date)
