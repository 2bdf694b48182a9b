"""The registry of every era: which era applies to a dossier, and the units of all eras
(peers of every era keep their queues and may still send about their dossiers). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hub.registry.era import EraRegistry
from hub.registry.lookups import Lookups
from schemas import VIETNAM


@dataclass(frozen=True)
class Registry(Lookups):
    """``units`` holds every era's units by code (the latest era's version of a unit that
    two eras share); routing and unit checks for a dossier go through :meth:`at`."""

    eras: tuple[EraRegistry, ...]

    @classmethod
    def of(cls, eras: Sequence[EraRegistry]) -> Registry:
        ordered = tuple(sorted(eras, key=lambda e: e.era.effective_from))
        if not ordered:
            raise ValueError("a registry needs at least one era")
        units = {code: unit for era in ordered for code, unit in era.units.items()}
        return cls(units, ordered[0].procedures, ordered[0].groups, ordered)

    @property
    def province_code(self) -> str:
        return self.eras[-1].era.province_code

    def at(self, moment: datetime) -> EraRegistry:
        """The era in force on ``moment``'s date in Vietnam (the dossier's reception date).
        Before the first era: the first era, the oldest registry we know (as the deadline
        rule sets do)."""
        day = moment.astimezone(VIETNAM).date()
        current = self.eras[0]
        for era in self.eras[1:]:
            if era.era.effective_from <= day:
                current = era
        return current
