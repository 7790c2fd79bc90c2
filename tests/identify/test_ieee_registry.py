"""The IEEE registry table: longest-prefix lookups over MA-L, MA-M, MA-S and IAB, the table file
read as untrusted input, and the choice between the shipped table and the user's.

The expected registrants are rows of the IEEE CSV files (Debian ieee-data 20260625: oui.csv,
mam.csv, oui36.csv, iab.csv), quoted in ``IEEE_ROWS`` below.
"""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import pytest

from scanner.errors import InputError
from scanner.identify import derive, ieee, oui
from scanner.models import Observation

#: Real rows of the 2026-06-26 IEEE files (addresses shortened), one folder of the four CSVs.
IEEE_ROWS = {
    "oui.csv": [
        'MA-L,5803FB,"Hangzhou Hikvision Digital Technology Co.,Ltd.",No.555 Qianmo Road Hangzhou',
        "MA-L,8C1F64,IEEE Registration Authority,445 Hoes Lane Piscataway NJ US 08554",
        "MA-L,741AE0,IEEE Registration Authority,445 Hoes Lane Piscataway NJ US 08554",
    ],
    "mam.csv": [
        'MA-M,10DCB65,Milesight Taiwan,"10F., No. 87, Sec. 4, Chongxin Rd New Taipei City TW"',
        "MA-M,741AE09,Private,",
    ],
    "oui36.csv": [
        "MA-S,8C1F64F4B,JOREX LOREX INDIA PRIVATE LIMITED,Plot no 41 Greater Noida IN 201306",
        "MA-S,8C1F64734,ZKTECO EUROPE,CARRETERA DE FUENCARRAL 44 ALCOBENDAS MADRID ES 28108",
    ],
    "iab.csv": ["IAB,0050C2622,2N TELEKOMUNIKACE a.s.,Modranska 621 Prague  CZ 143 01"],
}
HEADER = "Registry,Assignment,Organization Name,Organization Address"


