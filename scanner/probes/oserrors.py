"""Operating-system errors of a whole discovery source, mapped to why the source did not run.

A raw socket fails in ways that say different things to the user: no privilege (EPERM/EACCES:
run as root), no such interface (ENODEV/ENXIO: it went away or never was), an interface that
is down, or a platform without packet sockets. Each failure is caught where the socket call is
made and raised as one :class:`SourceUnavailable` carrying the :class:`SkipReason` the sweep
records, so the sweep goes on with the other sources (the pattern of httpx's
``map_httpcore_exceptions``, ``httpx/_transports/default.py``: one mapping at the seam, no
library error leaks upward).
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager

from scanner.errors import ProbeError
from scanner.models import Skipped, SkipReason

#: errno → the reason recorded; anything else is ``error``.
REASONS: dict[int, SkipReason] = {
    errno.EPERM: SkipReason.NEEDS_ROOT,
    errno.EACCES: SkipReason.NEEDS_ROOT,
    errno.ENODEV: SkipReason.NO_ADAPTER,
    errno.ENXIO: SkipReason.NO_ADAPTER,
    errno.ENETDOWN: SkipReason.NO_ADAPTER,
    errno.EAFNOSUPPORT: SkipReason.MISSING_DEPENDENCY,
    errno.EPROTONOSUPPORT: SkipReason.MISSING_DEPENDENCY,
    errno.ESOCKTNOSUPPORT: SkipReason.MISSING_DEPENDENCY,
}

_HINTS: dict[SkipReason, str] = {
    SkipReason.NEEDS_ROOT: "needs root (CAP_NET_RAW)",
    SkipReason.NO_ADAPTER: "the interface is missing or down",
    SkipReason.MISSING_DEPENDENCY: "this system has no packet sockets",
}


class SourceUnavailable(ProbeError):
    """A discovery source (ARP, IPv6 echo, passive listening) could not run at all."""

    def __init__(self, reason: SkipReason, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(detail)

    def skipped(self, probe: str, then: str = "") -> Skipped:
        """The run's entry for ``probe`` (``then``: what the sweep does instead)."""
        return Skipped(probe, self.reason, f"{self.detail}{'; ' + then if then else ''}"[:300])


def reason_for(exc: OSError) -> SkipReason:
    """Why a source failed, from the OS error of its socket call."""
    if isinstance(exc, PermissionError):
        return SkipReason.NEEDS_ROOT
    return REASONS.get(exc.errno or 0, SkipReason.ERROR)


@contextmanager
def mapped_os_errors(what: str) -> Iterator[None]:
    """Raise every ``OSError`` inside as :class:`SourceUnavailable` naming ``what`` (e.g.
    ``ARP on eth0``), with the reason the sweep records and a hint at the cause."""
    try:
        yield
    except OSError as exc:
        reason = reason_for(exc)
        hint = _HINTS.get(reason)
        detail = f"{what}: {exc.strerror or exc}" + (f" ({hint})" if hint else "")
        raise SourceUnavailable(reason, detail) from exc
