"""``biosweep sweep --registry``: a bad registry is refused before any packet is sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from scanner.cli import app
from tests.cli.conftest import socket_spy  # noqa: F401 - fixture
from tests.reporters.sample import REGISTRY

runner = CliRunner()


def test_a_bad_registry_stops_the_sweep_before_any_packet(
    tmp_path: Path,
    socket_spy: list[Any],  # noqa: F811
) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(REGISTRY.replace("method: none", "method: sometimes"), encoding="utf-8")
    result = runner.invoke(app, ["sweep", "127.0.0.1", "--json", "--registry", str(site)])
    assert result.exit_code == 2
    assert "deployments[0].method" in result.output
    assert socket_spy == []


def test_previous_needs_a_registry(tmp_path: Path, socket_spy: list[Any]) -> None:  # noqa: F811
    result = runner.invoke(app, ["sweep", "127.0.0.1", "--previous", str(tmp_path / "r.json")])
    assert result.exit_code == 2
    assert socket_spy == []
