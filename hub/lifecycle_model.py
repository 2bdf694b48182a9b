"""What the hub tracks of a dossier, and the messages a decision emits. Pure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from schemas import (
    HUB_UNIT,
    CanonicalMessage,
    Dossier,
    DossierEvent,
    DossierStatus,
    ReturnMethod,
    new_envelope,
)


@dataclass(frozen=True)
class PartState:
    """One part of a linked group dossier: a member procedure and its competent unit."""

    procedure_code: str
    unit: str
    status: DossierStatus
    due_at: datetime | None = None
    decision_number: str | None = None
    summary: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class DossierState:
    """What the hub tracks of one dossier."""

    dossier: Dossier
    competent_unit: str
    status: DossierStatus
    sequence: int
    due_at: datetime | None = None
    postal_item_code: str | None = None
    supplement_requested: bool = False
    """A supplement was requested (once only: every missing item in one go)."""
    deadline_extended: bool = False
    """The deciding unit apologised and set a new date (once only)."""
    warned_due_at: datetime | None = None
    """The due date the due-soon warning was sent for."""
    overdue_due_at: datetime | None = None
    """The due date the dossier was flagged past."""
    parts: tuple[PartState, ...] = ()
    """A linked group dossier's parts (empty for a single-procedure dossier)."""

    @property
    def code(self) -> str:
        return self.dossier.issued_code

    @property
    def by_post(self) -> bool:
        return self.dossier.return_method is ReturnMethod.POST


@dataclass(frozen=True)
class Outgoing:
    """Something to publish after the state is saved."""

    kind: str
    """"event", "commune_notice", "agency_transfer", "postal_order", "agency_resubmission",
    "agency_withdrawal", "due_warning", "apology_notice", "group_notice" or "reception_ack"."""
    message: CanonicalMessage
    recipient: str


@dataclass(frozen=True)
class Decision:
    state: DossierState
    outgoing: tuple[Outgoing, ...]


class Emitter:
    def __init__(self, state: DossierState, cause: CanonicalMessage) -> None:
        self.state = state
        self.cause = cause
        self.outgoing: list[Outgoing] = []

    def event(
        self,
        payload: DossierEvent,
        *,
        sender: str,
        message_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> CanonicalMessage:
        sequence = self.state.sequence + 1
        self.state = replace(self.state, sequence=sequence)
        message = new_envelope(
            payload,
            sender=sender,
            recipient=HUB_UNIT,
            dossier_code=self.state.code,
            occurred_at=occurred_at or self.cause.occurred_at,
            causation_id=None if message_id else self.cause.message_id,
            sequence=sequence,
            message_id=message_id,
        )
        self.outgoing.append(Outgoing("event", message, HUB_UNIT))
        return message

    def send(self, kind: str, message: CanonicalMessage, recipient: str) -> None:
        self.outgoing.append(Outgoing(kind, message, recipient))
