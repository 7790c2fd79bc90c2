"""The lab's virtual BLE advertisers: what each one puts on the air, and the ground truth.

Two scenarios: ``site`` (an iris reader and a fingerprint lock among phones, earbuds, a watch
and a tracker) and ``hostile`` (the site plus a malformed advertiser, a spoofer, a flood of
random addresses and a 214-character name, for catalogue cases 40-43, 45 and 46 and the
64-character name cap).

Facts with a public source cite it: company identifiers from Bluetooth SIG Assigned Numbers
(as shipped in google/bumble ``bumble/company_ids.py``): 0x004C Apple, 0x0075 Samsung
Electronics, 0x0087 Garmin International, 0x0124 HID Global, 0x0CC2 Anker Innovations;
16-bit member UUIDs 0xFE2C Google (Fast Pair, Google Fast Pair spec "Provider Advertising
signal": service data 0xFE2C + 24-bit model id) and 0xFEED Tile (hbldh/bleak
``bleak/uuids.py``); appearance values from Assigned Numbers §2.6 (category << 6 |
subcategory: 0x0040 phone, 0x00C1 sports watch, 0x0708 access control / door lock, 0x0941
wearable audio / earbud); Apple Continuity message types 0x07 proximity pairing (AirPods) and
0x10 nearby info (phones) from furiousMAC/continuity ``messages/``; eufy Smart Lock Touch
T8520 (fingerprint) from bropat/eufy-security-client ``docs/supported_devices.md``, with the
``eufy T<code>`` BLE naming of Home Assistant's ``eufylife_ble`` matcher; IriTech IriShield
from iritech.com. Payload bytes past those facts, names and addresses are *illustrative*.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from scanner.lab.ble import adbuild as ad
from scanner.models import COLLECTOR_CLASSES, DeviceClass

Payload = Callable[[int], tuple[bytes, bytes]]  # TX power (dBm) → (advert, scan response)

#: address kinds (Core v5.4 Vol 6 Part B §1.3): rotation applies to the private ones
PUBLIC, STATIC, RPA, NRPA = "public", "static", "rpa", "nrpa"


@dataclass(frozen=True, slots=True)
class AdvertiserSpec:
    """One virtual advertiser. ``raw`` payloads (hostile ones) are injected as link-layer PDUs
    cycling through the list; others run a real bumble host that advertises ``payload``."""

    name: str
    truth: DeviceClass
    address: str
    kind: str
    payload: Payload | None = None
    raw: tuple[bytes, ...] = ()
    tx_power: int = -8
    distance: float = 3.0
    rotate_every: float | None = None
    interval: float = 0.1
    flood_rate: int = 0
    source: str = "illustrative"
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def collector(self) -> bool:
        return self.truth in COLLECTOR_CLASSES


def _iris(tx: int) -> tuple[bytes, bytes]:
    return ad.flags(0x06) + ad.name("IriShield-MK2120U") + ad.tx_power(tx), b""


def _fingerprint_lock(tx: int) -> tuple[bytes, bytes]:
    adv = ad.flags(0x06) + ad.appearance(0x0708) + ad.manufacturer(0x0CC2, b"\x85\x20\x01")
    return adv + ad.tx_power(tx), ad.name("eufy T8520")


def _android(tx: int) -> tuple[bytes, bytes]:
    adv = ad.flags(0x1A) + ad.appearance(0x0040) + ad.manufacturer(0x0075, b"\x42\x09\x01\x02")
    return adv + ad.tx_power(tx), ad.name("Zhang San's Galaxy S23")


def _iphone(tx: int) -> tuple[bytes, bytes]:
    nearby_info = bytes([0x10, 0x05, 0x01, 0x18, 0x3A, 0x9C, 0x51])
    return ad.flags(0x1A) + ad.manufacturer(0x004C, nearby_info) + ad.tx_power(tx), b""


def _airpods(tx: int) -> tuple[bytes, bytes]:
    proximity_pairing = bytes([0x07, 0x19, 0x01, 0x0E, 0x20, 0x2B, 0x99, 0x8F, 0x01]) + bytes(18)
    return ad.manufacturer(0x004C, proximity_pairing[:27]), b""


def _fastpair_buds(tx: int) -> tuple[bytes, bytes]:
    adv = ad.flags(0x06) + ad.service_data("fe2c", b"\x0a\x1b\x2c") + ad.tx_power(tx)
    return adv, ad.name("Li Si's Buds") + ad.appearance(0x0941)


def _watch(tx: int) -> tuple[bytes, bytes]:
    adv = ad.flags(0x06) + ad.appearance(0x00C1) + ad.manufacturer(0x0087, b"\x01\x02")
    return adv + ad.tx_power(tx), ad.name("Forerunner 265")


def _tile(tx: int) -> tuple[bytes, bytes]:
    return ad.flags(0x06) + ad.uuids("feed") + ad.service_data("feed", b"\x02\x00\x51"), b""


def _spoof(tx: int) -> tuple[bytes, bytes]:
    # a phone app copying a biometric vendor's company id and an iris reader's name (case 46)
    return ad.flags(0x06) + ad.manufacturer(0x0124, b"\x01") + ad.name("IriShield-MK2120U"), b""


#: Broken payloads cycled by the malformed advertiser (catalogue cases 40-43).
MALFORMED = (
    ad.flags() + b"\x00" + ad.name("tail-after-zero") + bytes(31 - 21),  # 40: early end
    ad.name("Lab Broken") + b"\x1f\x09abcd",  # 41: length past the end
    ad.name("Lab Broken") + ad.raw(0xFF, b"\x4c"),  # 42: manufacturer data, 1 octet
    ad.name("Lab Broken") + ad.raw(0x07, bytes(17)),  # 43: 128-bit list of 17 octets
)

#: A 214-character local name (an extended advert may carry 248 octets; the virtual link
#: passes it in one report): the scanner keeps 64 characters of it.
LONG_NAME = "Lab Long Name " + "x" * 200

SITE = (
    AdvertiserSpec("iris-reader", DeviceClass.IRIS_SCANNER, "e2:1e:15:00:00:01", STATIC,
                   _iris, tx_power=-12, distance=6.0, source="iritech.com IriShield (name)"),
    AdvertiserSpec("fingerprint-lock", DeviceClass.FINGERPRINT_READER, "f4:85:20:00:00:02",
                   STATIC, _fingerprint_lock, tx_power=-4, distance=4.0,
                   source="eufy-security-client supported_devices.md T8520; SIG 0x0CC2"),
    AdvertiserSpec("phone-android", DeviceClass.PHONE_PC, "4a:10:00:00:00:03", RPA, _android,
                   rotate_every=0.8, tags=("personal-name",)),
    AdvertiserSpec("phone-iphone", DeviceClass.PHONE_PC, "5b:20:00:00:00:04", RPA, _iphone,
                   rotate_every=1.0, source="furiousMAC/continuity nearby info (type 0x10)"),
    AdvertiserSpec("earbuds-airpods", DeviceClass.MEDIA, "6c:30:00:00:00:05", RPA, _airpods,
                   rotate_every=1.3, source="furiousMAC/continuity proximity pairing (0x07)"),
    AdvertiserSpec("earbuds-fastpair", DeviceClass.MEDIA, "7d:40:00:00:00:06", RPA,
                   _fastpair_buds, rotate_every=1.1, tags=("personal-name",),
                   source="Google Fast Pair spec: service data 0xFE2C + model id"),
    AdvertiserSpec("watch", DeviceClass.OTHER_IOT, "c7:50:00:00:00:07", STATIC, _watch,
                   source="SIG 0x0087 Garmin; appearance 0x00C1"),
    AdvertiserSpec("tracker", DeviceClass.OTHER_IOT, "1e:60:00:00:00:08", NRPA, _tile,
                   rotate_every=1.7, source="bleak uuids.py 0xFEED Tile"),
)  # fmt: skip

HOSTILE = (
    *SITE,
    AdvertiserSpec("malformed", DeviceClass.OTHER_IOT, "00:1b:ad:00:00:09", PUBLIC,
                   raw=MALFORMED, tags=("malformed",)),
    AdvertiserSpec("spoofer", DeviceClass.PHONE_PC, "d8:70:00:00:00:0a", STATIC, _spoof,
                   tags=("spoof",), source="catalogue case 46"),
    AdvertiserSpec("flooder", DeviceClass.OTHER_IOT, "00:70:00:00:00:0b", NRPA,
                   raw=(ad.flags(),), flood_rate=400, tags=("flood",)),
    AdvertiserSpec("long-name", DeviceClass.OTHER_IOT, "00:1b:ad:00:00:0c", PUBLIC,
                   raw=(ad.flags() + ad.name(LONG_NAME),), tags=("long-name",)),
)  # fmt: skip

SCENARIOS = {"site": SITE, "hostile": HOSTILE}
