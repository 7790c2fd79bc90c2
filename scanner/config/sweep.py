"""One sweep's settings, merged once from ``biosweep.toml`` and the command line.

``sweep`` and ``watch`` both build a :class:`SweepSettings` with :func:`merge_settings`, so
an option one of them honours the other honours too (``watch`` used to drop BLE,
passive-first, RTSP DESCRIBE and early stop; ``tests/watch/test_settings.py``). Each field
is a sweep flag (``--host-rate`` →
``host_rate``) and a configuration key: the scope's in ``[site]`` (:data:`SITE_KEYS`), the
others in ``[sweep]`` (:data:`SWEEP_KEYS`). A flag given on the command line wins over the
file; a flag left out (``None``) takes the file's value, else the default below. Exclusions add
up: the file's and the flags'.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

#: ``[site]`` keys that are sweep settings (the scope's safety switches and exclusions).
SITE_KEYS = ("exclude", "exclude_files", "allow_public", "confirm_large_scope", "routed")


@dataclass(frozen=True, slots=True)
class SweepSettings:
    """Every setting of one sweep, as plain values (the CLI turns them into scope and options)."""

    ports: str | None = None  # None: the curated set
    only: str | None = None  # None: the default probes
    snmp: bool = False
    rtsp_describe: bool = False
    rate: float = 1000.0
    host_rate: float = 40.0
    host_connections: int = 2
    deadline: float = 10.0
    host_budget: float = 120.0
    passive_first: float = 0.0
    early_stop: bool = False
    ble: bool = False
    ble_backend: str = "auto"
    ble_transport: str | None = None
    ble_duration: float = 10.0
    ble_passive: bool = False
    ble_kernel_ok: bool = False  # the OS stack's kernel carries the CVE-2020-24490 fix
    exclude: tuple[str, ...] = ()
    exclude_files: tuple[Path, ...] = ()
    allow_public: bool = False
    confirm_large_scope: bool = False
    routed: bool = False  # sweep addresses reachable only through the default gateway
    site: str | None = None
    operator: str | None = None


#: ``[sweep]`` keys: every setting that is neither a ``[site]`` key nor the run's labels.
SWEEP_KEYS = tuple(
    f.name for f in fields(SweepSettings) if f.name not in (*SITE_KEYS, "site", "operator")
)


def merge_settings(file: SweepSettings, **flags: Any) -> SweepSettings:
    """``file`` (the configuration's settings) overridden by every flag that was given (not
    None). ``exclude`` and ``exclude_files`` flags are added to the file's."""
    given = {k: v for k, v in flags.items() if v is not None}
    unknown = set(given) - {f.name for f in fields(SweepSettings)}
    if unknown:
        raise TypeError(f"not sweep settings: {', '.join(sorted(unknown))}")
    for key in ("exclude", "exclude_files"):
        if key in given:
            given[key] = (*getattr(file, key), *given[key])
    return replace(file, **given)


def settings_from_tables(
    site: dict[str, Any], sweep: dict[str, Any], base: Path | None = None
) -> SweepSettings:
    """The settings a configuration file's ``[site]`` and ``[sweep]`` tables give (keys and
    types already checked by the loader); relative exclude files are relative to ``base``."""
    values: dict[str, Any] = {k: v for k, v in sweep.items() if k in SWEEP_KEYS}
    for key in ("rate", "host_rate", "deadline", "host_budget", "passive_first", "ble_duration"):
        if key in values:
            values[key] = float(values[key])
    values.update({k: site[k] for k in SITE_KEYS if k in site})
    values["exclude"] = tuple(site.get("exclude", ()))
    values["exclude_files"] = tuple((base or Path()) / p for p in site.get("exclude_files", ()))
    return SweepSettings(site=site.get("name"), operator=site.get("operator"), **values)
