"""The finding workflow: open → acknowledged → resolved, or filed (with the 12339 reference
and the date it was filed). State is kept per site and finding key (what the finding is
about: kind, reason, device, deployment, registry row), so it carries over from run to run;
a resolved finding that a later run finds again is open again."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from scanner.console import audit
from scanner.errors import InputError
from scanner.models import Finding
from scanner.normalize import clean_text
from scanner.store.backend import Tx
from scanner.store.codec import RunInfo, untext
from scanner.store.diff import finding_key

STATES = ("open", "acknowledged", "resolved", "filed")
#: Which state may follow which (anything may be reopened by an officer).
MOVES = {
    "open": ("acknowledged", "resolved", "filed"),
    "acknowledged": ("resolved", "filed", "open"),
    "resolved": ("open",),
    "filed": ("resolved", "open"),
}
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./_:-]{0,63}")


@dataclass(frozen=True, slots=True)
class State:
    state: str
    filed_ref: str | None
    filed_on: str | None
    note: str
    updated_at: str
    updated_by: str


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    finding: Finding
    state: State | None
    effective: str


def key(site: str, f: Finding) -> str:
    raw = "\x00".join((site, *finding_key(f))).encode("utf-8", "surrogateescape")
    return hashlib.sha256(raw).hexdigest()[:24]


def states(tx: Tx, site: str) -> dict[str, State]:
    rows = tx.execute(
        "SELECT finding_key, state, filed_ref, filed_on, note, updated_at, updated_by "
        "FROM console_finding_state WHERE site = ?",
        (site,),
    ).fetchall()
    return {
        untext(r[0]): State(untext(r[1]), untext(r[2]) or None, untext(r[3]) or None,
                            untext(r[4]), untext(r[5]), untext(r[6]))
        for r in rows
    }  # fmt: skip


def rows(tx: Tx, site: str, run: RunInfo, found: tuple[Finding, ...]) -> list[Row]:
    """The findings of ``run`` with their workflow state."""
    known = states(tx, site)
    out = []
    for f in found:
        k = key(site, f)
        st = known.get(k)
        effective = st.state if st else "open"
        if st and st.state == "resolved" and run.started_at.isoformat() > st.updated_at:
            effective = "open"  # found again after it was resolved
        out.append(Row(k, f, st, effective))
    return out


def _check_filing(reference: str, filed_on: str) -> tuple[str, str]:
    ref = clean_text(reference, 64)
    if not REFERENCE.fullmatch(ref):
        raise InputError("the 12339 reference: 1-64 letters, digits, spaces and . / _ : -")
    try:
        day = date.fromisoformat(filed_on.strip())
    except ValueError:
        raise InputError("the filing date: YYYY-MM-DD") from None
    if day > datetime.now(UTC).date():
        raise InputError("the filing date is in the future")
    return ref, day.isoformat()


def move(tx: Tx, actor: str, site: str, fkey: str, to: str, note: str = "",
         reference: str = "", filed_on: str = "") -> None:  # fmt: skip
    """Set the state of finding ``fkey`` of ``site``; InputError for a move the workflow does
    not allow or a filing without a valid reference and date."""
    if to not in STATES:
        raise InputError(f"state: one of {', '.join(STATES)}")
    current = states(tx, site).get(fkey)
    now_state = current.state if current else "open"
    if to not in MOVES[now_state]:
        raise InputError(f"a finding that is {now_state} cannot become {to}")
    ref, day = _check_filing(reference, filed_on) if to == "filed" else (None, None)
    text = clean_text(note, 500)
    tx.execute(
        "INSERT INTO console_finding_state (site, finding_key, state, filed_ref, filed_on, note, "
        "updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site, finding_key) "
        "DO UPDATE SET state = excluded.state, filed_ref = excluded.filed_ref, "
        "filed_on = excluded.filed_on, note = excluded.note, updated_at = excluded.updated_at, "
        "updated_by = excluded.updated_by",
        (site, fkey, to, ref, day, text, audit.now(), actor),
    )
    detail = f"{now_state} -> {to}" + (f", 12339 {ref} filed {day}" if ref else "")
    audit.record(
        tx, actor, "finding." + to, f"{site} {fkey}", detail + (f"; {text}" if text else "")
    )
