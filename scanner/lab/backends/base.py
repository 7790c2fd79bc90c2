"""The backend interface: how a scenario's devices get addresses and a place to run.

A backend plans where each device is reachable (:meth:`Backend.plan`, no side effects), makes
the network (:meth:`Backend.build`), and says how to start a device process in it
(:meth:`Backend.launcher`). Tearing down is the same for every backend and lives in
:mod:`scanner.lab.manager`: kill the run's processes, delete namespaces with the run's prefix.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from scanner.lab.scenario import Scenario
from scanner.lab.state import RunState


class Backend(ABC):
    """One way of putting a scenario on this machine."""

    name: ClassVar[str]

    @abstractmethod
    def unavailable(self) -> str | None:
        """Why this backend cannot run here, or ``None`` when it can."""

    @abstractmethod
    def plan(self, scenario: Scenario, state: RunState, others: list[RunState]) -> RunState:
        """``state`` with device records, namespaces and addresses filled in (no side effects).

        ``others`` are the runs already recorded, so two runs never share an address.
        """

    @abstractmethod
    def build(self, scenario: Scenario, state: RunState) -> None:
        """Make the network of a planned run. May leave a partial network when it fails."""

    @abstractmethod
    def launcher(self, state: RunState, netns: str | None) -> list[str]:
        """Command prefix that runs a program in namespace ``netns`` (``[]``: right here)."""

    @abstractmethod
    def devices_per_process(self, count: int) -> int:
        """How many devices one device process serves, for a scenario of ``count`` devices."""

    @abstractmethod
    def shell(self, state: RunState) -> list[str]:
        """Command prefix for a program that should sit where the scanner sits in the lab."""
