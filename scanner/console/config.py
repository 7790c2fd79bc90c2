"""How a console runs: its store, whether its cookies are HTTPS-only, upload limits."""

from __future__ import annotations

from dataclasses import dataclass

MAX_UPLOAD = 64 * 1024 * 1024  # bytes of one pushed run (a 5,000-device run is ~15 MiB)
SESSION_HOURS = 12
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    """``store``: a store URL (``sqlite:///PATH`` or ``postgresql://…``); ``secure``: HTTPS,
    so cookies are ``Secure`` and HSTS is sent."""

    store: str
    secure: bool = False
    max_upload: int = MAX_UPLOAD
    session_hours: int = SESSION_HOURS
    page_size: int = PAGE_SIZE
