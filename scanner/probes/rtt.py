"""Adaptive connect timeouts from measured round-trip times, as nmap times its probes.

Every answered connect (open, or refused: a RST is an answer) is a round-trip sample. The
estimator is the one TCP uses for its retransmission timer (RFC 6298 §2: smoothed RTT
``srtt``, variation ``rttvar``, timeout ``srtt + 4·rttvar``), which nmap applies to its probes
per host and per group of hosts (nmap's "timing" docs: ``--min-rtt-timeout`` 100 ms,
``--initial-rtt-timeout`` 1 s). Here each host has its own estimator and the sweep one for all;
a host with no sample yet borrows the sweep's once that has :data:`GROUP_SAMPLES`, else the
configured ``connect_timeout`` (the ceiling) applies. A timeout shorter than the ceiling is
retried once with four times as long (capped): one lost SYN or one slow host does not turn an
open port into a silent one.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The shortest timeout ever used (seconds): twice nmap's default minimum, since we retry once
#: where nmap retries up to ten times.
FLOOR = 0.2
#: Samples the sweep-wide estimator needs before a host with none of its own borrows it.
GROUP_SAMPLES = 3
#: A retry after a shortened timeout waits this many times as long (at most the ceiling).
RETRY_FACTOR = 4.0


@dataclass
class RttEstimator:
    """RFC 6298 §2: ``srtt``/``rttvar`` from samples; the timeout they imply, bounded."""

    ceiling: float
    floor: float = FLOOR
    srtt: float | None = None
    rttvar: float = 0.0
    samples: int = 0

    def observe(self, rtt: float) -> None:
        """Fold in one round-trip sample (seconds); negative samples are ignored."""
        if rtt < 0:
            return
        if self.srtt is None:
            self.srtt, self.rttvar = rtt, rtt / 2  # RFC 6298 (2.2)
        else:
            self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - rtt)  # beta = 1/4
            self.srtt = 0.875 * self.srtt + 0.125 * rtt  # alpha = 1/8
        self.samples += 1

    def timeout(self) -> float | None:
        """``srtt + 4·rttvar`` within [floor, ceiling]; ``None`` before the first sample."""
        if self.srtt is None:
            return None
        return min(self.ceiling, max(self.floor, self.srtt + 4 * self.rttvar))


def connect_timeouts(host: RttEstimator | None, group: RttEstimator) -> tuple[float, ...]:
    """The timeouts to try a connect with, in order: one, or a short one and its retry."""
    first = host.timeout() if host is not None and host.samples else None
    if first is None and group.samples >= GROUP_SAMPLES:
        first = group.timeout()
    if first is None or first >= group.ceiling:
        return (group.ceiling,)
    return first, min(group.ceiling, first * RETRY_FACTOR)
