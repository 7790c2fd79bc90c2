"""Package members imported when first asked for (PEP 562 ``__getattr__``): a package whose
``__init__`` would otherwise import every module keeps its short names without the start-up
cost (bench/startup.py). Type checkers read the same names from an ``if TYPE_CHECKING:``
import block beside it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def members(package: str, homes: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: each name in ``homes`` from its submodule."""

    def __getattr__(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{homes[name]}"), name)

    return __getattr__
