"""The deciding agencies' native format (district PAC, police, social insurance, province).

Their software speaks camelCase JSON with ISO 8601 times. Inbound routing key
``agency.<agencyUnit>.status``; outbound on the agency's own queue ``peer.<agencyUnit>``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class NativeModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Attachment(NativeModel):
    fileName: str
    url: str
    sha256: str


class ApplicantInfo(NativeModel):
    fullName: str
    idNumber: str
    phone: str | None = None
    address: str


class Transfer(NativeModel):
    """Hub → agency: a dossier handed over for decision."""

    messageType: Literal["TRANSFER"] = "TRANSFER"
    messageId: str
    dossierNo: str
    procedureCode: str
    channel: int
    receivedAt: AwareDatetime
    handedOverAt: AwareDatetime
    dueDate: AwareDatetime | None
    receivingUnit: str
    applicant: ApplicantInfo
    attachments: tuple[Attachment, ...] = ()
    groupCode: str | None = Field(
        default=None,
        description="Linked group dossier: the group; procedureCode is the part to decide.",
    )


class StatusUpdate(NativeModel):
    """Agency → hub: a status change of a dossier the agency decides."""

    messageType: Literal["STATUS"]
    messageId: str
    agencyUnit: str
    dossierNo: str
    statusCode: int = Field(description="National status code 2, 3, 4, 5, 6, 7, 8 or 9.")
    eventTime: AwareDatetime
    note: str | None = None
    decisionNumber: str | None = None
    missingItems: tuple[str, ...] = ()
    reason: str | None = None
    attachments: tuple[Attachment, ...] = ()
    procedureCode: str | None = Field(
        default=None, description="Linked group dossier: the part (procedure code) concerned."
    )


class Apology(NativeModel):
    """Agency → hub: apology for a delay, with its reason and the new date (once only)."""

    messageType: Literal["APOLOGY"]
    messageId: str
    agencyUnit: str
    dossierNo: str
    eventTime: AwareDatetime
    reason: str
    newDueDate: AwareDatetime


AgencyInbound = Annotated[StatusUpdate | Apology, Field(discriminator="messageType")]


class Resubmission(NativeModel):
    """Hub → agency: the completed dossier after a supplement request; the count restarts."""

    messageType: Literal["RESUBMISSION"] = "RESUBMISSION"
    messageId: str
    dossierNo: str
    receivingUnit: str
    resubmittedAt: AwareDatetime
    dueDate: AwareDatetime | None
    completedItems: tuple[str, ...]
    attachments: tuple[Attachment, ...] = ()
    note: str | None = None


class Withdrawal(NativeModel):
    """Hub → agency: the citizen withdrew the dossier; stop processing it."""

    messageType: Literal["WITHDRAWAL"] = "WITHDRAWAL"
    messageId: str
    dossierNo: str
    receivingUnit: str
    withdrawnAt: AwareDatetime
    reason: str | None = None


class DueWarning(NativeModel):
    """Hub → agency: a dossier it decides is due in one working day, or past due."""

    messageType: Literal["DUE_WARNING"] = "DUE_WARNING"
    messageId: str
    dossierNo: str
    kind: Literal["DUE_SOON", "OVERDUE"]
    dueDate: AwareDatetime
    warnedAt: AwareDatetime


class Rejected(NativeModel):
    """Hub → sender: the message was not accepted and is parked with this reason."""

    messageType: Literal["REJECTED"] = "REJECTED"
    messageId: str
    rejectedMessageId: str | None
    reasonCode: str
    reason: str


AgencyOutbound = Annotated[
    Transfer | Rejected | Resubmission | Withdrawal | DueWarning, Field(discriminator="messageType")
]
