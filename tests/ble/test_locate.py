"""The walk-test locator: its data model on synthetic sightings, the display rendered without
a terminal, and the acceptance test against a lab advertiser whose TX power changes."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from scanner.cli import app
from scanner.cli.ble_cmd import render
from scanner.errors import InputError
from scanner.lab.ble import adbuild as ad
from scanner.lab.ble.control import set_advertiser
from scanner.probes.ble.adparse import parse_ad
from scanner.probes.ble.backends import BumbleBackend
from scanner.probes.ble.locate import LocateView, Locator, Target, Trend, follow
from scanner.probes.ble.model import AddressKind, Sighting
from scanner.probes.ble.privacy import hashed_id
from scanner.probes.ble.table import fingerprint

LOCK = parse_ad(ad.flags() + ad.name("eufy T8520") + ad.tx_power(0))
OTHER = parse_ad(ad.flags() + ad.name("Forerunner 265"))


def feed(loc: Locator, rssi: list[int], start: float = 0.0, step: float = 0.1) -> float:
    t = start
    for value in rssi:
        loc.feed(Sighting("f4:85:20:00:00:02", AddressKind.STATIC, LOCK, value, t))
        t += step
    return t


def test_targets_parse_addresses_report_ids_and_names() -> None:
    assert Target.parse("F4:85:20:00:00:02").address == "f4:85:20:00:00:02"
    assert Target.parse("ble:f4:85:20:00:00:02").address == "f4:85:20:00:00:02"
    assert Target.parse("ble:h-0123456789abcdef").hashed == "h-0123456789abcdef"
    assert Target.parse("name:eufy").name == "eufy"
    assert Target.parse("Forerunner").name == "forerunner"
    with pytest.raises(InputError):
        Target.parse("name:")


def test_trend_waits_then_holds_steady_then_warms_and_cools() -> None:
    loc = Locator(Target.parse("f4:85:20:00:00:02"))
    assert loc.view(0.0).trend is Trend.WAITING and not loc.view(0.0).found
    t = feed(loc, [-70, -71, -69, -70, -70])
    assert loc.view(t).trend is Trend.WAITING  # not a full window of history yet
    t = feed(loc, [-70, -69, -71, -70] * 8, t)
    assert loc.view(t).trend is Trend.STEADY
    t = feed(loc, [-55] * 25, t)
    view = loc.view(t)
    assert view.trend is Trend.WARMER and view.delta >= 3
    t = feed(loc, [-85] * 25, t)
    assert loc.view(t).trend is Trend.COLDER
    assert loc.view(t + 30).trend is Trend.LOST
    assert loc.view(t).samples == 5 + 32 + 50


def test_only_the_target_feeds_the_model_and_warmth_and_distance_follow_rssi() -> None:
    loc = Locator(Target.parse("name:eufy"))
    assert not loc.feed(Sighting("c7:50:00:00:00:07", AddressKind.STATIC, OTHER, -30, 0.0))
    feed(loc, [-40] * 30)
    near = loc.view(3.0)
    assert near.found and near.label == "eufy T8520"
    assert near.warmth > 0.8
    assert near.distance_m is not None and 0.5 < near.distance_m < 2.0  # 0 dBm heard at -40
    feed(loc, [-95] * 60, 3.0)
    far = loc.view(9.0)
    assert far.warmth < 0.15
    assert far.distance_m is not None and far.distance_m > 30


def test_a_hashed_report_id_finds_the_device_and_follows_it_across_rotation() -> None:
    salt = bytes(32)
    phone = parse_ad(ad.flags(0x1A) + ad.manufacturer(0x004C, bytes.fromhex("100501")))
    key = f"fp:{fingerprint(phone)}"
    loc = Locator(Target.parse("ble:" + hashed_id(salt, key)), salt)
    for i in range(10):
        assert loc.feed(Sighting(f"4a:00:00:00:00:{i:02x}", AddressKind.RESOLVABLE, phone, -60, i))
    assert loc.view(10).samples == 10


def test_the_display_renders_without_a_terminal_and_keeps_device_text_inert() -> None:
    view = LocateView(
        target="name ~ 'x'", found=True, label="[bold red]evil[/] \x1b[2J", address="aa:bb:cc:dd:ee:ff",
        samples=12, rssi=-48, smoothed=-50.2, best=-47.0, trend=Trend.WARMER, delta=6.5,
        warmth=0.7, tx_power=0, distance_m=3.2, age=0.1,
    )  # fmt: skip
    console = Console(record=True, width=100, color_system=None)
    console.print(render(view))
    text = console.export_text()
    assert "↑ warmer" in text
    assert "[bold red]evil[/]" in text  # markup shown literally
    assert "\x1b" not in text
    assert "RSSI -48 dBm" in text and "~3.2 m (rough)" in text


def _follow_in_thread(
    backend: BumbleBackend, loc: Locator, views: list[tuple[float, LocateView]], seconds: float
) -> threading.Thread:
    def run() -> None:
        asyncio.run(
            follow(
                backend,
                loc,
                lambda v: views.append((time.monotonic(), v)),
                duration=seconds,
                interval=0.1,
            )
        )

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_locate_shows_the_trend_change_when_the_lab_advertiser_changes_tx_power(
    site_air: dict[str, Any],
) -> None:
    """Acceptance: the iris reader's TX power goes up, then down; the model says warmer, then
    colder (it is tested through the display's data model, not the terminal)."""
    control = site_air["control"]
    set_advertiser(control, "iris-reader", tx_power=-12)
    loc = Locator(Target.parse("e2:1e:15:00:00:01"))
    views: list[tuple[float, LocateView]] = []
    thread = _follow_in_thread(BumbleBackend(site_air["transport"]), loc, views, 10.5)
    try:
        time.sleep(3.5)
        raised = time.monotonic()
        set_advertiser(control, "iris-reader", tx_power=8)
        time.sleep(3.0)
        lowered = time.monotonic()
        set_advertiser(control, "iris-reader", tx_power=-16)
    finally:
        thread.join(timeout=30)
        set_advertiser(control, "iris-reader", tx_power=-12)
    before = [v for t, v in views if t < raised]
    between = [v for t, v in views if raised < t < lowered]
    after = [v for t, v in views if t > lowered]
    assert before and between and after
    assert before[-1].found and before[-1].trend is Trend.STEADY
    assert Trend.WARMER not in {v.trend for v in before}
    assert Trend.WARMER in {v.trend for v in between}
    assert Trend.COLDER in {v.trend for v in after}
    assert between[-1].smoothed is not None and before[-1].smoothed is not None
    assert between[-1].smoothed - before[-1].smoothed > 15  # +20 dB of TX power
    assert after[-1].tx_power == -16  # the advertised TX Power Level AD followed


def test_locate_command_without_a_terminal_prints_a_summary(site_air: dict[str, Any]) -> None:
    args = ["ble", "locate", "name:eufy", "--ble-backend", "bumble"]
    result = CliRunner().invoke(
        app, [*args, "--ble-transport", site_air["transport"], "--duration", "1.5"]
    )
    assert result.exit_code == 0, result.output
    assert "name ~ 'eufy'" in result.output and "samples" in result.output
    missing = CliRunner().invoke(
        app,
        [
            "ble",
            "locate",
            "name:nothing-like-this",
            "--ble-backend",
            "bumble",
            "--ble-transport",
            site_air["transport"],
            "--duration",
            "1",
        ],
    )
    assert missing.exit_code == 1
