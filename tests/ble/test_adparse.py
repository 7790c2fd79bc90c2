"""The advertisement parser on bytes: every field, the hostile shapes of catalogue cases
40-43, bounds, and properties (case 68: any bytes give a result; case 69: round trip)."""

from __future__ import annotations

import tracemalloc

from bumble.core import AdvertisingData
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.lab.ble import adbuild as ad
from scanner.probes.ble.adparse import (
    MAX_AD_BYTES,
    MAX_ENTRIES,
    MAX_NAME,
    MAX_PAYLOAD,
    Advert,
    advert_from_fields,
    parse_ad,
)

BASE = "-0000-1000-8000-00805f9b34fb"


def test_every_field_is_read_and_uuids_are_full_128_bit_lowercase() -> None:
    data = (
        ad.flags(0x06)
        + ad.name("IriShield-MK2120U")
        + ad.tx_power(-12)
        + ad.appearance(0x0941)
        + ad.raw(0x03, bytes.fromhex("2cfe0d18"))  # 16-bit list: 0xFE2C, 0x180D
        + ad.raw(0x05, bytes.fromhex("cdab3412"))  # 32-bit: 0x1234ABCD
        + ad.raw(0x07, bytes.fromhex("78563412efcdab89 6745 2301 efcd ab89".replace(" ", "")))
        + ad.manufacturer(0x004C, bytes.fromhex("1005"))
        + ad.raw(0x16, bytes.fromhex("2cfe0a1b2c"))
    )
    advert = parse_ad(data)
    assert advert.local_name == "IriShield-MK2120U"
    assert advert.name_complete
    assert advert.flags == 0x06
    assert advert.tx_power == -12
    assert advert.appearance == 0x0941
    assert advert.service_uuids == (
        "0000fe2c" + BASE,
        "0000180d" + BASE,
        "1234abcd" + BASE,
        "89abcdef-0123-4567-89ab-cdef12345678",
    )
    assert advert.manufacturer == ((0x004C, b"\x10\x05"),)
    assert advert.company_ids == (0x004C,)
    assert advert.service_data == (("0000fe2c" + BASE, b"\x0a\x1b\x2c"),)
    assert not advert.malformed


def test_complete_name_wins_over_shortened_and_scan_response_merges() -> None:
    adv = parse_ad(ad.flags() + ad.name("Lock", complete=False))
    rsp = parse_ad(ad.name("Lock 2000 Pro"))
    assert adv.local_name == "Lock"
    assert not adv.name_complete
    merged = adv.merged(rsp)
    assert merged.local_name == "Lock 2000 Pro"
    assert merged.flags == 0x06


def test_case40_zero_length_ends_parsing_and_padding_matches_reference() -> None:
    padded = ad.flags() + ad.name("Pad") + bytes(31 - 8)
    ours = parse_ad(padded)
    reference = AdvertisingData.from_bytes(padded)  # bumble's decoder
    assert ours.local_name == reference.get(AdvertisingData.COMPLETE_LOCAL_NAME) == "Pad"
    assert ours.flags == 0x06
    assert not ours.malformed
    after_zero = ad.flags() + b"\x00" + ad.name("ignored")
    assert parse_ad(after_zero).local_name is None  # early termination: the rest is not data


def test_case41_overlong_structure_is_dropped_and_earlier_ones_kept() -> None:
    advert = parse_ad(ad.flags() + ad.name("Kept") + b"\x1f\x09abcd")
    assert advert.local_name == "Kept"
    assert advert.flags == 0x06
    assert advert.malformed
    assert "runs past the end" in advert.problems[0]


def test_case42_manufacturer_data_without_company_id_is_skipped() -> None:
    for payload in (b"", b"\x4c"):
        advert = parse_ad(ad.name("x") + ad.raw(0xFF, payload))
        assert advert.manufacturer == ()
        assert advert.local_name == "x"
        assert advert.malformed


def test_case43_partial_uuids_are_ignored_whole_ones_kept() -> None:
    advert = parse_ad(
        ad.raw(0x05, bytes.fromhex("cdab3412") + b"\x01\x02")
        + ad.raw(0x07, bytes(16) + b"\x09")
        + ad.raw(0x03, b"\x0d\x18\x0f")
    )
    assert advert.service_uuids == (
        "1234abcd" + BASE,
        "00000000-0000-0000-0000-000000000000",
        "0000180d" + BASE,
    )
    assert len(advert.problems) == 3


def test_short_scalar_and_service_data_are_problems_not_crashes() -> None:
    advert = parse_ad(ad.raw(0x19, b"\x41") + ad.raw(0x0A, b"") + ad.raw(0x21, bytes(5)))
    assert advert.appearance is None
    assert advert.tx_power is None
    assert advert.service_data == ()
    assert advert.malformed


