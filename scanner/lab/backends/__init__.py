"""Lab backends, by name; ``auto`` picks namespaces where they work, else loopback."""

from __future__ import annotations

from scanner.lab.backends.base import Backend
from scanner.lab.backends.loopback import LoopbackBackend
from scanner.lab.backends.namespaces import NamespacesBackend
from scanner.lab.errors import LabError

BACKENDS: dict[str, type[Backend]] = {
    NamespacesBackend.name: NamespacesBackend,
    LoopbackBackend.name: LoopbackBackend,
}


def choose(name: str = "auto") -> Backend:
    """The backend called ``name``, or for ``auto`` the first usable one (namespaces first).

    Raises :class:`LabError` with the reason when the named backend cannot run here.
    """
    if name != "auto":
        if name not in BACKENDS:
            raise LabError(f"unknown backend {name!r}; choose auto, {', '.join(BACKENDS)}")
        backend = BACKENDS[name]()
        reason = backend.unavailable()
        if reason:
            raise LabError(f"the {name} backend cannot run here: {reason}")
        return backend
    reasons = []
    for cls in BACKENDS.values():
        backend = cls()
        reason = backend.unavailable()
        if reason is None:
            return backend
        reasons.append(f"{cls.name}: {reason}")
    raise LabError("no lab backend can run here (" + "; ".join(reasons) + ")")


__all__ = ["BACKENDS", "Backend", "choose"]
