"""Errors of the lab, under the one root in :mod:`scanner.errors`.

``ScenarioError`` is an :class:`~scanner.errors.InputError` (the user named a bad scenario:
the CLI exits 2); ``LabError`` is a runtime failure (a namespace, a process, a port: exit 3).
"""

from __future__ import annotations

from scanner.errors import BiosweepError, InputError


class LabError(BiosweepError):
    """The lab could not be brought up, inspected or torn down; the message says which step."""


class ScenarioError(InputError):
    """A scenario file is malformed; the message names the file and the device."""
