"""Canonical events of linked procedure groups (liên thông): one dossier, several parts,
each decided by its own competent unit; the hub fans out and fans in."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from schemas.base import WireModel
from schemas.dossier import GroupCode, ProcedureCode, UnitCode
from schemas.status import DossierStatus


class PartOutcome(WireModel):
    """One part of a linked group dossier: who decides it, by when, and how it stands."""

    procedure_code: ProcedureCode
    unit: UnitCode = Field(description="The part's competent unit.")
    status: DossierStatus
    due_at: AwareDatetime | None = Field(default=None, description="The part's own due date.")
    decision_number: str | None = Field(default=None, description="Set when resolved (9).")
    summary: str | None = Field(default=None, max_length=2000)
    reason: str | None = Field(
        default=None, max_length=2000, description="Why the part was refused (3) or stopped (8)."
    )


class GroupFannedOut(WireModel):
    """The hub split a linked group dossier into its parts and handed each to its unit."""

    type: Literal["dossier.group_fanned_out"] = "dossier.group_fanned_out"
    group_code: GroupCode
    parts: tuple[PartOutcome, ...] = Field(min_length=1)
    due_at: AwareDatetime | None = Field(
        default=None, description="The group's due date: the latest of its parts' due dates."
    )


class GroupOutcome(WireModel):
    """Fan-in: every part has its outcome (``complete``), or one part was refused or stopped
    and the commune is told which, with the other parts' outcomes so far."""

    type: Literal["dossier.group_outcome"] = "dossier.group_outcome"
    group_code: GroupCode
    status: DossierStatus = Field(description="The dossier's status derived from its parts.")
    complete: bool = Field(description="True when every part has an outcome.")
    settled_part: ProcedureCode | None = Field(
        default=None, description="The part whose outcome caused this report."
    )
    parts: tuple[PartOutcome, ...] = Field(min_length=1)
