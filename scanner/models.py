"""Every type that crosses a pipeline stage.

Probes make :class:`Observation` and :class:`Skipped`; identify makes :class:`Device` with
:class:`Identification` and :class:`Evidence`; compare makes :class:`Finding`; the scan ties
them into a :class:`ScanRun`. All are frozen dataclasses so a stage can never edit what an
earlier stage produced; closed sets are enums whose values are the strings of the file formats
(signature YAML, JSON output) so they serialise without a mapping table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class DeviceClass(StrEnum):
    """What a device is. The first nine are collectors (see :data:`COLLECTOR_CLASSES`)."""

    IP_CAMERA = "ip_camera"
    NVR_DVR = "nvr_dvr"
    VIDEO_DOORBELL = "video_doorbell"
    FACE_TERMINAL = "face_terminal"
    FINGERPRINT_READER = "fingerprint_reader"
    PALM_VEIN = "palm_vein"
    IRIS_SCANNER = "iris_scanner"
    ACCESS_CONTROL = "access_control"
    BIOMETRIC_UNKNOWN = "biometric_unknown"
    VMS_SERVER = "vms_server"
    PRINTER = "printer"
    NETWORK_GEAR = "network_gear"
    NAS = "nas"
    MEDIA = "media"
    PHONE_PC = "phone_pc"
    OTHER_IOT = "other_iot"


VIDEO_CLASSES = frozenset({DeviceClass.IP_CAMERA, DeviceClass.NVR_DVR, DeviceClass.VIDEO_DOORBELL})
BIOMETRIC_CLASSES = frozenset(
    {
        DeviceClass.FACE_TERMINAL,
        DeviceClass.FINGERPRINT_READER,
        DeviceClass.PALM_VEIN,
        DeviceClass.IRIS_SCANNER,
        DeviceClass.BIOMETRIC_UNKNOWN,
    }
)
COLLECTOR_CLASSES = VIDEO_CLASSES | BIOMETRIC_CLASSES | {DeviceClass.ACCESS_CONTROL}


class Certainty(StrEnum):
    """How specific a rule's evidence is; maps to a numeric confidence.

    A model string or a vendor protocol answer is ``high``; a vendor-specific banner or favicon
    is ``medium``; a vendor prefix (OUI, BLE company id) or a generic keyword is ``low``.
    """

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def confidence(self) -> float:
        return _CONFIDENCE[self]


_CONFIDENCE = {Certainty.HIGH: 0.9, Certainty.MEDIUM: 0.7, Certainty.LOW: 0.4}


class SkipReason(StrEnum):
    """Why a probe did not run (or did not finish) on this scan."""

    NEEDS_ROOT = "needs_root"
    NO_ADAPTER = "no_adapter"
    MISSING_DEPENDENCY = "missing_dependency"
    NOT_IN_SCOPE = "not_in_scope"
    DISABLED = "disabled"
    TIMED_OUT = "timed_out"
    ERROR = "error"
    NOT_FOLLOWED = "not_followed"  # a target a device named, not contacted (and why)


class FindingKind(StrEnum):
    """What compare found when it set devices against the registry and the last run."""

    UNREGISTERED_COLLECTOR = "unregistered_collector"
    REGISTERED = "registered"
    REGISTERED_NOT_SEEN = "registered_not_seen"
    IDENTITY_MISMATCH = "identity_mismatch"
    CLASS_MISMATCH = "class_mismatch"
    CHANGED = "changed"
    FILING_OVERDUE = "filing_overdue"
    PROHIBITED_SPACE = "prohibited_space"
    SPACE_INCONSISTENT = "space_inconsistent"
    NEW_SINCE_LAST_RUN = "new_since_last_run"
    GONE_SINCE_LAST_RUN = "gone_since_last_run"
    MISSING_SIGNAGE = "missing_signage"
    NO_ALTERNATIVE = "no_alternative"
    NO_SEPARATE_CONSENT = "no_separate_consent"
    NO_IMPACT_ASSESSMENT = "no_impact_assessment"
    FACE_DATA_OFF_DEVICE = "face_data_off_device"
    RETENTION_BEYOND_PURPOSE = "retention_beyond_purpose"


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


#: Severities in order, least first: ``SEVERITY_RANK[a] >= SEVERITY_RANK[b]`` is "at least b".
SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class Reason(StrEnum):
    """Why compare made a finding: the stable code a finding's sentence is written from, in
    every language (:mod:`scanner.wording.why`; a test holds that each member has its English
    and its Chinese text). ``Finding.details`` carry the values the sentence names."""

    UNREGISTERED = "unregistered"
    REGISTERED = "registered"
    REGISTERED_IP_ONLY = "registered_ip_only"
    NOT_SEEN = "not_seen"
    SWAPPED = "swapped"
    IDENTIFIERS_DISAGREE = "identifiers_disagree"
    FIRMWARE_CHANGED = "firmware_changed"
    FIRMWARE_CHANGED_SINCE_LAST_RUN = "firmware_changed_since_last_run"
    PORTS_CHANGED = "ports_changed"
    PORTS_CHANGED_SINCE_LAST_RUN = "ports_changed_since_last_run"
    IP_CHANGED = "ip_changed"
    FILING_MISSING = "filing_missing"
    FILING_DUE = "filing_due"
    FILING_OVERDUE = "filing_overdue"
    FILING_PENDING = "filing_pending"
    FILING_PENDING_UNDATED = "filing_pending_undated"
    PROHIBITED_SPACE = "prohibited_space"
    PRIVATE_SPACE_NAMED = "private_space_named"
    MISSING_SIGNAGE = "missing_signage"
    NO_ALTERNATIVE = "no_alternative"
    SEPARATE_CONSENT_MISSING = "separate_consent_missing"
    SEPARATE_CONSENT_NOT_RECORDED = "separate_consent_not_recorded"
    PIA_NOT_RECORDED = "pia_not_recorded"
    FACE_CROSSES_INTERNET = "face_crosses_internet"
    FACE_OFF_DEVICE = "face_off_device"
    RETENTION_BEYOND_PURPOSE = "retention_beyond_purpose"
    NOT_A_COLLECTOR = "not_a_collector"
    MODALITY_MISMATCH = "modality_mismatch"
    NEW = "new"
    GONE_REGISTERED = "gone_registered"
    GONE_UNREGISTERED = "gone_unregistered"


@dataclass(frozen=True, slots=True)
class Observation:
    """One fact a probe saw: ``subject`` (``mac:…``, ``ip:…``, ``ble:…``) has ``field`` = ``value``.

    ``field`` is a name from ``signatures/vocab/fields.txt``; ``value`` is already normalised
    (see :mod:`scanner.normalize`). ``source`` names the probe or import that made it.
    """

    subject: str
    field: str
    value: str
    source: str = "input"
    seen_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A probe that could not run or finish here, with the reason and the fix."""

    probe: str
    reason: SkipReason
    detail: str
    target: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """One rule condition and the observation that satisfied it."""

    field: str
    pattern: str
    value: str
    subject: str
    source: str


