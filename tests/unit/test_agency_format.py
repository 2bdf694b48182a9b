"""The deciding agencies' native format (camelCase JSON, ISO 8601) ⇄ canonical model."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.agency.translate import to_canonical, transfer
from adapters.agency.wire import Transfer
from hub.errors import InvalidJson, PermanentError, SchemaInvalid, SenderNotAllowed
from schemas import (
    HUB_UNIT,
    VIETNAM,
    Applicant,
    CanonicalMessage,
    Channel,
    DocumentRef,
    Dossier,
    DossierAccepted,
    DossierRefused,
    DossierStatus,
    DossierTransferred,
    Envelope,
    ProgressReported,
    ResultIssued,
    SupplementRequested,
    new_envelope,
)

AGENCY = "474-PAC"
DOSSIER_CODE = "000.01.31.H57-190417-0001"
SHA = "cd" * 32


def status_update(status: int, **overrides: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "messageType": "STATUS",
        "messageId": str(uuid4()),
        "agencyUnit": AGENCY,
        "dossierNo": DOSSIER_CODE,
        "statusCode": status,
        "eventTime": "2019-04-18T09:15:00+07:00",
    }
    return message | overrides


def body(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode()


def translate(message: dict[str, Any]) -> CanonicalMessage:
    return to_canonical(body(message), unit_code=AGENCY)


def test_status_2_is_dossier_accepted_sent_by_the_agency() -> None:
    native = status_update(2)

    message = translate(native)

    assert message.payload == DossierAccepted(unit=AGENCY)
    assert (message.sender, message.recipient) == (AGENCY, HUB_UNIT)
    assert message.correlation_id == DOSSIER_CODE
    assert message.message_id == UUID(native["messageId"])
    assert message.occurred_at == datetime(2019, 4, 18, 9, 15, tzinfo=VIETNAM)


def test_an_event_time_in_utc_is_kept_as_the_same_instant_in_vietnam_time() -> None:
    message = translate(status_update(2, eventTime="2019-04-18T02:15:00Z"))

    assert message.occurred_at == datetime(2019, 4, 18, 9, 15, tzinfo=VIETNAM)
    assert message.occurred_at.utcoffset() == datetime(2019, 4, 18, tzinfo=VIETNAM).utcoffset()


def test_status_3_is_a_refusal_with_its_reason() -> None:
    message = translate(status_update(3, reason="Không thuộc thẩm quyền"))

    assert message.payload == DossierRefused(unit=AGENCY, reason="Không thuộc thẩm quyền")


def test_status_5_is_a_supplement_request_listing_the_missing_items() -> None:
    message = translate(status_update(5, missingItems=["Bản sao sổ đỏ"], note="Bổ sung"))

    assert message.payload == SupplementRequested(
        unit=AGENCY, missing_items=("Bản sao sổ đỏ",), note="Bổ sung"
    )


def test_status_9_is_a_result_issued_with_its_decision_and_attachments() -> None:
    native = status_update(
        9,
        decisionNumber="45/QĐ-UBND",
        note="Cấp GCN",
        attachments=[{"fileName": "qd.pdf", "url": "s3://hue/qd.pdf", "sha256": SHA}],
    )

    message = translate(native)

    assert message.payload == ResultIssued(
        unit=AGENCY,
        decision_number="45/QĐ-UBND",
        summary="Cấp GCN",
        documents=(DocumentRef(name="qd.pdf", uri="s3://hue/qd.pdf", sha256=SHA),),
    )


@pytest.mark.parametrize("status", [4, 6])
def test_other_statuses_are_progress_reports(status: int) -> None:
    assert translate(status_update(status)).payload == ProgressReported(
        unit=AGENCY, status=DossierStatus(status)
    )


@pytest.mark.parametrize(
    ("status", "missing"),
    [(3, "reason"), (5, "missing items"), (8, "reason"), (9, "decision number")],
)
def test_a_status_without_its_required_detail_is_schema_invalid(status: int, missing: str) -> None:
    with pytest.raises(SchemaInvalid, match=missing):
        translate(status_update(status))


def test_an_agency_may_not_report_the_result_returned() -> None:
    with pytest.raises(SenderNotAllowed):
        translate(status_update(10))


def test_an_agency_may_not_speak_for_another_unit() -> None:
    with pytest.raises(SenderNotAllowed):
        to_canonical(body(status_update(2)), unit_code="474-CA")


@pytest.mark.parametrize("status", [0, 1, 11])
def test_a_status_outside_what_an_update_may_carry_is_schema_invalid(status: int) -> None:
    with pytest.raises(SchemaInvalid):
        translate(status_update(status))


def test_a_message_id_that_is_not_a_uuid_is_schema_invalid() -> None:
    with pytest.raises(SchemaInvalid, match="messageId"):
        translate(status_update(2, messageId="42"))


@pytest.mark.parametrize("raw", [b"", b"[", b"STATUS", b'{"messageType": STATUS}'])
def test_a_body_that_is_not_json_is_invalid_json(raw: bytes) -> None:
    with pytest.raises(InvalidJson):
        to_canonical(raw, unit_code=AGENCY)


def test_a_body_that_is_not_utf8_is_invalid_json() -> None:
    raw = body(status_update(3, reason="Không")).replace("Không".encode(), b"Kh\xf4ng")

    with pytest.raises(InvalidJson):
        to_canonical(raw, unit_code=AGENCY)


@pytest.mark.parametrize(
    ("native", "field"),
    [
        (status_update(2, statusCode="hai"), "statusCode"),
        (status_update(2, eventTime="18/04/2019"), "eventTime"),
        (status_update(2, eventTime="2019-04-18T09:15:00"), "eventTime"),
        ({k: v for k, v in status_update(2).items() if k != "dossierNo"}, "dossierNo"),
        (status_update(5, missingItems="Bản sao"), "missingItems"),
        (status_update(2, dossierNo="HS-1"), "correlation_id"),
    ],
    ids=["status-text", "date-format", "naive-time", "no-dossier", "items-text", "bad-code"],
)
def test_a_schema_error_names_the_field(native: dict[str, Any], field: str) -> None:
    with pytest.raises(SchemaInvalid, match=field):
        translate(native)


@pytest.mark.parametrize(
    ("native", "personal"),
    [
        (status_update(3, reason=["Nguyễn Văn An 046190000123"]), "046190000123"),
        (status_update(2, note={"idNumber": "046190000123"}), "046190000123"),
        (status_update(2, dossierNo="046190000123"), "046190000123"),
        (status_update(2, eventTime="Nguyễn Văn An"), "Nguyễn"),
        (status_update(9, decisionNumber="9" * 101 + "046190000123"), "046190000123"),
    ],
    ids=["reason-list", "note-object", "id-as-code", "name-as-time", "decision-too-long"],
)
def test_a_schema_error_never_echoes_the_input_value(native: dict[str, Any], personal: str) -> None:
    with pytest.raises(SchemaInvalid) as caught:
        translate(native)

    assert personal not in str(caught.value)


@pytest.mark.parametrize("event_time", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_an_event_time_at_the_edge_of_the_calendar_is_schema_invalid(event_time: str) -> None:
    with pytest.raises(SchemaInvalid):
        translate(status_update(2, eventTime=event_time))


# Outbound transfer


def transferred(*, due_at: datetime | None) -> CanonicalMessage:
    dossier = Dossier(
        code=DOSSIER_CODE,
        procedure_code="2.000806",
        receiving_unit="19744",
        channel=Channel.ONLINE,
        received_at=datetime(2019, 4, 17, 8, 30, tzinfo=VIETNAM),
        applicant=Applicant(
            full_name="Nguyễn Văn An",
            id_number="046190000123",
            phone="0905123456",
            address="12 Lê Lợi, Phú Hội",
        ),
        documents=(DocumentRef(name="don.pdf", uri="s3://hue/don.pdf", sha256=SHA),),
    )
    return new_envelope(
        DossierTransferred(
            from_unit="19744",
            to_unit=AGENCY,
            procedure_code=dossier.procedure_code,
            due_at=due_at,
            dossier=dossier,
        ),
        sender=HUB_UNIT,
        recipient=HUB_UNIT,
        dossier_code=DOSSIER_CODE,
        occurred_at=datetime(2019, 4, 17, 8, 31, tzinfo=VIETNAM),
        sequence=2,
    )


def test_a_transfer_parses_back_with_the_dossier_and_its_due_date() -> None:
    due = datetime(2019, 5, 3, 17, 0, tzinfo=VIETNAM)
    message = transferred(due_at=due)

    wire = Transfer.model_validate_json(transfer(message))

    assert wire.messageType == "TRANSFER"
    assert wire.messageId == str(message.message_id)
    assert (wire.dossierNo, wire.procedureCode) == (DOSSIER_CODE, "2.000806")
    assert wire.channel == int(Channel.ONLINE)
    assert wire.receivedAt == datetime(2019, 4, 17, 8, 30, tzinfo=VIETNAM)
    assert wire.handedOverAt == datetime(2019, 4, 17, 8, 31, tzinfo=VIETNAM)
    assert wire.dueDate == due
    assert wire.receivingUnit == "19744"
    assert (wire.applicant.fullName, wire.applicant.idNumber) == ("Nguyễn Văn An", "046190000123")
    assert wire.applicant.phone == "0905123456"
    assert [(a.fileName, a.url, a.sha256) for a in wire.attachments] == [
        ("don.pdf", "s3://hue/don.pdf", SHA)
    ]


def test_a_transfer_without_a_due_date_says_so_explicitly() -> None:
    raw = transfer(transferred(due_at=None))

    assert json.loads(raw)["dueDate"] is None
    assert Transfer.model_validate_json(raw).dueDate is None


def test_only_a_transferred_dossier_renders_as_a_transfer() -> None:
    accepted = new_envelope(
        DossierAccepted(unit=AGENCY),
        sender=AGENCY,
        recipient=HUB_UNIT,
        dossier_code=DOSSIER_CODE,
        occurred_at=datetime(2019, 4, 17, 9, 0, tzinfo=VIETNAM),
    )

    with pytest.raises(TypeError):
        transfer(accepted)


# Robustness: the translator only ever fails with a permanent error

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = sorted(
    set(status_update(2))
    | {"note", "decisionNumber", "missingItems", "reason", "attachments", "newDueDate"}
)
APOLOGY = {
    k: v for k, v in status_update(0, messageType="APOLOGY").items() if k != "statusCode"
} | {"reason": "Chờ phối hợp", "newDueDate": "2019-05-27T17:00:00+07:00"}


def translates_or_fails_permanently(raw: bytes) -> None:
    try:
        result = to_canonical(raw, unit_code=AGENCY)
    except PermanentError:
        return
    assert isinstance(result, Envelope)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_translate_or_fail_permanently(raw: bytes) -> None:
    translates_or_fails_permanently(raw)


@given(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), JSON_VALUES, max_size=8))
def test_arbitrary_json_objects_translate_or_fail_permanently(native: dict[str, Any]) -> None:
    translates_or_fails_permanently(json.dumps(native).encode())


@given(
    base=st.sampled_from(
        [
            status_update(2),
            status_update(5, missingItems=["x"]),
            status_update(8, reason="x"),
            status_update(9),
            APOLOGY,
        ]
    ),
    changes=st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=3),
    removed=st.sets(st.sampled_from(FIELDS), max_size=2),
)
def test_messages_with_some_fields_corrupted_translate_or_fail_permanently(
    base: dict[str, Any], changes: dict[str, Any], removed: set[str]
) -> None:
    native = {k: v for k, v in (base | changes).items() if k not in removed}

    translates_or_fails_permanently(json.dumps(native).encode())
