"""Bystander privacy after identification (scanner.identify.privacy): a device that is not a
collector keeps no name-like observation or evidence value; a collector keeps its names;
BLE payloads of non-collectors go as before, service data included."""

from __future__ import annotations

from scanner.identify import identify
from scanner.identify.privacy import WITHHELD, apply_policy, is_name_field
from scanner.models import Certainty, Device, DeviceClass, Evidence, Identification, Observation

NAMES = [
    ("dhcp.hostname", "Zhang-San-iPhone"),
    ("mdns.instance", "Zhang San's MacBook"),
    ("mdns.hostname", "zhangsans-macbook.local"),
    ("mdns.txt.rpba", "ZHANGSAN"),
    ("dns.query", "zhangsan-clinic-booking.example.com"),
    ("ip.hostname", "zhangsan-pc.corp.example"),
    ("upnp.friendly_name", "Zhang San's TV"),
]


def printer() -> Device:
    """A non-collector identified by one of its names (the model in an mDNS instance)."""
    subject = "ip:10.0.0.8"
    obs = [Observation(subject, f, v) for f, v in NAMES]
    obs += [
        Observation(subject, "mdns.service_type", "_ipp._tcp.local"),
        Observation(subject, "ip.address", "10.0.0.8"),
    ]
    ident = Identification(
        signature_id="t.printer",
        vendor="T",
        product="printer",
        device_class=DeviceClass.PRINTER,
        confidence=0.7,
        certainty=Certainty.MEDIUM,
        rule=0,
        attributes=(("model", "Zhang San's MacBook"),),
        evidence=(
            Evidence("mdns.instance", ".*", "Zhang San's MacBook", subject, "mdns"),
            Evidence("mdns.service_type", ".*", "_ipp._tcp.local", subject, "mdns"),
        ),
    )
    return Device(
        subject, (subject,), ips=("10.0.0.8",), identifications=(ident,), observations=tuple(obs)
    )


def test_name_fields_are_the_listed_ones_and_every_txt_key() -> None:
    assert all(is_name_field(f) for f, _v in NAMES)
    assert not any(
        is_name_field(f) for f in ("mdns.service_type", "dhcp.vendor_class", "http.title")
    )


def test_a_non_collector_loses_its_names_and_the_evidence_values_that_were_names() -> None:
    (device,) = apply_policy([printer()])
    assert "Zhang" not in repr(device).replace(WITHHELD, "")
    assert {o.field for o in device.observations} == {"mdns.service_type", "ip.address"}
    (ident,) = device.identifications
    values = {e.field: e.value for e in ident.evidence}
    assert values == {"mdns.instance": WITHHELD, "mdns.service_type": "_ipp._tcp.local"}
    assert ident.attributes == ()  # they were read from the name


def test_a_collector_keeps_its_names() -> None:
    obs = [
        Observation("ip:10.0.1.164", "mdns.instance", "HIKVISION DS-2CD2722FWD-IZS - 733050075"),
        Observation("ip:10.0.1.164", "dhcp.hostname", "HIKVISION-CAM"),
    ]
    (camera,) = apply_policy(identify(obs))
    assert camera.is_collector
    assert {o.value for o in camera.observations} >= {"HIKVISION-CAM"}
    assert camera.best is not None and camera.best.attribute("model") == "DS-2CD2722FWD-IZS"


def test_ble_service_data_of_a_non_collector_is_withheld() -> None:
    subject = "ble:h-00000000000000aa"
    obs = [
        Observation(subject, "ble.company_id", "0x004c"),
        Observation(subject, "ble.service_data", "0000fe95-0000-1000-8000-00805f9b34fb:3020aa"),
    ]
    (device,) = apply_policy(identify(obs))
    assert not device.is_collector
    assert all(o.field != "ble.service_data" for o in device.observations)
