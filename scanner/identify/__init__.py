"""identify: observations → devices with ranked identifications. Pure and offline.

1. merge observations of one device across subjects (:mod:`scanner.identify.merge`);
2. derive ``mac.oui_vendor`` from each ``mac.address`` (the IEEE registrant of its longest
   block, MA-S/IAB, MA-M or MA-L: :mod:`scanner.identify.oui`);
3. match every signature once per device (:class:`scanner.identify.engine.Engine`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from scanner.identify import oui

if TYPE_CHECKING:
    from scanner.identify.engine import Engine
    from scanner.identify.signatures import Signature
    from scanner.models import Device, Observation

# The engine, the merger and the signature parser are imported when first used, not with the
# package: ``biosweep --version`` reads the IEEE registry's date without them (bench/startup.py).


def __getattr__(name: str) -> Any:
    if name == "Engine":
        from scanner.identify.engine import Engine

        return Engine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def default_engine() -> Engine:
    """The engine over the shipped database (loaded and validated once per process)."""
    from scanner.identify.engine import Engine
    from scanner.identify.signatures import load_signatures

    return Engine(load_signatures())


def engine_loaded() -> bool:
    """Has this process loaded the shipped database already (``watch`` after its first run)?"""
    return default_engine.cache_info().currsize > 0


def derive(observations: Iterable[Observation]) -> list[Observation]:
    """The observations plus what follows from them offline (the OUI registrant of a MAC)."""
    from scanner.models import Observation

    out: list[Observation] = []
    for obs in observations:
        out.append(obs)
        if obs.field == "mac.address":
            org = oui.registrant(obs.value)
            if org:
                out.append(Observation(obs.subject, "mac.oui_vendor", org, "ieee-oui", obs.seen_at))
    return out


def identify(observations: Iterable[Observation], engine: Engine | None = None) -> list[Device]:
    """Devices (first-seen order) with their identifications ranked best first."""
    from scanner.identify.merge import group

    engine = engine or default_engine()
    devices = []
    for subjects, members in group(observations):
        devices.append(_device(subjects, derive(members), engine))
    return devices


def _device(subjects: tuple[str, ...], members: list[Observation], engine: Engine) -> Device:
    from scanner.identify.merge import device_id
    from scanner.models import Device

    def values(field: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(o.value for o in members if o.field == field))

    return Device(
        id=device_id(subjects, members),
        subjects=subjects,
        macs=values("mac.address"),
        ips=values("ip.address"),
        ble=values("ble.address"),
        identifications=engine.identify(members),
        observations=tuple(members),
    )


def engine_for(signatures: Sequence[Signature]) -> Engine:
    from scanner.identify.engine import Engine

    return Engine(signatures)


__all__ = ["Engine", "default_engine", "derive", "engine_for", "engine_loaded", "identify"]
