"""Lookups shared by one era's registry and the registry of every era. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from hub.errors import UnknownProcedure, UnknownUnit
from hub.registry.model import Procedure, ProcedureGroup, Unit, UnitKind


@dataclass(frozen=True)
class Lookups:
    units: dict[str, Unit]
    procedures: dict[str, Procedure]
    groups: dict[str, ProcedureGroup]

    @cached_property
    def _by_agency(self) -> dict[str, Unit]:
        return {unit.agency_code: unit for unit in self.units.values()}

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

    @cached_property
    def _by_kind(self) -> dict[UnitKind, tuple[Unit, ...]]:
        kinds: dict[UnitKind, list[Unit]] = {}
        for unit in self.units.values():
            kinds.setdefault(unit.kind, []).append(unit)
        return {kind: tuple(units) for kind, units in kinds.items()}

    def of_kind(self, kind: UnitKind) -> list[Unit]:
        """The units of ``kind``, in registry order (routing looks them up per message)."""
        return list(self._by_kind.get(kind, ()))

    def communes_of(self, district_code: str) -> list[Unit]:
        return [
            u
            for u in self.units.values()
            if u.kind is UnitKind.COMMUNE and u.district_code == district_code
        ]

    def peers(self) -> Iterable[Unit]:
        return self.units.values()
