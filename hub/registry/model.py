"""The registry as data: administrative units, agencies and the procedure catalog."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class UnitKind(StrEnum):
    """Kinds of unit the hub connects; procedures name the kind that is competent."""

    COMMUNE = "commune"
    DISTRICT_PAC = "district_pac"
    DISTRICT_POLICE = "district_police"
    DISTRICT_SOCIAL_INSURANCE = "district_social_insurance"
    PROVINCIAL_PAC = "provincial_pac"
    PROVINCIAL_POLICE = "provincial_police"
    PROVINCIAL_SOCIAL_INSURANCE = "provincial_social_insurance"


PROVINCIAL_KINDS = frozenset(
    {UnitKind.PROVINCIAL_PAC, UnitKind.PROVINCIAL_POLICE, UnitKind.PROVINCIAL_SOCIAL_INSURANCE}
)
"""Kinds with one unit for the whole province; the other agency kinds serve one district."""


class Unit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(description="Registry code; communes use their GSO code.")
    kind: UnitKind
    name: str
    agency_code: str = Field(description="Agency code used in dossier codes (Circular 01/2018).")
    gso_code: str = Field(description="GSO code of the administrative unit it serves.")
    district_code: str | None = Field(default=None, description="GSO code of its district.")
    postal_code: str | None = None


class Processing(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["same_day", "working_days"]
    days: int = Field(default=0, ge=0)


class Procedure(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    name: str
    field: str = Field(description="English field key, e.g. civil_status.")
    field_name: str = Field(description="Vietnamese field name, e.g. Hộ tịch.")
    competent: UnitKind
    processing: Processing
    fee_vnd: int = Field(ge=0)
    source: str = Field(default="", description="Where the code and figures come from.")


class UnitRegistryFile(BaseModel):
    """One era's administrative units, as shipped in ``hub/registry/data``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    era: str
    effective_from: date
    effective_to: date | None
    province_code: str
    province_name: str
    source: str
    competent_kinds: dict[UnitKind, UnitKind] = Field(
        default_factory=dict,
        description="In this era, a procedure whose catalog `competent` kind is a key is "
        "decided by the unit of the value kind (e.g. district_pac → provincial_pac once the "
        "district level is gone); kinds not listed decide as the catalog says.",
    )
    units: tuple[Unit, ...]


class ProcedureGroup(BaseModel):
    """A linked procedure group (nhóm thủ tục liên thông): the citizen files one dossier;
    each part is decided by its own competent unit and the result is complete when every
    part is. The first part is the lead procedure (the dossier's ``MaTTHC``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[0-9A-Za-z._-]+$", max_length=32)
    name: str = Field(description="Vietnamese name.")
    parts: tuple[str, ...] = Field(min_length=2, description="Member procedure codes.")
    source: str = Field(default="", description="Where the grouping comes from.")

    @property
    def lead(self) -> str:
        return self.parts[0]


class ProcedureCatalogFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    procedures: tuple[Procedure, ...]
    groups: tuple[ProcedureGroup, ...] = ()
