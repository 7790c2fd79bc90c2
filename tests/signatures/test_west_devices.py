"""Whole-database checks for the European and American video makers, doorbells, intercoms and
the standards' class evidence: a device described the way it announces itself
(ONVIF, UPnP, SNMP, HomeKit, Matter, WS-Discovery) gets the right class and maker, and the
same makers' printers, speakers, phones and network gear are never called collectors."""

from __future__ import annotations

import pytest

from scanner.identify import default_engine, identify
from scanner.models import COLLECTOR_CLASSES, DeviceClass, Identification, Observation


def _best(*pairs: tuple[str, str]) -> Identification | None:
    obs = [Observation("ip:10.0.0.9", field, value) for field, value in pairs]
    (device,) = identify(obs, default_engine())
    return device.best


@pytest.mark.parametrize(
    ("pairs", "cls", "vendor"),
    [
        (  # ONVIF discovery of a Bosch camera: type scope, maker, ordering code
            [
                ("onvif.scope", "onvif://www.onvif.org/type/Network_Video_Transmitter"),
                ("onvif.manufacturer", "Bosch"),
                ("onvif.model", "NDE-5503-AL"),
            ],
            DeviceClass.IP_CAMERA,
            "Bosch",
        ),
        (  # a Wisenet camera that names only its maker and the ONVIF type
            [
                ("wsd.type", "dn:NetworkVideoTransmitter"),
                ("onvif.manufacturer", "Hanwha Vision"),
            ],
            DeviceClass.IP_CAMERA,
            "Hanwha",
        ),
        (
            [("upnp.model_name", "AXIS Q6155-E"), ("upnp.manufacturer", "AXIS")],
            DeviceClass.IP_CAMERA,
            "Axis",
        ),
        (
            [("onvif.scope", "onvif://www.onvif.org/hardware/FD9387-HTV")],
            DeviceClass.IP_CAMERA,
            "Vivotek",
        ),
        ([("onvif.model", "2.0C-H5A-D1")], DeviceClass.IP_CAMERA, "Avigilon"),
        ([("onvif.model", "WV-S2136L")], DeviceClass.IP_CAMERA, "Panasonic"),
        (
            [("snmp.sys_descr", "Meraki MV12W Cloud Managed Smart Camera")],
            DeviceClass.IP_CAMERA,
            "Meraki",
        ),
        ([("http.title", "MOBOTIX M16 Camera")], DeviceClass.IP_CAMERA, "Mobotix"),
        ([("upnp.model_name", "2N IP Verso 2.0")], DeviceClass.VIDEO_DOORBELL, "2N"),
        ([("mdns.txt.md", "AVD2001")], DeviceClass.VIDEO_DOORBELL, "Arlo"),
        (  # HomeKit: Netatmo's indoor camera names itself 'Welcome'; category 17
            [
                ("mdns.service_type", "_hap._tcp.local."),
                ("mdns.txt.md", "Welcome"),
                ("mdns.txt.ci", "17"),
            ],
            DeviceClass.IP_CAMERA,
            "Netatmo",
        ),
        (  # Matter commissionable node, device type 322 Camera, on a Logitech block
            [
                ("mdns.service_type", "_matterc._udp.local."),
                ("mdns.txt.dt", "322"),
                ("mac.address", "88:c6:26:12:34:56"),
            ],
            DeviceClass.IP_CAMERA,
            "Logitech",
        ),
        ([("snmp.sys_object_id", "1.3.6.1.4.1.24149.1")], DeviceClass.VMS_SERVER, "Milestone"),
        ([("http.server", "BlueIris-HTTP/1.1")], DeviceClass.VMS_SERVER, "Blue Iris"),
    ],
)
def test_a_device_gets_its_class_and_maker(
    pairs: list[tuple[str, str]], cls: DeviceClass, vendor: str
) -> None:
    best = _best(*pairs)
    assert best is not None
    assert best.device_class is cls
    assert vendor.lower() in best.vendor.lower()
    assert best.confidence >= 0.5


@pytest.mark.parametrize(
    "pairs",
    [
        [
            ("upnp.model_name", "AXIS C1004-E Network Cabinet Speaker"),
            ("upnp.manufacturer", "AXIS"),
        ],
        [("telnet.banner", "Grandstream GXV3275 Shell Command. Username:")],
        [("http.server", "Grandstream GXP2020 1.2.5.3"), ("mac.address", "00:0b:82:12:34:56")],
        [
            ("snmp.sys_descr", "Meraki MR46E Cloud Managed AP"),
            ("snmp.sys_object_id", "1.3.6.1.4.1.29671.2.1"),
        ],
        [
            ("snmp.sys_descr", "Canon iR-ADV C5535 III"),
            ("snmp.sys_object_id", "1.3.6.1.4.1.1602.4.7"),
        ],
        [("upnp.manufacturer", "Sony Corporation"), ("upnp.model_name", "KD-55X85J")],
        [("upnp.manufacturer", "Panasonic"), ("dhcp.hostname", "KX-TGP600")],
        [("mdns.txt.md", "Netatmo Relay"), ("mdns.txt.ci", "9")],
        [("mac.address", "1c:4d:66:8c:96:8a"), ("ble.company_id", "0x0171")],
        [("mdns.service_type", "_googlecast._tcp.local."), ("mdns.txt.md", "Google Nest Mini")],
        [("snmp.sys_descr", "Honeywell PM43;P10.14.014620")],
        [("upnp.model_name", "RTH9585WF"), ("upnp.manufacturer", "Honeywell")],
        [("mdns.service_type", "_matterc._udp.local."), ("mdns.txt.dt", "321")],
        [("wsd.type", "tds:Device"), ("onvif.scope", "onvif://www.onvif.org/Profile/G")],
        [("upnp.model_name", "EPSON ET-M2140 Series")],
        [("dhcp.vendor_class", "udhcp 1.30.1")],
        [("dhcp.vendor_class", "dhcpcd-8.1.2:Linux-5.10.0:armv7l:BCM2835")],
        [("dhcp.vendor_class", "MSFT 5.0")],
    ],
)
def test_the_same_makers_other_products_are_not_collectors(pairs: list[tuple[str, str]]) -> None:
    best = _best(*pairs)
    assert best is None or best.confidence < 0.5 or best.device_class not in COLLECTOR_CLASSES
