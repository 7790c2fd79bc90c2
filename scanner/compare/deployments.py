"""Findings about deployments themselves, from what the registry says about them.

Sources: the Facial Recognition Measures (《人脸识别技术应用安全管理办法》, CAC/MPS, in force
2025-06-01): Art. 6 separate consent where consent is the basis; Art. 8 face information
stays in the device and does not cross the internet unless a law or the person's separate
consent allows it, and is kept no longer than the purpose needs; Art. 9 an impact assessment
before processing; Art. 10 face recognition not the only way where other means serve the
purpose; Art. 13 signs in public places, and no equipment inside the private spaces of public
places (hotel rooms, public bathrooms, changing rooms, toilets; the Public Security Video
Regulation, 国务院令第799号, adds dormitory rooms, nursing and fitting rooms for any image
capture equipment: ``SpaceType``); Art. 15 filing (see
:mod:`scanner.compare.filing`). PIPL (《个人信息保护法》): Art. 19 retention, Art. 26 signs,
Art. 28-29 biometric information is sensitive and needs separate consent, Art. 55-56 the
impact assessment.
"""

from __future__ import annotations

import datetime as dt

from scanner.compare.build import make_finding
from scanner.compare.filing import filing_findings
from scanner.models import Finding, FindingKind, Reason, Severity
from scanner.registry.model import (
    PROHIBITED_SPACES,
    Deployment,
    LegalBasis,
    Method,
    Modality,
    Registry,
    SpaceType,
    Storage,
)

#: Words in a location that name a private space (the Measures' list ends in 等: "and the
#: like", so dormitories and showers are read the same way). Matched without case.
PRIVATE_WORDS = (
    "宾馆客房", "酒店客房", "客房", "卫生间", "洗手间", "厕所", "更衣室", "浴室", "淋浴",
    "宿舍", "寝室", "hotel room", "guest room", "toilet", "restroom", "washroom", "bathroom",
    "lavatory", "changing room", "locker room", "shower", "dormitory",
)  # fmt: skip
#: Bases under which a law, not the person, permits the processing ("法律、行政法规另有规定").
LAW_BASES = frozenset({LegalBasis.LEGAL_DUTY, LegalBasis.OTHER_LAW, LegalBasis.PUBLIC_SECURITY})
#: A finding to make: its kind, severity, reason and details.
_Made = tuple[FindingKind, Severity, Reason, dict[str, str]]


def private_word(dep: Deployment) -> str | None:
    """The first private-space word in the deployment's location or area, if any."""
    text = f"{dep.location} {dep.area}".casefold()
    return next((w for w in PRIVATE_WORDS if w in text), None)


def _space(dep: Deployment, base: dict[str, str]) -> list[_Made]:
    out = []
    if dep.space in PROHIBITED_SPACES and dep.devices:
        details = base | {"space": dep.space.value}
        out.append(
            (FindingKind.PROHIBITED_SPACE, Severity.CRITICAL, Reason.PROHIBITED_SPACE, details)
        )
    elif dep.devices and (word := private_word(dep)) is not None:
        details = base | {"space": dep.space.value, "area": dep.area, "word": word}
        out.append(
            (FindingKind.SPACE_INCONSISTENT, Severity.HIGH, Reason.PRIVATE_SPACE_NAMED, details)
        )
    if dep.space == SpaceType.PUBLIC_PLACE and not dep.signage:
        out.append((FindingKind.MISSING_SIGNAGE, Severity.MEDIUM, Reason.MISSING_SIGNAGE, base))
    if dep.biometric and dep.method != Method.NONE and not dep.alternative:
        details = base | {"method": dep.method.value}
        out.append((FindingKind.NO_ALTERNATIVE, Severity.MEDIUM, Reason.NO_ALTERNATIVE, details))
    return out


def _consent(dep: Deployment, base: dict[str, str]) -> list[_Made]:
    """What the law requires before biometric processing: separate consent, an assessment."""
    out = []
    modalities = base | {"modalities": ", ".join(m.value for m in dep.modalities)}
    if dep.biometric and dep.legal_basis == LegalBasis.CONSENT and dep.separate_consent is not True:
        reason, severity = (
            (Reason.SEPARATE_CONSENT_MISSING, Severity.HIGH)
            if dep.separate_consent is False
            else (Reason.SEPARATE_CONSENT_NOT_RECORDED, Severity.MEDIUM)
        )
        out.append((FindingKind.NO_SEPARATE_CONSENT, severity, reason, modalities))
    if dep.biometric and dep.pia is None:
        out.append(
            (FindingKind.NO_IMPACT_ASSESSMENT, Severity.MEDIUM, Reason.PIA_NOT_RECORDED, modalities)
        )
    return out


def _storage(dep: Deployment, base: dict[str, str]) -> list[_Made]:
    """Face information off the device or across the internet, and retention past purpose."""
    out = []
    face = Modality.FACE in dep.modalities
    off_device = dep.storage != Storage.ON_DEVICE or dep.crosses_internet
    allowed = dep.separate_consent is True or dep.legal_basis in LAW_BASES
    if face and off_device and not allowed:
        internet = dep.crosses_internet or dep.storage == Storage.CLOUD
        reason, severity = (
            (Reason.FACE_CROSSES_INTERNET, Severity.HIGH)
            if internet
            else (Reason.FACE_OFF_DEVICE, Severity.MEDIUM)
        )
        details = base | {"storage": dep.storage.value, "legal_basis": dep.legal_basis.value}
        out.append((FindingKind.FACE_DATA_OFF_DEVICE, severity, reason, details))
    needed = dep.purpose_retention_days
    if needed is not None and dep.retention_days > needed:
        details = base | {"retention_days": str(dep.retention_days), "needed_days": str(needed)}
        details["face"] = "yes" if face else ""
        out.append(
            (
                FindingKind.RETENTION_BEYOND_PURPOSE,
                Severity.MEDIUM,
                Reason.RETENTION_BEYOND_PURPOSE,
                details,
            )
        )
    return out


def deployment_findings(
    registry: Registry, seen: dict[str, str], today: dt.date | None
) -> list[Finding]:
    """``seen`` maps registry device ids to the found device placed on them."""
    out: list[Finding] = []
    for dep in registry.deployments:
        first_seen = next((seen[d.id] for d in dep.devices if d.id in seen), None)
        base = {"deployment": dep.id, "location": dep.location}
        out += filing_findings(dep, registry.filing_threshold, today)
        for kind, severity, reason, details in (
            *_space(dep, base),
            *_consent(dep, base),
            *_storage(dep, base),
        ):
            out.append(make_finding(kind, severity, reason, details, first_seen, dep))
    return out
