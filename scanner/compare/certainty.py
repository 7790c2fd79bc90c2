"""How sure compare may be of what a device is: severity follows the evidence.

An identification resting on nothing but a vendor prefix (the IEEE registrant of the MAC
block, a BLE company id: :data:`VENDOR_PREFIX_FIELDS`) says who made the network interface.
For a biometrics-only vendor the signature database lets such a block claim the modality at
``medium`` (signatures/README.md, "Certainty"), but nothing about the device itself was seen:
a finding about it is *suspected* (疑似, to be verified on site) and never ``critical``.
"""

from __future__ import annotations

from scanner.identify.signatures import VENDOR_PREFIX_FIELDS
from scanner.models import BIOMETRIC_CLASSES, Device, DeviceClass, Severity

#: What a prefix-only identification rests on: a MAC block, or a BLE company id.
MAC_PREFIX, BLE_COMPANY = "mac_prefix", "ble_company"


def prefix_basis(device: Device) -> str | None:
    """:data:`MAC_PREFIX` or :data:`BLE_COMPANY` when every piece of evidence of the device's
    best identification is a vendor prefix; None when anything else was seen."""
    best = device.best
    if best is None or not best.evidence:
        return None
    fields = {e.field for e in best.evidence}
    if not fields <= VENDOR_PREFIX_FIELDS:
        return None
    return BLE_COMPANY if fields == {"ble.company_id"} else MAC_PREFIX


def collector_severity(device_class: DeviceClass | None, basis: str | None) -> Severity:
    """How serious an unexplained collector of this class is: ``critical`` for a biometric
    class, else ``high``; ``high`` at most when the class rests on a vendor prefix only."""
    if device_class in BIOMETRIC_CLASSES and basis is None:
        return Severity.CRITICAL
    return Severity.HIGH