def write_ieee_dir(folder: Path, rows: dict[str, list[str]] | None = None) -> Path:
    """A folder holding the four IEEE CSV files (CRLF line ends, as the IEEE serves them)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in (rows or IEEE_ROWS).items():
        (folder / name).write_text("\r\n".join([HEADER, *lines]) + "\r\n", encoding="utf-8")
    return folder


@pytest.fixture
def no_user_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    oui.reload()
    yield tmp_path / "xdg" / "biosweep" / oui.TABLE_NAME
    oui.reload()


# ---------------------------------------------------------------- lookups in the shipped table


@pytest.mark.parametrize(
    ("mac", "registry", "block", "registrant"),
    [
        # MA-L, 24 bits
        (
            "58:03:fb:12:34:56",
            "MA-L",
            "58:03:fb:00:00:00/24",
            "Hangzhou Hikvision Digital Technology Co.,Ltd.",
        ),
        # MA-M, 28 bits: a camera maker's block (Milesight) and Bosch Security's
        ("10:dc:b6:5a:bc:de", "MA-M", "10:dc:b6:50:00:00/28", "Milesight Taiwan"),
        ("50:fa:cb:90:00:01", "MA-M", "50:fa:cb:90:00:00/28", "Bosch Security Systems"),
        # MA-S, 36 bits inside the IEEE's own 8C:1F:64 MA-L
        ("8c:1f:64:f4:b1:23", "MA-S", "8c:1f:64:f4:b0:00/36", "JOREX LOREX INDIA PRIVATE LIMITED"),
        ("8c:1f:64:73:40:01", "MA-S", "8c:1f:64:73:40:00/36", "ZKTECO EUROPE"),
        # IAB, 36 bits inside 00:50:C2
        ("00:50:c2:62:20:01", "IAB", "00:50:c2:62:20:00/36", "2N TELEKOMUNIKACE a.s."),
    ],
)
def test_the_longest_block_names_the_registrant(
    mac: str, registry: str, block: str, registrant: str, no_user_table: Path
) -> None:
    found = oui.block(mac)
    assert found is not None
    assert (found.registry, str(found), found.registrant) == (registry, block, registrant)
    assert oui.registrant(mac) == registrant


def test_an_unassigned_part_of_an_ma_s_parent_falls_back_to_the_ma_l(no_user_table: Path) -> None:
    # 8C:1F:64 is the IEEE's MA-L for MA-S blocks; FF:F is not assigned (2026-06-26).
    assert oui.registrant("8c:1f:64:ff:f1:00") == "IEEE Registration Authority"


def test_private_and_locally_administered_addresses_have_no_registrant(
    no_user_table: Path,
) -> None:
    assert oui.block("74:1a:e0:91:00:00") is not None  # MA-M 741AE09 is listed as "Private"
    assert oui.registrant("74:1a:e0:91:00:00") is None
    for mac in ("02:00:5e:10:00:01", "da:a1:19:12:34:56", "5a:03:fb:12:34:56"):
        assert oui.block(mac) is None and oui.registrant(mac) is None


def test_identify_derives_the_ma_m_registrant(no_user_table: Path) -> None:
    out = derive([Observation("mac:10:dc:b6:51:22:33", "mac.address", "10:dc:b6:51:22:33")])
    assert [o.value for o in out if o.field == "mac.oui_vendor"] == ["Milesight Taiwan"]


def test_blocks_of_a_registrant_span_every_registry(no_user_table: Path) -> None:
    hik = oui.blocks_of("hangzhou hikvision digital technology  co.,ltd.")
    assert len(hik) > 50 and {b.registry for b in hik} == {"MA-L"}
    assert "58:03:fb:00:00:00/24" in {str(b) for b in hik}
    found = oui.registrants_matching(re.compile(r"(?i)\bmilesight\b"))
    assert "Milesight Taiwan" in found
    assert {b.registry for blocks in found.values() for b in blocks} >= {"MA-L", "MA-M"}
    assert oui.blocks_of("No Such Maker Ltd") == ()
    assert "Private" not in oui.registrants_matching(re.compile("Private"))


def test_the_shipped_table_is_whole_dated_and_compact(no_user_table: Path) -> None:
    table = oui.table_in_use().table
    counts = {r.name: table.count(r.name) for r in ieee.REGISTRIES}
    assert counts["MA-L"] > 39_000 and counts["MA-M"] > 6_000
    assert counts["MA-S"] > 7_000 and counts["IAB"] == 4_575  # IAB closed in 2014
    assert table.date >= "2026-06-26"
    assert [s.file for s in table.sources] == [r.file for r in ieee.REGISTRIES]
    assert oui.SHIPPED.stat().st_size < 2 * 2**20
    assert oui.SHIPPED.is_relative_to(Path(oui.__file__).parent.parent)  # in the wheel


# ---------------------------------------------------------------- building and reading tables


def test_csv_folder_round_trips_through_the_table_file(tmp_path: Path) -> None:
    folder = write_ieee_dir(tmp_path / "ieee")
    os.utime(folder / "mam.csv", (1_780_000_000, 1_780_000_000))  # 2026-05-28, the newest
    for name in ("oui.csv", "oui36.csv", "iab.csv"):
        os.utime(folder / name, (1_700_000_000, 1_700_000_000))
    table = ieee.read_csv_dir(folder)
    assert table.date == "2026-05-28"
    assert {s.file: s.blocks for s in table.sources} == {
        "oui.csv": 3,
        "mam.csv": 2,
        "oui36.csv": 2,
        "iab.csv": 1,
    }
    path = tmp_path / "t.tsv.gz"
    path.write_bytes(ieee.dump(table))
    again = ieee.load(path)
    assert again == table
    assert ieee.read_date(path) == "2026-05-28"
    assert ieee.dump(table) == path.read_bytes()  # reproducible


@pytest.mark.parametrize(
    ("file", "line", "message"),
    [
        ("oui.csv", "MA-L,58O3FB,Someone,", "oui.csv:2: assignment '58O3FB' is not 6 hex digits"),
        ("mam.csv", "MA-L,10DCB65,Someone,", "mam.csv:2: registry 'MA-L' in the MA-M file"),
        ("oui36.csv", "MA-S,8C1F64F4B,\x07\t ,", "oui36.csv:2: assignment 8C1F64F4B has no"),
        ("iab.csv", "IAB,0050C2622", "iab.csv:2: expected 4 columns, got 2"),
    ],
)
def test_a_malformed_row_is_refused_with_its_line(
    tmp_path: Path, file: str, line: str, message: str
) -> None:
    rows = {**IEEE_ROWS, file: [line, *IEEE_ROWS[file]]}
    with pytest.raises(InputError, match=re.escape(message)):
        ieee.read_csv_dir(write_ieee_dir(tmp_path / "ieee", rows))


def test_registrant_names_are_cleaned_of_control_characters(tmp_path: Path) -> None:
    # The 2026 oui.csv has 45 names ending in a TAB; mam.csv one starting with "\t ".
    rows = {**IEEE_ROWS, "mam.csv": ['MA-M,70B3D51,"\t Evil\x1b[31m Corp\u202e\r\nX",']}
    (block,) = [
        b for b in ieee.read_csv_dir(write_ieee_dir(tmp_path, rows)).blocks if b.registry == "MA-M"
    ]
    assert block.registrant == "Evil[31m Corp X"


def test_a_missing_file_or_a_wrong_header_is_refused(tmp_path: Path) -> None:
    folder = write_ieee_dir(tmp_path / "ieee")
    (folder / "oui36.csv").unlink()
    with pytest.raises(InputError, match=r"no oui36\.csv.*standards-oui\.ieee\.org"):
        ieee.read_csv_dir(folder)
    (folder / "oui36.csv").write_text("Assignment,Name\n8C1F64F4B,X\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"oui36\.csv:1: not an IEEE registry CSV"):
        ieee.read_csv_dir(folder)
    (folder / "oui36.csv").write_bytes(HEADER.encode() + b"\nMA-S,8C1F64F4B,\xff\xfe,\n")
    with pytest.raises(InputError, match="not UTF-8"):
        ieee.read_csv_dir(folder)


def test_an_oversized_file_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ieee, "MAX_CSV_BYTES", 100)
    with pytest.raises(InputError, match="larger than"):
        ieee.read_csv_dir(write_ieee_dir(tmp_path))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not gzip at all", "unreadable"),
        (gzip.compress(b"# something else\n"), "not a biosweep-ieee-registry/1 table"),
        (gzip.compress(b"# biosweep-ieee-registry/1\nL\t5803fb\tX\n"), "no registry date"),
        (gzip.compress(b"# biosweep-ieee-registry/1\n# date: 2026-01-01\nL\t5803f\tX\n"), ":3: "),
        (gzip.compress(b"# biosweep-ieee-registry/1\n# date: 2026-01-01\nS\t5803fb\tX\n"), ":3: "),
        (
            gzip.compress(b"# biosweep-ieee-registry/1\n# date: 2026-01-01\nL\t5803fb\tA\x1bB\n"),
            ":3: ",
        ),
        (gzip.compress(b"# biosweep-ieee-registry/1\n# date: 2026-01-01\nL\t5803fb\t\n"), ":3: "),
    ],
)
def test_a_damaged_table_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "t.tsv.gz"
    path.write_bytes(content)
    with pytest.raises(InputError, match=re.escape(message)):
        ieee.load(path)


# ---------------------------------------------------------------- shipped table or the user's


def _user_table(path: Path, day: str, rows: dict[str, list[str]] | None = None) -> None:
    table = ieee.read_csv_dir(write_ieee_dir(path.parent / "src", rows), day=day)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ieee.dump(table))


def test_a_newer_user_table_is_used(no_user_table: Path) -> None:
    _user_table(no_user_table, "2099-01-01")
    oui.reload()
    assert oui.choose().describe() == f"IEEE registry 2099-01-01 ({no_user_table})"
    assert oui.registrant("10:dc:b6:51:00:00") == "Milesight Taiwan"
    assert oui.registrant("00:40:8c:12:34:56") is None  # the fixture has no Axis row


def test_an_older_or_damaged_user_table_is_ignored_and_said_so(no_user_table: Path) -> None:
    _user_table(no_user_table, "2001-01-01")
    oui.reload()
    assert oui.table_in_use().choice.shipped
    assert "older than the shipped one" in oui.table_in_use().note
    assert oui.registrant("00:40:8c:12:34:56") == "Axis Communications AB"
    no_user_table.write_bytes(
        gzip.compress(b"# biosweep-ieee-registry/1\n# date: 2099-01-01\nbad\n")
    )
    oui.reload()
    assert oui.table_in_use().choice.shipped
    assert oui.table_in_use().note.startswith(f"ignored {no_user_table}:3: not a registry row")
    assert oui.registrant("00:40:8c:12:34:56") == "Axis Communications AB"
