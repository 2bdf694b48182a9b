"""Units, agencies and procedures as data, one unit registry per era."""

from __future__ import annotations

from hub.registry.era import EraRegistry
from hub.registry.loader import load_registry
from hub.registry.model import Procedure, Processing, Unit, UnitKind
from hub.registry.registry import Registry

__all__ = [
    "EraRegistry",
    "Procedure",
    "Processing",
    "Registry",
    "Unit",
    "UnitKind",
    "load_registry",
]
