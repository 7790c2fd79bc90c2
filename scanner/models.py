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

    ``why`` is the plain-language explanation in English; ``reason`` (a stable code such as
    ``serial_differs``) and ``details`` (name, value pairs: what was expected and what was
    seen) let a report say the same thing in another language. ``deployment`` and
    ``registry_id`` name the registry rows the finding is about.
    """

    kind: FindingKind
    severity: Severity
    device_id: str | None
    why: str
    expected: str | None = None
    reason: str = ""
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

    def why_incomplete(self) -> list[str]:
        """Why the run is incomplete (its notes that say so), first thing a reader must see."""
        return [n for n in self.notes if n.startswith((INCOMPLETE, INTERRUPTED))]
