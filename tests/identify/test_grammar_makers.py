"""Model grammars (a vendor file's ``models:``), the maker table (``makers:``) and vendor
attribution: a model or a maker named anywhere a device names it identifies the device."""

from __future__ import annotations

import pytest

from scanner.identify import identify
from scanner.identify.engine import Engine
from scanner.identify.signatures import parse_file
from scanner.models import Certainty, DeviceClass, Identification, Observation

VENDOR = """vendor: Acme
references:
  cat: "Acme catalogue: AC-2CD cameras, AC-7 recorders"
signatures:
  - id: acme.banner
    product: Acme web interface
    class: ip_camera
    references: [cat]
    rules:
      - certainty: medium
        when: {http.server: '^Acme-Webs$'}
    examples:
      - observe: {http.server: Acme-Webs}
models:
  - id: acme.camera-model
    product: Acme network camera
    class: ip_camera
    references: [cat]
    grammar: 'AC-2CD\\d{3,4}[A-Z0-9-]*'
    examples:
      - observe: {dhcp.hostname: AC-2CD2143-IS}
        extract: {model: AC-2CD2143-IS}
        confidence: 0.7
    counterexamples:
      - observe: {dhcp.hostname: XAC-2CD2143}
        why: inside a longer token
  - id: acme.short-model
    product: Acme doorbell
    class: video_doorbell
    references: [cat]
    grammar: 'D\\d{3}'
    context: 'ACME'
    examples:
      - observe: {http.title: ACME Doorbell D120}
        extract: {model: D120}
"""

MAKERS = """references:
  pen: "IANA Private Enterprise Numbers: 99999 Acme Security"
  ieee: "IEEE MA-L: Acme Security Co., Ltd."
  cat: "Acme catalogue"
  bio: "Biox catalogue: fingerprint readers only"
makers:
  - vendor: Acme
    class: ip_camera
    certainty: medium
    names: [Acme, Acme Security]
    domains: [acme-sec.com]
    enterprise: [99999]
    registrants: ['Acme Security Co., Ltd.']
    references: [pen, ieee, cat]
    examples:
      - observe: {onvif.manufacturer: ACME}
    counterexamples:
      - observe: {onvif.manufacturer: Acmetronics}
        why: another maker whose name starts with the same letters
"""
BIOX = """  - vendor: Biox
    class: fingerprint_reader
    registrants: ['Biox Ltd']
    references: [bio]
    examples:
      - observe: {mac.oui_vendor: Biox Ltd}
"""

GENERIC = """vendor: Unknown vendor
references:
  onvif: "ONVIF Core specification: scopes"
signatures:
  - id: generic.nvt
    product: ONVIF network video transmitter
    class: ip_camera
    generic: true
    references: [onvif]
    rules:
      - certainty: medium
        when: {onvif.scope: '(?i)^onvif://www\\.onvif\\.org/type/(?:video_encoder|Network_Video_Transmitter)$'}
    examples:
      - observe: {onvif.scope: onvif://www.onvif.org/type/Network_Video_Transmitter}
"""


def _engine(*texts: str) -> Engine:
    sigs = []
    for n, text in enumerate(texts):
        parsed, problems = parse_file(text, f"t{n}.yaml")
        assert problems == [], problems
        sigs += parsed.signatures
    return Engine(sigs)


def _best(engine: Engine, **fields: str) -> Identification | None:
    obs = [Observation("ip:10.0.0.9", k.replace("__", "."), v) for k, v in fields.items()]
    (device,) = identify(obs, engine)
    return device.best


