"""Timeline entries become slip steps tolerantly: known keys are read, odd ones ignored."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import uuid4

from adapters.provincial_db.records import TimelineEntry
from adapters.provincial_db.slip_steps import reception_facts, step_of, unit_codes
from hub.slips import UnitInfo
from schemas import VIETNAM

PAC = UnitInfo(code="474-PAC", name="Trung tâm Hành chính công Thành phố Huế")
UNITS = {PAC.code: PAC}
AT = datetime(2019, 4, 22, 9, 0, tzinfo=VIETNAM)


def entry(kind: str, payload: dict[str, Any], unit: str | None = "474-PAC") -> TimelineEntry:
    return TimelineEntry(
        message_id=uuid4(),
        dossier_code="000.01.31.H57-190415-0001",
        sequence=3,
        type=kind,
        status=None,
        unit=unit,
        occurred_at=AT,
        recorded_at=AT,
        payload=payload,
    )


def test_an_apology_sets_a_new_date_and_remembers_the_old_one() -> None:
    apology = step_of(
        entry(
            "dossier.delay_apologised",
            {
                "unit": "474-PAC",
                "reason": "Chờ xác minh",
                "due_at": "2019-05-06T17:00:00+07:00",
                "previous_due_at": "2019-04-29T17:00:00+07:00",
            },
        ),
        UNITS,
    )
    assert apology.new_due_at == datetime(2019, 5, 6, 17, 0, tzinfo=VIETNAM)
    assert apology.previous_due_at == datetime(2019, 4, 29, 17, 0, tzinfo=VIETNAM)
    assert apology.due_at is None
    assert apology.reason == "Chờ xác minh"
    assert apology.unit == PAC


def test_warnings_repeat_the_due_date_in_force_without_setting_one() -> None:
    warned = step_of(entry("dossier.due_soon", {"due_at": "2019-04-29T17:00:00+07:00"}), UNITS)
    assert warned.sets_due is None
    accepted = step_of(entry("dossier.accepted", {"due_at": "2019-04-29T17:00:00+07:00"}), UNITS)
    assert accepted.sets_due == datetime(2019, 4, 29, 17, 0, tzinfo=VIETNAM)


def test_odd_or_missing_values_are_ignored_rather_than_breaking_a_slip() -> None:
    odd = step_of(
        entry(
            "dossier.something_new",
            {"due_at": "not a date", "reason": 42, "missing_items": "one", "amount_vnd": True},
            unit="unknown-unit",
        ),
        UNITS,
    )
    assert (odd.due_at, odd.reason, odd.missing_items, odd.amount_vnd) == (None, None, (), None)
    assert odd.unit == UnitInfo(code="unknown-unit", name="unknown-unit")


def test_fees_items_and_handovers_are_read_from_their_events() -> None:
    fee = step_of(entry("dossier.fee_paid", {"amount_vnd": 50000, "receipt_number": "7"}), UNITS)
    assert (fee.amount_vnd, fee.receipt_number) == (50000, "7")
    asked = step_of(entry("dossier.supplement_requested", {"missing_items": ["A", " "]}), UNITS)
    assert asked.missing_items == ("A",)
    moved = entry("dossier.transferred", {"from_unit": "19744", "to_unit": "474-PAC"})
    assert step_of(moved, UNITS).from_unit == UnitInfo(code="19744", name="19744")
    assert unit_codes([moved]) == {"19744", "474-PAC"}


def test_documents_and_fee_come_from_the_dossier_as_registered() -> None:
    received = entry(
        "dossier.received",
        {"dossier": {"documents": [{"name": "Tờ khai", "uri": "s3://x"}], "fee_vnd": 8000}},
    )
    assert reception_facts([received]) == (("Tờ khai",), 8000)
    assert reception_facts([]) == ((), None)
