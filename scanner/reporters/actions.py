"""What the officer should do about each finding: one recommended action, named in the
report's language (the texts are :mod:`scanner.reporters.i18n`'s ``act_*`` keys).

The actions follow the 12339 guidance the package's cover page gives: a collector nobody
claims, or a registered one that seems swapped, is reported to the national security
authorities (hotline 12339, www.12339.gov.cn, the Ministry of State Security's official
account) and left as it is, since switching it off or opening it destroys evidence. Only a
registered collector in a space where collectors are prohibited is to be disconnected, by its
operator. Registry and compliance gaps go back to the operator with the article they rest on.
"""

from __future__ import annotations

from scanner.models import Finding, FindingKind, Severity

_BY_KIND: dict[FindingKind, str] = {
    FindingKind.IDENTITY_MISMATCH: "act_report_swap",
    FindingKind.CLASS_MISMATCH: "act_confirm_fix_registry",
    FindingKind.REGISTERED: "act_none",
    FindingKind.CHANGED: "act_confirm_change",
    FindingKind.REGISTERED_NOT_SEEN: "act_confirm_not_seen",
    FindingKind.FILING_OVERDUE: "act_file",
    FindingKind.PROHIBITED_SPACE: "act_disconnect",
    FindingKind.SPACE_INCONSISTENT: "act_check_space",
    FindingKind.MISSING_SIGNAGE: "act_signage",
    FindingKind.NO_ALTERNATIVE: "act_alternative",
    FindingKind.NO_SEPARATE_CONSENT: "act_consent",
    FindingKind.NO_IMPACT_ASSESSMENT: "act_pia",
    FindingKind.FACE_DATA_OFF_DEVICE: "act_keep_on_device",
    FindingKind.RETENTION_BEYOND_PURPOSE: "act_retention",
}


def action_key(finding: Finding) -> str:
    """The i18n key of the recommended action for ``finding``."""
    kind = finding.kind
    if kind is FindingKind.UNREGISTERED_COLLECTOR:
        # a face, fingerprint, palm or iris collector nobody registered: report it if unclaimed
        critical = finding.severity is Severity.CRITICAL
        return "act_confirm_or_report" if critical else "act_confirm_register"
    if kind is FindingKind.NEW_SINCE_LAST_RUN:
        # medium: new and unregistered; low: new but registered
        return "act_confirm_register" if finding.severity is Severity.MEDIUM else "act_none"
    if kind is FindingKind.GONE_SINCE_LAST_RUN:
        registered = finding.reason == "gone_registered"
        return "act_confirm_not_seen" if registered else "act_gone_unregistered"
    return _BY_KIND.get(kind, "act_confirm_owner")
