"""The reporter interface: a ScanRun (and options) in, bytes out, a piece at a time.

Reporters never write files or print: the CLI writes what they yield atomically. Yielding
pieces lets JSON and CSV exports of very large runs stream with bounded memory
(SAFETY-CATALOGUE case 55); HTML and PDF cap what they detail instead and point to the JSON.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from scanner.models import ScanRun
from scanner.registry.model import Registry
from scanner.wording.labels import Lang


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """How to render: language, the registry (for deployment details), caps, cover page.

    ``generated_at`` is stamped on the report (the CLI passes the current time; tests pass
    a fixed one so output is reproducible). ``cover_12339`` puts the reporting channels first.
    """

    lang: Lang = "zh"
    registry: Registry | None = None
    generated_at: datetime | None = None
    max_devices: int = 500
    max_findings: int = 1000
    max_evidence: int = 12
    cover_12339: bool = False


class Reporter(ABC):
    """One output format."""

    name: ClassVar[str]
    suffix: ClassVar[str]
    media_type: ClassVar[str]

    @abstractmethod
    def chunks(self, run: ScanRun, options: ReportOptions) -> Iterator[bytes]:
        """The report, a piece at a time."""

    def render(self, run: ScanRun, options: ReportOptions | None = None) -> bytes:
        return b"".join(self.chunks(run, options or ReportOptions()))
