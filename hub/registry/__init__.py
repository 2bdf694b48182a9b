"""Units, agencies and procedures as data."""

from __future__ import annotations

from hub.registry.loader import load_registry
from hub.registry.model import Procedure, Processing, Unit, UnitKind
from hub.registry.registry import Registry

__all__ = ["Procedure", "Processing", "Registry", "Unit", "UnitKind", "load_registry"]
