"""Rules of linked procedure groups (liên thông), pure: which part a status message is
about, how a part takes an outcome, and the dossier's status derived from its parts.

The status rule (docs/architecture.md, "Linked procedure groups"):

- 1 while every part is newly registered;
- 4 (in progress) once any part moved and some part is still open;
- once every part has an outcome (3, 7, 8, 9 or 10): 9 when at least one part was resolved
  (the citizen collects the results there are, with the refusals explained), else 3 when a
  part was refused, else 8 when processing was stopped, else 7.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from hub.errors import SchemaInvalid, SenderNotAllowed
from hub.lifecycle_model import DossierState, PartState
from schemas import (
    CanonicalMessage,
    DossierRefused,
    DossierStatus,
    PartOutcome,
    ProcessingStopped,
    ResultIssued,
)
from schemas.base import field_of

S = DossierStatus
PART_OUTCOMES = frozenset({S.NOT_ACCEPTED, S.WITHDRAWN, S.PROCESSING_STOPPED, S.RESOLVED})
"""Statuses at which a part has its outcome (10 is only ever set on the whole dossier)."""
REFUSALS = frozenset({S.NOT_ACCEPTED, S.PROCESSING_STOPPED})


def settled(part: PartState) -> bool:
    return part.status in PART_OUTCOMES or part.status is S.RESULT_RETURNED


def overall_status(parts: Iterable[PartState]) -> DossierStatus:
    statuses = {part.status for part in parts}
    if all(status in PART_OUTCOMES or status is S.RESULT_RETURNED for status in statuses):
        for outcome in (S.RESOLVED, S.NOT_ACCEPTED, S.PROCESSING_STOPPED):
            if outcome in statuses:
                return outcome
        return S.WITHDRAWN
    if S.SUPPLEMENT_REQUESTED in statuses:
        return S.SUPPLEMENT_REQUESTED
    if statuses == {S.NEWLY_REGISTERED}:
        return S.NEWLY_REGISTERED
    return S.IN_PROGRESS


def latest_due(parts: Iterable[PartState]) -> datetime | None:
    """The group's due date: the latest of its parts' (None when no part has one)."""
    dues = [part.due_at for part in parts if part.due_at is not None]
    return max(dues) if dues else None


def part_named(state: DossierState, message: CanonicalMessage) -> PartState:
    """The part a status message is about: the one it names, or else the only part its
    sender decides. Only that part's competent unit may change it."""
    code: str | None = field_of(message.payload, "part")
    if code is None:
        mine = [part for part in state.parts if part.unit == message.sender]
        if not mine:
            raise SenderNotAllowed(f"{message.sender} decides no part of dossier {state.code}")
        if len(mine) > 1:
            raise SchemaInvalid(f"{message.sender} decides several parts: name the part")
        return mine[0]
    for part in state.parts:
        if part.procedure_code == code:
            if message.sender != part.unit:
                raise SenderNotAllowed(
                    f"{message.sender} does not decide part {code} of dossier {state.code}"
                )
            return part
    raise SchemaInvalid(f"procedure {code} is not a part of dossier {state.code}'s group")


def with_outcome(part: PartState, message: CanonicalMessage, status: DossierStatus) -> PartState:
    payload = message.payload
    if isinstance(payload, ResultIssued):
        return replace(
            part,
            status=status,
            decision_number=payload.decision_number,
            summary=payload.summary or None,
        )
    if isinstance(payload, DossierRefused | ProcessingStopped):
        return replace(part, status=status, reason=payload.reason)
    return replace(part, status=status)


def outcomes(parts: Iterable[PartState]) -> tuple[PartOutcome, ...]:
    return tuple(
        PartOutcome(
            procedure_code=p.procedure_code,
            unit=p.unit,
            status=p.status,
            due_at=p.due_at,
            decision_number=p.decision_number,
            summary=p.summary,
            reason=p.reason,
        )
        for p in parts
    )
