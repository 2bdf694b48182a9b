"""The deadline scan: which open dossiers need a due-soon warning or a past-due flag.

Pure: a function of the dossiers' states and the time, no broker and no database. The
runner (:mod:`hub.overdue_runner`) feeds it and records what it decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from hub.deadlines import warning_at
from hub.lifecycle_flows import WATCHED_STATUSES
from hub.lifecycle_model import DossierState
from schemas import DueSoonWarned, OverdueFlagged

DeadlineKind = Literal["due_soon", "overdue"]


@dataclass(frozen=True)
class DeadlineAction:
    """One warning to raise for one dossier, about one due date."""

    dossier_code: str
    kind: DeadlineKind
    deciding_unit: str
    due_at: datetime

    def event(self) -> DueSoonWarned | OverdueFlagged:
        if self.kind == "due_soon":
            return DueSoonWarned(unit=self.deciding_unit, due_at=self.due_at)
        return OverdueFlagged(unit=self.deciding_unit, due_at=self.due_at)


def deadline_action(state: DossierState, now: datetime) -> DeadlineAction | None:
    """Past due and not yet flagged → overdue; within one working day of the due date and
    not yet warned → due soon; otherwise nothing. A dossier already past due is flagged,
    not warned."""
    due = state.due_at
    if due is None or state.status not in WATCHED_STATUSES:
        return None
    if now >= due:
        kind: DeadlineKind | None = "overdue" if state.overdue_due_at != due else None
    elif now >= warning_at(due):
        kind = "due_soon" if state.warned_due_at != due else None
    else:
        kind = None
    return None if kind is None else DeadlineAction(state.code, kind, state.competent_unit, due)


def deadline_actions(states: Iterable[DossierState], now: datetime) -> list[DeadlineAction]:
    return [a for a in (deadline_action(s, now) for s in states) if a is not None]
