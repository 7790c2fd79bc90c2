"""Bystander privacy after identification: one stage, for Bluetooth LE and for names.

Identification needs what devices say about themselves: what a BLE device advertises (its
addresses, local name, manufacturer and service payloads), what a network device calls itself
(a DHCP host name ``axis-accc8e…``, an mDNS instance ``HIKVISION DS-2CD2143G2-I - …``, the
cloud names a camera looks up). The same fields carry what belongs to people: the addresses
and names of their phones, earbuds and watches, ``Zhang-San-iPhone``,
``zhangsans-macbook.local``, the sites a laptop visits. Personal information protection
(PIPL Art. 6, collection limited to the minimum necessary; SAFETY-CATALOGUE cases 45, 46, 67)
therefore means, once devices are identified, for every device that is **not a collector**:

- a BLE device keeps only its site-scoped hash (:mod:`scanner.probes.ble.privacy`): its raw
  ``ble:`` subjects and addresses go, and so do the observations of :data:`BLE_PRIVATE`;
  company ids, service UUIDs and appearance stay (what a product is, not whose it is);
- every device loses its name-like observations (:data:`NAME_FIELDS`, ``mdns.txt.*``); service
  types, vendor classes, ports, banners and addresses stay;
- evidence that rested on a withheld field keeps its field, with the value :data:`WITHHELD`,
  and the identification's extracted attributes go (they were read from that value).

A **collector** keeps everything: it identifies the device and helps find it on site. This
runs between identify and compare, once per run (:func:`scanner.identify.run.package_run`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from scanner.models import Device, Identification
from scanner.probes.ble.privacy import HASH_PREFIX

WITHHELD = "(withheld: not a collector)"
#: BLE fields that can identify a person's device: never kept for a non-collector.
BLE_PRIVATE = frozenset(
    {"ble.address", "ble.local_name", "ble.manufacturer_data", "ble.service_data"}
)
#: Fields that can carry a person's name, or what a person does (the names a device looks up).
NAME_FIELDS = frozenset(
    {
        "ip.hostname",
        "mdns.instance",
        "mdns.hostname",
        "dhcp.hostname",
        "dns.query",
        "upnp.friendly_name",
    }
)
NAME_PREFIXES = ("mdns.txt.",)


def is_name_field(field: str) -> bool:
    return field in NAME_FIELDS or field.startswith(NAME_PREFIXES)


def apply_policy(devices: Iterable[Device]) -> list[Device]:
    """Every device that is not a collector without its personal data; collectors unchanged."""
    return [
        d if d.is_collector else withhold_names(redact(d) if _is_ble(d) else d) for d in devices
    ]


def redact(device: Device) -> Device:
    """The BLE device as a non-collector may be kept: hashed ids, no address, name or
    payload (its raw subjects, addresses and :data:`BLE_PRIVATE` observations and evidence)."""
    subjects = tuple(s for s in device.subjects if not _raw_ble(s))
    hashed = [s for s in subjects if s.startswith("ble:" + HASH_PREFIX)]
    device_id = device.id if not _raw_ble(device.id) else (hashed[0] if hashed else "ble:")
    return replace(
        device,
        id=device_id,
        subjects=subjects,
        ble=tuple(b for b in device.ble if b.startswith(HASH_PREFIX)),
        observations=tuple(
            o
            for o in device.observations
            if o.field not in BLE_PRIVATE or o.value.startswith(HASH_PREFIX)
        ),
        identifications=tuple(
            _withhold(i, BLE_PRIVATE.__contains__) for i in device.identifications
        ),
    )


def withhold_names(device: Device) -> Device:
    """The device without name-like observations, and with their evidence values withheld."""
    kept = tuple(o for o in device.observations if not is_name_field(o.field))
    idents = tuple(_withhold(i, is_name_field) for i in device.identifications)
    if kept == device.observations and idents == device.identifications:
        return device
    return replace(device, observations=kept, identifications=idents)


def _is_ble(device: Device) -> bool:
    return any(s.startswith("ble:") for s in device.subjects)


def _raw_ble(subject: str) -> bool:
    return subject.startswith("ble:") and not subject.startswith("ble:" + HASH_PREFIX)


def _withhold(ident: Identification, private: Callable[[str], bool]) -> Identification:
    """``ident`` with the value of each evidence on a ``private`` field withheld (and its
    extracted attributes dropped, since they were read from those values)."""
    if not any(private(e.field) for e in ident.evidence):
        return ident
    evidence = tuple(replace(e, value=WITHHELD) if private(e.field) else e for e in ident.evidence)
    return replace(ident, evidence=evidence, attributes=())
