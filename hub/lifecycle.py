"""What the hub does with one canonical message, given the dossier's current state.

Pure: no broker, no database. :func:`decide` returns the new state and the messages to
emit; permanent problems raise :class:`hub.errors.PermanentError` subclasses.
"""

from __future__ import annotations

from dataclasses import replace

from hub.errors import (
    DuplicateDossier,
    IllegalTransition,
    SchemaInvalid,
    SenderNotAllowed,
    UnknownDossier,
)
from hub.handoff import due_for, handed_over_at
from hub.lifecycle_flows import (
    ANNOTATIONS,
    annotate,
    check_supplement_request,
    resubmit,
    status_outgoing,
)
from hub.lifecycle_model import Decision, DossierState, Emitter, Outgoing
from hub.linked_groups import PART_EVENTS, fan_out, update_part, withdraw
from hub.registry import Registry, Unit, UnitKind
from hub.transitions import ALLOWED
from schemas import (
    HUB_UNIT,
    CanonicalMessage,
    Channel,
    Dossier,
    DossierReceived,
    DossierStatus,
    DossierTransferred,
    DossierWithdrawn,
    PostalOrderCreated,
    PostalStatusChanged,
    ResultReturned,
    ReturnMethod,
    SupplementRequested,
    SupplementResubmitted,
)
from schemas.base import field_of
from schemas.dossier import dossier_code_agency
from schemas.events import status_of_event

__all__ = ["ALLOWED", "Decision", "DossierState", "Outgoing", "competent_unit_for", "decide"]

S = DossierStatus


def decide(state: DossierState | None, message: CanonicalMessage, registry: Registry) -> Decision:
    payload = message.payload
    if isinstance(payload, DossierReceived):
        if state is not None:
            raise DuplicateDossier(f"dossier {message.correlation_id} is already registered")
        return _register(payload.dossier, message, registry)
    if state is None:
        raise UnknownDossier(f"no dossier {message.correlation_id} is registered")
    if isinstance(payload, PostalOrderCreated | PostalStatusChanged):
        return _postal(state, message)
    if isinstance(payload, ANNOTATIONS):
        return annotate(state, message)
    if isinstance(payload, SupplementResubmitted):
        _check_transition(state, DossierStatus.ACCEPTED)
        return resubmit(state, message, registry)
    if state.parts and isinstance(payload, PART_EVENTS):
        return update_part(state, message)
    if state.parts and isinstance(payload, DossierWithdrawn):
        return withdraw(state, message)
    return _status_change(state, message, registry)


def competent_unit_for(dossier: Dossier, registry: Registry) -> Unit:
    """Content-based routing: the procedure's competent kind, for the receiving commune, in
    the registry of the era the dossier was received in."""
    era = registry.at(dossier.received_at)
    return era.competent_unit(dossier.procedure_code, receiving_code=dossier.receiving_unit)


def _register(dossier: Dossier, message: CanonicalMessage, registry: Registry) -> Decision:
    era = registry.at(dossier.received_at)
    receiving = era.unit(dossier.receiving_unit)
    if receiving.kind is not UnitKind.COMMUNE or message.sender != receiving.code:
        raise SenderNotAllowed(f"{message.sender} may not register dossiers for {receiving.code}")
    if dossier_code_agency(dossier.issued_code) != receiving.agency_code:
        raise SenderNotAllowed(
            f"dossier code {dossier.code} does not carry {receiving.code}'s agency code "
            f"{receiving.agency_code}"
        )
    if dossier.delivery_address is not None:
        era.unit(dossier.delivery_address.commune_code)
    if dossier.group_code is not None:
        return fan_out(dossier, message, era)
    procedure = registry.procedure(dossier.procedure_code)
    competent = competent_unit_for(dossier, registry)
    transferred_to = None if competent.code == receiving.code else competent.code
    state = DossierState(
        dossier=dossier,
        competent_unit=competent.code,
        status=DossierStatus.NEWLY_REGISTERED,
        sequence=0,
        due_at=due_for(procedure.processing, dossier, transferred=transferred_to is not None),
    )
    emit = Emitter(state, message)
    emit.event(message.payload, sender=message.sender, message_id=message.message_id)
    if transferred_to is not None:
        transferred = emit.event(
            DossierTransferred(
                from_unit=receiving.code,
                to_unit=transferred_to,
                procedure_code=procedure.code,
                due_at=state.due_at,
                dossier=dossier,
            ),
            sender=HUB_UNIT,
            occurred_at=handed_over_at(dossier),
        )
        emit.send("agency_transfer", transferred, transferred_to)
    return Decision(emit.state, tuple(emit.outgoing))


