"""The site registry of authorised collectors (``site.yaml``): types, loading, template, edits.

Schema and field meanings: :mod:`scanner.registry.model` and the template written by
``biosweep registry init`` (:mod:`scanner.registry.template`).
"""

from scanner.registry.load import credit_code_ok, load_registry, normalize_uuid, parse_registry
from scanner.registry.model import (
    PROHIBITED_SPACES,
    SCHEMA,
    Deployment,
    RegisteredDevice,
    Registry,
    RegistryError,
)

__all__ = [
    "PROHIBITED_SPACES",
    "SCHEMA",
    "Deployment",
    "RegisteredDevice",
    "Registry",
    "RegistryError",
    "credit_code_ok",
    "load_registry",
    "normalize_uuid",
    "parse_registry",
]
