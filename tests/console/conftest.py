from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.console.pgserver import fresh_database, postgres_server

_names = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A new empty database for one test."""
    return fresh_database(pg_server, f"t{next(_names)}")
