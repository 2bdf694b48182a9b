"""Agency native format ⇄ canonical model."""

from __future__ import annotations

from uuid import UUID, uuid4

from pydantic import TypeAdapter, ValidationError

from adapters.agency.lifecycle import apology_event
from adapters.agency.wire import (
    AgencyInbound,
    Apology,
    ApplicantInfo,
    Attachment,
    Rejected,
    StatusUpdate,
    Transfer,
)
from adapters.native import check_json_bytes, payload_as, status_event, validation_failed
from hub.errors import SchemaInvalid, SenderNotAllowed
from schemas import (
    HUB_UNIT,
    CanonicalMessage,
    DocumentRef,
    DossierEvent,
    DossierStatus,
    DossierTransferred,
    MessageNotAccepted,
    new_envelope,
)

_INBOUND: TypeAdapter[StatusUpdate | Apology] = TypeAdapter(AgencyInbound)


def parse(body: bytes) -> StatusUpdate | Apology:
    check_json_bytes(body)
    try:
        return _INBOUND.validate_json(body)
    except ValidationError as exc:
        raise validation_failed(exc) from None


def to_canonical(body: bytes, *, unit_code: str) -> CanonicalMessage:
    native = parse(body)
    if native.agencyUnit != unit_code:
        raise SenderNotAllowed(
            f"agencyUnit {native.agencyUnit!r} does not match the publishing unit {unit_code!r}"
        )
    if isinstance(native, StatusUpdate) and native.statusCode == DossierStatus.RESULT_RETURNED:
        raise SenderNotAllowed("only the receiving one-stop section returns results (status 10)")
    try:
        message_id = UUID(native.messageId)
    except ValueError:
        raise SchemaInvalid("messageId: must be a UUID") from None
    try:
        event = _event(native)
        return new_envelope(
            event,
            sender=native.agencyUnit,
            recipient=HUB_UNIT,
            dossier_code=native.dossierNo,
            occurred_at=native.eventTime,
            message_id=message_id,
        )
    except ValidationError as exc:
        raise validation_failed(exc) from None
    except OverflowError:
        raise SchemaInvalid("eventTime: out of the representable range") from None


def _event(native: StatusUpdate | Apology) -> DossierEvent:
    if isinstance(native, Apology):
        return apology_event(native)
    return status_event(
        status=native.statusCode,
        unit=native.agencyUnit,
        note=native.note,
        decision_number=native.decisionNumber,
        missing_items=native.missingItems,
        reason=native.reason,
        documents=tuple(
            DocumentRef(name=a.fileName, uri=a.url, sha256=a.sha256) for a in native.attachments
        ),
        part=native.procedureCode,
    )


def transfer(message: CanonicalMessage) -> bytes:
    """Render a canonical ``dossier.transferred`` as the agency's ``TRANSFER``."""
    event = payload_as(message, DossierTransferred)
    dossier = event.dossier
    return (
        Transfer(
            messageId=str(message.message_id),
            dossierNo=dossier.issued_code,
            procedureCode=event.procedure_code,
            channel=int(dossier.channel),
            receivedAt=dossier.received_at,
            handedOverAt=message.occurred_at,
            dueDate=event.due_at,
            receivingUnit=dossier.receiving_unit,
            applicant=ApplicantInfo(
                fullName=dossier.applicant.full_name,
                idNumber=dossier.applicant.id_number,
                phone=dossier.applicant.phone,
                address=dossier.applicant.address,
            ),
            attachments=tuple(
                Attachment(fileName=d.name, url=d.uri, sha256=d.sha256) for d in dossier.documents
            ),
            groupCode=dossier.group_code,
        )
        .model_dump_json()
        .encode()
    )


def not_accepted(event: MessageNotAccepted) -> bytes:
    return (
        Rejected(
            messageId=str(uuid4()),
            rejectedMessageId=event.rejected_message_id,
            reasonCode=event.reason_code,
            reason=event.reason,
        )
        .model_dump_json()
        .encode()
    )
