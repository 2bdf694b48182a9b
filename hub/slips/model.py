"""What the slips are rendered from: plain frozen data, filled by the provincial DB reader.

Fields the provincial database does not hold (yet) are optional: a slip prints a dotted line
for the official to fill in by hand. To print a new column, add a field with a default here,
select it in ``adapters/provincial_db/slips.py`` and use it in the slip's module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class UnitInfo:
    code: str
    name: str
    kind: str | None = None
    agency_code: str | None = None

    @property
    def is_commune(self) -> bool:
        return self.kind == "commune"


@dataclass(frozen=True, kw_only=True)
class ProcedureInfo:
    code: str
    name: str
    field_name: str | None = None
    processing_kind: str | None = None
    """``same_day`` or ``working_days``."""
    processing_days: int | None = None
    fee_vnd: int | None = None


@dataclass(frozen=True, kw_only=True)
class Step:
    """One timeline entry, with the facts slips print. ``kind`` is the event type."""

    kind: str
    at: datetime
    unit: UnitInfo
    sequence: int | None = None
    status: int | None = None
    from_unit: UnitInfo | None = None
    due_at: datetime | None = None
    """The due date this step sets (acceptance or transfer)."""
    new_due_at: datetime | None = None
    """The new return date of an apology (Decree 61/2018 Art.19(9))."""
    previous_due_at: datetime | None = None
    """The due date an apology replaced, when recorded."""
    reason: str | None = None
    note: str | None = None
    missing_items: tuple[str, ...] = ()
    decision_number: str | None = None
    item_code: str | None = None
    method: str | None = None
    amount_vnd: int | None = None
    receipt_number: str | None = None
    """A fee's electronic receipt number (biên lai điện tử)."""

    @property
    def sets_due(self) -> datetime | None:
        return self.new_due_at or self.due_at


@dataclass(frozen=True, kw_only=True)
class DossierSlip:
    """One dossier with everything any of its slips needs."""

    code: str
    procedure: ProcedureInfo
    receiving_unit: UnitInfo
    competent_unit: UnitInfo
    applicant_name: str = field(repr=False)
    """Personal data: printed on the citizen's slip, kept out of repr (and so out of logs)."""
    channel: int
    return_method: str
    received_at: datetime
    due_at: datetime | None
    status: int
    status_at: datetime
    resolved_at: datetime | None = None
    returned_at: datetime | None = None
    documents: tuple[str, ...] = ()
    fee_vnd: int | None = None
    steps: tuple[Step, ...] = ()

    def last(self, kind: str) -> Step | None:
        found = [step for step in self.steps if step.kind == kind]
        return found[-1] if found else None

    def due_before(self, step: Step) -> datetime | None:
        """The due date in force just before ``step`` (the dossier's own when none is)."""
        due = None
        for earlier in self.steps:
            if earlier is step:
                break
            due = earlier.sets_due or due
        return due or self.first_due_at

    @property
    def first_due_at(self) -> datetime | None:
        """The appointment given at reception: the first due date the timeline records."""
        return next((s.due_at for s in self.steps if s.due_at is not None), self.due_at)


@dataclass(frozen=True, kw_only=True)
class RegisterEntry:
    code: str
    procedure_name: str
    applicant_name: str = field(repr=False)
    competent_unit: UnitInfo
    received_at: datetime
    due_at: datetime | None
    transferred_at: datetime | None
    resolved_at: datetime | None
    returned_at: datetime | None
    status: int


@dataclass(frozen=True, kw_only=True)
class Register:
    """Sổ theo dõi hồ sơ: a unit's dossiers over a period (``end`` exclusive)."""

    unit: UnitInfo
    period_label: str
    start: datetime
    end: datetime
    entries: tuple[RegisterEntry, ...]
