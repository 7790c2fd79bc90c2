"""Imports: other tools' results turned into observations, identified offline like a sweep.

``nmap`` reads nmap's XML (:mod:`scanner.importers.nmap`); ``pcap`` reads a capture through
the passive extractor (:func:`scanner.passive.read_capture`). Neither sends a packet.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scanner.importers.nmap import parse_nmap, read_nmap
from scanner.models import Observation
from scanner.passive import read_capture


def read_pcap(path: Path) -> list[Observation]:
    return read_capture(path).observations()


IMPORTERS: dict[str, Callable[[Path], list[Observation]]] = {
    "nmap": read_nmap,
    "pcap": read_pcap,
}

__all__ = ["IMPORTERS", "parse_nmap", "read_nmap", "read_pcap"]
