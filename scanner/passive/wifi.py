"""802.11 frame headers from a monitor-mode capture (radiotap): who transmits, how loud, and
which stations send a sustained upstream stream that looks like video.

Only headers are read (IEEE 802.11-2020 §9.2: frame control type/subtype and the To-DS bit,
address 2 = transmitter); radiotap (radiotap.org, field 5 "dBm antenna signal") gives RSSI.
Payloads are never decrypted, kept or stored. The video heuristic follows published
hidden-camera detectors that flag a device by its sustained upstream rate (Cheng et al.,
"DeWiCam", AsiaCCS 2018; Sharma et al., "Lumos", USENIX Security 2022): a station whose
upstream data frames fill at least :data:`ACTIVE_SHARE` of the seconds of a span of at least
:data:`MIN_SPAN` seconds at a mean of at least :data:`VIDEO_KBPS` kbit/s.

Privacy and memory (catalogue case 45): at most :data:`MAX_TRANSMITTERS` transmitters are
tracked; a transmitter is reported only when it is a video-like station or when
:func:`keep_wifi` finds that identification names its OUI a collector vendor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from scanner.models import Device, Observation
from scanner.normalize import mac as normal_mac

MAX_TRANSMITTERS = 5000
MAX_SECONDS = 3600
VIDEO_KBPS = 256
MIN_SPAN = 10
ACTIVE_SHARE = 0.8
VIDEO_LIKE = "video-like upstream"


@dataclass
class Transmitter:
    frames: int = 0
    rssi_sum: int = 0
    rssi_count: int = 0
    upstream: dict[int, int] = field(default_factory=dict)  # second → bytes

    def video_like(self) -> tuple[bool, int]:
        """(looks like video, mean upstream kbit/s over its active span)."""
        if not self.upstream:
            return False, 0
        first, last = min(self.upstream), max(self.upstream)
        span = last - first + 1
        kbps = int(sum(self.upstream.values()) * 8 / 1000 / span)
        steady = len(self.upstream) >= ACTIVE_SHARE * span
        return span >= MIN_SPAN and steady and kbps >= VIDEO_KBPS, kbps


@dataclass
class WifiStats:
    """Per-transmitter counters fed one frame at a time."""

    seen: dict[str, Transmitter] = field(default_factory=dict)
    dropped: int = 0

    def feed(self, pkt: Any) -> None:
        """One frame decoded by scapy."""
        from scanner.passive.layers import scapy

        s = scapy()
        dot11 = pkt[s.Dot11]
        if not dot11.addr2:
            return  # ACK/CTS carry no transmitter address
        signal = None
        if pkt.haslayer(s.RadioTap):
            signal = getattr(pkt[s.RadioTap], "dBm_AntSignal", None)
        header = (int(dot11.type), int(dot11.FCfield))
        self.frame(str(dot11.addr2), signal, header, int(float(pkt.time)), len(pkt))

    def frame(
        self, addr2: str, signal: object, header: tuple[int, int], second: int, length: int
    ) -> None:
        """One frame from transmitter ``addr2``: its radiotap signal (dBm) if any, its 802.11
        type and frame control flags, the second it was captured and its length."""
        sender = normal_mac(addr2)
        entry = self.seen.get(sender)
        if entry is None:
            if len(self.seen) >= MAX_TRANSMITTERS:
                self.dropped += 1
                return
            entry = self.seen[sender] = Transmitter()
        entry.frames += 1
        if isinstance(signal, int):
            entry.rssi_sum += signal
            entry.rssi_count += 1
        kind, flags = header
        to_ds, from_ds = bool(flags & 0x1), bool(flags & 0x2)
        upstream = kind == 2 and to_ds and not from_ds
        if upstream and (second in entry.upstream or len(entry.upstream) < MAX_SECONDS):
            entry.upstream[second] = entry.upstream.get(second, 0) + length

    def observations(self, source: str) -> list[Observation]:
        out = []
        for sender, t in self.seen.items():
            subject = f"mac:{sender}"
            out += [
                Observation(subject, "mac.address", sender, source),
                Observation(subject, "wifi.transmitter", sender, source),
            ]
            if t.rssi_count:
                rssi = str(round(t.rssi_sum / t.rssi_count))
                out.append(Observation(subject, "wifi.rssi", rssi, source))
            video, kbps = t.video_like()
            if t.upstream:
                out.append(Observation(subject, "wifi.upstream_kbps", str(kbps), source))
            if video:
                out.append(Observation(subject, "wifi.traffic", VIDEO_LIKE, source))
        return out


def _wifi_only(device: Device) -> bool:
    return all(o.field.startswith(("wifi.", "mac.")) for o in device.observations)


def keep_wifi(devices: Iterable[Device]) -> list[Device]:
    """Drop devices heard only over Wi-Fi that are neither video-like nor identified as a
    collector (by their OUI): the passers-by of a monitor-mode capture stay out of reports."""
    return [
        d
        for d in devices
        if not _wifi_only(d)
        or d.is_collector
        or any(o.field == "wifi.traffic" and o.value == VIDEO_LIKE for o in d.observations)
    ]
