"""Linked procedure groups (liên thông), pure decisions: fan-out at registration, each
part's status from its competent unit, fan-in to the receiving commune, withdrawal."""

from __future__ import annotations

from dataclasses import replace

from hub.errors import IllegalTransition, SchemaInvalid, SenderNotAllowed
from hub.handoff import due_for, handed_over_at
from hub.lifecycle_model import Decision, DossierState, Emitter, PartState
from hub.linked_rules import (
    REFUSALS,
    latest_due,
    outcomes,
    overall_status,
    part_named,
    settled,
    with_outcome,
)
from hub.registry import EraRegistry
from hub.transitions import ALLOWED
from schemas import (
    HUB_UNIT,
    CanonicalMessage,
    DossierAccepted,
    DossierRefused,
    DossierStatus,
    DossierTransferred,
    GroupFannedOut,
    GroupOutcome,
    ProcessingStopped,
    ProgressReported,
    ResultIssued,
    SupplementRequested,
)
from schemas.dossier import Dossier
from schemas.events import status_named_by

S = DossierStatus
PART_EVENTS = (
    DossierAccepted,
    SupplementRequested,
    DossierRefused,
    ProgressReported,
    ResultIssued,
    ProcessingStopped,
)
"""Status events a part's competent unit sends about its part."""


def allowed(current: DossierStatus, new: DossierStatus) -> bool:
    return new in ALLOWED[current]


def fan_out(dossier: Dossier, message: CanonicalMessage, registry: EraRegistry) -> Decision:
    """Register a group dossier (``registry``: its reception era's): one part per member
    procedure, each with its competent unit and due date; every part decided elsewhere is
    transferred with its own procedure code."""
    assert dossier.group_code is not None
    group = registry.group(dossier.group_code)
    if dossier.procedure_code != group.lead:
        raise SchemaInvalid(f"MaTTHC must be group {group.code}'s lead procedure {group.lead}")
    receiving = dossier.receiving_unit
    units = {
        code: registry.competent_unit(code, receiving_code=receiving).code for code in group.parts
    }
    parts = tuple(
        PartState(
            procedure_code=code,
            unit=units[code],
            status=S.NEWLY_REGISTERED,
            due_at=due_for(
                registry.procedure(code).processing, dossier, transferred=units[code] != receiving
            ),
        )
        for code in group.parts
    )
    state = DossierState(
        dossier=dossier,
        competent_unit=receiving,
        status=S.NEWLY_REGISTERED,
        sequence=0,
        due_at=latest_due(parts),
        parts=parts,
    )
    emit = Emitter(state, message)
    emit.event(message.payload, sender=message.sender, message_id=message.message_id)
    for part in parts:
        if part.unit != receiving:
            transferred = emit.event(
                DossierTransferred(
                    from_unit=receiving,
                    to_unit=part.unit,
                    procedure_code=part.procedure_code,
                    due_at=part.due_at,
                    dossier=dossier,
                ),
                sender=HUB_UNIT,
                occurred_at=handed_over_at(dossier),
            )
            emit.send("agency_transfer", transferred, part.unit)
    emit.event(
        GroupFannedOut(group_code=group.code, parts=outcomes(parts), due_at=state.due_at),
        sender=HUB_UNIT,
    )
    return Decision(emit.state, tuple(emit.outgoing))


def update_part(state: DossierState, message: CanonicalMessage) -> Decision:
    """A part's status from its competent unit; the dossier's status follows from all parts.
    The commune hears when a part is refused or stopped, and when every part is settled."""
    part = part_named(state, message)
    new_status = status_named_by(message.payload)
    if new_status is None:
        raise IllegalTransition(f"{message.payload.type} is not a status change")
    if new_status is S.SUPPLEMENT_REQUESTED:
        raise IllegalTransition(
            "a supplement request for one part of a linked group is not supported yet: "
            "refuse the part with the reason, or decide it"
        )
    if not allowed(part.status, new_status):
        raise IllegalTransition(
            f"part {part.procedure_code}: status {int(part.status)} → {int(new_status)} "
            "is not allowed",
            may_become_legal=new_status > part.status and not settled(part),
        )
    changed = with_outcome(part, message, new_status)
    parts = tuple(changed if p is part else p for p in state.parts)
    overall = overall_status(parts)
    if overall is not state.status and not allowed(state.status, overall):
        raise IllegalTransition(
            f"dossier status {int(state.status)} → {int(overall)} is not allowed"
        )
    emit = Emitter(replace(state, parts=parts, status=overall), message)
    recorded = message.payload.model_copy(update={"part": part.procedure_code})
    emit.event(recorded, sender=message.sender, message_id=message.message_id)
    complete = all(settled(p) for p in parts)
    if complete or new_status in REFUSALS:
        _report(emit, state, overall, complete=complete, part=part.procedure_code)
    elif overall is not state.status:
        emit.event(ProgressReported(unit=HUB_UNIT, status=overall), sender=HUB_UNIT)
    return Decision(emit.state, tuple(emit.outgoing))


def _report(
    emit: Emitter, before: DossierState, overall: DossierStatus, *, complete: bool, part: str
) -> None:
    assert before.dossier.group_code is not None
    outcome = emit.event(
        GroupOutcome(
            group_code=before.dossier.group_code,
            status=overall,
            complete=complete,
            settled_part=part,
            parts=outcomes(emit.state.parts),
        ),
        sender=HUB_UNIT,
    )
    emit.send("group_notice", outcome, before.dossier.receiving_unit)
    if complete and overall is S.RESOLVED and before.by_post:
        emit.send("postal_order", outcome, HUB_UNIT)


def withdraw(state: DossierState, message: CanonicalMessage) -> Decision:
    """The citizen withdraws the whole group dossier at the receiving commune: every open
    part stops, and every agency with an open part is told."""
    receiving = state.dossier.receiving_unit
    if message.sender != receiving:
        raise SenderNotAllowed("a linked group dossier is withdrawn at the receiving section")
    if not allowed(state.status, S.WITHDRAWN):
        raise IllegalTransition(f"status {int(state.status)} → 7 is not allowed")
    open_parts = [p for p in state.parts if not settled(p)]
    parts = tuple(replace(p, status=S.WITHDRAWN) if p in open_parts else p for p in state.parts)
    emit = Emitter(replace(state, parts=parts, status=S.WITHDRAWN), message)
    recorded = emit.event(message.payload, sender=message.sender, message_id=message.message_id)
    for unit in dict.fromkeys(p.unit for p in open_parts if p.unit != receiving):
        emit.send("agency_withdrawal", recorded, unit)
    return Decision(emit.state, tuple(emit.outgoing))
