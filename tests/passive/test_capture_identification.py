"""End to end: a capture replayed through ``biosweep listen --pcap`` identifies a camera
from one kind of evidence each (its DHCP host name, its mDNS instance, its SSDP announcement and
UPnP description, the cloud names it looks up), and a bystander's names never reach the JSON
run, the saved observations or the HTML report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("scapy", reason="scapy is needed to write captures")
from scapy.utils import wrpcap
from typer.testing import CliRunner

from scanner.cli.app import app
from tests.passive import captures

runner = CliRunner()


def listen(tmp_path: Path, frames: list[Any], *extra: str) -> dict[str, Any]:
    path = tmp_path / "site.pcap"
    wrpcap(str(path), frames)
    result = runner.invoke(app, ["listen", "--pcap", str(path), "--json", *extra])
    assert result.exit_code == 1, result.output  # 1: a collector was found
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def device(doc: dict[str, Any], address: str) -> dict[str, Any]:
    return next(d for d in doc["devices"] if address in d["ips"])


def best(found: dict[str, Any]) -> dict[str, Any]:
    ident: dict[str, Any] = found["identifications"][0]
    return ident


def evidence_fields(ident: dict[str, Any]) -> set[str]:
    return {e["field"] for e in ident["evidence"]}


#: (capture, device address, vendor, the one kind of evidence that identified it)
ONE_KIND = {
    "dhcp-host-name": (captures.axis_dhcp, "192.168.1.43", "Axis", "dhcp.hostname"),
    "mdns-instance": (captures.hikvision_mdns, captures.HIK_ADDRESS, "Hikvision", "mdns.instance"),
    "ssdp-server": (captures.axis_ssdp, "192.168.1.44", "Axis", "ssdp.server"),
    "dns-query": (captures.ezviz_dns, "192.168.1.60", "EZVIZ", "dns.query"),
}


@pytest.mark.parametrize("case", ONE_KIND.values(), ids=ONE_KIND.keys())
def test_one_kind_of_evidence_identifies_the_camera_and_its_maker(
    tmp_path: Path, case: tuple[Any, str, str, str]
) -> None:
    build, address, vendor, field = case
    ident = best(device(listen(tmp_path, build()), address))
    assert (ident["vendor"], ident["device_class"]) == (vendor, "ip_camera")
    assert evidence_fields(ident) == {field}


def test_the_mdns_instance_also_names_the_model(tmp_path: Path) -> None:
    ident = best(device(listen(tmp_path, captures.hikvision_mdns()), captures.HIK_ADDRESS))
    assert ident["attributes"]["model"] == "DS-2CD2722FWD-IZS"


def test_a_upnp_description_fetched_by_someone_else_is_read_from_the_capture(
    tmp_path: Path,
) -> None:
    obs = tmp_path / "obs.jsonl"
    doc = listen(tmp_path, captures.axis_description(), "--observations-out", str(obs))
    camera = device(doc, "192.168.1.44")
    assert best(camera)["vendor"] == "Axis" and camera["collector"]
    seen = {(o["field"], o["value"]) for o in map(json.loads, obs.read_text().splitlines())}
    assert ("upnp.model_name", "AXIS P3245-LVE") in seen
    assert ("upnp.serial", "ACCC8E5AC043") in seen
    assert ("upnp.manufacturer_url", "http://www.axis.com/") in seen
    assert ("upnp.friendly_name", "AXIS P3245-LVE - ACCC8E5AC043") in seen  # a collector's name


def test_a_bystanders_names_never_reach_the_run_the_observations_or_the_report(
    tmp_path: Path,
) -> None:
    obs, run, html = tmp_path / "obs.jsonl", tmp_path / "run.json", tmp_path / "report.html"
    frames = [*captures.phone(), *captures.hikvision_mdns()]
    doc = listen(tmp_path, frames, "--observations-out", str(obs))
    run.write_text(json.dumps(doc))
    made = runner.invoke(app, ["report", str(run), "-o", str(html), "--lang", "en"])
    assert made.exit_code == 0, made.output
    texts = {"run": json.dumps(doc), "observations": obs.read_text(), "report": html.read_text()}
    for what, text in texts.items():
        for personal in ("Zhang", "ZHANGSAN", "zhangsan", "clinic"):
            assert personal not in text, f"{personal!r} in the {what}"
    phone = device(doc, "192.168.1.23")
    assert not phone["collector"]
    # what the phone is stays (its service type); the camera, a collector, keeps its names
    assert "_companion-link._tcp.local" in texts["observations"]
    assert captures.HIK_INSTANCE in texts["observations"]
    assert captures.HIK_HOST.removesuffix(".local") in texts["observations"]
