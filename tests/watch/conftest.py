"""Fixtures for the watch tests: the lab fixtures (private runtime dir, backend choice)."""

from tests.lab.conftest import backend_name, lab_runtime_dir, namespaces_reason  # noqa: F401
