"""Pure mapping from canonical messages to the registry's rows. No I/O."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from schemas import (
    CanonicalMessage,
    Dossier,
    DossierReceived,
    DossierStatus,
    DossierTransferred,
    PostalOrderCreated,
    PostalStatusChanged,
)
from schemas.base import field_of
from schemas.events import status_of_event

Row = tuple[object, ...]


def applicant_digest(id_number: str) -> str:
    """Hex SHA-256 of an id number: lets the registry match applicants without the number."""
    return hashlib.sha256(id_number.encode("utf-8")).hexdigest()


def status_of(message: CanonicalMessage) -> DossierStatus | None:
    """The status an event sets, or None for events that leave the status unchanged."""
    return status_of_event(message.payload)


def unit_of(message: CanonicalMessage) -> str:
    """The unit the timeline entry is about: the acting unit, else the sender."""
    payload = message.payload
    if isinstance(payload, DossierReceived):
        return payload.dossier.receiving_unit
    if isinstance(payload, DossierTransferred):
        return payload.to_unit
    return str(field_of(payload, "unit", message.sender))


def timeline_payload(message: CanonicalMessage) -> str:
    """The payload as stored in the timeline (JSON text), with the applicant's personal data
    removed. Only a reception and a transfer carry the dossier with its applicant; every
    other payload is stored as it travelled, serialised once by pydantic."""
    payload = message.payload
    if not isinstance(payload, DossierReceived | DossierTransferred):
        return payload.model_dump_json()
    data = payload.model_dump(mode="json")
    dossier = data["dossier"]
    source: Dossier = payload.dossier
    dossier["applicant"] = {"digest": applicant_digest(source.applicant.id_number)}
    if source.delivery_address is not None:
        dossier["delivery_address"] = {"commune_code": source.delivery_address.commune_code}
    return json.dumps(data, ensure_ascii=False)


def timeline_row(message: CanonicalMessage) -> Row:
    status = status_of(message)
    return (
        message.message_id,
        message.correlation_id,
        message.sequence,
        message.type,
        None if status is None else int(status),
        unit_of(message),
        message.occurred_at,
        timeline_payload(message),
    )


def dossier_row(dossier: Dossier) -> Row:
    applicant = {"full_name": dossier.applicant.full_name, "id_number": dossier.applicant.id_number}
    return (
        dossier.issued_code,
        dossier.procedure_code,
        dossier.receiving_unit,
        int(dossier.channel),
        dossier.return_method.value,
        dossier.received_at,
        int(DossierStatus.NEWLY_REGISTERED),
        applicant_digest(dossier.applicant.id_number),
        json.dumps(applicant, ensure_ascii=False),
        dossier.group_code,
    )


@dataclass
class Writes:
    """Everything new messages write besides their timeline entries, in arrival order."""

    received_dossiers: list[Row] = field(default_factory=list)
    transferred_dossiers: list[Row] = field(default_factory=list)
    handoffs: list[Row] = field(default_factory=list)
    postal_orders: list[Row] = field(default_factory=list)
    postal_order_stubs: list[Row] = field(default_factory=list)
    postal_events: list[Row] = field(default_factory=list)
    order_numbers: list[str] = field(default_factory=list)

    def add(self, message: CanonicalMessage) -> None:
        payload, code, at = message.payload, message.correlation_id, message.occurred_at
        if isinstance(payload, DossierReceived):
            self.received_dossiers.append(dossier_row(payload.dossier))
        elif isinstance(payload, DossierTransferred):
            self.transferred_dossiers.append(dossier_row(payload.dossier))
            self.handoffs.append(_handoff_row(message.message_id, code, payload, at))
        elif isinstance(payload, PostalOrderCreated):
            self.postal_orders.append(_order_row(payload, code, at))
            self.order_numbers.append(payload.order_number)
        elif isinstance(payload, PostalStatusChanged):
            self.postal_order_stubs.append((payload.order_number, payload.item_code, code))
            self.postal_events.append(_postal_event_row(payload))
            self.order_numbers.append(payload.order_number)


def writes_of(messages: Sequence[CanonicalMessage]) -> Writes:
    writes = Writes()
    for message in messages:
        writes.add(message)
    return writes


def _handoff_row(message_id: UUID, code: str, payload: DossierTransferred, at: datetime) -> Row:
    return (message_id, code, payload.from_unit, payload.to_unit, at, payload.due_at)


def _order_row(payload: PostalOrderCreated, code: str, at: datetime) -> Row:
    return (payload.order_number, payload.item_code, code, payload.receiver_commune, at)


def _postal_event_row(payload: PostalStatusChanged) -> Row:
    return (
        payload.order_number,
        payload.status_code,
        payload.event_time,
        payload.status_message,
        payload.pos_id,
        payload.delivered,
    )
