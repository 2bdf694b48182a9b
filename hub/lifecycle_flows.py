"""Decisions on the later steps of a dossier's life: who hears of a status change,
resubmission after a supplement request, the apology with a new date (once only), the
hub's own deadline warnings, fees and satisfaction ratings. Pure: no broker, no database."""

from __future__ import annotations

from dataclasses import replace

from hub.deadlines import due_at
from hub.errors import (
    DeadlineAlreadyExtended,
    IllegalTransition,
    SchemaInvalid,
    SenderNotAllowed,
    SupplementAlreadyRequested,
)
from hub.lifecycle_model import Decision, DossierState, Emitter
from hub.registry import Registry
from schemas import (
    HUB_UNIT,
    CanonicalMessage,
    Channel,
    DelayApologised,
    DossierStatus,
    DossierWithdrawn,
    DueSoonWarned,
    FeePaid,
    OverdueFlagged,
    ResultIssued,
    SatisfactionRated,
    SupplementRequested,
)

S = DossierStatus
WATCHED_STATUSES = frozenset(
    {S.NEWLY_REGISTERED, S.ACCEPTED, S.IN_PROGRESS, S.AWAITING_FINANCIAL_OBLIGATION}
)
"""Open dossiers whose deadline runs: not final, not resolved, not waiting for a supplement."""
CLOSED_WITHOUT_RESULT = frozenset({S.NOT_ACCEPTED, S.WITHDRAWN, S.PROCESSING_STOPPED})

ANNOTATIONS = (DelayApologised, DueSoonWarned, OverdueFlagged, FeePaid, SatisfactionRated)
"""Events recorded against a dossier that leave its status as it is."""


def status_outgoing(state: DossierState, message: CanonicalMessage) -> list[tuple[str, str]]:
    """Who hears of a recorded status change besides the provincial database:
    ``(outgoing kind, recipient)`` pairs."""
    payload = message.payload
    receiving, deciding = state.dossier.receiving_unit, state.competent_unit
    out: list[tuple[str, str]] = []
    if message.sender != receiving:
        out.append(("commune_notice", receiving))
    elif isinstance(payload, DossierWithdrawn) and deciding != receiving:
        out.append(("agency_withdrawal", deciding))
    if isinstance(payload, ResultIssued) and state.by_post:
        out.append(("postal_order", HUB_UNIT))
    if isinstance(payload, SupplementRequested) and state.dossier.channel is Channel.POSTAL:
        out.append(("postal_order", HUB_UNIT))
    return out


def check_supplement_request(state: DossierState) -> None:
    if state.supplement_requested:
        raise SupplementAlreadyRequested(
            f"a supplement was already requested for dossier {state.code}; every missing item "
            "must be listed in one go"
        )


def resubmit(state: DossierState, message: CanonicalMessage, registry: Registry) -> Decision:
    """The completed dossier arrived: back to accepted, the deadline counted again."""
    receiving = state.dossier.receiving_unit
    if message.sender != receiving:
        raise SenderNotAllowed("only the receiving one-stop section takes in a resubmission")
    if state.status is not S.SUPPLEMENT_REQUESTED:
        raise IllegalTransition(
            f"no supplement is pending for dossier {state.code} (status {int(state.status)})"
        )
    procedure = registry.procedure(state.dossier.procedure_code)
    new_due = due_at(procedure.processing, message.occurred_at)
    payload = message.payload.model_copy(update={"due_at": new_due})
    emit = Emitter(replace(state, status=S.ACCEPTED, due_at=new_due), message)
    recorded = emit.event(payload, sender=message.sender, message_id=message.message_id)
    if state.competent_unit != receiving:
        emit.send("agency_resubmission", recorded, state.competent_unit)
    return Decision(emit.state, tuple(emit.outgoing))


def annotate(state: DossierState, message: CanonicalMessage) -> Decision:
    """Events that leave the status as it is: apology, deadline warnings, fees, ratings."""
    payload = message.payload
    if isinstance(payload, DelayApologised):
        return _apologise(state, message, payload)
    if isinstance(payload, DueSoonWarned | OverdueFlagged):
        return _deadline(state, message, payload)
    receiving = state.dossier.receiving_unit
    if isinstance(payload, FeePaid):
        if message.sender not in (receiving, state.competent_unit):
            raise SenderNotAllowed(f"{message.sender} may not collect fees for {state.code}")
        if state.status in CLOSED_WITHOUT_RESULT:
            raise IllegalTransition(f"dossier {state.code} was closed without a result")
    elif message.sender != receiving:
        raise SenderNotAllowed("only the receiving one-stop section records satisfaction ratings")
    emit = Emitter(state, message)
    emit.event(payload, sender=message.sender, message_id=message.message_id)
    return Decision(emit.state, tuple(emit.outgoing))


def _apologise(
    state: DossierState, message: CanonicalMessage, payload: DelayApologised
) -> Decision:
    if message.sender != state.competent_unit:
        raise SenderNotAllowed(f"{message.sender} is not the unit deciding dossier {state.code}")
    if state.status not in WATCHED_STATUSES:
        raise IllegalTransition(f"no apology for a dossier in status {int(state.status)}")
    if state.deadline_extended:
        raise DeadlineAlreadyExtended(
            f"the return date of dossier {state.code} was already re-set once; "
            "a second apology is not accepted (Decree 61/2018 Art.19(9))"
        )
    if state.due_at is not None and payload.due_at <= state.due_at:
        raise SchemaInvalid("the new date must be after the current due date")
    if payload.due_at <= message.occurred_at:
        raise SchemaInvalid("the new date must be after the apology")
    recorded_payload = payload.model_copy(update={"previous_due_at": state.due_at})
    extended = replace(state, due_at=payload.due_at, deadline_extended=True)
    emit = Emitter(extended, message)
    recorded = emit.event(recorded_payload, sender=message.sender, message_id=message.message_id)
    if message.sender != state.dossier.receiving_unit:
        emit.send("apology_notice", recorded, state.dossier.receiving_unit)
    return Decision(emit.state, tuple(emit.outgoing))


def _deadline(
    state: DossierState, message: CanonicalMessage, payload: DueSoonWarned | OverdueFlagged
) -> Decision:
    """A warning the hub's deadline scan raised; stale or repeated ones change nothing."""
    if message.sender != HUB_UNIT:
        raise SenderNotAllowed("only the hub raises deadline warnings")
    due_soon = isinstance(payload, DueSoonWarned)
    already = state.warned_due_at if due_soon else state.overdue_due_at
    if (
        state.status not in WATCHED_STATUSES
        or state.due_at != payload.due_at
        or already == payload.due_at
    ):
        return Decision(state, ())
    marked = (
        replace(state, warned_due_at=payload.due_at)
        if due_soon
        else replace(state, overdue_due_at=payload.due_at)
    )
    emit = Emitter(marked, message)
    recorded = emit.event(payload, sender=HUB_UNIT, message_id=message.message_id)
    emit.send("due_warning", recorded, state.competent_unit)
    if state.dossier.receiving_unit != state.competent_unit:
        emit.send("due_warning", recorded, state.dossier.receiving_unit)
    return Decision(emit.state, tuple(emit.outgoing))
