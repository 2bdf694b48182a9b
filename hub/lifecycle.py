"""What the hub does with one canonical message, given the dossier's current state.

Pure: no broker, no database. :func:`decide` returns the new state and the messages to
emit; permanent problems raise :class:`hub.errors.PermanentError` subclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from hub.deadlines import due_at
from hub.errors import (
    DuplicateDossier,
    IllegalTransition,
    SenderNotAllowed,
    UnknownDossier,
)
from hub.registry import Registry, Unit, UnitKind
from schemas import (
    HUB_UNIT,
    CanonicalMessage,
    Dossier,
    DossierEvent,
    DossierReceived,
    DossierStatus,
    DossierTransferred,
    PostalOrderCreated,
    PostalStatusChanged,
    ResultIssued,
    ResultReturned,
    ReturnMethod,
    new_envelope,
)
from schemas.dossier import dossier_code_agency
from schemas.events import status_of_event

S = DossierStatus
ALLOWED: dict[DossierStatus, frozenset[DossierStatus]] = {
    S.NEWLY_REGISTERED: frozenset(
        {
            S.ACCEPTED,
            S.NOT_ACCEPTED,
            S.IN_PROGRESS,
            S.SUPPLEMENT_REQUESTED,
            S.RESOLVED,
            S.WITHDRAWN,
            S.PROCESSING_STOPPED,
        }
    ),
    S.ACCEPTED: frozenset(
        {
            S.IN_PROGRESS,
            S.SUPPLEMENT_REQUESTED,
            S.NOT_ACCEPTED,
            S.AWAITING_FINANCIAL_OBLIGATION,
            S.RESOLVED,
            S.WITHDRAWN,
            S.PROCESSING_STOPPED,
        }
    ),
    S.IN_PROGRESS: frozenset(
        {
            S.IN_PROGRESS,
            S.SUPPLEMENT_REQUESTED,
            S.NOT_ACCEPTED,
            S.AWAITING_FINANCIAL_OBLIGATION,
            S.RESOLVED,
            S.WITHDRAWN,
            S.PROCESSING_STOPPED,
        }
    ),
    S.SUPPLEMENT_REQUESTED: frozenset(
        {S.ACCEPTED, S.IN_PROGRESS, S.NOT_ACCEPTED, S.WITHDRAWN, S.PROCESSING_STOPPED}
    ),
    S.AWAITING_FINANCIAL_OBLIGATION: frozenset(
        {S.IN_PROGRESS, S.RESOLVED, S.WITHDRAWN, S.PROCESSING_STOPPED}
    ),
    S.RESOLVED: frozenset({S.RESULT_RETURNED}),
    S.NOT_ACCEPTED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.PROCESSING_STOPPED: frozenset(),
    S.RESULT_RETURNED: frozenset(),
}


@dataclass(frozen=True)
class DossierState:
    """What the hub tracks of one dossier."""

    dossier: Dossier
    competent_unit: str
    status: DossierStatus
    sequence: int
    due_at: datetime | None = None
    postal_item_code: str | None = None

    @property
    def code(self) -> str:
        return self.dossier.code

    @property
    def by_post(self) -> bool:
        return self.dossier.return_method is ReturnMethod.POST


@dataclass(frozen=True)
class Outgoing:
    """Something to publish after the state is saved."""

    kind: str  # "event" | "commune_notice" | "agency_transfer" | "postal_order"
    message: CanonicalMessage
    recipient: str


@dataclass(frozen=True)
class Decision:
    state: DossierState
    outgoing: tuple[Outgoing, ...]


class _Emitter:
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
    return _status_change(state, message, registry)


def competent_unit_for(dossier: Dossier, registry: Registry) -> Unit:
    """Content-based routing: the procedure's competent kind, for the receiving commune."""
    procedure = registry.procedure(dossier.procedure_code)
    receiving = registry.unit(dossier.receiving_unit)
    if procedure.competent is UnitKind.COMMUNE:
        return receiving
    return registry.agency_for(procedure.competent, district_code=receiving.district_code)


