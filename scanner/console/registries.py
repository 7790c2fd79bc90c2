"""Site registries kept in the store, edited in the browser with the same validation as
``biosweep registry check`` (:func:`scanner.registry.parse_registry`): an invalid text is
refused with every ``site.yaml:LINE: where: problem`` line and nothing is saved."""

from __future__ import annotations

import hashlib

from scanner.console import audit
from scanner.registry import Registry
from scanner.registry.load import MAX_BYTES, parse_registry
from scanner.registry.model import RegistryError
from scanner.store.backend import Tx
from scanner.store.codec import untext

SOURCE = "site.yaml"  # the name problems are reported against, as `registry check` would


def text_of(tx: Tx, site: str) -> str | None:
    row = tx.execute("SELECT body FROM console_registries WHERE site = ?", (site,)).fetchone()
    return untext(row[0]) if row else None


def registry_of(tx: Tx, site: str) -> Registry | None:
    """The site's registry, or None (none kept, or it no longer validates)."""
    text = text_of(tx, site)
    if text is None:
        return None
    try:
        return parse_registry(text, SOURCE)
    except RegistryError:
        return None


def validate(text: str, site: str) -> Registry:
    """The registry of ``text``; RegistryError listing every problem."""
    if len(text.encode("utf-8", "surrogateescape")) > MAX_BYTES:
        raise RegistryError([f"{SOURCE}:1: larger than {MAX_BYTES // 1024} KiB"])
    return parse_registry(text.replace("\r\n", "\n"), SOURCE)


def save(tx: Tx, actor: str, site: str, text: str) -> Registry:
    """Validate and keep ``text`` as the registry of ``site`` (audited with its digest)."""
    text = text.replace("\r\n", "\n")
    registry = validate(text, site)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    tx.execute(
        "INSERT INTO console_registries (site, body, digest, updated_at, updated_by) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (site) DO UPDATE SET body = excluded.body, "
        "digest = excluded.digest, updated_at = excluded.updated_at, "
        "updated_by = excluded.updated_by",
        (site, text, digest, audit.now(), actor),
    )
    audit.record(tx, actor, "registry.save", site, f"sha256 {digest[:16]}")
    return registry
