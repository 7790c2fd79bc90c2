"""Shared fixtures: the shipped signature engine, loaded once per session."""

from __future__ import annotations

import pytest

from scanner.identify import default_engine
from scanner.identify.engine import Engine


@pytest.fixture(scope="session")
def engine() -> Engine:
    return default_engine()
