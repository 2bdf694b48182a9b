"""Both native formats ⇄ canonical model for the later lifecycle messages."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import uuid4

import pytest

from adapters.agency import lifecycle as agency_out
from adapters.agency.translate import to_canonical as from_agency
from adapters.agency.wire import DueWarning, Resubmission, Withdrawal
from adapters.commune import lifecycle as commune_out
from adapters.commune.translate import notice
from adapters.commune.translate import to_canonical as from_commune
from adapters.commune.wire import CanhBaoHanXuLy, ThongBaoHoSo, ThuXinLoi
from hub.errors import SchemaInvalid
from schemas import (
    HUB_UNIT,
    VIETNAM,
    CanonicalMessage,
    DelayApologised,
    DocumentRef,
    DossierEvent,
    DossierWithdrawn,
    DueSoonWarned,
    FeePaid,
    OverdueFlagged,
    ProcessingStopped,
    SatisfactionRated,
    SupplementResubmitted,
    new_envelope,
)

COMMUNE, AGENCY = "19744", "474-PAC"
CODE = "000.01.31.H57-190417-0001"
SHA = "ab" * 32


def commune_message(kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "LoaiBanTin": kind,
        "MaBanTin": str(uuid4()),
        "MaDonVi": COMMUNE,
        "MaHoSo": CODE,
        "ThoiGian": "20190424140000",
        **fields,
    }


def resubmission(**fields: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "DanhSachBoSung": ["Sơ đồ thửa đất"],
        "TepDinhKem": [{"TenTep": "so-do.pdf", "DuongDan": "s3://hue/so-do.pdf", "MaBam": SHA}],
    }
    return commune_message("BoSungHoSo", **(defaults | fields))


def apology(**fields: Any) -> dict[str, Any]:
    return {
        "messageType": "APOLOGY",
        "messageId": str(uuid4()),
        "agencyUnit": AGENCY,
        "dossierNo": CODE,
        "eventTime": "2019-05-17T10:00:00+07:00",
        "reason": "Chờ ý kiến của Sở Tài nguyên và Môi trường",
        "newDueDate": "2019-05-27T17:00:00+07:00",
        **fields,
    }


def commune(native: dict[str, Any]) -> DossierEvent:
    return from_commune(json.dumps(native).encode(), unit_code=COMMUNE).payload


def canonical(payload: DossierEvent, sender: str = HUB_UNIT) -> CanonicalMessage:
    return new_envelope(
        payload,
        sender=sender,
        recipient=HUB_UNIT,
        dossier_code=CODE,
        occurred_at=datetime(2019, 5, 17, 17, 0, tzinfo=VIETNAM),
    )


def test_a_resubmission_carries_the_items_and_documents_supplied() -> None:
    payload = commune(resubmission(NoiDung="Đã bổ sung đủ"))

    assert payload == SupplementResubmitted(
        unit=COMMUNE,
        completed_items=("Sơ đồ thửa đất",),
        documents=(DocumentRef(name="so-do.pdf", uri="s3://hue/so-do.pdf", sha256=SHA),),
        note="Đã bổ sung đủ",
    )


def test_a_resubmission_without_items_is_schema_invalid() -> None:
    with pytest.raises(SchemaInvalid, match="DanhSachBoSung"):
        commune(resubmission(DanhSachBoSung=[]))


def test_status_7_from_the_commune_is_a_withdrawal_with_its_reason() -> None:
    payload = commune(commune_message("CapNhatTrangThai", TrangThai=7, LyDo="Công dân xin rút"))

    assert payload == DossierWithdrawn(unit=COMMUNE, reason="Công dân xin rút")


def test_status_8_from_an_agency_is_processing_stopped_with_its_reason() -> None:
    native = {
        "messageType": "STATUS",
        "messageId": str(uuid4()),
        "agencyUnit": AGENCY,
        "dossierNo": CODE,
        "statusCode": 8,
        "eventTime": "2019-04-18T09:15:00+07:00",
        "reason": "Đất đang có tranh chấp",
    }

    payload = from_agency(json.dumps(native).encode(), unit_code=AGENCY).payload

    assert payload == ProcessingStopped(unit=AGENCY, reason="Đất đang có tranh chấp")


def test_an_agency_apology_carries_the_reason_and_the_new_date() -> None:
    message = from_agency(json.dumps(apology()).encode(), unit_code=AGENCY)

    assert message.payload == DelayApologised(
        unit=AGENCY,
        reason="Chờ ý kiến của Sở Tài nguyên và Môi trường",
        due_at=datetime(2019, 5, 27, 17, 0, tzinfo=VIETNAM),
    )


@pytest.mark.parametrize("missing", ["reason", "newDueDate"])
def test_an_apology_without_its_reason_or_new_date_is_schema_invalid(missing: str) -> None:
    native = apology()
    del native[missing]

    with pytest.raises(SchemaInvalid, match=missing):
        from_agency(json.dumps(native).encode(), unit_code=AGENCY)


def test_a_commune_apology_uses_its_compact_times() -> None:
    native = commune_message("XinLoiHenLai", LyDo="Thiếu cán bộ", NgayHenTraMoi="20190527170000")

    assert commune(native) == DelayApologised(
        unit=COMMUNE, reason="Thiếu cán bộ", due_at=datetime(2019, 5, 27, 17, 0, tzinfo=VIETNAM)
    )


def test_a_fee_carries_the_amount_in_vnd_and_the_e_receipt_number() -> None:
    native = commune_message("ThuPhiLePhi", SoTien=50_000, SoBienLai="BL-0000123")

    assert commune(native) == FeePaid(unit=COMMUNE, amount_vnd=50_000, receipt_number="BL-0000123")


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"SoTien": 0}, "amount_vnd"), ({"SoBienLai": ""}, "receipt_number")],
)
def test_a_fee_without_an_amount_or_a_receipt_is_schema_invalid(
    changes: dict[str, Any], field: str
) -> None:
    native = commune_message("ThuPhiLePhi", SoTien=50_000, SoBienLai="BL-1") | changes

    with pytest.raises(SchemaInvalid, match=field):
        commune(native)


def test_a_rating_carries_the_level_and_the_feedback() -> None:
    native = commune_message("DanhGiaHaiLong", MucDo=2, GopY="Cán bộ hướng dẫn tận tình")

    assert commune(native) == SatisfactionRated(
        unit=COMMUNE, rating=2, feedback="Cán bộ hướng dẫn tận tình"
    )


@pytest.mark.parametrize("level", [0, 4])
def test_a_rating_outside_the_three_levels_is_schema_invalid(level: int) -> None:
    with pytest.raises(SchemaInvalid, match="rating"):
        commune(commune_message("DanhGiaHaiLong", MucDo=level))


# Outbound


def test_a_resubmission_goes_to_the_agency_with_the_new_due_date() -> None:
    due = datetime(2019, 5, 24, 17, 0, tzinfo=VIETNAM)
    payload = SupplementResubmitted(unit=COMMUNE, completed_items=("Sơ đồ",), due_at=due)

    wire = Resubmission.model_validate_json(agency_out.resubmission(canonical(payload, COMMUNE)))

    assert (wire.dossierNo, wire.receivingUnit, wire.dueDate) == (CODE, COMMUNE, due)
    assert wire.completedItems == ("Sơ đồ",)


def test_a_withdrawal_tells_the_agency_to_stop() -> None:
    payload = DossierWithdrawn(unit=COMMUNE, reason="Công dân xin rút")

    wire = Withdrawal.model_validate_json(agency_out.withdrawal(canonical(payload, COMMUNE)))

    assert (wire.dossierNo, wire.reason) == (CODE, "Công dân xin rút")


@pytest.mark.parametrize(
    ("event", "agency_kind", "commune_kind"),
    [(DueSoonWarned, "DUE_SOON", "SapDenHan"), (OverdueFlagged, "OVERDUE", "QuaHan")],
)
def test_a_deadline_warning_reaches_each_unit_in_its_own_format(
    event: type[DueSoonWarned | OverdueFlagged], agency_kind: str, commune_kind: str
) -> None:
    due = datetime(2019, 5, 20, 17, 0, tzinfo=VIETNAM)
    message = canonical(event(unit=AGENCY, due_at=due))

    to_agency = DueWarning.model_validate_json(agency_out.due_warning(message))
    to_commune = CanhBaoHanXuLy.model_validate_json(
        commune_out.due_warning(message, deciding_unit=AGENCY)
    )

    assert (to_agency.kind, to_agency.dueDate) == (agency_kind, due)
    assert (to_commune.Loai, to_commune.HanXuLy, to_commune.DonViXuLy) == (
        commune_kind,
        "20190520170000",
        AGENCY,
    )


def test_an_apology_reaches_the_commune_as_thu_xin_loi() -> None:
    payload = DelayApologised(
        unit=AGENCY, reason="Chờ phối hợp", due_at=datetime(2019, 5, 27, 17, 0, tzinfo=VIETNAM)
    )

    wire = ThuXinLoi.model_validate_json(commune_out.apology_notice(canonical(payload, AGENCY)))

    assert (wire.DonViXuLy, wire.LyDo, wire.NgayHenTraMoi) == (
        AGENCY,
        "Chờ phối hợp",
        "20190527170000",
    )


def test_processing_stopped_reaches_the_commune_with_status_8_and_the_reason() -> None:
    message = canonical(ProcessingStopped(unit=AGENCY, reason="Tranh chấp"), AGENCY)

    wire = ThongBaoHoSo.model_validate_json(notice(message, deciding_unit=AGENCY, by_post=False))

    assert (wire.TrangThai, wire.NoiDung) == (8, "Tranh chấp")
