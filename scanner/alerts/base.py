"""Alerts: what changed for the worse since the last run, told to someone at once.

An :class:`Alert` carries the findings of a run that are new or changed since the previous
run of the site and at or above a severity (:func:`build_alert`). A :class:`Sender` delivers
it over one channel (webhook, e-mail, syslog; registry in :mod:`scanner.alerts`). Every text
that came from a device is cleaned of control characters before it goes into a message;
secrets are held in :class:`~scanner.config.Secret` and never appear in a message, a log
line or an error.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from scanner.compare.diff import at_least, diff_findings
from scanner.errors import BiosweepError
from scanner.models import SEVERITY_RANK, Device, Finding, ScanRun, Severity
from scanner.normalize import clean_text

ALERT_SCHEMA = "biosweep.alert/1"


class AlertError(BiosweepError):
    """A channel could not deliver an alert (after its retries); the message has no secret."""


@dataclass(frozen=True, slots=True)
class AlertItem:
    """One finding to tell about: ``change`` is ``new`` or ``changed``."""

    change: str
    finding: Finding
    device: Device | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    site: str | None
    run_id: str
    started_at: datetime
    items: tuple[AlertItem, ...]
    previous_run_id: str | None = None
    test: bool = False

    @property
    def severity(self) -> Severity:
        worst = max(
            (i.finding.severity for i in self.items),
            key=SEVERITY_RANK.__getitem__,
            default=Severity.INFO,
        )
        return worst

    def subject(self) -> str:
        """A one-line summary (e-mail subject, syslog message head)."""
        site = clean_text(self.site or "site", 80)
        if self.test:
            return f"[biosweep] test alert for {site}"
        n = len(self.items)
        return f"[biosweep] {self.severity.value}: {n} new or changed finding(s) at {site}"

    def payload(self) -> dict[str, Any]:
        """The JSON document a webhook receives (``biosweep.alert/1``)."""
        return {
            "schema": ALERT_SCHEMA,
            "test": self.test,
            "site": self.site,
            "run_id": self.run_id,
            "previous_run_id": self.previous_run_id,
            "started_at": self.started_at.isoformat(),
            "severity": self.severity.value,
            "findings": [_item_dict(i) for i in self.items],
        }

    def body(self) -> bytes:
        return json.dumps(self.payload(), ensure_ascii=True, sort_keys=True).encode("ascii")

    def lines(self) -> list[str]:
        """Plain text, one finding per line (e-mail body, syslog)."""
        if self.test:
            return ["This is a test alert from biosweep: this channel works."]
        return [item_line(i) for i in self.items]


def _device_dict(d: Device | None) -> dict[str, Any] | None:
    if d is None:
        return None
    best = d.best
    return {
        "id": clean_text(d.id, 200),
        "class": best.device_class.value if best else None,
        "vendor": clean_text(best.vendor, 200) if best else None,
        "product": clean_text(best.product, 200) if best else None,
        "ips": [clean_text(ip, 64) for ip in d.ips],
        "macs": list(d.macs),
    }


def _item_dict(i: AlertItem) -> dict[str, Any]:
    f = i.finding
    return {
        "change": i.change,
        "kind": f.kind.value,
        "severity": f.severity.value,
        "reason": f.reason or "",
        "device_id": clean_text(f.device_id, 200) if f.device_id else None,
        "registry_id": f.registry_id,
        "deployment": f.deployment,
        "why": clean_text(f.why, 1000),
        "device": _device_dict(i.device),
    }


def item_line(i: AlertItem) -> str:
    f, d = i.finding, i.device
    where = ", ".join([*(d.ips if d else ()), *(d.macs if d else ())][:3])
    what = f"{f.severity.value} {f.kind.value} ({i.change})"
    about = clean_text(f.device_id or f.registry_id or "-", 120)
    return clean_text(f"{what}: {about} {where}: {f.why}", 1000)


def build_alert(
    run: ScanRun, previous: ScanRun | None, floor: Severity = Severity.HIGH
) -> Alert | None:
    """The alert for ``run``: its findings new or changed since ``previous`` (all of them
    when there is no previous run) at or above ``floor``; None when there is nothing."""
    added, _removed, changed = diff_findings(previous.findings if previous else (), run.findings)
    devices = {d.id: d for d in run.devices}
    items = [AlertItem("new", f, devices.get(f.device_id or "")) for f in added]
    items += [AlertItem("changed", c.after, devices.get(c.after.device_id or "")) for c in changed]
    items = [i for i in items if at_least(i.finding.severity, floor)]
    if not items:
        return None
    return Alert(run.site, run.id, run.started_at, tuple(items), previous.id if previous else None)


def test_alert(site: str | None) -> Alert:
    """What ``--alert-test`` sends: no finding, marked as a test."""
    now = datetime.now(UTC)
    return Alert(site, f"test-{now:%Y%m%dT%H%M%SZ}", now, (), test=True)


class Sender(ABC):
    """One alert channel."""

    name: ClassVar[str]

    @abstractmethod
    def send(self, alert: Alert) -> str:
        """Deliver ``alert``; return a short receipt for the log. Raises AlertError."""

    @abstractmethod
    def describe(self) -> str:
        """Where alerts go, for logs (never a secret)."""
