"""Receptions whose dossier code the hub issues (Circular 01/2018 Art.19). Pure.

The service allocates the code in the transaction that claimed the inbox, then puts it on
the message with :func:`with_issued_code` before deciding; :func:`acknowledged` adds the
acknowledgement that tells the receiving commune the code.
"""

from __future__ import annotations

from dataclasses import replace

from hub.lifecycle_model import Decision, Outgoing
from schemas import CanonicalMessage, Dossier, DossierReceived


def codeless_dossier(message: CanonicalMessage) -> Dossier | None:
    """The dossier of a reception that left its code to the hub, else None."""
    payload = message.payload
    if isinstance(payload, DossierReceived) and payload.dossier.code is None:
        return payload.dossier
    return None


def with_issued_code(message: CanonicalMessage, code: str) -> CanonicalMessage:
    """The reception with ``code`` on its dossier and as its correlation id."""
    payload = message.payload
    if not isinstance(payload, DossierReceived) or payload.dossier.code is not None:
        raise ValueError("only a reception without a dossier code gets one issued")
    dossier = payload.dossier.model_copy(update={"code": code})
    return CanonicalMessage.model_validate(
        {
            **message.model_dump(),
            "correlation_id": code,
            "payload": DossierReceived(dossier=dossier).model_dump(),
        }
    )


def acknowledged(decision: Decision) -> Decision:
    """``decision`` plus a ``reception_ack`` of its recorded reception to the receiving unit."""
    recorded = next(
        o.message
        for o in decision.outgoing
        if o.kind == "event" and isinstance(o.message.payload, DossierReceived)
    )
    ack = Outgoing("reception_ack", recorded, decision.state.dossier.receiving_unit)
    return replace(decision, outgoing=(*decision.outgoing, ack))
