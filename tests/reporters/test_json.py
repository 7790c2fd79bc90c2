"""The JSON export and its reader: versioned, valid UTF-8 whatever the devices sent, strict."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from scanner.errors import InputError
from scanner.reporters.jsonin import parse_scanrun
from scanner.reporters.jsonout import SCANRUN_SCHEMA, scanrun_chunks, scanrun_json
from tests.reporters.sample import sample_run


def test_schema_and_extra_finding_fields() -> None:
    doc = json.loads(scanrun_json(sample_run()))
    assert doc["schema"] == SCANRUN_SCHEMA
    assert doc["registry"].startswith("site.yaml sha256:")
    finding = next(f for f in doc["findings"] if f["kind"] == "unregistered_collector")
    assert finding["severity"] == "critical"
    assert finding["reason"] == "unregistered"
    assert finding["details"]["address"] == "10.0.0.51"
    camera = next(d for d in doc["devices"] if "10.0.0.41" in d["ips"])
    assert {"field": "sadp.serial", "value": "DS-2CD2143G2-I20230511AAWR5AC041"}.items() <= next(
        f for f in camera["facts"] if f["field"] == "sadp.serial"
    ).items()


def test_a_run_round_trips_through_json() -> None:
    run = sample_run()
    again = parse_scanrun(scanrun_json(run))
    assert again.findings == run.findings
    assert [d.identifications for d in again.devices] == [d.identifications for d in run.devices]
    assert (again.started_at, again.scope, again.registry) == (
        run.started_at,
        run.scope,
        run.registry,
    )


def test_undecodable_device_bytes_give_valid_utf8_and_keep_the_raw_bytes() -> None:
    """Catalogue case 54: bytes that are not UTF-8 (kept by surrogateescape)."""
    raw = b"Hik\xff\xfeVision"
    text = raw.decode("utf-8", "surrogateescape")
    run = sample_run()
    camera = run.devices[0]
    facts = (*camera.observations, replace(camera.observations[0], field="sadp.serial", value=text))
    run = replace(run, devices=(replace(camera, observations=facts), *run.devices[1:]))
    data = scanrun_json(run)
    data.decode("utf-8")  # strict: no lone surrogate reaches the file
    doc = json.loads(data)
    fact = next(f for f in doc["devices"][0]["facts"] if "Hik" in f["value"])
    assert fact["value"] == "Hik\ufffd\ufffdVision"
    import base64

    assert base64.b64decode(fact["value_b64"]) == raw


def test_json_streams_one_device_at_a_time() -> None:
    run = sample_run()
    chunks = list(scanrun_chunks(run))
    assert len(chunks) >= len(run.devices) + 3
    assert b"".join(chunks) == scanrun_json(run)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(schema="other/1"), "schema: expected biosweep.scanrun/1"),
        (
            lambda d: d["devices"][0]["identifications"][0].update(device_class="toaster"),
            "devices[0].identifications[0].device_class: unknown value 'toaster'",
        ),
        (
            lambda d: d["devices"][0]["identifications"][0].update(confidence=7),
            "confidence: expected a number from 0 to 1",
        ),
        (
            lambda d: d["findings"][0].update(severity="apocalyptic"),
            "findings[0].severity: unknown value",
        ),
        (lambda d: d.update(devices={}), "devices: expected a list"),
        (lambda d: d.update(started_at="yesterday"), "started_at: not an ISO 8601 time"),
    ],
    ids=["schema", "class", "confidence", "severity", "devices-type", "time"],
)
def test_reader_names_the_bad_value(mutate, message) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(scanrun_json(sample_run()))
    mutate(doc)
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_scanrun(json.dumps(doc).encode(), "run.json")


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe", b"{", b'{"schema": NaN}', b"[" * 100_000 + b"]" * 100_000, b"[]"],
    ids=["not-utf8", "truncated", "nan", "deep", "not-object"],
)
def test_reader_refuses_malformed_files(data: bytes) -> None:
    with pytest.raises(InputError):
        parse_scanrun(data, "run.json")