@pytest.mark.parametrize(
    ("field", "value", "certainty"),
    [
        ("onvif.model", "AC-2CD2143-IS", Certainty.HIGH),
        ("upnp.model_name", "AC-2CD2143", Certainty.HIGH),
        ("snmp.sys_descr", "Acme AC-2CD2143-IS V5.5.0 build 180718", Certainty.HIGH),
        ("http.title", "AC-2CD2143-IS - Login", Certainty.HIGH),
        ("onvif.scope", "onvif://www.onvif.org/hardware/AC-2CD2143-IS", Certainty.HIGH),
        ("onvif.scope", "onvif://www.onvif.org/name/ACME%20AC-2CD2143", Certainty.HIGH),
        ("dhcp.hostname", "ac-2cd2143-is", Certainty.MEDIUM),
        ("mdns.instance", "ACME AC-2CD2143-IS - 123456", Certainty.MEDIUM),
    ],
)
def test_a_model_grammar_finds_the_model_wherever_a_device_names_it(
    field: str, value: str, certainty: Certainty
) -> None:
    best = _best(_engine(VENDOR), **{field.replace(".", "__"): value})
    assert best is not None
    assert (best.signature_id, best.certainty) == ("acme.camera-model", certainty)
    assert best.attribute("model") is not None
    assert best.evidence[0].field == field


@pytest.mark.parametrize(
    ("field", "value", "model"),
    [
        ("onvif.model", "DH-IPC-HFW1230S", "DH-IPC-HFW1230S"),
        ("snmp.sys_descr", "Acme DH-IPC-HDW2431T camera", "DH-IPC-HDW2431T"),
        ("http.title", "IPC-HFW1230S - web", "IPC-HFW1230S"),
    ],
)
def test_a_grammar_with_an_optional_prefix_keeps_the_prefix(
    field: str, value: str, model: str
) -> None:
    # The earliest token wins: a grammar that allows a brand prefix (Dahua's DH-) extracts the
    # model with it, not the shorter token after the prefix's separator.
    prefixed = (
        VENDOR
        + """  - id: acme.prefixed-model
    product: Acme camera with an optional brand prefix
    class: ip_camera
    references: [cat]
    grammar: '(?:DH-)?IPC-[A-Z]{2,5}\\d+[A-Z]*'
    examples:
      - observe: {onvif.model: DH-IPC-HFW1230S}
        extract: {model: DH-IPC-HFW1230S}
"""
    )
    best = _best(_engine(prefixed), **{field.replace(".", "__"): value})
    assert best is not None and best.signature_id == "acme.prefixed-model"
    assert best.attribute("model") == model


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("dhcp.hostname", "xac-2cd2143"),  # inside a longer token
        ("http.title", "BAC-2CD21"),
        ("http.title", "Doorbell D120"),  # short grammar without its context
    ],
)
def test_a_model_grammar_needs_a_whole_token_and_its_context(field: str, value: str) -> None:
    assert _best(_engine(VENDOR), **{field.replace(".", "__"): value}) is None


def test_a_short_grammar_matches_after_its_context_and_in_model_fields_without_it() -> None:
    engine = _engine(VENDOR)
    title = _best(engine, http__title="ACME Doorbell D120 login")
    assert title is not None and title.signature_id == "acme.short-model"
    model = _best(engine, onvif__model="D120")
    assert model is not None and model.device_class is DeviceClass.VIDEO_DOORBELL


def test_the_model_is_the_first_token_after_the_context_that_fits_the_grammar() -> None:
    # "ACME D120 and D130": D120, right after the brand, is the model, not the later D130.
    best = _best(_engine(VENDOR), http__title="ACME D120 and D130")
    assert best is not None and best.attribute("model") == "D120"


