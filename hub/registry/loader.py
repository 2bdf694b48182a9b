"""Load the registry shipped as package data (``hub/registry/data``)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from hub.registry.model import ProcedureCatalogFile, UnitRegistryFile
from hub.registry.registry import Registry

UNITS_FILE = "units-hue-2019.json"
PROCEDURES_FILE = "procedures.json"


def _read(name: str) -> str:
    return resources.files("hub.registry").joinpath("data", name).read_text(encoding="utf-8")


@cache
def load_registry() -> Registry:
    """The seed-era (three-tier) registry of Thừa Thiên Huế with the procedure catalog."""
    era = UnitRegistryFile.model_validate_json(_read(UNITS_FILE))
    catalog = ProcedureCatalogFile.model_validate_json(_read(PROCEDURES_FILE))
    return Registry(
        era=era,
        procedures={p.code: p for p in catalog.procedures},
        groups={g.code: g for g in catalog.groups},
    )
