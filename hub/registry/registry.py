"""Lookups over one era's units and the procedure catalog. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from hub.errors import UnknownProcedure, UnknownUnit
from hub.registry.model import Procedure, ProcedureGroup, Unit, UnitKind, UnitRegistryFile


@dataclass(frozen=True)
class Registry:
    era: UnitRegistryFile
    procedures: dict[str, Procedure]
    groups: dict[str, ProcedureGroup] = field(default_factory=dict)
    units: dict[str, Unit] = field(init=False)
    _by_agency: dict[str, Unit] = field(init=False)
    _by_district_kind: dict[tuple[str, UnitKind], Unit] = field(init=False)

    def __post_init__(self) -> None:
        units = {unit.code: unit for unit in self.era.units}
        object.__setattr__(self, "units", units)
        object.__setattr__(self, "_by_agency", {u.agency_code: u for u in units.values()})
        by_district = {
            (u.district_code, u.kind): u
            for u in units.values()
            if u.district_code is not None and u.kind is not UnitKind.COMMUNE
        }
        object.__setattr__(self, "_by_district_kind", by_district)

    def unit(self, code: str) -> Unit:
        try:
            return self.units[code]
        except KeyError:
            raise UnknownUnit(f"unknown unit {code!r}") from None

    def unit_by_agency_code(self, agency_code: str) -> Unit:
        try:
            return self._by_agency[agency_code]
        except KeyError:
            raise UnknownUnit(f"no unit has agency code {agency_code!r}") from None

    def procedure(self, code: str) -> Procedure:
        try:
            return self.procedures[code]
        except KeyError:
            raise UnknownProcedure(f"unknown procedure {code!r}") from None

    def group(self, code: str) -> ProcedureGroup:
        try:
            return self.groups[code]
        except KeyError:
            raise UnknownProcedure(f"unknown linked procedure group {code!r}") from None

    def of_kind(self, kind: UnitKind) -> list[Unit]:
        return [u for u in self.units.values() if u.kind is kind]

    def communes_of(self, district_code: str) -> list[Unit]:
        return [
            u
            for u in self.units.values()
            if u.kind is UnitKind.COMMUNE and u.district_code == district_code
        ]

    def agency_for(self, kind: UnitKind, *, district_code: str | None) -> Unit:
        """The unit of ``kind`` serving a district (or the province, for provincial kinds)."""
        if kind is UnitKind.PROVINCIAL_PAC:
            found = self.of_kind(kind)
            if not found:
                raise UnknownUnit("the registry has no provincial centre")
            return found[0]
        unit = self._by_district_kind.get((district_code or "", kind))
        if unit is None:
            raise UnknownUnit(f"no {kind.value} for district {district_code!r}")
        return unit

    def competent_unit(self, procedure_code: str, *, receiving_code: str) -> Unit:
        """Content-based routing: the procedure's competent kind, for the receiving commune."""
        procedure = self.procedure(procedure_code)
        receiving = self.unit(receiving_code)
        if procedure.competent is UnitKind.COMMUNE:
            return receiving
        return self.agency_for(procedure.competent, district_code=receiving.district_code)

    def peers(self) -> Iterable[Unit]:
        return self.units.values()
