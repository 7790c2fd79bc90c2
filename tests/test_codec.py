"""The one models <-> dict codec (:mod:`scanner.codec`): every field of every model survives
each form a run takes outside memory — the codec's dicts as JSON, the ScanRun JSON a sweep
prints and ``report``/``compare`` read back, and the history database.

Runs are drawn by hypothesis with every field set to any value the model allows (lone
surrogates included: undecodable device bytes are kept by ``surrogateescape``), so a field
added to a model and forgotten by the codec fails here. The JSON file is the one exception
by design, and narrowed explicitly: it keeps only the facts compare relies on, and its reader
treats the file as hostile (strings cleaned of control characters, lone surrogates replaced).
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from scanner import codec
from scanner.compare import IDENTITY_FIELDS
from scanner.errors import InputError
from scanner.models import (
    Certainty,
    Device,
    DeviceClass,
    Evidence,
    Finding,
    FindingKind,
    Identification,
    Observation,
    Reason,
    ScanRun,
    Severity,
    Skipped,
    SkipReason,
)
from scanner.reporters.jsonin import parse_scanrun
from scanner.reporters.jsonout import device_dict, scanrun_json
from scanner.store import Store

# No shrinking: a run is a deep tree and shrinking it takes minutes; a failure names the first
# field that differs instead (:func:`same`).
BOUNDED = settings(
    max_examples=150,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    deadline=None,  # a slow machine is not a failure; the sizes below bound the work
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ANY_TEXT = st.text(max_size=12)  # any code point, lone surrogates included
#: What a hostile-input reader keeps unchanged: printable, no surrounding space, no surrogate.
CLEAN_TEXT = st.text(
    st.characters(categories=["L", "N", "P", "S"], exclude_characters="\u2028\u2029"), max_size=12
)


#: Times naive, in UTC and at UTC+8 (ISO 8601 keeps the offset).
TIMES = st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=8))]))


def _optional(text: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    """None or a non-empty string: the forms write an absent value as null or ``""``."""
    return st.none() | text.filter(bool)


def _pairs(text: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[tuple[str, str], ...]]:
    """(name, value) pairs with unique names, as attributes and details are."""
    return st.dictionaries(text, text, max_size=3).map(lambda d: tuple(d.items()))


@st.composite
def scanruns(
    draw: st.DrawFn,
    text: st.SearchStrategy[str] = ANY_TEXT,
    fact_fields: st.SearchStrategy[str] | None = None,
) -> ScanRun:
    """A run with every field of every model drawn; ``text`` is every string's strategy,
    ``fact_fields`` the observation fields a device may carry (any by default)."""
    nonempty = text.filter(bool)
    evidence = st.builds(Evidence, text, text, text, text, text)
    identification = st.builds(
        Identification,
        signature_id=text,
        vendor=text,
        product=text,
        device_class=st.sampled_from(DeviceClass),
        confidence=st.floats(0, 1),
        certainty=st.sampled_from(Certainty),
        rule=st.integers(0, 1 << 40),
        generic=st.booleans(),
        attributes=_pairs(text),
        evidence=st.tuples(evidence) | st.just(()),
    )
    observation = st.builds(
        Observation,
        subject=nonempty,  # an empty subject or source reads back as the device's and "run"
        field=text if fact_fields is None else fact_fields,
        value=text,
        source=nonempty,
        seen_at=st.none() | TIMES,
    )
    lists = st.lists(text, max_size=2).map(tuple)
    device = st.builds(
        Device,
        id=text,
        subjects=lists,
        macs=lists,
        ips=lists,
        ble=lists,
        identifications=st.lists(identification, max_size=2).map(tuple),
        observations=st.lists(observation, max_size=2).map(tuple),
    )
    finding = st.builds(
        Finding,
        kind=st.sampled_from(FindingKind),
        severity=st.sampled_from(Severity),
        device_id=_optional(text),
        why=text,
        expected=_optional(text),
        reason=st.none() | st.sampled_from(Reason),
        deployment=_optional(text),
        registry_id=_optional(text),
        details=_pairs(text),
    )
    skipped = st.builds(Skipped, text, st.sampled_from(SkipReason), text, target=_optional(text))
    return draw(
        st.builds(
            ScanRun,
            id=text,
            started_at=TIMES,
            finished_at=st.none() | TIMES,
            tool_version=text,
            signatures_version=text,
            site=_optional(text),
            operator=_optional(text),
            scope=lists,
            devices=st.lists(device, max_size=2).map(tuple),
            findings=st.lists(finding, max_size=2).map(tuple),
            skipped=st.lists(skipped, max_size=2).map(tuple),
            complete=st.booleans(),
            notes=lists,
            registry=_optional(text),
        )
    )


def difference(a: object, b: object, where: str = "run") -> str | None:
    """The path of the first field where ``a`` and ``b`` differ, with both values."""
    if dataclasses.is_dataclass(a) and type(a) is type(b):
        for f in dataclasses.fields(a):
            found = difference(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
            if found:
                return found
        return None
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            found = difference(x, y, f"{where}[{n}]")
            if found:
                return found
        return None
    return None if a == b and type(a) is type(b) else f"{where}: {a!r} != {b!r}"


def test_the_strategy_sets_every_field_of_every_model() -> None:
    """A field added to a model must be added to :func:`scanruns` (and so to the codec)."""
    drawn = {
        "ScanRun": 14,
        "Device": 7,
        "Identification": 10,
        "Evidence": 5,
        "Observation": 5,
        "Finding": 9,
        "Skipped": 4,
    }
    models = (ScanRun, Device, Identification, Evidence, Observation, Finding, Skipped)
    assert {m.__name__: len(dataclasses.fields(m)) for m in models} == drawn


@BOUNDED
@given(scanruns())
def test_every_field_survives_the_codec_as_json(run: ScanRun) -> None:
    as_json = json.loads(json.dumps(codec.scanrun_dict(run), ensure_ascii=True))
    assert difference(run, codec.scanrun_from(as_json)) is None


@BOUNDED
@given(scanruns(CLEAN_TEXT.map(str.strip), st.sampled_from(sorted(IDENTITY_FIELDS))))
def test_every_field_survives_the_scanrun_json_file(run: ScanRun) -> None:
    """What ``sweep --json`` writes, ``report`` and ``compare`` read back unchanged
    (identification ``rule`` and ``generic`` included)."""
    assert difference(run, parse_scanrun(scanrun_json(run))) is None


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store.open(tmp_path_factory.mktemp("codec") / "history.sqlite")


@settings(BOUNDED, max_examples=40)  # each example is a committed transaction
@given(run=scanruns())
def test_every_field_survives_the_history_database(store: Store, run: ScanRun) -> None:
    run = dataclasses.replace(run, id=f"run-{uuid.uuid4().hex}")  # ids are unique there
    store.save_run(run)
    assert difference(run, store.load(run.id)) is None


def test_a_device_line_keeps_its_published_shape() -> None:
    """``identify``'s line: the codec's device without facts, with collector flags, keys in
    the documented order."""
    ident = Identification("s", "V", "P", DeviceClass.IP_CAMERA, 0.7, Certainty.MEDIUM, 2)
    device = Device("mac:x", ("mac:x",), identifications=(ident,))
    line = device_dict(device)
    assert list(line) == [
        "schema", "id", "subjects", "macs", "ips", "ble", "collector", "identifications",
    ]  # fmt: skip
    assert list(line["identifications"][0])[:5] == [
        "signature_id", "vendor", "product", "device_class", "collector",
    ]  # fmt: skip
    assert (line["collector"], line["identifications"][0]["rule"]) == (True, 2)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["devices"][0]["identifications"][0].update(rule=-1), "rule"),
        (lambda d: d["devices"][0]["identifications"][0].update(generic="yes"), "generic"),
        (lambda d: d["devices"][0]["identifications"][0].update(confidence=True), "confidence"),
    ],
)
def test_the_reader_names_a_bad_rule_or_flag(mutate, message) -> None:  # type: ignore[no-untyped-def]
    ident = Identification("s", "V", "P", DeviceClass.IP_CAMERA, 0.7, Certainty.MEDIUM, 2)
    run = ScanRun("r", datetime(2026, 1, 1, tzinfo=UTC), None, "0", "0")
    run = dataclasses.replace(run, devices=(Device("d", ("d",), identifications=(ident,)),))
    doc = json.loads(scanrun_json(run))
    mutate(doc)
    with pytest.raises(InputError, match=rf"devices\[0\]\.identifications\[0\]\.{message}"):
        parse_scanrun(json.dumps(doc).encode())


def test_rows_written_before_the_shared_codec_still_read() -> None:
    """History written by earlier versions kept attributes, evidence and details as lists."""
    from scanner.store import codec as rows

    old = {
        "signature_id": "s", "vendor": "V", "product": "P", "device_class": "ip_camera",
        "confidence": 0.7, "certainty": "medium", "rule": 3, "generic": True,
        "attributes": [["model", "DS-2CD"]], "evidence": [["f", "p", "v", "s", "src"]],
    }  # fmt: skip
    device_row = (1, 0, "d", 1, None, None, None, "[]", "[]", "[]", "[]", json.dumps([old]))
    (device,) = rows.decode_devices([device_row], [])
    assert device.identifications == (
        Identification(
            "s", "V", "P", DeviceClass.IP_CAMERA, 0.7, Certainty.MEDIUM, 3, True,
            (("model", "DS-2CD"),), (Evidence("f", "p", "v", "s", "src"),),
        ),
    )  # fmt: skip
    finding_row = (1, 0, "changed", "low", None, "", "", None, None, None, '[["a", "b"]]')
    assert rows.decode_findings([finding_row])[0].details == (("a", "b"),)