@pytest.mark.parametrize(
    "grammar",
    ["^AC-2CD$", "(AC)-2CD", "(?i)ac-2cd", "x*", "AC-(?=2CD)", "AC-[2"],
)
def test_bad_grammars_are_refused_with_a_line(grammar: str) -> None:
    text = VENDOR.replace("'AC-2CD\\d{3,4}[A-Z0-9-]*'", repr(grammar))
    _, problems = parse_file(text, "bad.yaml")
    assert any("grammar" in p.message for p in problems), problems


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("onvif.manufacturer", "ACME"),
        ("upnp.manufacturer", "Acme Security Co., Ltd."),
        ("snmp.sys_descr", "Linux acme-nvr 3.10 Acme NVR"),
        ("snmp.sys_object_id", "1.3.6.1.4.1.99999.1.1"),
        ("tls.subject", "CN=192.168.1.64,O=Acme Security,C=CN"),
        ("upnp.manufacturer_url", "http://www.acme-sec.com/"),
        ("upnp.device_type", "urn:acme-sec-com:device:IPC:1"),
        ("onvif.scope", "onvif://www.onvif.org/name/ACME%20Security%20IPC"),
        ("onvif.scope", "onvif://www.acme-sec.com/model/X1"),
    ],
)
def test_the_maker_table_names_the_vendor_from_maker_strings(field: str, value: str) -> None:
    best = _best(_engine(MAKERS), **{field.replace(".", "__"): value})
    assert best is not None
    assert (best.signature_id, best.vendor, best.certainty) == (
        "maker.acme",
        "Acme",
        Certainty.MEDIUM,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("onvif.manufacturer", "Acmetronics"),
        ("snmp.sys_descr", "Acmetronics switch"),
        ("snmp.sys_object_id", "1.3.6.1.4.1.999990.1"),
        ("mac.oui_vendor", "Acme Security Co., Ltd. Shenzhen"),
        ("onvif.scope", "onvif://www.onvif.org/name/Acmetronics"),
        ("onvif.scope", "onvif://www.onvif.org/location/Acme"),
    ],
)
def test_maker_strings_match_whole_names_only(field: str, value: str) -> None:
    assert _best(_engine(MAKERS), **{field.replace(".", "__"): value}) is None


def test_a_registrant_alone_claims_low_and_a_biometric_class_needs_a_catalogue() -> None:
    best = _best(_engine(MAKERS), mac__oui_vendor="acme security co., ltd.")
    assert best is not None and (best.vendor, best.confidence) == ("Acme", 0.4)
    _, problems = parse_file(MAKERS + BIOX, "m.yaml")
    assert any("biometric" in p.message for p in problems)
    fixed = BIOX + "    biometric_only_vendor: bio\n    prefix_certainty: medium\n"
    best = _best(_engine(MAKERS + fixed), mac__oui_vendor="Biox Ltd")
    assert best is not None and best.device_class is DeviceClass.FINGERPRINT_READER
    assert best.confidence == 0.7


def test_an_access_makers_registrant_claims_medium_only_with_its_catalogue() -> None:
    doors = (
        BIOX.replace("Biox", "Doorx")
        .replace("fingerprint_reader", "access_control")
        .replace("[bio]", "[door]")
    )
    refs = MAKERS.replace("makers:", '  door: "Doorx catalogue: door controllers only"\nmakers:')
    _, problems = parse_file(refs + doors + "    prefix_certainty: medium\n", "m.yaml")
    assert [p.message for p in problems] == [
        "a rule of vendor-prefix fields alone cannot claim access_control above low "
        "(unless access_only_vendor cites a catalogue of an access-control-only vendor)"
    ]
    fixed = doors + "    access_only_vendor: door\n    prefix_certainty: medium\n"
    best = _best(_engine(refs + fixed), mac__oui_vendor="Doorx Ltd")
    assert best is not None and (best.device_class, best.confidence) == (
        DeviceClass.ACCESS_CONTROL,
        0.7,
    )


def test_a_generic_class_claim_takes_the_vendor_of_the_devices_maker() -> None:
    # A maker known for many kinds of products: its name alone claims only the vendor (low).
    engine = _engine(MAKERS.replace("    certainty: medium\n", ""), GENERIC)
    best = _best(
        engine,
        onvif__scope="onvif://www.onvif.org/type/Network_Video_Transmitter",
        snmp__sys_object_id="1.3.6.1.4.1.99999.2",
    )
    assert best is not None
    assert (best.signature_id, best.vendor, best.device_class) == (
        "generic.nvt",
        "Acme",
        DeviceClass.IP_CAMERA,
    )
    assert {e.field for e in best.evidence} == {"onvif.scope", "snmp.sys_object_id"}
    assert best.attribute("vendor_from") == "maker.acme"


def test_a_generic_claim_alone_keeps_its_unknown_vendor() -> None:
    best = _best(_engine(GENERIC), onvif__scope="onvif://www.onvif.org/type/video_encoder")
    assert best is not None and best.vendor == "Unknown vendor"
