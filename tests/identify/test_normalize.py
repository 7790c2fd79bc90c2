"""Values are normalised where they are made, and untrusted text is made inert."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.errors import InputError
from scanner.normalize import MAX_TEXT, clean_text, normalize


@pytest.mark.parametrize(
    ("field", "raw", "want"),
    [
        ("mac.address", "00-40-8C-AA-BB-CC", "00:40:8c:aa:bb:cc"),
        ("mac.address", "0040.8caa.bbcc", "00:40:8c:aa:bb:cc"),
        ("ble.company_id", "0x0E25", "0x0e25"),
        ("ble.company_id", "3621", "0x0e25"),
        ("ble.service_uuid", "FE95", "0000fe95-0000-1000-8000-00805f9b34fb"),
        (
            "ble.service_uuid",
            "0000FE95-0000-1000-8000-00805F9B34FB",
            "0000fe95-0000-1000-8000-00805f9b34fb",
        ),
        ("tcp.open_port", "0554", "554"),
        ("tcp.open_port", "554/tcp", "554"),
        ("http.server", "  Hikvision-Webs\r\n", "Hikvision-Webs"),
        ("telnet.banner", "Welcome\r\n\x1b[2Jlogin:", "Welcome [2Jlogin:"),
        (
            "http.favicon_md5",
            "89B932FCC47CF4CA3FAADB0CFDEF89CF",
            "89b932fcc47cf4ca3faadb0cfdef89cf",
        ),
        ("dns.query", "LiteDev.EZVIZlife.com.", "litedev.ezvizlife.com"),
        ("snmp.sys_object_id", ".1.3.6.1.4.1.39165.1.1", "1.3.6.1.4.1.39165.1.1"),
        ("homekit.category", "017", "17"),
        ("ble.service_data", "FE95:3020AA", "0000fe95-0000-1000-8000-00805f9b34fb:3020aa"),
        ("ble.manufacturer_data", "0x4C:0215", "0x004c:0215"),
        ("upnp.friendly_name", "Lobby\x00 camera\r\n", "Lobby camera"),
    ],
)
def test_normalize(field: str, raw: str, want: str) -> None:
    assert normalize(field, raw) == want


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("mac.address", "00:40:8c"),
        ("ble.company_id", "0x1ffff"),
        ("tcp.open_port", "99999"),
        ("ble.service_uuid", "xyz"),
        ("dns.query", "evil..example.com"),
        ("dns.query", "a" * 64 + ".com"),
        ("dns.query", "x" * 250 + ".com"),
        ("dns.query", "<script>.com"),
        ("snmp.sys_object_id", "3.6.1"),
        ("snmp.sys_object_id", "1." + ".".join(["1"] * 70)),
        ("homekit.category", "-1"),
        ("homekit.category", "70000"),
        ("ble.service_data", "fe95:" + "00" * 65),
        ("ble.service_data", "fe95:zz"),
        ("ble.manufacturer_data", "0x004c"),
    ],
)
def test_impossible_values_are_input_errors(field: str, raw: str) -> None:
    with pytest.raises(InputError):
        normalize(field, raw)


def test_bidi_override_and_c1_controls_are_removed() -> None:
    assert clean_text("cam\u202eera\u009b\x00") == "camera"


@given(st.text(max_size=5000))
def test_clean_text_is_bounded_and_has_no_controls(raw: str) -> None:
    out = clean_text(raw)
    assert len(out) <= MAX_TEXT
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in out)
