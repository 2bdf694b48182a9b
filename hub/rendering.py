"""Turn a decision's outgoing messages into outbox rows in each recipient's own format."""

from __future__ import annotations

import json

from adapters.agency import translate as agency
from adapters.commune import translate as commune
from hub.lifecycle import DossierState, Outgoing
from hub.store.outbox import OutboxMessage
from hub.topology import EVENTS_EXCHANGE, OUTBOUND_EXCHANGE, POSTAL_QUEUE
from schemas import CanonicalMessage

JSON = "application/json"


def headers_for(message: CanonicalMessage) -> dict[str, str]:
    return {
        "content-type": JSON,
        "x-dossier-code": message.correlation_id,
        "x-message-type": message.type,
    }


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
    if outgoing.kind == "postal_order":
        command = json.dumps(
            {
                "dossier_code": state.code,
                "cause": str(message.message_id),
                "occurred_at": message.occurred_at.isoformat(),
            }
        )
        return OutboxMessage(
            message.message_id, "", POSTAL_QUEUE, command.encode(), headers_for(message)
        )
    raise ValueError(f"unknown outgoing kind {outgoing.kind!r}")
