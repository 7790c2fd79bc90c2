"""The run's notes in the report's language, split into what limits the findings (warnings,
shown at the top) and how the sweep ran (its own section).

A run's ``notes`` are English lines the sweep, ``listen`` and ``import`` write (ScanRun JSON
keeps them as they are). Each known form is matched here and retold in English or Chinese
(the ``how_*`` and ``warn_*`` keys of :mod:`scanner.reporters.i18n`); a note of an unknown
form is shown as written, under "How the sweep ran". Skipped ARP also limits the findings: a
device known only by its MAC address (an iris reader's vendor block) is then missed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.compare.labels import Lang
from scanner.models import ScanRun
from scanner.normalize import clean_text
from scanner.reporters.i18n import t

#: (pattern, i18n key, limits the findings?)
_FORMS: tuple[tuple[re.Pattern[str], str, bool], ...] = tuple(
    (re.compile(pattern), key, warning)
    for pattern, key, warning in (
        (r"^discovery: arp on (?P<iface>\S+) \((?P<net>[^)]*)\): (?P<n>\d+) answered$",
         "how_arp", False),
        (r"^discovery: ipv6 all-nodes echo on (?P<iface>\S+): (?P<n>\d+) answered$",
         "how_nd", False),
        (r"^discovery: multicast (?P<probes>.+) on (?P<iface>\S+) \((?P<net>[^)]*)\)$",
         "how_multicast", False),
        (r"^discovery: tcp-connect \(after ARP\)$", "how_tcp_after_arp", False),
        (r"^discovery: tcp-connect$", "how_tcp", False),
        (r"^discovery: passive (?P<s>[\d.]+) s on (?P<ifaces>.+): (?P<n>\d+) packets$",
         "how_passive_first", False),
        (r"^connections: (?P<n>\d+) attempts, (?P<m>\d+) probes served by their port "
         r"check's connection$", "how_connections", False),
        (r"^passive: (?P<what>.+): (?P<n>\d+) packets read, nothing sent$", "how_passive", False),
        (r"^passive: (?P<n>\d+) packets did not parse$", "how_unparsed", False),
        (r"^passive: (?P<n>\d+) packets dropped: (?P<kinds>.+)$", "how_dropped", False),
        (r"^passive: DNS queries of (?P<n>\d+) sources left out \(each asked over "
         r"(?P<m>\d+) names: a resolver or a computer, not a device\)$", "how_resolvers", False),
        (r"^passive: stopped reading: (?P<why>.+)$", "warn_stopped_reading", True),
        (r"^import: nmap (?P<file>.+): (?P<n>\d+) observations$", "how_import", False),
        (r"^ble \((?P<backend>[^)]*)\): (?P<n>\d+) devices from (?P<r>\d+) reports, "
         r"(?P<a>\d+) addresses \((?P<rot>\d+) devices with rotating private addresses, "
         r"grouped by payload\)$", "how_ble", False),
        (r"^ble \((?P<backend>[^)]*)\): .*device table full: (?P<n>\d+) least recently seen "
         r"dropped$", "warn_ble_full", True),
        (r"^tarpit: (?P<host>\S+) accepted connections on (?P<n>\d+) of (?P<m>\d+) ports and "
         r"on control port (?P<c>\d+), which no service uses; its open ports are not used as "
         r"evidence$", "warn_tarpit", True),
        (r"^early stop: (?P<n>\d+) hosts identified beyond doubt before every probe ran$",
         "warn_early_stop", True),
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RunNotes:
    warnings: list[str]
    how: list[str]


def retold(note: str, lang: Lang) -> tuple[str, bool]:
    """A note in ``lang`` and whether it limits the findings; unknown forms as written."""
    for pattern, key, warning in _FORMS:
        m = pattern.match(note)
        if m:
            return t(key, lang, **m.groupdict()), warning
    return note, False


def run_notes(run: ScanRun, lang: Lang) -> RunNotes:
    """The run's notes retold in ``lang``: warnings first, then how the sweep ran."""
    warnings: list[str] = []
    how: list[str] = []
    incomplete = set(run.why_incomplete())  # the incomplete-run notice at the top says those
    for note in run.notes:
        if note in incomplete:
            continue
        text, warning = retold(clean_text(note, 500), lang)
        (warnings if warning else how).append(text)
    arp = next((s for s in run.skipped if s.probe == "arp"), None)
    if arp is not None:
        warnings.append(t("warn_no_arp", lang, detail=clean_text(arp.detail, 200)))
    return RunNotes(warnings, how)