def _register(dossier: Dossier, message: CanonicalMessage, registry: Registry) -> Decision:
    receiving = registry.unit(dossier.receiving_unit)
    if receiving.kind is not UnitKind.COMMUNE or message.sender != receiving.code:
        raise SenderNotAllowed(f"{message.sender} may not register dossiers for {receiving.code}")
    if dossier_code_agency(dossier.code) != receiving.agency_code:
        raise SenderNotAllowed(
            f"dossier code {dossier.code} does not carry {receiving.code}'s agency code "
            f"{receiving.agency_code}"
        )
    procedure = registry.procedure(dossier.procedure_code)
    if dossier.delivery_address is not None:
        registry.unit(dossier.delivery_address.commune_code)
    competent = competent_unit_for(dossier, registry)
    state = DossierState(
        dossier=dossier,
        competent_unit=competent.code,
        status=DossierStatus.NEWLY_REGISTERED,
        sequence=0,
        due_at=due_at(procedure.processing, dossier.received_at),
    )
    emit = _Emitter(state, message)
    emit.event(message.payload, sender=message.sender, message_id=message.message_id)
    if competent.code != receiving.code:
        transferred = emit.event(
            DossierTransferred(
                from_unit=receiving.code,
                to_unit=competent.code,
                procedure_code=procedure.code,
                due_at=state.due_at,
                dossier=dossier,
            ),
            sender=HUB_UNIT,
        )
        emit.send("agency_transfer", transferred, competent.code)
    return Decision(emit.state, tuple(emit.outgoing))


def _status_change(state: DossierState, message: CanonicalMessage, registry: Registry) -> Decision:
    payload = message.payload
    new_status = status_of_event(payload)
    if new_status is None:
        raise IllegalTransition(f"{payload.type} is not a status change")
    receiving = state.dossier.receiving_unit
    if isinstance(payload, ResultReturned):
        if message.sender != receiving:
            raise SenderNotAllowed("only the receiving one-stop section returns the result")
        if state.by_post:
            raise IllegalTransition("this result is returned by post, not at the counter")
    elif message.sender != state.competent_unit:
        raise SenderNotAllowed(f"{message.sender} is not the unit deciding dossier {state.code}")
    if new_status not in ALLOWED[state.status]:
        raise IllegalTransition(f"status {int(state.status)} → {int(new_status)} is not allowed")
    emit = _Emitter(replace(state, status=new_status), message)
    recorded = emit.event(payload, sender=message.sender, message_id=message.message_id)
    if message.sender != receiving:
        emit.send("commune_notice", recorded, receiving)
    if isinstance(payload, ResultIssued) and state.by_post:
        emit.send("postal_order", recorded, HUB_UNIT)
    return Decision(emit.state, tuple(emit.outgoing))


def _postal(state: DossierState, message: CanonicalMessage) -> Decision:
    payload = message.payload
    emit = _Emitter(state, message)
    if isinstance(payload, PostalOrderCreated):
        if state.postal_item_code is not None:
            return Decision(state, ())  # the order exists already (idempotent re-create)
        emit.state = replace(emit.state, postal_item_code=payload.item_code)
        emit.event(payload, sender=HUB_UNIT, message_id=message.message_id)
        return Decision(emit.state, tuple(emit.outgoing))
    assert isinstance(payload, PostalStatusChanged)
    if state.status is DossierStatus.RESULT_RETURNED:
        return Decision(state, ())  # late tracking events after delivery change nothing
    emit.event(payload, sender=HUB_UNIT, message_id=message.message_id)
    if payload.delivered and state.status is DossierStatus.RESOLVED:
        emit.state = replace(emit.state, status=DossierStatus.RESULT_RETURNED)
        returned = emit.event(
            ResultReturned(unit=state.dossier.receiving_unit, method=ReturnMethod.POST),
            sender=HUB_UNIT,
            occurred_at=payload.event_time,
        )
        emit.send("commune_notice", returned, state.dossier.receiving_unit)
    return Decision(emit.state, tuple(emit.outgoing))
