"""Agency native format ⇄ canonical model for the later steps of a dossier's life: the
apology with a new date, and the hub's resubmission, withdrawal and deadline notices."""

from __future__ import annotations

from adapters.agency.wire import Apology, Attachment, DueWarning, Resubmission, Withdrawal
from adapters.native import payload_as
from schemas import (
    CanonicalMessage,
    DelayApologised,
    DossierWithdrawn,
    DueSoonWarned,
    OverdueFlagged,
    SupplementResubmitted,
)


def apology_event(native: Apology) -> DelayApologised:
    return DelayApologised(unit=native.agencyUnit, reason=native.reason, due_at=native.newDueDate)


def resubmission(message: CanonicalMessage) -> bytes:
    """Render ``dossier.resubmitted`` as the agency's ``RESUBMISSION``."""
    event = payload_as(message, SupplementResubmitted)
    return (
        Resubmission(
            messageId=str(message.message_id),
            dossierNo=message.correlation_id,
            receivingUnit=event.unit,
            resubmittedAt=message.occurred_at,
            dueDate=event.due_at,
            completedItems=event.completed_items,
            attachments=tuple(
                Attachment(fileName=d.name, url=d.uri, sha256=d.sha256) for d in event.documents
            ),
            note=event.note,
        )
        .model_dump_json()
        .encode()
    )


def withdrawal(message: CanonicalMessage) -> bytes:
    """Render ``dossier.withdrawn`` as the agency's ``WITHDRAWAL`` (stop processing)."""
    event = payload_as(message, DossierWithdrawn)
    return (
        Withdrawal(
            messageId=str(message.message_id),
            dossierNo=message.correlation_id,
            receivingUnit=event.unit,
            withdrawnAt=message.occurred_at,
            reason=event.reason,
        )
        .model_dump_json()
        .encode()
    )


def due_warning(message: CanonicalMessage) -> bytes:
    """Render ``dossier.due_soon`` / ``dossier.overdue`` as the agency's ``DUE_WARNING``."""
    event = message.payload
    if not isinstance(event, DueSoonWarned | OverdueFlagged):
        raise TypeError(f"expected a deadline warning, got {event.type}")
    return (
        DueWarning(
            messageId=str(message.message_id),
            dossierNo=message.correlation_id,
            kind="DUE_SOON" if isinstance(event, DueSoonWarned) else "OVERDUE",
            dueDate=event.due_at,
            warnedAt=message.occurred_at,
        )
        .model_dump_json()
        .encode()
    )
