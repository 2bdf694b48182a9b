"""What the provincial timeline stores of an event, and the field lookup it relies on."""

from __future__ import annotations

import json
from datetime import timedelta

from adapters.provincial_db.rows import applicant_digest, timeline_payload, timeline_row
from schemas import DossierAccepted, DossierStatus, ResultIssued
from schemas.base import field_of
from schemas.events import status_of_event
from tests.canonical import ID_NUMBER, MONDAY_8AM, message, new_code, received


def test_an_event_without_a_dossier_is_stored_as_it_travelled() -> None:
    code = new_code()
    accepted = message(
        code, DossierAccepted(unit="19744", due_at=MONDAY_8AM + timedelta(days=3)), 2
    )
    stored = json.loads(timeline_payload(accepted))
    assert stored == accepted.payload.model_dump(mode="json")
    assert stored["due_at"].startswith("2019-04-18T08:00:00")


def test_a_reception_is_stored_without_the_applicants_personal_data() -> None:
    reception = received(new_code(), by_post=True)
    text = timeline_payload(reception)
    stored = json.loads(text)
    assert stored["dossier"]["applicant"] == {"digest": applicant_digest(ID_NUMBER)}
    assert stored["dossier"]["delivery_address"] == {"commune_code": "19744"}
    for personal in (ID_NUMBER, "0905123456", "Nguyễn Văn An", "12 Lê Lợi"):
        assert personal not in text
    assert stored["dossier"]["procedure_code"] == "1.001193"


def test_the_timeline_row_carries_status_unit_and_payload() -> None:
    code = new_code()
    issued = message(code, ResultIssued(unit="474-PAC", decision_number="12/QĐ"), 5, hours=2)
    row = timeline_row(issued)
    assert row[:6] == (
        issued.message_id,
        code,
        5,
        "dossier.result_issued",
        int(DossierStatus.RESOLVED),
        "474-PAC",
    )
    assert json.loads(str(row[7]))["decision_number"] == "12/QĐ"


def test_field_of_answers_a_field_its_value_and_a_missing_one_the_default() -> None:
    accepted = DossierAccepted(unit="19744")
    assert field_of(accepted, "unit") == "19744"
    assert field_of(accepted, "part") is None  # a field, unset
    assert field_of(accepted, "dossier") is None  # no such field
    assert field_of(accepted, "dossier", "fallback") == "fallback"
    assert field_of(received(new_code()).payload, "part", "fallback") == "fallback"


def test_a_status_about_one_part_leaves_the_dossier_status_as_it_is() -> None:
    assert status_of_event(DossierAccepted(unit="19744")) is DossierStatus.ACCEPTED
    assert status_of_event(DossierAccepted(unit="19744", part="1.001193")) is None
    assert status_of_event(received(new_code()).payload) is DossierStatus.NEWLY_REGISTERED
