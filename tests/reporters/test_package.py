"""The 12339 package: complete, verifiable, and holding only what the authorities need."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.errors import InputError
from scanner.reporters.jsonout import scanrun_json
from scanner.reporters.package import build_package, minimal_run, verify_package
from tests.reporters.sample import PHONE_NAME, REGISTRY, WEARABLE_BLE, registry, sample_run

runner = CliRunner()
FILES = [
    "cover.zh.txt",
    "report.zh.pdf",
    "report.zh.html",
    "report.json",
    "manifest.json",
    "SHA256SUMS",
]


@pytest.fixture(scope="module")
def package() -> bytes:
    return build_package(sample_run(), registry())


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def test_package_contents_and_manifest(package: bytes) -> None:
    files = entries(package)
    assert list(files) == FILES
    manifest = json.loads(files["manifest.json"])
    assert manifest["schema"] == "biosweep.package-12339/1"
    assert manifest["operator"] == "Li Ming"
    assert manifest["scope"] == ["10.0.0.0/24", "!10.0.0.250/32"]
    assert manifest["site"]["address"] == "1 Test Road, Shanghai"
    assert manifest["signatures_version"] == "2026.05.01" and manifest["tool"]["version"]
    assert [f["name"] for f in manifest["files"]] == FILES[:4]
    assert verify_package(package).problems == []


def test_cover_names_the_channels_and_what_to_include(package: bytes) -> None:
    cover = entries(package)["cover.zh.txt"].decode("utf-8")
    for text in (
        "12339",
        "www.12339.gov.cn",
        "国家安全部微信公众号",
        "举报时建议说明以下内容",
        "序列号",
    ):
        assert text in cover
    html = entries(package)["report.zh.html"].decode("utf-8")
    assert 'id="cover"' in html and "www.12339.gov.cn" in html


def test_cover_counts_every_device_and_lists_collectors_under_their_status(
    package: bytes,
) -> None:
    """The case summary says how many devices the sweep found and how many collectors the
    package keeps; each collector is listed with its status under its status's heading."""
    cover = entries(package)["cover.zh.txt"].decode("utf-8")
    found = len(sample_run().devices)
    assert found == 4
    assert "排查发现设备 4 台（按最小必要原则，本材料仅列出其中 2 台采集设备）" in cover
    assert "排查时间：2026年5月4日 10:30:00 至 10:35:00（北京时间）" in cover
    assert "排查范围：10.0.0.0/24（不含 10.0.0.250）" in cover
    assert "协调世界时 2026-05-04 02:30:00 至 02:35:00 UTC" in cover
    lines = cover.splitlines()
    unregistered, registered = lines.index("未登记的采集设备："), lines.index("已登记的采集设备：")
    assert lines.index("五、采集设备清单") < unregistered < registered
    assert lines[unregistered + 1] == (
        "  - 人脸识别终端 10.0.0.51（未登记）：海康威视 DS-K1T671MF，MAC c0:56:e3:5a:d0:51"
    )
    assert lines[registered + 1].startswith("  - 网络摄像机 10.0.0.41（已登记）：")
    assert "（一）国家安全机关举报受理电话：12339" in cover
    for glyph in "☎·•":  # numbered （一）（二） instead: the PDF font has none of these
        assert glyph not in cover


def test_minimum_necessity_no_personal_names_or_bystander_addresses(package: bytes) -> None:
    """Catalogue case 67: a phone named after its owner and a wearable in BLE range."""
    run = sample_run()
    assert any(PHONE_NAME in o.value for d in run.devices for o in d.observations)
    files = entries(package)
    blob = b"".join(files.values())
    for secret in (PHONE_NAME, WEARABLE_BLE, "f0:18:98:06:a0:19", "10.0.0.19", "Mi Band"):
        assert secret.encode() not in blob, secret
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        done = subprocess.run(
            [pdftotext, "-", "-"], input=files["report.zh.pdf"], capture_output=True, check=True
        )
        assert PHONE_NAME not in done.stdout.decode() and "10.0.0.51" in done.stdout.decode()
    doc = json.loads(files["report.json"])
    assert {d["id"] for d in doc["devices"]} == {"mac:44:19:b6:5a:c0:41", "mac:c0:56:e3:5a:d0:51"}
    assert all(d["collector"] for d in doc["devices"])


def test_minimal_run_withholds_name_evidence_of_collectors() -> None:
    from dataclasses import replace

    from scanner.models import Evidence

    run = sample_run()
    cam = run.devices[0]
    named = replace(
        cam.identifications[0],
        evidence=(Evidence("mdns.instance", "^.*$", "Zhang-San-Cam", "ip:x", "mdns"),),
    )
    run = replace(run, devices=(replace(cam, identifications=(named,)), *run.devices[1:]))
    assert b"Zhang-San" not in scanrun_json(minimal_run(run))


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (
            lambda f: f.update(
                {"report.json": f["report.json"].replace(b"10.0.0.51", b"10.0.0.52")}
            ),
            "report.json: SHA-256 differs",
        ),
        (lambda f: f.update({"extra.txt": b"x"}), "extra.txt: not listed in the manifest"),
        (lambda f: f.pop("report.zh.pdf"), "report.zh.pdf: listed in the manifest but missing"),
    ],
    ids=["changed", "added", "removed"],
)
def test_verify_catches_tampering(package: bytes, tamper, problem: str) -> None:  # type: ignore[no-untyped-def]
    files = entries(package)
    tamper(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in files.items():
            z.writestr(name, body)
    assert any(problem in p for p in verify_package(out.getvalue()).problems)


@pytest.mark.parametrize(
    "data", [b"not a zip", b"PK\x05\x06" + b"\x00" * 18], ids=["garbage", "empty-zip"]
)
def test_verify_refuses_what_is_not_a_package(data: bytes) -> None:
    with pytest.raises(InputError):
        verify_package(data)


def test_verify_refuses_unsafe_entry_names() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("../evil", b"x")
    with pytest.raises(InputError, match="unexpected entry name"):
        verify_package(out.getvalue())


def test_cli_builds_and_verifies_a_package(tmp_path: Path) -> None:
    run = tmp_path / "run.json"
    run.write_bytes(scanrun_json(sample_run()))
    site = tmp_path / "site.yaml"
    site.write_text(REGISTRY, encoding="utf-8")
    out = tmp_path / "case.zip"
    built = runner.invoke(
        app, ["report", str(run), "--for-12339", str(out), "--registry", str(site)]
    )
    assert built.exit_code == 0, built.output
    checked = runner.invoke(app, ["report", "verify", str(out)])
    assert checked.exit_code == 0, checked.output
    assert "OK, 6 files match the manifest" in checked.output
    assert (
        runner.invoke(app, ["report", str(run), "--for-12339", str(out)]).exit_code == 2
    )  # exists
    broken = tmp_path / "broken.zip"
    files = entries(out.read_bytes())
    files["cover.zh.txt"] = files["cover.zh.txt"].replace(b"12339", b"99999")
    with zipfile.ZipFile(broken, "w") as z:
        for name, body in files.items():
            z.writestr(name, body)
    failed = runner.invoke(app, ["report", "verify", str(broken)])
    assert failed.exit_code == 1 and "cover.zh.txt: SHA-256 differs" in failed.output


def test_the_package_needs_an_operator(tmp_path: Path) -> None:
    from dataclasses import replace

    run = tmp_path / "run.json"
    run.write_bytes(scanrun_json(replace(sample_run(), operator=None)))
    result = runner.invoke(app, ["report", str(run), "--for-12339", str(tmp_path / "c.zip")])
    assert result.exit_code == 2
    assert "--operator" in result.output
