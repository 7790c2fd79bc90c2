"""Targets a device named that the sweep did not contact, written into the run.

A redirect's ``Location``, an SSDP ``LOCATION``, an mDNS ``A`` record, WS-Discovery
``XAddrs`` and the address a SADP or DHIP answer advertises all name places a device would
have the scanner go. The scope decides where it goes, never the device (catalogue cases 19
and 28, CallStranger CVE-2020-12695): a target that is excluded, outside the scope, a DNS name
(never resolved), another host, or on a scheme the probe does not speak is not contacted. It
is not silent either: each one is a ``skipped`` entry with reason ``not_followed`` saying what
was named, by which device and why, so the operator can follow up by hand.

Bounded: at most :data:`PER_KIND` entries per probe; past that one more entry per probe
counts the rest by reason, and at most :data:`MAX_SEEN` distinct targets are remembered to
drop repeats (a flood of answers cannot grow the run).
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterable
from urllib.parse import urlsplit

from scanner.models import Skipped, SkipReason
from scanner.normalize import clean_text
from scanner.scope import Scope

PER_KIND = 16
MAX_SEEN = 4096
EXCLUDED, OUT_OF_SCOPE = "excluded", "out of scope"
DNS_NAME, OTHER_HOST = "a DNS name (never resolved)", "another host"
WEB = ("http", "https")


def is_excluded(scope: Scope, address: str) -> bool:
    """True when ``address`` is an IP literal inside an exclusion."""
    try:
        addr = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(addr in net for net in scope.excluded)


def url_host(url: str) -> str:
    """The host part of ``url`` ("" when there is none or the URL is malformed)."""
    try:
        return urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""


def address_problem(scope: Scope, address: str) -> str | None:
    """Why an address a device named is not contacted: excluded or out of scope (or None)."""
    if is_excluded(scope, address):
        return EXCLUDED
    return None if scope.allows(address) else OUT_OF_SCOPE


def url_problem(
    scope: Scope, url: str, device: str, schemes: tuple[str, ...] = ("http",)
) -> str | None:
    """Why a URL a device named would not be fetched from ``device``: a scheme other than
    ``schemes``, a DNS name, an excluded or out-of-scope address, another host; None when it
    names ``device`` itself (in scope) over a scheme we speak, or is relative."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return "not a URL"
    if not parts.scheme and not parts.netloc:
        return None  # a path on the same host
    if parts.scheme.lower() not in schemes:
        return f"{clean_text(parts.scheme, 20) or 'no'} scheme, not {'/'.join(schemes)}"
    try:
        address = str(ipaddress.ip_address(host))
    except ValueError:
        return DNS_NAME
    if (problem := address_problem(scope, address)) is not None:
        return problem
    return None if address == device else OTHER_HOST


class Unfollowed:
    """The targets not followed during one sweep (or one multicast discovery), per probe."""

    def __init__(self, per_kind: int = PER_KIND) -> None:
        self.per_kind = per_kind
        self._entries: dict[str, list[Skipped]] = {}
        self._more: dict[str, Counter[str]] = {}
        self._what: dict[str, str] = {}
        self._seen: set[tuple[str, str, str]] = set()

    def record(self, probe: str, what: str, value: str, device: str, why: str) -> None:
        """``device`` (a target such as ``10.0.0.9:80``) named ``value`` (its ``what``: a
        redirect, a LOCATION, ...), which was not contacted because ``why``."""
        key = (probe, clean_text(value, 200), device)
        if key in self._seen:
            return
        if len(self._seen) < MAX_SEEN:
            self._seen.add(key)
        self._what.setdefault(probe, what)
        entries = self._entries.setdefault(probe, [])
        if len(entries) < self.per_kind:
            detail = f"{what} {clean_text(value, 120)} not followed: {why}"
            entries.append(Skipped(probe, SkipReason.NOT_FOLLOWED, detail, device))
        else:
            self._more.setdefault(probe, Counter())[why] += 1

    def addresses(
        self, probe: str, what: str, addresses: Iterable[str], device: str, scope: Scope
    ) -> None:
        """Record each of ``addresses`` that is excluded or out of scope."""
        for address in addresses:
            if address and (why := address_problem(scope, address)) is not None:
                self.record(probe, what, address, device, why)

    def skipped(self) -> list[Skipped]:
        """The entries, then per probe one that counts the rest by reason."""
        out = [s for entries in self._entries.values() for s in entries]
        for probe, counts in self._more.items():
            reasons = ", ".join(f"{why} {n}" for why, n in counts.most_common())
            total = sum(counts.values())
            detail = f"{total} more not followed ({self._what[probe]}; {reasons})"
            out.append(Skipped(probe, SkipReason.NOT_FOLLOWED, detail))
        return out
