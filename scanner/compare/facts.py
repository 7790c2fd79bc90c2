"""What compare needs to know about a found device, read from its observations once.

Strong identifiers first: serials (Hikvision SADP, Dahua DHIP, UPnP ``serialNumber``, ONVIF
``GetDeviceInformation``), UUIDs (UPnP UDN, WS-Discovery endpoint reference), MAC and BLE
addresses. Then what a device says it is (vendor, model, firmware) and its open ports.
:data:`IDENTITY_FIELDS` are the observations a saved run keeps so that compare gives the same
answer on a run read back from JSON as on a live one.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from dataclasses import dataclass

from scanner.compare.certainty import prefix_basis
from scanner.compare.labels import device_name, plain_name
from scanner.models import Device, DeviceClass

SERIAL_FIELDS = ("sadp.serial", "dhip.serial", "upnp.serial", "onvif.serial")
UUID_FIELDS = ("upnp.udn", "wsd.endpoint")
FIRMWARE_FIELDS = ("onvif.firmware",)
#: Model strings as devices report them (SADP's description and DHIP's device type are the
#: model, e.g. ``DS-2CD2143G2-I`` and ``IPC-HFW2431S-S-S2``; ``sadp.device_type`` is a number).
MODEL_FIELDS = (
    "onvif.model", "upnp.model_name", "sadp.device_description", "dhip.device_type",
    "zk.device_name", "hid.model",
)  # fmt: skip
PORT_FIELDS = ("tcp.open_port",)
IDENTITY_FIELDS = frozenset(
    (*SERIAL_FIELDS, *UUID_FIELDS, *FIRMWARE_FIELDS, *MODEL_FIELDS, *PORT_FIELDS)
)


def canonical_uuid(raw: str) -> str:
    """A UUID in one spelling (``uuid:``/``urn:uuid:`` dropped, lower case); other text as is."""
    text = raw.strip().lower().removeprefix("urn:").removeprefix("uuid:")
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text


def canonical(value: str) -> str:
    """Serials compare without case or spaces."""
    return "".join(value.split()).casefold()


def same_model(a: str, b: str, vendors: tuple[str, ...] = ()) -> bool:
    """Model strings agree when equal without case, punctuation and a leading vendor name
    (UPnP says ``AXIS P3245-LVE`` where mDNS says ``P3245-LVE``); a different suffix
    (``DS-2CD2143G2-I`` against ``-IU``) is a different model."""
    names = [re.sub(r"[^0-9a-z]", "", v.split()[0].casefold()) for v in vendors if v.split()]

    def key(model: str) -> str:
        text = re.sub(r"[^0-9a-z]", "", model.casefold())
        for name in names:
            if name and text.startswith(name) and len(text) > len(name):
                text = text[len(name) :]
        return text

    return key(a) == key(b)


@dataclass(frozen=True, slots=True)
class Facts:
    """A found device as compare sees it."""

    id: str
    macs: frozenset[str]
    ips: tuple[str, ...]
    serials: frozenset[str]
    serial: str | None
    uuids: frozenset[str]
    ble: frozenset[str]
    vendor: str | None
    model: str | None
    firmware: str | None
    ports: frozenset[int]
    device_class: DeviceClass | None
    product: str | None
    collector: bool
    #: ``mac_prefix``/``ble_company`` when the identification rests on a vendor prefix only
    prefix_only: str | None = None
    #: The vendor comes from a cross-vendor (generic) signature: it names no one vendor.
    generic: bool = False

    @property
    def strong(self) -> bool:
        return bool(self.macs or self.serials or self.uuids or self.ble)

    @property
    def ip(self) -> str | None:
        """The IPv4 address if there is one (a person looks for that), else the first IP."""
        v4 = [ip for ip in self.ips if ipaddress.ip_address(ip).version == 4]
        return next(iter(v4 or self.ips), None)

    @property
    def address(self) -> str:
        """The address a person would look for: IP, else MAC, else BLE, else the id."""
        return self.ip or next(iter((*sorted(self.macs), *sorted(self.ble))), self.id)

    @property
    def label(self) -> str:
        """Vendor and model where known, else the product a signature named, in plain words
        (a signature's asides, such as how it recognised the device, are left out)."""
        if self.vendor and self.model:
            return f"{plain_name(self.vendor)} {self.model}"
        if self.product:
            return device_name(self.vendor or "", self.product)
        return plain_name(self.vendor or "") or self.model or ""


def facts(device: Device) -> Facts:
    def values(fields: tuple[str, ...]) -> list[str]:
        return [o.value for o in device.observations if o.field in fields and o.value]

    best = device.best
    extracted = [i.attribute("model") for i in device.identifications]
    model = next((m for m in extracted if m), None) or next(iter(values(MODEL_FIELDS)), None)
    ports = {int(p) for p in values(PORT_FIELDS) if p.isascii() and p.isdigit()}
    return Facts(
        id=device.id,
        macs=frozenset(m.lower() for m in device.macs),
        ips=device.ips,
        serials=frozenset(canonical(s) for s in values(SERIAL_FIELDS)),
        serial=next(iter(values(SERIAL_FIELDS)), None),
        uuids=frozenset(canonical_uuid(u) for u in values(UUID_FIELDS)),
        ble=frozenset(b.lower() for b in device.ble),
        vendor=best.vendor if best else None,
        model=model,
        firmware=next(iter(values(FIRMWARE_FIELDS)), None),
        ports=frozenset(ports),
        device_class=best.device_class if best else None,
        product=best.product if best else None,
        collector=device.is_collector,
        prefix_only=prefix_basis(device),
        generic=best.generic if best else False,
    )