def _status_change(state: DossierState, message: CanonicalMessage, registry: Registry) -> Decision:
    payload = message.payload
    if field_of(payload, "part") is not None:
        raise SchemaInvalid(f"dossier {state.code} is not a linked group: it has no parts")
    new_status = status_of_event(payload)
    if new_status is None:
        raise IllegalTransition(f"{payload.type} is not a status change")
    _check_sender(state, message)
    _check_transition(state, new_status)
    if isinstance(payload, SupplementRequested):
        check_supplement_request(state)
        state = replace(state, supplement_requested=True)
        if state.dossier.channel is Channel.POSTAL:
            payload = payload.model_copy(update={"by_post": True})
    emit = Emitter(replace(state, status=new_status), message)
    recorded = emit.event(payload, sender=message.sender, message_id=message.message_id)
    for kind, recipient in status_outgoing(state, message):
        emit.send(kind, recorded, recipient)
    return Decision(emit.state, tuple(emit.outgoing))


def _check_sender(state: DossierState, message: CanonicalMessage) -> None:
    receiving = state.dossier.receiving_unit
    payload = message.payload
    if isinstance(payload, ResultReturned):
        if message.sender != receiving:
            raise SenderNotAllowed("only the receiving one-stop section returns the result")
        if state.by_post:
            raise IllegalTransition("this result is returned by post, not at the counter")
    elif isinstance(payload, DossierWithdrawn):
        if message.sender not in (receiving, state.competent_unit):
            raise SenderNotAllowed(
                f"{message.sender} neither received nor decides dossier {state.code}"
            )
    elif message.sender != state.competent_unit:
        raise SenderNotAllowed(f"{message.sender} is not the unit deciding dossier {state.code}")


def _check_transition(state: DossierState, new_status: DossierStatus) -> None:
    if new_status not in ALLOWED[state.status]:
        raise IllegalTransition(
            f"status {int(state.status)} → {int(new_status)} is not allowed",
            may_become_legal=new_status > state.status and not state.status.is_final,
        )


def _postal(state: DossierState, message: CanonicalMessage) -> Decision:
    payload = message.payload
    emit = Emitter(state, message)
    if isinstance(payload, PostalOrderCreated):
        if payload.order_number != state.code:  # a letter (supplement request), not the result
            emit.event(payload, sender=HUB_UNIT, message_id=message.message_id)
            return Decision(emit.state, tuple(emit.outgoing))
        if state.postal_item_code is not None:
            return Decision(state, ())  # the order exists already (idempotent re-create)
        emit.state = replace(emit.state, postal_item_code=payload.item_code)
        emit.event(payload, sender=HUB_UNIT, message_id=message.message_id)
        return Decision(emit.state, tuple(emit.outgoing))
    assert isinstance(payload, PostalStatusChanged)
    if state.status is DossierStatus.RESULT_RETURNED:
        return Decision(state, ())  # late tracking events after delivery change nothing
    emit.event(payload, sender=HUB_UNIT, message_id=message.message_id)
    returns_result = payload.order_number == state.code
    if payload.delivered and returns_result and state.status is DossierStatus.RESOLVED:
        emit.state = replace(emit.state, status=DossierStatus.RESULT_RETURNED)
        returned = emit.event(
            ResultReturned(unit=state.dossier.receiving_unit, method=ReturnMethod.POST),
            sender=HUB_UNIT,
            occurred_at=payload.event_time,
        )
        emit.send("commune_notice", returned, state.dossier.receiving_unit)
    return Decision(emit.state, tuple(emit.outgoing))