def test_hostile_names_are_inert_text() -> None:
    advert = parse_ad(ad.raw(0x09, b"\x1b[2Jevil\x07\xe2\x80\xae\xff\xfename"))
    assert advert.local_name is not None
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in advert.local_name)
    assert "\u202e" not in advert.local_name
    assert "evil" in advert.local_name


def test_oversized_input_and_lists_are_capped() -> None:
    records = b"".join(ad.manufacturer(i, bytes(200)) for i in range(100))
    advert = parse_ad(records[:MAX_AD_BYTES] + b"\x02\x01\x06" * 2000)
    assert len(advert.manufacturer) <= MAX_ENTRIES
    assert all(len(p) <= MAX_PAYLOAD for _, p in advert.manufacturer)
    assert advert.malformed
    assert any("cut at" in p for p in advert.problems)


def test_fields_from_an_os_stack_get_the_same_caps_and_forms() -> None:
    advert = advert_from_fields(
        local_name="Zhang\x00San\x1b[31m",
        manufacturer={0x004C: bytes(500), 70000: b"x"},
        service_uuids=["0000FE2C-0000-1000-8000-00805F9B34FB", "not-a-uuid", "180d"],
        service_data={"fe2c": b"\x01"},
        tx_power=300,
        appearance=0x0941,
    )
    assert advert.local_name == "ZhangSan[31m"
    assert advert.manufacturer == ((0x004C, bytes(MAX_PAYLOAD)),)
    assert advert.service_uuids == ("0000fe2c" + BASE, "0000180d" + BASE)
    assert advert.service_data == (("0000fe2c" + BASE, b"\x01"),)
    assert advert.tx_power is None
    assert advert.appearance == 0x0941
    assert advert.malformed  # the bad UUID is recorded


@settings(max_examples=300, deadline=500)
@given(st.binary(max_size=4096))
def test_case68_any_bytes_give_a_bounded_advert(data: bytes) -> None:
    tracemalloc.start()
    try:
        advert = parse_ad(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(advert, Advert)
    assert peak < 4 << 20
    assert len(advert.service_uuids) <= MAX_ENTRIES
    assert len(advert.manufacturer) <= MAX_ENTRIES
    assert advert.local_name is None or len(advert.local_name) <= MAX_NAME


VALID = ad.flags() + ad.name("Lock") + ad.uuids("180d", "fe2c") + ad.manufacturer(0x0CC2, b"\x85")


@settings(max_examples=300, deadline=500)
@given(st.integers(0, len(VALID) - 1), st.integers(0, 255), st.integers(0, len(VALID)))
def test_case68_mutated_valid_adverts_never_raise(pos: int, value: int, cut: int) -> None:
    mutated = bytearray(VALID)
    mutated[pos] = value  # rewrites a length, a type or a data octet
    for data in (bytes(mutated), bytes(mutated[:cut]), bytes(mutated) + VALID[:cut]):
        assert isinstance(parse_ad(data), Advert)


names = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-_", min_size=1, max_size=20
)
short_uuids = st.integers(1, 0xFFFF).map(lambda n: f"{n:08x}{BASE}")
long_uuids = st.uuids().map(str).filter(lambda u: not u.endswith(BASE))


@st.composite
def adverts(draw: st.DrawFn) -> Advert:
    uuids = draw(st.lists(short_uuids, max_size=4, unique=True)) + draw(
        st.lists(long_uuids, max_size=2, unique=True)
    )
    return Advert(
        local_name=draw(st.none() | names),
        name_complete=True,
        flags=draw(st.none() | st.integers(0, 255)),
        tx_power=draw(st.none() | st.integers(-127, 127)),
        appearance=draw(st.none() | st.integers(0, 0xFFFF)),
        manufacturer=tuple(
            draw(
                st.dictionaries(st.integers(0, 0xFFFF), st.binary(max_size=20), max_size=3)
            ).items()
        ),
        service_uuids=tuple(uuids),
        service_data=tuple(
            draw(st.dictionaries(short_uuids, st.binary(max_size=10), max_size=2)).items()
        ),
    )


@settings(max_examples=200, deadline=500)
@given(adverts())
def test_case69_parse_of_build_is_identity(advert: Advert) -> None:
    if advert.local_name is None:
        advert = Advert(**{**_fields(advert), "name_complete": False})
    assert parse_ad(ad.build(advert)) == advert


def _fields(advert: Advert) -> dict[str, object]:
    return {name: getattr(advert, name) for name in Advert.__slots__}


def test_names_are_cleaned_then_capped_at_64_characters() -> None:
    """A name may be 248 octets on the air; 64 characters of it are kept, counted
    after control and bidi characters are removed (so padding of controls buys no room)."""
    padded = "\x07\u202e" * 40 + "B" * 80  # 240 octets: 80 invisible characters, then 80 Bs
    assert len(padded.encode()) <= 248
    assert parse_ad(ad.name(padded)).local_name == "B" * MAX_NAME == "B" * 64
    long = advert_from_fields(local_name="N" * 248)  # the OS stack's decoded name, same cap
    assert long.local_name == "N" * 64
