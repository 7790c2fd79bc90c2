"""The site registry as types: a site, its authorised collector deployments and their devices.

A deployment carries what the Facial Recognition Measures (《人脸识别技术应用安全管理办法》,
CAC/MPS, in force 2025-06-01) and the PIPL (《个人信息保护法》) make a responsible site record:
the processor (operator) with its unified social credit code, where and in what kind of space
it collects, for what purpose and by which method (1:1 verification, 1:N identification),
the legal basis, signage, a non-biometric alternative, where data is stored and whether it
crosses the internet, retention, how many people are enrolled, and the filing with the
cyberspace administration (Measures Art. 15: once the face information stored reaches
100,000 people, within 30 working days), and the facts the law requires before processing:
separate consent where consent is the basis (PIPL Art. 29, Measures Art. 6) and the prior
personal-information protection impact assessment (PIPL Art. 55-56, Measures Art. 9). Those
two and the retention the purpose needs are optional keys, so registries written before them
stay valid. Devices carry any identifiers a sweep can see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from scanner.errors import InputError

SCHEMA = "biosweep.registry/1"
#: Facial Recognition Measures Art. 15: a processor whose stored face information *reaches*
#: 100,000 people files with the cyberspace administration (provincial level or above) within
#: 30 working days of the day it did (``enrolled >= threshold``).
DEFAULT_FILING_THRESHOLD = 100_000


class SpaceType(StrEnum):
    """Where a deployment collects. The private spaces are where no collector may be installed
    inside: the Facial Recognition Measures (Art. 13) name hotel rooms, public bathrooms,
    changing rooms and toilets for face recognition equipment; the Public Security Video
    Regulation (国务院令第799号, 2025) adds dormitory rooms, nursing rooms and fitting rooms for
    any image capture equipment (scanner/compare/statutes.yaml)."""

    PUBLIC_PLACE = "public_place"
    INTERNAL_MANAGEMENT = "internal_management"
    HOTEL_ROOM = "hotel_room"
    PUBLIC_BATHROOM = "public_bathroom"
    CHANGING_ROOM = "changing_room"
    TOILET = "toilet"
    DORMITORY = "dormitory"
    NURSING_ROOM = "nursing_room"
    FITTING_ROOM = "fitting_room"


PROHIBITED_SPACES = frozenset(
    set(SpaceType) - {SpaceType.PUBLIC_PLACE, SpaceType.INTERNAL_MANAGEMENT}
)


class Modality(StrEnum):
    VIDEO = "video"
    FACE = "face"
    FINGERPRINT = "fingerprint"
    PALM_VEIN = "palm_vein"
    IRIS = "iris"


BIOMETRIC_MODALITIES = frozenset(set(Modality) - {Modality.VIDEO})


class Method(StrEnum):
    """How collected data is processed: recording only, 1:1 verification, 1:N search."""

    NONE = "none"
    VERIFY = "1:1"
    IDENTIFY = "1:N"


class LegalBasis(StrEnum):
    """PIPL Art. 13 grounds for processing personal information."""

    CONSENT = "consent"
    CONTRACT = "contract"
    HR_MANAGEMENT = "hr_management"
    LEGAL_DUTY = "legal_duty"
    PUBLIC_HEALTH = "public_health"
    PUBLIC_INTEREST = "public_interest"
    PUBLIC_SECURITY = "public_security"
    OTHER_LAW = "other_law"


class Storage(StrEnum):
    ON_DEVICE = "on_device"
    LOCAL_SERVER = "local_server"
    CLOUD = "cloud"


class FilingStatus(StrEnum):
    FILED = "filed"
    PENDING = "pending"
    NOT_FILED = "not_filed"
    NOT_REQUIRED = "not_required"


class RegistryError(InputError):
    """The registry file is invalid; ``problems`` are ``file:line: path: message`` lines."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__((problems[0] if problems else "invalid registry") + more)


@dataclass(frozen=True, slots=True)
class Officer:
    name: str
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    address: str
    officer: Officer


@dataclass(frozen=True, slots=True)
class Operator:
    """The personal-information processor running a deployment."""

    name: str
    credit_code: str
    contact: str


@dataclass(frozen=True, slots=True)
class Filing:
    """The filing with the cyberspace administration. ``reached`` is the day the stored count
    reached the threshold (the deadline is computed from it); ``due`` an explicit deadline."""

    status: FilingStatus
    authority: str | None = None
    reference: str | None = None
    date: dt.date | None = None
    due: dt.date | None = None
    reached: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    """The personal-information protection impact assessment made before processing."""

    date: dt.date
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class RegisteredDevice:
    """One authorised device, with any identifiers a sweep can see.

    ``ble_name`` is descriptive only: a Bluetooth name can be copied by anyone, so it never
    matches a device on its own (SAFETY-CATALOGUE case 46).
    """

    id: str
    line: int
    mac: str | None = None
    ip: str | None = None
    serial: str | None = None
    uuid: str | None = None
    ble_address: str | None = None
    ble_name: str | None = None
    vendor: str | None = None
    model: str | None = None
    firmware: str | None = None
    ports: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class Deployment:
    id: str
    line: int
    operator: Operator
    location: str
    area: str
    space: SpaceType
    purpose: str
    method: Method
    modalities: tuple[Modality, ...]
    legal_basis: LegalBasis
    signage: bool
    alternative: bool
    storage: Storage
    crosses_internet: bool
    retention_days: int
    enrolled: int
    filing: Filing
    devices: tuple[RegisteredDevice, ...]
    #: 单独同意 obtained (True/False); None: the registry does not say.
    separate_consent: bool | None = None
    #: 个人信息保护影响评估; None: not recorded.
    pia: Assessment | None = None
    #: The longest retention the purpose needs (days), as the processor assessed it.
    purpose_retention_days: int | None = None

    @property
    def biometric(self) -> bool:
        return any(m in BIOMETRIC_MODALITIES for m in self.modalities)


@dataclass(frozen=True, slots=True)
class Registry:
    """A validated site registry; ``source`` names the file and ``digest`` its SHA-256."""

    site: Site
    deployments: tuple[Deployment, ...]
    filing_threshold: int = DEFAULT_FILING_THRESHOLD
    source: str = "site.yaml"
    digest: str = ""

    def devices(self) -> list[tuple[Deployment, RegisteredDevice]]:
        return [(dep, dev) for dep in self.deployments for dev in dep.devices]

    def describe(self) -> str:
        """How a run names the registry it was compared with: file name and SHA-256, never
        the folder it sits in (runs and reports travel; the operator's paths stay home)."""
        return registry_name(f"{self.source} sha256:{self.digest}" if self.digest else self.source)

    def deployment(self, deployment_id: str) -> Deployment | None:
        return next((d for d in self.deployments if d.id == deployment_id), None)


def registry_name(described: str) -> str:
    """``/home/li/site.yaml sha256:…`` as ``site.yaml sha256:…``: a run's registry named by
    file name and hash only (runs written before biosweep stopped recording the folder)."""
    path, sep, digest = described.partition(" sha256:")
    name = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return f"{name or path}{sep}{digest}"
