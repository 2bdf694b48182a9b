"""One era's registry: its units, and which unit decides a procedure. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from hub.errors import UnknownUnit
from hub.registry.lookups import Lookups
from hub.registry.model import (
    PROVINCIAL_KINDS,
    Procedure,
    ProcedureGroup,
    Unit,
    UnitKind,
    UnitRegistryFile,
)


@dataclass(frozen=True)
class EraRegistry(Lookups):
    era: UnitRegistryFile

    @classmethod
    def of(
        cls,
        era: UnitRegistryFile,
        procedures: dict[str, Procedure],
        groups: dict[str, ProcedureGroup],
    ) -> EraRegistry:
        return cls({u.code: u for u in era.units}, procedures, groups, era)

    def unit(self, code: str) -> Unit:
        if code not in self.units:
            raise UnknownUnit(
                f"unit {code!r} is not in the {self.era.era} registry "
                f"(in force {self.era.effective_from} to {self.era.effective_to or 'today'})"
            )
        return self.units[code]

    def competent_kind(self, procedure_code: str) -> UnitKind:
        """The kind of unit that decides the procedure in this era (the era's mapping)."""
        kind = self.procedure(procedure_code).competent
        return self.era.competent_kinds.get(kind, kind)

    def agency_for(self, kind: UnitKind, *, district_code: str | None) -> Unit:
        """The unit of ``kind`` serving a district (or the province, for provincial kinds)."""
        if kind in PROVINCIAL_KINDS:
            found = self.of_kind(kind)
            if not found:
                raise UnknownUnit(f"the {self.era.era} registry has no {kind.value}")
            return found[0]
        for unit in self.of_kind(kind):
            if district_code is not None and unit.district_code == district_code:
                return unit
        raise UnknownUnit(f"no {kind.value} for district {district_code!r} in {self.era.era}")

    def competent_unit(self, procedure_code: str, *, receiving_code: str) -> Unit:
        """Content-based routing: the procedure's competent kind in this era, for the
        receiving commune (which decides itself when the kind is ``commune``)."""
        kind = self.competent_kind(procedure_code)
        receiving = self.unit(receiving_code)
        if kind is UnitKind.COMMUNE:
            return receiving
        return self.agency_for(kind, district_code=receiving.district_code)
