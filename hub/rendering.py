"""Turn a decision's outgoing messages into outbox rows in each recipient's own format."""

from __future__ import annotations

import json
from collections.abc import Callable

from adapters.agency import lifecycle as agency_lifecycle
from adapters.agency import translate as agency
from adapters.commune import lifecycle as commune_lifecycle
from adapters.commune import linked as commune_linked
from adapters.commune import reception as commune_reception
from adapters.commune import translate as commune
from hub.lifecycle import DossierState, Outgoing
from hub.store.outbox import OutboxMessage
from hub.topology import EVENTS_EXCHANGE, OUTBOUND_EXCHANGE, POSTAL_QUEUE
from schemas import CanonicalMessage, SupplementRequested

JSON = "application/json"


def headers_for(message: CanonicalMessage) -> dict[str, str]:
    return {
        "content-type": JSON,
        "x-dossier-code": message.correlation_id,
        "x-message-type": message.type,
    }


def _due_warning(outgoing: Outgoing, state: DossierState) -> bytes:
    """Each unit in its own format: the receiving commune (also when it decides) or the
    deciding agency."""
    if outgoing.recipient == state.dossier.receiving_unit:
        return commune_lifecycle.due_warning(outgoing.message, deciding_unit=state.competent_unit)
    return agency_lifecycle.due_warning(outgoing.message)


PEER_RENDERERS: dict[str, Callable[[Outgoing, DossierState], bytes]] = {
    "agency_resubmission": lambda o, _s: agency_lifecycle.resubmission(o.message),
    "agency_withdrawal": lambda o, _s: agency_lifecycle.withdrawal(o.message),
    "apology_notice": lambda o, _s: commune_lifecycle.apology_notice(o.message),
    "due_warning": _due_warning,
    "group_notice": lambda o, s: commune_linked.group_notice(o.message, by_post=s.by_post),
    "reception_ack": lambda o, s: commune_reception.reception_ack(
        o.message, deciding_unit=s.competent_unit, due_at=s.due_at
    ),
}
"""Outgoing kinds of the later lifecycle steps, rendered for the recipient unit."""


def render(outgoing: Outgoing, state: DossierState) -> OutboxMessage:
    message = outgoing.message
    if outgoing.kind == "event":
        return OutboxMessage(
            message.message_id,
            EVENTS_EXCHANGE,
            message.type,
            message.model_dump_json().encode(),
            headers_for(message),
        )
    if outgoing.kind == "agency_transfer":
        return OutboxMessage(
            message.message_id,
            OUTBOUND_EXCHANGE,
            outgoing.recipient,
            agency.transfer(message),
            headers_for(message),
        )
    if outgoing.kind == "commune_notice":
        body = commune.notice(
            message,
            deciding_unit=state.competent_unit,
            by_post=state.by_post,
            item_code=state.postal_item_code,
        )
        return OutboxMessage(
            message.message_id, OUTBOUND_EXCHANGE, outgoing.recipient, body, headers_for(message)
        )
    if outgoing.kind in PEER_RENDERERS:
        body = PEER_RENDERERS[outgoing.kind](outgoing, state)
        return OutboxMessage(
            message.message_id, OUTBOUND_EXCHANGE, outgoing.recipient, body, headers_for(message)
        )
    if outgoing.kind == "postal_order":
        purpose = "supplement" if isinstance(message.payload, SupplementRequested) else "result"
        command = json.dumps(
            {
                "dossier_code": state.code,
                "cause": str(message.message_id),
                "occurred_at": message.occurred_at.isoformat(),
                "purpose": purpose,
            }
        )
        return OutboxMessage(
            message.message_id, "", POSTAL_QUEUE, command.encode(), headers_for(message)
        )
    raise ValueError(f"unknown outgoing kind {outgoing.kind!r}")
