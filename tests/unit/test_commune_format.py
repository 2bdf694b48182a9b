"""The commune one-stop system's native format ⇄ canonical model."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.commune.translate import notice, to_canonical
from adapters.commune.wire import ThongBaoHoSo
from hub.errors import InvalidJson, PermanentError, SchemaInvalid, SenderNotAllowed
from schemas import (
    HUB_UNIT,
    VIETNAM,
    CanonicalMessage,
    Channel,
    DocumentRef,
    DossierAccepted,
    DossierReceived,
    DossierRefused,
    DossierStatus,
    Envelope,
    ProgressReported,
    ResultIssued,
    ResultReturned,
    ReturnMethod,
    SupplementRequested,
    new_envelope,
)

COMMUNE = "19744"
DOSSIER_CODE = "000.01.31.H57-190417-0001"
APPLICANT_NAME = "Nguyễn Thị Bích Ngọc"
APPLICANT_ID = "046190000123"
SHA = "ab" * 32


def registration(**overrides: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "LoaiBanTin": "TiepNhanHoSo",
        "MaBanTin": str(uuid4()),
        "MaDonVi": COMMUNE,
        "MaHoSo": DOSSIER_CODE,
        "MaTTHC": "1.001193",
        "NgayTiepNhan": "20190417083000",
        "HinhThuc": 1,
        "ChuHoSo": {
            "HoTen": APPLICANT_NAME,
            "SoCCCD": APPLICANT_ID,
            "SoDienThoai": "0905123456",
            "DiaChi": "12 Lê Lợi, Phú Hội",
        },
    }
    return message | overrides


def by_post(**overrides: Any) -> dict[str, Any]:
    address = {
        "HoTenNguoiNhan": APPLICANT_NAME,
        "SoDienThoai": "0905123456",
        "DiaChi": "12 Lê Lợi, Phú Hội",
        "MaXa": "19750",
        "MaHuyen": "474",
        "MaTinh": "46",
    }
    return registration(HinhThucTraKQ=2, DiaChiNhanKQ=address) | overrides


def status_update(status: int, **overrides: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "LoaiBanTin": "CapNhatTrangThai",
        "MaBanTin": str(uuid4()),
        "MaDonVi": COMMUNE,
        "MaHoSo": DOSSIER_CODE,
        "TrangThai": status,
        "ThoiGian": "20190417143000",
    }
    return message | overrides


def body(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode()


def translate(message: dict[str, Any]) -> CanonicalMessage:
    return to_canonical(body(message), unit_code=COMMUNE)


# Registration


def test_a_registration_becomes_dossier_received_in_vietnam_time() -> None:
    native = registration(
        TepDinhKem=[{"TenTep": "to-khai.pdf", "DuongDan": "s3://x/1", "MaBam": SHA}]
    )

    message = translate(native)

    assert isinstance(message.payload, DossierReceived)
    dossier = message.payload.dossier
    assert dossier.received_at == datetime(2019, 4, 17, 8, 30, tzinfo=VIETNAM)
    assert dossier.received_at.utcoffset() == VIETNAM.utcoffset(dossier.received_at)
    assert message.occurred_at == dossier.received_at
    assert (dossier.code, dossier.procedure_code) == (DOSSIER_CODE, "1.001193")
    assert dossier.receiving_unit == COMMUNE
    assert dossier.channel is Channel.IN_PERSON
    assert (dossier.applicant.full_name, dossier.applicant.id_number) == (
        APPLICANT_NAME,
        APPLICANT_ID,
    )
    assert dossier.return_method is ReturnMethod.IN_PERSON
    assert dossier.delivery_address is None
    assert dossier.documents == (DocumentRef(name="to-khai.pdf", uri="s3://x/1", sha256=SHA),)
    assert (message.sender, message.recipient) == (COMMUNE, HUB_UNIT)
    assert message.correlation_id == DOSSIER_CODE
    assert message.message_id == UUID(native["MaBanTin"])


def test_a_registration_returned_by_post_carries_the_delivery_address() -> None:
    dossier = translate(by_post()).payload.dossier  # type: ignore[union-attr]

    assert dossier.return_method is ReturnMethod.POST
    assert dossier.delivery_address is not None
    assert dossier.delivery_address.receiver_name == APPLICANT_NAME
    assert (
        dossier.delivery_address.commune_code,
        dossier.delivery_address.district_code,
        dossier.delivery_address.province_code,
    ) == ("19750", "474", "46")


def test_a_registration_returned_by_post_without_an_address_is_schema_invalid() -> None:
    with pytest.raises(SchemaInvalid):
        translate(registration(HinhThucTraKQ=2))


@pytest.mark.parametrize("channel", [0, 4])
def test_a_registration_with_an_unknown_channel_is_schema_invalid(channel: int) -> None:
    with pytest.raises(SchemaInvalid, match="HinhThuc"):
        translate(registration(HinhThuc=channel))


def test_a_message_id_that_is_not_a_uuid_is_schema_invalid() -> None:
    with pytest.raises(SchemaInvalid, match="MaBanTin"):
        translate(registration(MaBanTin="not-a-uuid"))


def test_a_registration_without_a_code_is_correlated_by_its_message_id_until_it_has_one() -> None:
    native = {k: v for k, v in registration().items() if k != "MaHoSo"}

    message = translate(native)

    assert isinstance(message.payload, DossierReceived)
    assert message.payload.dossier.code is None
    assert message.correlation_id == native["MaBanTin"] == str(message.message_id)
    assert message.payload.dossier.receiving_unit == COMMUNE


def test_a_registration_with_an_explicit_null_code_also_leaves_the_code_to_the_hub() -> None:
    message = translate(registration(MaHoSo=None))

    assert message.payload.dossier.code is None  # type: ignore[union-attr]
    assert message.correlation_id == str(message.message_id)


def test_an_upper_case_message_id_still_correlates_a_code_less_registration() -> None:
    native = {k: v for k, v in registration().items() if k != "MaHoSo"}
    native["MaBanTin"] = native["MaBanTin"].upper()

    message = translate(native)

    assert message.correlation_id == native["MaBanTin"].lower()


def test_an_empty_dossier_code_is_schema_invalid_not_a_request_for_one() -> None:
    with pytest.raises(SchemaInvalid):
        translate(registration(MaHoSo=""))


def test_a_code_less_envelope_of_anything_but_a_reception_is_refused() -> None:
    received = translate({k: v for k, v in registration().items() if k != "MaHoSo"})
    with pytest.raises(ValueError, match="correlation_id must be the dossier code"):
        new_envelope(
            DossierAccepted(unit=COMMUNE),
            sender=COMMUNE,
            recipient=HUB_UNIT,
            dossier_code=received.correlation_id,
            occurred_at=received.occurred_at,
        )
    with pytest.raises(ValueError, match="correlated by its message_id"):
        new_envelope(
            received.payload,
            sender=COMMUNE,
            recipient=HUB_UNIT,
            dossier_code=str(uuid4()),
            occurred_at=received.occurred_at,
        )


def test_a_dossier_code_of_the_wrong_shape_is_schema_invalid() -> None:
    with pytest.raises(SchemaInvalid):
        translate(registration(MaHoSo="HS-2019-1"))


@pytest.mark.parametrize(
    "native",
    [
        registration(NgayTiepNhan="20190230083000"),
        registration(NgayTiepNhan="00000101000000"),
        status_update(2, ThoiGian="20191301000000"),
    ],
    ids=["30-february", "year-0", "month-13"],
)
def test_a_timestamp_that_is_not_a_calendar_date_is_schema_invalid(native: dict[str, Any]) -> None:
    with pytest.raises(SchemaInvalid):
        translate(native)


# Status updates


def test_status_2_is_dossier_accepted() -> None:
    message = translate(status_update(2))

    assert message.payload == DossierAccepted(unit=COMMUNE)
    assert message.occurred_at == datetime(2019, 4, 17, 14, 30, tzinfo=VIETNAM)
    assert message.correlation_id == DOSSIER_CODE


def test_status_3_is_a_refusal_with_its_reason() -> None:
    message = translate(status_update(3, LyDo="Hồ sơ không thuộc thẩm quyền"))

    assert message.payload == DossierRefused(unit=COMMUNE, reason="Hồ sơ không thuộc thẩm quyền")


def test_status_5_is_a_supplement_request_listing_every_missing_item() -> None:
    missing = ["Bản sao CCCD", "Giấy chứng sinh"]

    message = translate(status_update(5, DanhSachThieu=missing, NoiDung="Bổ sung trong 5 ngày"))

    assert message.payload == SupplementRequested(
        unit=COMMUNE, missing_items=tuple(missing), note="Bổ sung trong 5 ngày"
    )


def test_status_9_is_a_result_issued_with_its_decision_number() -> None:
    message = translate(status_update(9, SoQuyetDinh="12/QĐ-UBND", NoiDung="Cấp giấy khai sinh"))

    assert message.payload == ResultIssued(
        unit=COMMUNE, decision_number="12/QĐ-UBND", summary="Cấp giấy khai sinh"
    )


def test_status_10_is_the_result_returned_at_the_counter() -> None:
    message = translate(status_update(10))

    assert message.payload == ResultReturned(unit=COMMUNE, method=ReturnMethod.IN_PERSON)


@pytest.mark.parametrize("status", [4, 6])
def test_other_statuses_are_progress_reports(status: int) -> None:
    message = translate(status_update(status))

    assert message.payload == ProgressReported(unit=COMMUNE, status=DossierStatus(status))


@pytest.mark.parametrize(
    ("status", "missing"),
    [(3, "reason"), (5, "missing items"), (8, "reason"), (9, "decision number")],
)
def test_a_status_without_its_required_detail_is_schema_invalid(status: int, missing: str) -> None:
    with pytest.raises(SchemaInvalid, match=missing):
        translate(status_update(status))


@pytest.mark.parametrize("status", [0, 1, 11, -3])
def test_a_status_that_an_update_may_not_carry_is_schema_invalid(status: int) -> None:
    with pytest.raises(SchemaInvalid):
        translate(status_update(status))


# Refusals


@pytest.mark.parametrize("native", [registration(), status_update(2)], ids=["hoso", "trangthai"])
def test_a_message_whose_unit_is_not_the_publishing_unit_is_refused(
    native: dict[str, Any],
) -> None:
    with pytest.raises(SenderNotAllowed):
        to_canonical(body(native), unit_code="19747")


@pytest.mark.parametrize("raw", [b"", b"{", b"not json", b'{"LoaiBanTin": "TiepNhanHoSo",}'])
def test_a_body_that_is_not_json_is_invalid_json(raw: bytes) -> None:
    with pytest.raises(InvalidJson):
        to_canonical(raw, unit_code=COMMUNE)


def test_a_body_that_is_not_utf8_is_invalid_json() -> None:
    raw = body(registration()).replace("Nguyễn".encode(), "Nguy\xe1n".encode("latin-1"))

    with pytest.raises(InvalidJson):
        to_canonical(raw, unit_code=COMMUNE)


@pytest.mark.parametrize(
    ("native", "field"),
    [
        (registration(HinhThuc="trực tiếp"), "HinhThuc"),
        (registration(NgayTiepNhan="17/04/2019"), "NgayTiepNhan"),
        ({k: v for k, v in registration().items() if k != "ChuHoSo"}, "ChuHoSo"),
        ({k: v for k, v in status_update(2).items() if k != "MaHoSo"}, "MaHoSo"),
        (registration(ChuHoSo={"HoTen": APPLICANT_NAME, "SoCCCD": APPLICANT_ID}), "DiaChi"),
        (registration(LePhi="ba mươi nghìn"), "LePhi"),
        (status_update(2, TrangThai="hai"), "TrangThai"),
        (status_update(5, DanhSachThieu="Bản sao CCCD"), "DanhSachThieu"),
    ],
    ids=[
        "channel-text",
        "date-format",
        "no-applicant",
        "update-without-code",
        "no-address",
        "fee-text",
        "status-text",
        "missing-items-not-a-list",
    ],
)
def test_a_schema_error_names_the_field(native: dict[str, Any], field: str) -> None:
    with pytest.raises(SchemaInvalid, match=field):
        translate(native)


@pytest.mark.parametrize(
    ("native", "personal"),
    [
        (registration(ChuHoSo={"HoTen": ["Trần Văn Mạnh"], "SoCCCD": "1", "DiaChi": "x"}), "Mạnh"),
        (
            registration(ChuHoSo={"HoTen": "Trần Văn Mạnh", "SoCCCD": 46190000, "DiaChi": "x"}),
            "46190000",
        ),
        (
            registration(
                ChuHoSo={"HoTen": APPLICANT_NAME, "SoCCCD": "04619000012X", "DiaChi": "x"}
            ),
            "04619000012X",
        ),
        (
            registration(ChuHoSo={"HoTen": "", "SoCCCD": "046190000987", "DiaChi": "x"}),
            "046190000987",
        ),
        (registration(HinhThuc="Trần Văn Mạnh"), "Mạnh"),
        (registration(NgayTiepNhan="Trần Văn Mạnh"), "Mạnh"),
        (registration(MaHoSo="046190000987"), "046190000987"),
        (registration(MaBanTin="046190000987"), "046190000987"),
        (by_post(DiaChiNhanKQ={"HoTenNguoiNhan": "Trần Văn Mạnh"}), "Mạnh"),
    ],
    ids=[
        "name-not-a-string",
        "id-not-a-string",
        "id-bad-pattern",
        "empty-name-beside-id",
        "name-as-channel",
        "name-as-date",
        "id-as-dossier-code",
        "id-as-message-id",
        "incomplete-delivery-address",
    ],
)
def test_a_schema_error_never_echoes_the_input_value(native: dict[str, Any], personal: str) -> None:
    with pytest.raises(SchemaInvalid) as caught:
        translate(native)

    assert personal not in str(caught.value)


def test_a_schema_error_on_the_applicant_names_the_field_but_not_the_id_number() -> None:
    native = registration(
        ChuHoSo={"HoTen": APPLICANT_NAME, "SoCCCD": "04619000012X", "DiaChi": "x"}
    )

    with pytest.raises(SchemaInvalid, match="id_number") as caught:
        translate(native)

    assert "04619000012X" not in str(caught.value)
    assert APPLICANT_NAME not in str(caught.value)


def test_an_unknown_message_kind_is_not_echoed_in_the_error() -> None:
    with pytest.raises(SchemaInvalid) as caught:
        translate(registration(LoaiBanTin=APPLICANT_NAME))

    assert APPLICANT_NAME not in str(caught.value)


# Outbound notices


def canonical(payload: Any) -> CanonicalMessage:
    return new_envelope(
        payload,
        sender="474-PAC",
        recipient=HUB_UNIT,
        dossier_code=DOSSIER_CODE,
        occurred_at=datetime(2019, 4, 18, 9, 15, 30, tzinfo=VIETNAM),
        sequence=3,
    )


def test_a_notice_of_acceptance_parses_back_as_thong_bao_ho_so() -> None:
    message = canonical(DossierAccepted(unit="474-PAC"))

    wire = ThongBaoHoSo.model_validate_json(notice(message, deciding_unit="474-PAC", by_post=False))

    assert wire.MaBanTin == str(message.message_id)
    assert wire.MaHoSo == DOSSIER_CODE
    assert wire.TrangThai == 2
    assert wire.ThoiGian == "20190418091530"
    assert wire.DonViXuLy == "474-PAC"
    assert wire.HinhThucTraKQ == 1
    assert (wire.KetQua, wire.MaVanDon, wire.DanhSachThieu) == (None, None, ())


def test_a_notice_is_written_in_vietnam_time_whatever_the_events_offset() -> None:
    message = canonical(DossierAccepted(unit="474-PAC")).model_copy(
        update={"occurred_at": datetime.fromisoformat("2019-04-18T02:15:30+00:00")}
    )

    wire = ThongBaoHoSo.model_validate_json(notice(message, deciding_unit="474-PAC", by_post=False))

    assert wire.ThoiGian == "20190418091530"


def test_a_notice_of_a_result_carries_the_decision_and_its_documents() -> None:
    document = DocumentRef(name="quyet-dinh.pdf", uri="s3://hue/qd-12.pdf", sha256=SHA)
    issued = ResultIssued(
        unit="474-PAC", decision_number="12/QĐ-UBND", summary="Cấp GCN", documents=(document,)
    )

    raw = notice(canonical(issued), deciding_unit="474-PAC", by_post=True)
    wire = ThongBaoHoSo.model_validate_json(raw)

    assert wire.TrangThai == 9
    assert wire.KetQua is not None
    assert (wire.KetQua.SoQuyetDinh, wire.KetQua.TrichYeu) == ("12/QĐ-UBND", "Cấp GCN")
    assert [(f.TenTep, f.DuongDan, f.MaBam) for f in wire.KetQua.TepDinhKem] == [
        ("quyet-dinh.pdf", "s3://hue/qd-12.pdf", SHA)
    ]
    assert wire.HinhThucTraKQ == 2


def test_a_notice_of_a_supplement_request_lists_the_missing_items_and_the_note() -> None:
    request = SupplementRequested(unit="474-PAC", missing_items=("Bản sao CCCD",), note="Gấp")

    wire = ThongBaoHoSo.model_validate_json(
        notice(canonical(request), deciding_unit="474-PAC", by_post=False)
    )

    assert (wire.TrangThai, wire.DanhSachThieu, wire.NoiDung) == (5, ("Bản sao CCCD",), "Gấp")


def test_a_notice_of_a_refusal_carries_the_reason() -> None:
    refusal = DossierRefused(unit="474-PAC", reason="Không thuộc thẩm quyền")

    wire = ThongBaoHoSo.model_validate_json(
        notice(canonical(refusal), deciding_unit="474-PAC", by_post=False)
    )

    assert (wire.TrangThai, wire.NoiDung) == (3, "Không thuộc thẩm quyền")


def test_a_notice_of_delivery_by_post_carries_the_item_code() -> None:
    returned = ResultReturned(unit=COMMUNE, method=ReturnMethod.POST)

    raw = notice(canonical(returned), deciding_unit="474-PAC", by_post=True, item_code="EB1VN")
    wire = ThongBaoHoSo.model_validate_json(raw)

    assert (wire.TrangThai, wire.HinhThucTraKQ, wire.MaVanDon) == (10, 2, "EB1VN")


# Robustness: the translator only ever fails with a permanent error

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = sorted(
    set(registration())
    | set(status_update(2))
    | {"HinhThucTraKQ", "DiaChiNhanKQ", "TepDinhKem"}
    | {"LePhi", "NoiDung", "SoQuyetDinh", "DanhSachThieu", "LyDo"}
    | {"ThoiGian", "DanhSachBoSung", "NgayHenTraMoi", "SoTien", "SoBienLai", "MucDo", "GopY"}
)


def lifecycle_message(kind: str, **fields: Any) -> dict[str, Any]:
    base = {k: v for k, v in status_update(0).items() if k != "TrangThai"}
    return base | {"LoaiBanTin": kind} | fields


LIFECYCLE_MESSAGES = [
    status_update(7, LyDo="Công dân xin rút"),
    status_update(8, LyDo="Tranh chấp"),
    lifecycle_message("BoSungHoSo", DanhSachBoSung=["Sơ đồ"]),
    lifecycle_message("XinLoiHenLai", LyDo="Chậm", NgayHenTraMoi="20190527170000"),
    lifecycle_message("ThuPhiLePhi", SoTien=50000, SoBienLai="BL-1"),
    lifecycle_message("DanhGiaHaiLong", MucDo=3, GopY="Tốt"),
]
"""The later lifecycle messages, valid as they stand."""


def test_every_lifecycle_message_sample_translates() -> None:
    for native in LIFECYCLE_MESSAGES:
        assert isinstance(translate(native), Envelope)


def translates_or_fails_permanently(raw: bytes) -> None:
    try:
        result = to_canonical(raw, unit_code=COMMUNE)
    except PermanentError:
        return
    assert isinstance(result, Envelope)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_translate_or_fail_permanently(raw: bytes) -> None:
    translates_or_fails_permanently(raw)


@given(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), JSON_VALUES, max_size=8))
def test_arbitrary_json_objects_translate_or_fail_permanently(native: dict[str, Any]) -> None:
    translates_or_fails_permanently(json.dumps(native).encode())


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from(
        [registration(), by_post(), status_update(2), status_update(9), *LIFECYCLE_MESSAGES]
    ),
    changes=st.dictionaries(st.sampled_from(sorted(FIELDS)), JSON_VALUES, max_size=3),
    removed=st.sets(st.sampled_from(FIELDS), max_size=2),
)
def test_messages_with_some_fields_corrupted_translate_or_fail_permanently(
    base: dict[str, Any], changes: dict[str, Any], removed: set[str]
) -> None:
    native = {k: v for k, v in (base | changes).items() if k not in removed}

    translates_or_fails_permanently(json.dumps(native).encode())
