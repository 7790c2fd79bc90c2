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


CAM_MAC = "48:ea:63:5a:c0:13"
CAM_LL = "fe80::4aea:63ff:fe5a:c013"  # its EUI-64 link-local address (RFC 4291 appendix A)


def test_neighbour_discovery_and_ws_discovery_of_one_camera_are_one_device() -> None:
    """A camera on a foreign subnet: ND saw its MAC at its link-local address; WS-Discovery an
    endpoint UUID at 192.168.1.13 whose XAddrs also name that link-local address."""
    nd = [obs(f"mac:{CAM_MAC}", "ip.address", CAM_LL)]
    wsd = [
        obs("ip:192.168.1.13", "ip.address", "192.168.1.13"),
        obs("ip:192.168.1.13", "ip.address", CAM_LL),
        obs("ip:192.168.1.13", "wsd.endpoint", "uuid:9a1c3d2e-0000-4000-8000-000000000013"),
    ]
    ((subjects, members),) = group(nd + wsd)
    assert set(subjects) == {f"mac:{CAM_MAC}", "ip:192.168.1.13"}
    assert device_id(subjects, members) == f"mac:{CAM_MAC}"


def test_a_link_local_address_formed_from_a_mac_links_to_that_mac() -> None:
    """No shared address: the ARP/SADP side saw the MAC, the other side only the EUI-64
    link-local address formed from it."""
    groups = group(
        [
            obs(f"mac:{CAM_MAC}", "ip.address", "10.0.0.13"),
            obs("ip:192.168.1.13", "ip.address", CAM_LL),
            obs("ip:192.168.1.13", "wsd.endpoint", "uuid:9a1c3d2e-0000-4000-8000-000000000013"),
        ]
    )
    assert len(groups) == 1


def test_a_link_local_address_never_joins_a_device_that_has_another_mac() -> None:
    groups = group(
        [
            obs(f"mac:{CAM_MAC}", "ip.address", "10.0.0.13"),
            obs("mac:44:19:b6:00:00:01", "ip.address", CAM_LL),  # another MAC claims it
        ]
    )
    assert len(groups) == 2


def test_privacy_and_global_addresses_derive_no_mac() -> None:
    from scanner.identify.merge import eui64_mac, link_local_of

    assert eui64_mac(CAM_LL) == CAM_MAC
    assert link_local_of(CAM_MAC) == CAM_LL
    assert eui64_mac("fe80::1c2d:3e4f:5a6b:7c8d") is None  # random interface id
    assert eui64_mac("2001:db8::4aea:63ff:fe5a:c013") is None  # not link-local
    assert eui64_mac("10.0.0.13") is None
