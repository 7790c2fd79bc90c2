"""The plain-language "why" of each finding, in English and Chinese.

A finding carries a ``reason`` code and ``details`` (what was expected, what was seen); this
module turns them into a sentence an officer can act on. Compare stores the English one in
``Finding.why``; reports call :func:`explain` for their language, so a run saved in JSON can
be reported in Chinese later (the Chinese sentences are :mod:`scanner.wording.why_zh`).
Details are device data (untrusted): callers escape the result for their format.
"""

from __future__ import annotations

from scanner.models import Finding, Reason
from scanner.wording.labels import FILING, METHODS, SPACES, STORAGE, Lang, label
from scanner.wording.phrases import (
    Text,
    cap,
    device,
    diffs,
    due_basis,
    matched_by,
    where,
)
from scanner.wording.why_zh import ZH

EN: dict[Reason, Text] = {
    Reason.UNREGISTERED: lambda d, lang: (
        f"{cap(device(d, lang))} at {d['address']} is not in the site registry. Every "
        "collector on this site must be registered with its processor, purpose, legal basis "
        "(such as separate consent) and filing: find out who installed it and what for."
    ),
    Reason.REGISTERED: lambda d, lang: (
        f"Registered as {d['registry_id']} ({where(d, lang)}), matched by {matched_by(d, lang)}."
    ),
    Reason.REGISTERED_IP_ONLY: lambda d, lang: (
        f"Registered as {d['registry_id']} ({where(d, lang)}), matched by IP address "
        f"{d['ip']} only: nothing seen contradicts it, but record the serial or MAC in the "
        "registry to make the match certain."
    ),
    Reason.NOT_SEEN: lambda d, lang: (
        f"Registered device {d['registry_id']} ({where(d, lang)}) was expected at "
        f"{d['expected_at']} but did not answer this sweep: it may be off, moved or removed. "
        "Check it on site."
    ),
    Reason.SWAPPED: lambda d, lang: (
        f"A different device answers at {d['ip']}, where registered device {d['registry_id']} "
        f"({where(d, lang)}) should be: {diffs(d, lang)}. The registered device may have "
        "been swapped."
    ),
    Reason.IDENTIFIERS_DISAGREE: lambda d, lang: (
        f"Matches registered device {d['registry_id']} ({where(d, lang)}) by "
        f"{matched_by(d, lang)}, but {diffs(d, lang)}. Identifiers that disagree suggest a "
        "copied identity or a replaced device."
    ),
    Reason.FIRMWARE_CHANGED: lambda d, lang: (
        f"Registered device {d['registry_id']} runs firmware {d['firmware']}; the registry "
        f"says {d['expected_firmware']}."
    ),
    Reason.FIRMWARE_CHANGED_SINCE_LAST_RUN: lambda d, lang: (
        f"Registered device {d['registry_id']}: firmware changed since the last sweep, from "
        f"{d['expected_firmware']} to {d['firmware']}."
    ),
    Reason.PORTS_CHANGED: lambda d, lang: (
        f"Registered device {d['registry_id']} has open ports {d['ports']}; the registry lists "
        f"{d['expected_ports']}."
    ),
    Reason.PORTS_CHANGED_SINCE_LAST_RUN: lambda d, lang: (
        f"Registered device {d['registry_id']}: open ports changed since the last sweep, from "
        f"{d['expected_ports']} to {d['ports']}."
    ),
    Reason.IP_CHANGED: lambda d, lang: (
        f"Registered device {d['registry_id']} answers at {d['ip']}, not at its registered "
        f"address {d['expected_ip']}."
    ),
    Reason.FILING_MISSING: lambda d, lang: (
        f"Deployment {d['deployment']} stores the face information of {d['enrolled']} people, "
        f"at or above the filing threshold of {d['threshold']}, and is not filed (registry: "
        f"{label(FILING, d['status'], lang)})"
        + (f"; filing was due by {d['due']}{due_basis(d, lang)}" if d.get("due") else "")
        + ". Facial Recognition Measures Art. 15: file with the cyberspace administration "
        "(provincial level or above) within 30 working days of reaching the threshold."
    ),
    Reason.FILING_DUE: lambda d, lang: (
        f"Deployment {d['deployment']} stores the face information of {d['enrolled']} people, "
        f"at or above the filing threshold of {d['threshold']}, and is not filed yet: it must "
        f"be filed by {d['due']}{due_basis(d, lang)} (Facial Recognition Measures Art. 15)."
    ),
    Reason.FILING_OVERDUE: lambda d, lang: (
        f"Deployment {d['deployment']} stores the face information of {d['enrolled']} people; "
        f"its filing was due by {d['due']}{due_basis(d, lang)} and is still pending "
        "(Facial Recognition Measures Art. 15)."
    ),
    Reason.FILING_PENDING: lambda d, lang: (
        f"Deployment {d['deployment']} stores the face information of {d['enrolled']} people; "
        f"its filing is pending and due by {d['due']}{due_basis(d, lang)}. Follow it up "
        "before then (Facial Recognition Measures Art. 15)."
    ),
    Reason.FILING_PENDING_UNDATED: lambda d, lang: (
        f"Deployment {d['deployment']} stores the face information of {d['enrolled']} people; "
        "its filing is pending, but the registry does not record when the count reached the "
        f"threshold of {d['threshold']} (filing.reached), so no deadline can be checked. "
        "Facial Recognition Measures Art. 15 allows 30 working days from that day."
    ),
    Reason.PROHIBITED_SPACE: lambda d, lang: (
        f"Deployment {d['deployment']} places collectors in a "
        f"{label(SPACES, d['space'], lang)} ({d['location']}): the Public Security Video "
        "Regulation forbids image capture equipment inside guest rooms, dormitory rooms and "
        "public bathrooms, toilets, changing, nursing and fitting rooms, and the Facial "
        "Recognition Measures (Art. 13) face recognition equipment inside hotel rooms, public "
        "bathrooms, changing rooms and toilets. Check on site at once."
    ),
    Reason.PRIVATE_SPACE_NAMED: lambda d, lang: (
        f"Deployment {d['deployment']} is recorded as a {label(SPACES, d['space'], lang)}, but "
        f'its location names a private space ("{d["word"]}": {d["location"]}; '
        f"{d['area']}). Check on site: no collection equipment may be installed inside hotel "
        "rooms, public bathrooms, changing rooms, toilets and like private spaces (Facial "
        "Recognition Measures Art. 13); correct the registry's space or location."
    ),
    Reason.MISSING_SIGNAGE: lambda d, lang: (
        f"Deployment {d['deployment']} collects in a public place ({d['location']}) without "
        "signage; PIPL Art. 26 requires prominent signs."
    ),
    Reason.NO_ALTERNATIVE: lambda d, lang: (
        f"Deployment {d['deployment']} uses biometric {label(METHODS, d['method'], lang)} with "
        "no non-biometric alternative; the Facial Recognition Measures (Art. 10) do not allow "
        "face recognition as the only way where other means serve the purpose."
    ),
    Reason.SEPARATE_CONSENT_MISSING: lambda d, lang: (
        f"Deployment {d['deployment']} processes biometric information ({d['modalities']}) on "
        "the basis of consent, and the registry says separate consent was not obtained. "
        "Sensitive personal information needs the person's separate consent (PIPL Art. 29; "
        "for faces, Facial Recognition Measures Art. 6)."
    ),
    Reason.SEPARATE_CONSENT_NOT_RECORDED: lambda d, lang: (
        f"Deployment {d['deployment']} processes biometric information ({d['modalities']}) on "
        "the basis of consent; whether separate consent was obtained is not recorded "
        "(separate_consent). PIPL Art. 29 (and for faces Facial Recognition Measures Art. 6) "
        "requires it: record it, or the missing consent."
    ),
    Reason.PIA_NOT_RECORDED: lambda d, lang: (
        f"Deployment {d['deployment']} processes biometric information ({d['modalities']}); no "
        "personal-information protection impact assessment is recorded (pia: date, "
        "reference). One is required before processing (PIPL Art. 55-56; for faces, Facial "
        "Recognition Measures Art. 9)."
    ),
    Reason.FACE_CROSSES_INTERNET: lambda d, lang: (
        f"Deployment {d['deployment']} stores face information "
        f"({label(STORAGE, d['storage'], lang)}) or sends it across the internet without the "
        "persons' separate consent recorded and without a legal duty as its basis. Facial "
        "Recognition Measures Art. 8: face information stays in the recognition device and is "
        "not transmitted over the internet unless a law or separate consent allows it."
    ),
    Reason.FACE_OFF_DEVICE: lambda d, lang: (
        f"Deployment {d['deployment']} stores face information "
        f"({label(STORAGE, d['storage'], lang)}) outside the recognition device without the "
        "persons' separate consent recorded and without a legal duty as its basis (Facial "
        "Recognition Measures Art. 8)."
    ),
    Reason.RETENTION_BEYOND_PURPOSE: lambda d, lang: (
        f"Deployment {d['deployment']} keeps data for {d['retention_days']} days, longer than "
        f"the {d['needed_days']} days its purpose needs (purpose_retention_days). Data may be "
        "kept only as long as the purpose requires (PIPL Art. 19"
        + ("; Facial Recognition Measures Art. 8)." if d.get("face") else ").")
    ),
    Reason.NOT_A_COLLECTOR: lambda d, lang: (
        f"Registered as collector {d['registry_id']} ({where(d, lang)}), but what answers "
        f"there is a {device(d, lang)}, not a collector. The registry row is wrong, or the "
        "collector was replaced: check on site and correct the registry."
    ),
    Reason.MODALITY_MISMATCH: lambda d, lang: (
        f"Registered as {d['registry_id']} ({where(d, lang)}, modalities {d['modalities']}), "
        f"but the device is a {device(d, lang)}: it can collect what the deployment does "
        "not declare. Record the modality (with its legal basis, consent and assessment) or "
        "remove the device."
    ),
    Reason.NEW: lambda d, lang: (
        f"{cap(device(d, lang))} at {d['address']} was not seen in the previous sweep "
        f"({d['previous']})."
    ),
    Reason.GONE_REGISTERED: lambda d, lang: (
        f"Registered {device(d, lang)} {d['registry_id']} ({where(d, lang)}) answered at "
        f"{d['address']} in the previous sweep ({d['previous']}, {d['last_seen']}) and is gone "
        "now: it may be off, moved or removed. Check it on site."
    ),
    Reason.GONE_UNREGISTERED: lambda d, lang: (
        f"Unregistered {device(d, lang)} at {d['address']}, seen in the previous sweep "
        f"({d['previous']}, {d['last_seen']}), is gone now. Confirm on site that it was "
        "removed, not moved or hidden."
    ),
}


def explain(finding: Finding, lang: Lang = "en") -> str:
    """The finding's "why" in ``lang``, written from its reason and details.

    Every reason has a sentence in both languages (tests/compare/test_compare.py checks the
    tables against :class:`Reason`). A finding with no reason, or read from a saved run whose
    details lack a value the sentence names (a file edited by hand), keeps the English text
    stored with it: a report never fails on one finding's wording.
    """
    if finding.reason is None:
        return finding.why
    text = (ZH if lang == "zh" else EN)[finding.reason]
    try:
        return text(dict(finding.details), lang)
    except KeyError:
        return finding.why
