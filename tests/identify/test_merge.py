"""How observations under different subjects become devices (scanner.identify.merge)."""

from __future__ import annotations

from scanner.identify.merge import device_id, group
from scanner.models import Observation


def obs(subject: str, field: str, value: str) -> Observation:
    return Observation(subject, field, value, "test")


def test_two_cameras_on_one_factory_default_address_stay_two_devices() -> None:
    groups = group(
        [
            obs("mac:44:19:b6:00:00:01", "ip.address", "192.168.1.64"),
            obs("ip:192.168.1.64", "http.server", "App-webs/"),
            obs("mac:44:19:b6:00:00:02", "ip.address", "192.168.1.64"),
        ]
    )
    subjects = sorted(sorted(s) for s, _ in groups)
    assert subjects == [
        ["ip:192.168.1.64", "mac:44:19:b6:00:00:01"],
        ["mac:44:19:b6:00:00:02"],
    ]


def test_one_mac_seen_twice_at_one_address_is_one_device() -> None:
    groups = group(
        [
            obs("mac:44:19:b6:00:00:01", "ip.address", "10.0.0.5"),
            obs("ip:10.0.0.5", "mac.address", "44:19:B6:00:00:01"),
            obs("ip:10.0.0.5", "tcp.open_port", "80"),
        ]
    )
    assert len(groups) == 1


def test_a_serial_still_joins_two_macs_of_one_device() -> None:
    groups = group(
        [
            obs("mac:44:19:b6:00:00:01", "sadp.serial", "DS-2CD0001"),
            obs("mac:44:19:b6:00:00:02", "sadp.serial", "DS-2CD0001"),
        ]
    )
    assert len(groups) == 1


def test_uuid_ids_name_the_uuid_once() -> None:
    subject = "udp:10.0.0.7"
    members = [obs(subject, "upnp.udn", "uuid:0f1e2d3c-0000-1000-8000-00805f9b34fb")]
    ((subjects, grouped),) = group(members)
    assert device_id(subjects, grouped) == "uuid:0f1e2d3c-0000-1000-8000-00805f9b34fb"


def test_an_upnp_udn_and_a_wsd_address_of_one_device_join() -> None:
    groups = group(
        [
            obs("ssdp:10.0.0.7", "upnp.udn", "uuid:0F1E2D3C-0000-1000-8000-00805F9B34FB"),
            obs("wsd:10.0.0.7", "wsd.endpoint", "urn:uuid:0f1e2d3c-0000-1000-8000-00805f9b34fb"),
        ]
    )
    assert len(groups) == 1
