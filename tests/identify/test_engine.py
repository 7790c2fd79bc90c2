"""The identification engine: merging subjects, OUI derivation, ranking and evidence."""

from __future__ import annotations

from scanner.identify import derive, identify
from scanner.identify.engine import Engine
from scanner.identify.signatures import parse_file
from scanner.models import DeviceClass, Observation

DB = """vendor: Acme
references:
  r1: "Acme manual"
  ieee: "IEEE MA-L registry"
signatures:
  - id: acme.oui
    product: Acme device
    class: ip_camera
    references: [ieee]
    rules:
      - certainty: low
        when: {mac.oui_vendor: '^Axis Communications AB$'}
    examples:
      - observe: {mac.address: "00:40:8c:00:00:01"}
  - id: acme.camera
    product: Acme camera
    class: ip_camera
    references: [r1]
    rules:
      - certainty: medium
        when: {http.server: '^Acme-Webs$'}
      - certainty: high
        when:
          http.server: '^Acme-Webs$'
          sadp.device_description: '^(?P<model>AC-2CD\\w+)$'
    examples:
      - observe: {http.server: Acme-Webs}
  - id: acme.face
    product: Acme face terminal
    class: face_terminal
    references: [r1]
    rules:
      - certainty: high
        when: {sadp.device_description: '^(?P<model>AC-K1T\\w+)$'}
    examples:
      - observe: {sadp.device_description: AC-K1T671}
  - id: generic.camera
    product: network camera
    class: ip_camera
    generic: true
    references: [r1]
    rules:
      - certainty: medium
        when: {http.server: '^(?i).*webs$'}
    examples:
      - observe: {http.server: Other-Webs}
  - id: acme.ports
    product: Acme SDK
    class: nvr_dvr
    references: [r1]
    rules:
      - certainty: low
        when: {tcp.open_port: ['^8000$', '^554$']}
    examples:
      - observe: {tcp.open_port: [8000, 554]}
"""


def _engine() -> Engine:
    parsed, problems = parse_file(DB.replace("'^(?i).*webs$'", "'(?i)^.*webs$'"), "acme.yaml")
    assert problems == []
    return Engine(parsed.signatures)


def obs(subject: str, field: str, value: str) -> Observation:
    return Observation(subject, field, value, source="test")


def test_oui_vendor_is_derived_from_mac() -> None:
    out = derive([obs("ip:10.0.0.5", "mac.address", "00:40:8c:12:34:56")])
    assert [o.value for o in out if o.field == "mac.oui_vendor"] == ["Axis Communications AB"]


def test_locally_administered_mac_has_no_registrant() -> None:
    out = derive([obs("x", "mac.address", "02:40:8c:12:34:56")])
    assert not [o for o in out if o.field == "mac.oui_vendor"]


def test_arp_link_merges_mac_and_ip_subjects() -> None:
    devices = identify(
        [
            obs("mac:00:40:8c:12:34:56", "ip.address", "10.0.0.5"),
            obs("ip:10.0.0.5", "http.server", "Acme-Webs"),
            obs("ip:10.0.0.9", "http.server", "nginx"),
        ],
        _engine(),
    )
    assert len(devices) == 2
    cam = devices[0]
    assert cam.id == "mac:00:40:8c:12:34:56"
    assert set(cam.subjects) == {"mac:00:40:8c:12:34:56", "ip:10.0.0.5"}
    assert cam.macs == ("00:40:8c:12:34:56",) and cam.ips == ("10.0.0.5",)
    assert [i.signature_id for i in cam.identifications] == [
        "acme.camera",
        "generic.camera",
        "acme.oui",
    ]


def test_serial_links_two_subjects() -> None:
    devices = identify(
        [
            obs("sadp:1", "sadp.serial", "DS123"),
            obs("sadp:1", "sadp.device_description", "AC-K1T671"),
            obs("upnp:uuid-1", "upnp.serial", "DS123"),
        ],
        _engine(),
    )
    assert len(devices) == 1
    assert devices[0].id == "serial:ds123"


def test_conditions_of_a_rule_may_come_from_different_subjects_of_one_device() -> None:
    devices = identify(
        [
            obs("mac:00:40:8c:12:34:56", "ip.address", "10.0.0.5"),
            obs("ip:10.0.0.5", "http.server", "Acme-Webs"),
            obs("mac:00:40:8c:12:34:56", "sadp.device_description", "AC-2CD2142"),
        ],
        _engine(),
    )
    best = devices[0].best
    assert best is not None
    assert (best.signature_id, best.confidence, best.attribute("model")) == (
        "acme.camera",
        0.9,
        "AC-2CD2142",
    )
    assert {e.field for e in best.evidence} == {"http.server", "sadp.device_description"}


def test_rank_prefers_confidence_then_vendor_over_generic() -> None:
    (device,) = identify([obs("ip:1", "http.server", "Acme-Webs")], _engine())
    ranked = [(i.signature_id, i.confidence) for i in device.identifications]
    assert ranked == [("acme.camera", 0.7), ("generic.camera", 0.7)]


def test_each_signature_matches_once_with_its_best_rule() -> None:
    (device,) = identify(
        [
            obs("ip:1", "http.server", "Acme-Webs"),
            obs("ip:1", "sadp.device_description", "AC-2CD1"),
        ],
        _engine(),
    )
    ids = [i.signature_id for i in device.identifications]
    assert ids.count("acme.camera") == 1
    assert device.identifications[0].rule == 1


def test_list_condition_needs_every_value() -> None:
    eng = _engine()
    (one,) = identify([obs("ip:1", "tcp.open_port", "8000")], eng)
    (both,) = identify(
        [obs("ip:1", "tcp.open_port", "8000"), obs("ip:1", "tcp.open_port", "554")], eng
    )
    assert one.identifications == ()
    assert [i.signature_id for i in both.identifications] == ["acme.ports"]


def test_evidence_records_observation_and_pattern() -> None:
    (device,) = identify([obs("ip:1", "sadp.device_description", "AC-K1T671")], _engine())
    ident = device.identifications[0]
    assert ident.device_class is DeviceClass.FACE_TERMINAL
    (ev,) = ident.evidence
    assert (ev.field, ev.value, ev.subject, ev.source) == (
        "sadp.device_description",
        "AC-K1T671",
        "ip:1",
        "test",
    )
    assert ev.pattern.startswith("^(?P<model>")


def test_unknown_device_has_no_identification() -> None:
    (device,) = identify([obs("ip:1", "http.server", "Apache")], _engine())
    assert device.identifications == () and not device.is_collector


def test_memo_gives_same_answer_for_repeated_values() -> None:
    eng = _engine()
    first = identify([obs("ip:1", "http.server", "Acme-Webs")], eng)
    again = identify([obs("ip:2", "http.server", "Acme-Webs")], eng)
    assert [i.signature_id for i in first[0].identifications] == [
        i.signature_id for i in again[0].identifications
    ]


def test_uuid_links_upnp_and_ws_discovery_subjects() -> None:
    uuid = "uuid:4d454930-0000-1000-8000-5803fb123456"
    devices = identify(
        [
            obs("ssdp:10.0.0.5", "upnp.udn", uuid),
            obs("ssdp:10.0.0.5", "upnp.manufacturer", "Acme"),
            obs("wsd:1", "wsd.endpoint", uuid.upper()),
            obs("wsd:1", "ip.address", "10.0.0.5"),
        ],
        _engine(),
    )
    assert len(devices) == 1
    assert devices[0].ips == ("10.0.0.5",)
