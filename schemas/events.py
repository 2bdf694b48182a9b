"""Canonical dossier events. Past tense names; each carries a ``type`` discriminator."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from schemas.base import WireModel, field_of
from schemas.dossier import DocumentRef, Dossier, ProcedureCode, UnitCode
from schemas.linked import GroupFannedOut, GroupOutcome
from schemas.status import DossierStatus, ReturnMethod

PartCode = Annotated[
    ProcedureCode | None,
    Field(
        description="Linked group only: the part (its procedure code) this status is about. "
        "A part's status leaves the dossier's own status as it is; the hub derives that from "
        "all parts (dossier.group_outcome, dossier.progress).",
    ),
]


class DossierReceived(WireModel):
    """A one-stop section registered a dossier (status 1)."""

    type: Literal["dossier.received"] = "dossier.received"
    dossier: Dossier


class DossierTransferred(WireModel):
    """The hub handed the dossier to the competent unit (inter-level handoff)."""

    type: Literal["dossier.transferred"] = "dossier.transferred"
    from_unit: UnitCode
    to_unit: UnitCode
    procedure_code: ProcedureCode
    due_at: AwareDatetime | None = None
    dossier: Dossier


class DossierAccepted(WireModel):
    """The competent unit accepted the dossier for processing (status 2)."""

    type: Literal["dossier.accepted"] = "dossier.accepted"
    unit: UnitCode
    due_at: AwareDatetime | None = None
    part: PartCode = None


class SupplementRequested(WireModel):
    """The dossier is incomplete; every missing item is listed in one go (status 5)."""

    type: Literal["dossier.supplement_requested"] = "dossier.supplement_requested"
    unit: UnitCode
    missing_items: tuple[str, ...] = Field(min_length=1)
    note: str | None = None
    by_post: bool = Field(
        default=False,
        description="Set by the hub: the dossier came by post, so the request goes by post.",
    )
    part: PartCode = None


class DossierRefused(WireModel):
    """The dossier was not accepted or refused, with a reason (status 3)."""

    type: Literal["dossier.refused"] = "dossier.refused"
    unit: UnitCode
    reason: str = Field(min_length=1, max_length=2000)
    part: PartCode = None


class ProgressReported(WireModel):
    """The deciding unit reports a status change while processing (status 4, 6, 7, 8)."""

    type: Literal["dossier.progress"] = "dossier.progress"
    unit: UnitCode
    status: DossierStatus
    note: str | None = None
    part: PartCode = None


class ResultIssued(WireModel):
    """The competent unit decided; the result goes back to the receiving unit (status 9)."""

    type: Literal["dossier.result_issued"] = "dossier.result_issued"
    unit: UnitCode
    decision_number: str = Field(min_length=1, max_length=100)
    summary: str = Field(default="", max_length=2000)
    documents: tuple[DocumentRef, ...] = ()
    part: PartCode = None


class ResultReturned(WireModel):
    """The citizen has the result, in person or delivered by post (status 10)."""

    type: Literal["dossier.result_returned"] = "dossier.result_returned"
    unit: UnitCode
    method: ReturnMethod


class PostalOrderCreated(WireModel):
    """A postal return order was placed with the postal service."""

    type: Literal["postal.order_created"] = "postal.order_created"
    order_number: str
    item_code: str
    receiver_commune: UnitCode


class PostalStatusChanged(WireModel):
    """The postal service reported a tracking event for an order."""

    type: Literal["postal.status_changed"] = "postal.status_changed"
    order_number: str
    item_code: str
    status_code: str
    status_message: str
    event_time: AwareDatetime
    pos_id: str | None = None
    delivered: bool = False


class MessageNotAccepted(WireModel):
    """Reply to a peer whose message the hub could not accept; it is parked with the reason."""

    type: Literal["hub.not_accepted"] = "hub.not_accepted"
    reason_code: str = Field(examples=["schema_invalid", "unknown_procedure"])
    reason: str
    rejected_message_id: str | None = None


class SupplementResubmitted(WireModel):
    """The receiving one-stop section received the completed dossier after a supplement
    request; the deadline count restarts from this moment (status 2)."""

    type: Literal["dossier.resubmitted"] = "dossier.resubmitted"
    unit: UnitCode = Field(description="The receiving one-stop section.")
    completed_items: tuple[str, ...] = Field(
        min_length=1, description="The items supplied, answering the supplement request."
    )
    documents: tuple[DocumentRef, ...] = ()
    note: str | None = Field(default=None, max_length=2000)
    due_at: AwareDatetime | None = Field(
        default=None, description="The new due date, counted again from the resubmission."
    )


class DossierWithdrawn(WireModel):
    """The citizen withdrew the dossier (status 7)."""

    type: Literal["dossier.withdrawn"] = "dossier.withdrawn"
    unit: UnitCode = Field(description="The unit where the citizen asked to withdraw.")
    reason: str | None = Field(default=None, max_length=2000)


class ProcessingStopped(WireModel):
    """The deciding unit stopped processing the dossier, with a reason (status 8)."""

    type: Literal["dossier.processing_stopped"] = "dossier.processing_stopped"
    unit: UnitCode
    reason: str = Field(min_length=1, max_length=2000)
    part: PartCode = None


class DueSoonWarned(WireModel):
    """The hub warned the deciding unit and the receiving section: due in one working day."""

    type: Literal["dossier.due_soon"] = "dossier.due_soon"
    unit: UnitCode = Field(description="The deciding unit.")
    due_at: AwareDatetime


class OverdueFlagged(WireModel):
    """The dossier passed its due date without a result."""

    type: Literal["dossier.overdue"] = "dossier.overdue"
    unit: UnitCode = Field(description="The deciding unit.")
    due_at: AwareDatetime


class DelayApologised(WireModel):
    """The deciding unit apologised for a delay and set a new date (once per dossier)."""

    type: Literal["dossier.delay_apologised"] = "dossier.delay_apologised"
    unit: UnitCode
    reason: str = Field(min_length=1, max_length=2000)
    due_at: AwareDatetime = Field(description="The new date the result is due.")
    previous_due_at: AwareDatetime | None = Field(
        default=None, description="The due date before the apology (set by the hub)."
    )


class FeePaid(WireModel):
    """A fee or charge was paid, with its electronic receipt number."""

    type: Literal["dossier.fee_paid"] = "dossier.fee_paid"
    unit: UnitCode = Field(description="The unit that collected the fee.")
    amount_vnd: int = Field(gt=0, le=10**12, description="Amount in Vietnamese đồng.")
    receipt_number: str = Field(
        min_length=1, max_length=64, pattern=r"^[0-9A-Za-z./_-]+$", examples=["0000123"]
    )
    description: str | None = Field(default=None, max_length=500)


class SatisfactionRated(WireModel):
    """The citizen rated the service (1 not satisfied, 2 satisfied, 3 very satisfied)."""

    type: Literal["dossier.rated"] = "dossier.rated"
    unit: UnitCode = Field(description="The unit whose service was rated.")
    rating: int = Field(ge=1, le=3)
    feedback: str | None = Field(default=None, max_length=2000)


DossierEvent = Annotated[
    DossierReceived
    | DossierTransferred
    | DossierAccepted
    | SupplementRequested
    | DossierRefused
    | ProgressReported
    | ResultIssued
    | ResultReturned
    | PostalOrderCreated
    | PostalStatusChanged
    | MessageNotAccepted
    | SupplementResubmitted
    | DossierWithdrawn
    | ProcessingStopped
    | DueSoonWarned
    | OverdueFlagged
    | DelayApologised
    | FeePaid
    | SatisfactionRated
    | GroupFannedOut
    | GroupOutcome,
    Field(discriminator="type"),
]

ALL_EVENT_TYPES: tuple[type[WireModel], ...] = (
    DossierReceived,
    DossierTransferred,
    DossierAccepted,
    SupplementRequested,
    DossierRefused,
    ProgressReported,
    ResultIssued,
    ResultReturned,
    PostalOrderCreated,
    PostalStatusChanged,
    MessageNotAccepted,
    SupplementResubmitted,
    DossierWithdrawn,
    ProcessingStopped,
    DueSoonWarned,
    OverdueFlagged,
    DelayApologised,
    FeePaid,
    SatisfactionRated,
    GroupFannedOut,
    GroupOutcome,
)

STATUS_OF_EVENT: dict[str, DossierStatus] = {
    "dossier.received": DossierStatus.NEWLY_REGISTERED,
    "dossier.accepted": DossierStatus.ACCEPTED,
    "dossier.supplement_requested": DossierStatus.SUPPLEMENT_REQUESTED,
    "dossier.refused": DossierStatus.NOT_ACCEPTED,
    "dossier.result_issued": DossierStatus.RESOLVED,
    "dossier.result_returned": DossierStatus.RESULT_RETURNED,
    "dossier.resubmitted": DossierStatus.ACCEPTED,
    "dossier.withdrawn": DossierStatus.WITHDRAWN,
    "dossier.processing_stopped": DossierStatus.PROCESSING_STOPPED,
}
"""Status an event sets; progress events carry their own, others leave it unchanged."""


def status_named_by(event: DossierEvent) -> DossierStatus | None:
    """The national status code an event names, for a whole dossier or for one part."""
    if isinstance(event, ProgressReported | GroupOutcome):
        return event.status
    return STATUS_OF_EVENT.get(event.type)


def status_of_event(event: DossierEvent) -> DossierStatus | None:
    """The status an event sets on the dossier, or None when it leaves the status as is
    (including every event about one part of a linked group)."""
    if field_of(event, "part") is not None:
        return None
    return status_named_by(event)
