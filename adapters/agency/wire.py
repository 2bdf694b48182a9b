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


class StatusUpdate(NativeModel):
    """Agency → hub: a status change of a dossier the agency decides."""

    messageType: Literal["STATUS"]
    messageId: str
    agencyUnit: str
    dossierNo: str
    statusCode: int = Field(description="National status code 2, 3, 4, 5, 6, 8 or 9.")
    eventTime: AwareDatetime
    note: str | None = None
    decisionNumber: str | None = None
    missingItems: tuple[str, ...] = ()
    reason: str | None = None
    attachments: tuple[Attachment, ...] = ()


AgencyInbound = Annotated[StatusUpdate, Field(discriminator="messageType")]


class Rejected(NativeModel):
    """Hub → sender: the message was not accepted and is parked with this reason."""

    messageType: Literal["REJECTED"] = "REJECTED"
    messageId: str
    rejectedMessageId: str | None
    reasonCode: str
    reason: str


AgencyOutbound = Annotated[Transfer | Rejected, Field(discriminator="messageType")]
