"""Load the registry shipped as package data (``hub/registry/data``)."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from importlib import resources
from itertools import pairwise

from hub.registry.era import EraRegistry
from hub.registry.model import ProcedureCatalogFile, UnitRegistryFile
from hub.registry.registry import Registry

UNIT_FILES = ("units-hue-2019.json", "units-hue-2025.json")
"""One file per era: the three-tier seed era, then the two-tier era from 2025-07-01."""
PROCEDURES_FILE = "procedures.json"


def _read(name: str) -> str:
    return resources.files("hub.registry").joinpath("data", name).read_text(encoding="utf-8")


def check_contiguous(eras: list[UnitRegistryFile]) -> None:
    """Each era ends the day before the next begins; only the last one is open-ended."""
    for earlier, later in pairwise(eras):
        if earlier.effective_to != later.effective_from - timedelta(days=1):
            raise ValueError(f"era {earlier.era} does not end the day before {later.era} begins")
    if eras and eras[-1].effective_to is not None:
        raise ValueError(f"the latest era {eras[-1].era} must be open-ended")


@cache
def load_registry() -> Registry:
    """Thừa Thiên Huế / Huế: every era's units with the procedure catalog."""
    eras = sorted(
        (UnitRegistryFile.model_validate_json(_read(name)) for name in UNIT_FILES),
        key=lambda era: era.effective_from,
    )
    check_contiguous(eras)
    catalog = ProcedureCatalogFile.model_validate_json(_read(PROCEDURES_FILE))
    procedures = {p.code: p for p in catalog.procedures}
    groups = {g.code: g for g in catalog.groups}
    return Registry.of([EraRegistry.of(era, procedures, groups) for era in eras])
