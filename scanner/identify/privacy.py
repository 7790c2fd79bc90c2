"""Bystander privacy after identification: names are kept for collectors only.

Identification needs what devices call themselves (a DHCP host name ``axis-accc8e…``, an mDNS
instance ``HIKVISION DS-2CD2143G2-I - …``, the cloud names a camera looks up), so the probes
and the passive listener observe names of every device. The same fields carry the names of
people's phones and PCs (``Zhang-San-iPhone``, ``zhangsans-macbook.local``, the sites a laptop
visits). Personal information protection (PIPL Art. 6, collection limited to the minimum
necessary; SAFETY-CATALOGUE case 67) therefore means, once devices are identified:

- a device that is **not a collector** loses every name-like observation (:data:`NAME_FIELDS`,
  ``mdns.txt.*``) from the run, the saved observations and the history, and the value of any
  identification evidence that rested on one is replaced by :data:`WITHHELD` (its extracted
  attributes go with it: they were read from the name). Service types, vendor classes, ports,
  banners and addresses stay: they say what a product is, not whose it is;
- a **collector** keeps them: they identify the device and help find it on site.

BLE devices get the same treatment from :func:`scanner.probes.ble.privacy.apply_policy`
(hashed ids, no address, name or payload); :func:`apply_policy` runs both, BLE first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from scanner.models import Device, Identification
from scanner.probes.ble import privacy as ble_privacy

WITHHELD = ble_privacy.WITHHELD
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
    """The BLE policy, then names withheld from every device that is not a collector."""
    return [d if d.is_collector else withhold_names(d) for d in ble_privacy.apply_policy(devices)]


def withhold_names(device: Device) -> Device:
    """The device without name-like observations, and with their evidence values withheld."""
    kept = tuple(o for o in device.observations if not is_name_field(o.field))
    idents = tuple(_withhold(i) for i in device.identifications)
    if kept == device.observations and idents == device.identifications:
        return device
    return replace(device, observations=kept, identifications=idents)


def _withhold(ident: Identification) -> Identification:
    if not any(is_name_field(e.field) for e in ident.evidence):
        return ident
    evidence = tuple(
        replace(e, value=WITHHELD) if is_name_field(e.field) else e for e in ident.evidence
    )
    return replace(ident, evidence=evidence, attributes=())