@dataclass(frozen=True, slots=True)
class Identification:
    """A signature that matched one device, with the rule's evidence and extractions.

    ``generic`` marks a signature for a product family across vendors (a "Network Camera"
    banner); at equal confidence a vendor's own signature ranks above it.
    """

    signature_id: str
    vendor: str
    product: str
    device_class: DeviceClass
    confidence: float
    certainty: Certainty
    rule: int
    generic: bool = False
    attributes: tuple[tuple[str, str], ...] = ()
    evidence: tuple[Evidence, ...] = ()

    @property
    def is_collector(self) -> bool:
        return self.device_class in COLLECTOR_CLASSES

    def attribute(self, name: str) -> str | None:
        return next((v for k, v in self.attributes if k == name), None)


@dataclass(frozen=True, slots=True)
class Device:
    """One physical device: every subject and address observations linked to it.

    ``identifications`` are ranked best first (confidence, then specificity).
    """

    id: str
    subjects: tuple[str, ...]
    macs: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    ble: tuple[str, ...] = ()
    identifications: tuple[Identification, ...] = ()
    observations: tuple[Observation, ...] = ()

    @property
    def best(self) -> Identification | None:
        return self.identifications[0] if self.identifications else None

    @property
    def is_collector(self) -> bool:
        return self.best is not None and self.best.is_collector


@dataclass(frozen=True, slots=True)
class Finding:
    """Something the officer must know about one device (or one registry row).

    ``why`` is the plain-language explanation in English; ``reason`` (the code it was written
    from; None for a finding made elsewhere) and ``details`` let a report say the same thing in
    another language. ``details`` are (name, value) pairs with unique names (what was expected,
    what was seen: ``expected_serial``, ``serial``), in the order compare wrote them; they stay
    pairs rather than a dict so the finding stays frozen and hashable, and they are text
    because they are device data and registry text a sentence quotes. ``deployment`` and
    ``registry_id`` name the registry rows the finding is about.
    """

    kind: FindingKind
    severity: Severity
    device_id: str | None
    why: str
    expected: str | None = None
    reason: Reason | None = None
    deployment: str | None = None
    registry_id: str | None = None
    details: tuple[tuple[str, str], ...] = ()


#: Notes that make a run incomplete start with one of these: a source the user asked for that
#: could not run (``scanner.probes.sources``), or a sweep cut short (Ctrl-C, SIGTERM).
INCOMPLETE = "incomplete: "
INTERRUPTED = "interrupted: "


@dataclass(frozen=True, slots=True)
class ScanRun:
    """One run of the pipeline: what was asked, what was found, what could not be done."""

    id: str
    started_at: datetime
    finished_at: datetime | None
    tool_version: str
    signatures_version: str
    site: str | None = None
    operator: str | None = None
    scope: tuple[str, ...] = ()
    devices: tuple[Device, ...] = ()
    findings: tuple[Finding, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    complete: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: The site registry the devices were compared with (file name and SHA-256), if any.
    registry: str | None = None

    @property
    def interrupted(self) -> bool:
        """Stopped by Ctrl-C or a signal (not a source that could not run)."""
        return any(n.startswith(INTERRUPTED) for n in self.notes)

    def why_incomplete(self) -> list[str]:
        """Why the run is incomplete (its notes that say so), first thing a reader must see."""
        return [n for n in self.notes if n.startswith((INCOMPLETE, INTERRUPTED))]
