"""The slips as pure renderers: Vietnamese headings, key fields, escaping, applicability."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from hub.slips import (
    DossierSlip,
    ProcedureInfo,
    Register,
    RegisterEntry,
    SlipKind,
    SlipNotApplicable,
    Step,
    UnitInfo,
    render_dossier_slip,
    render_register,
)
from hub.slips.control import step_timeliness
from hub.slips.vietnamese import (
    Timeliness,
    dateline,
    money_vnd,
    place_of,
    time_vn,
    timeliness,
)
from schemas import VIETNAM

COMMUNE = UnitInfo(code="19744", name="UBND Phường Phú Thuận", kind="commune")
PAC = UnitInfo(code="474-PAC", name="Trung tâm Hành chính công Thành phố Huế", kind="district_pac")
POLICE = UnitInfo(code="474-CA", name="Công an Thành phố Huế", kind="district_police")
LAND = ProcedureInfo(
    code="1.012753",
    name="Đăng ký biến động đất đai",
    processing_kind="working_days",
    processing_days=10,
    fee_vnd=50_000,
)
RECEIVED = datetime(2019, 4, 15, 8, 5, tzinfo=VIETNAM)
DUE = datetime(2019, 4, 29, 17, 0, tzinfo=VIETNAM)
NAME = "Nguyễn Thị Bích"
EVIL = "<script>alert('x')</script> & Trần"


def at(days: float, hour: int = 9) -> datetime:
    return (RECEIVED + timedelta(days=days)).replace(hour=hour, minute=0)


def step(kind: str, when: datetime, unit: UnitInfo = PAC, **facts: object) -> Step:
    return Step(kind=kind, at=when, unit=unit, **facts)  # type: ignore[arg-type]


RECEPTION = step("dossier.received", RECEIVED, COMMUNE, status=1)
TRANSFER = step("dossier.transferred", at(0, 10), PAC, from_unit=COMMUNE, due_at=DUE)
ACCEPTANCE = step("dossier.accepted", at(1), PAC, status=2, due_at=DUE)


def a_slip(*steps: Step, **changes: object) -> DossierSlip:
    slip = DossierSlip(
        code="000.01.31.H57-190415-0001",
        procedure=LAND,
        receiving_unit=COMMUNE,
        competent_unit=PAC,
        applicant_name=NAME,
        channel=1,
        return_method="in_person",
        received_at=RECEIVED,
        due_at=DUE,
        status=4,
        status_at=at(2),
        documents=("Đơn đăng ký biến động", "Giấy chứng nhận quyền sử dụng đất"),
        steps=(RECEPTION, TRANSFER, ACCEPTANCE, *steps),
    )
    return dataclasses.replace(slip, **changes)  # type: ignore[arg-type]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)


def text_of(page: str) -> str:
    """What a reader sees: the text with markup removed and entities decoded."""
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def tags_of(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.tags


def render(kind: SlipKind, slip: DossierSlip, now: datetime = RECEIVED) -> str:
    return render_dossier_slip(kind, slip, now=now)


# --- the national header and the receipt ------------------------------------------------


def test_every_slip_carries_the_national_motto_the_unit_and_the_code() -> None:
    refused = step("dossier.refused", at(2), PAC, status=3, reason="Sai thẩm quyền")
    asked = step("dossier.supplement_requested", at(1), PAC, status=5, missing_items=("Sổ",))
    slip = a_slip(asked, refused)
    for kind in SlipKind:
        text = text_of(render(kind, slip, now=DUE + timedelta(days=1)))
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "Độc lập - Tự do - Hạnh phúc" in text
        assert "Mã hồ sơ: 000.01.31.H57-190415-0001" in text


def test_the_receipt_states_reception_and_appointment_in_vietnamese_form() -> None:
    page = render(SlipKind.RECEIPT, a_slip())
    text = text_of(page)
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="vi">' in page
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "UBND PHƯỜNG PHÚ THUẬN BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ" in text
    assert "Phú Thuận, ngày 15 tháng 04 năm 2019" in text
    assert f"Tiếp nhận hồ sơ của: {NAME}" in text
    assert "Nội dung yêu cầu giải quyết: Đăng ký biến động đất đai (mã thủ tục 1.012753)" in text
    assert "3. Thời gian giải quyết hồ sơ theo quy định là: 10 ngày làm việc" in text
    assert "4. Thời gian nhận hồ sơ: 08 giờ 05 phút, ngày 15/04/2019" in text
    assert "5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 29/04/2019" in text
    assert "Giấy chứng nhận quyền sử dụng đất" in text
    assert "Phí, lệ phí: 50.000 đồng" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text


def test_the_receipt_keeps_the_first_appointment_after_a_new_date_was_set() -> None:
    apology = step("dossier.delay_apologised", at(12), PAC, new_due_at=DUE + timedelta(days=5))
    text = text_of(render(SlipKind.RECEIPT, a_slip(apology)))
    assert "trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 29/04/2019" in text


def test_the_receipt_shows_fees_paid_with_their_e_receipt_numbers() -> None:
    paid = step("dossier.fee_paid", at(0, 9), COMMUNE, amount_vnd=1_250_000, receipt_number="BL-7")
    text = text_of(render(SlipKind.RECEIPT, a_slip(paid)))
    assert "Phí, lệ phí: 1.250.000 đồng (biên lai điện tử số BL-7)" in text


def test_no_receipt_for_a_dossier_refused_at_the_counter() -> None:
    refused = step("dossier.refused", at(0, 9), COMMUNE, status=3, reason="Không đủ điều kiện")
    slip = a_slip(steps=(RECEPTION, refused), status=3)
    with pytest.raises(SlipNotApplicable, match=r"refused at reception.*--kind refusal"):
        render(SlipKind.RECEIPT, slip)


# --- escaping and personal data -------------------------------------------------------


def test_every_value_is_escaped_so_data_never_becomes_markup() -> None:
    refused = step("dossier.refused", at(2), PAC, status=3, reason=EVIL)
    asked = step("dossier.supplement_requested", at(1), PAC, status=5, missing_items=(EVIL,))
    evil_unit = dataclasses.replace(PAC, name=EVIL)
    slip = a_slip(asked, refused, applicant_name=EVIL, documents=(EVIL,), competent_unit=evil_unit)
    for kind in SlipKind:
        page = render(kind, slip, now=DUE + timedelta(days=1))
        assert "<script>" not in page
        assert "script" not in tags_of(page)
        assert EVIL in text_of(page) or kind is SlipKind.CONTROL  # the control slip has no name
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Trần" in render(
        SlipKind.REFUSAL, slip
    )


def test_the_applicant_name_stays_out_of_repr_and_so_out_of_logs() -> None:
    assert NAME not in repr(a_slip())


# --- supplement, refusal, apology ------------------------------------------------------


def test_the_supplement_request_lists_every_missing_item_in_one_go() -> None:
    items = ("Bản sao sổ hộ khẩu", "Trích lục bản đồ địa chính", "Tờ khai lệ phí trước bạ")
    asked = step(
        "dossier.supplement_requested", at(1), PAC, status=5, missing_items=items, note="Thiếu"
    )
    page = render(SlipKind.SUPPLEMENT, a_slip(asked, status=5))
    text = text_of(page)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert page.count("<li>") == 3
    assert all(item in text for item in items)
    assert "Lý do: Thiếu" in text
    assert "bưu chính" not in text


def test_a_supplement_request_for_a_postal_dossier_says_it_goes_by_post() -> None:
    asked = step("dossier.supplement_requested", at(1), PAC, status=5, missing_items=("Tờ khai",))
    text = text_of(render(SlipKind.SUPPLEMENT, a_slip(asked, channel=3)))
    assert "gửi cho Ông/Bà qua dịch vụ bưu chính công ích" in text


def test_no_supplement_slip_without_a_supplement_request() -> None:
    with pytest.raises(SlipNotApplicable, match=r"no supplement request.*status 4"):
        render(SlipKind.SUPPLEMENT, a_slip())


def test_the_refusal_slip_gives_the_refusing_unit_and_its_reason() -> None:
    refused = step("dossier.refused", at(2), PAC, status=3, reason="Hồ sơ không thuộc thẩm quyền")
    text = text_of(render(SlipKind.REFUSAL, a_slip(refused, status=3)))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "TRUNG TÂM HÀNH CHÍNH CÔNG THÀNH PHỐ HUẾ" in text
    assert "Huế, ngày 17 tháng 04 năm 2019" in text
    assert "với lý do cụ thể như sau: Hồ sơ không thuộc thẩm quyền" in text


def test_a_refusal_slip_for_a_dossier_never_refused_is_an_error_not_an_empty_form() -> None:
    with pytest.raises(SlipNotApplicable, match=r"000\.01\.31\.H57-190415-0001 was never refused"):
        render(SlipKind.REFUSAL, a_slip())


def test_the_apology_gives_the_reason_the_old_and_the_new_date() -> None:
    new_due = datetime(2019, 5, 6, 17, 0, tzinfo=VIETNAM)
    apology = step(
        "dossier.delay_apologised",
        at(13),
        PAC,
        reason="Chờ xác minh nguồn gốc đất",
        new_due_at=new_due,
        previous_due_at=DUE,
    )
    text = text_of(render(SlipKind.APOLOGY, a_slip(apology)))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert f"Kính gửi: Ông/Bà {NAME}" in text
    assert "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 29/04/2019" in text
    assert "Lý do: Chờ xác minh nguồn gốc đất" in text
    assert "vào lúc 17 giờ 00 phút, ngày 06/05/2019" in text
    assert "THỦ TRƯỞNG CƠ QUAN" in text


def test_an_overdue_dossier_without_a_recorded_apology_leaves_reason_and_date_blank() -> None:
    text = text_of(render(SlipKind.APOLOGY, a_slip(), now=DUE + timedelta(hours=1)))
    assert "Lý do: …………………" in text
    assert "vào lúc …… giờ …… phút" in text


def test_no_apology_for_a_dossier_within_its_due_date() -> None:
    with pytest.raises(SlipNotApplicable, match=r"not overdue \(due 29/04/2019\)"):
        render(SlipKind.APOLOGY, a_slip(), now=DUE - timedelta(hours=1))


# --- the processing control slip ------------------------------------------------------


def test_the_control_slip_logs_each_handover_and_whether_it_was_on_time() -> None:
    resolved = step(
        "dossier.result_issued", DUE + timedelta(days=1), PAC, status=9, decision_number="15/QĐ"
    )
    slip = a_slip(resolved, status=9, resolved_at=resolved.at)
    page = render(SlipKind.CONTROL, slip)
    text = text_of(page)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Cơ quan (bộ phận) giải quyết hồ sơ: Trung tâm Hành chính công Thành phố Huế" in text
    assert "Giao: UBND Phường Phú Thuận" in text
    assert "Nhận: Trung tâm Hành chính công" in text
    assert "Có kết quả giải quyết hồ sơ (số 15/QĐ)" in text
    assert "Kết quả: Đã có kết quả, quá hạn" in text
    assert page.split("<tbody>")[1].count("<tr>") == 4  # one row per step
    assert [step_timeliness(slip, s) for s in slip.steps] == [
        None,
        Timeliness.EARLY,
        Timeliness.EARLY,
        Timeliness.LATE,
    ]


def test_the_control_slip_names_cooperating_agencies_of_a_linked_procedure() -> None:
    police = step("dossier.transferred", at(0, 11), POLICE, from_unit=COMMUNE, due_at=DUE)
    text = text_of(render(SlipKind.CONTROL, a_slip(police)))
    assert "Cơ quan phối hợp giải quyết hồ sơ: Công an Thành phố Huế" in text


def test_the_control_slip_judges_steps_after_an_apology_against_the_new_date() -> None:
    new_due = DUE + timedelta(days=7)
    apology = step("dossier.delay_apologised", DUE - timedelta(days=1), PAC, new_due_at=new_due)
    resolved = step("dossier.result_issued", DUE + timedelta(days=2), PAC, status=9)
    slip = a_slip(apology, resolved)
    assert step_timeliness(slip, resolved) is Timeliness.EARLY
    assert "Xin lỗi và hẹn lại ngày trả kết quả" in text_of(render(SlipKind.CONTROL, slip))


# --- the register ----------------------------------------------------------------------


def an_entry(n: int, **changes: object) -> RegisterEntry:
    entry = RegisterEntry(
        code=f"000.01.31.H57-190415-{n:04d}",
        procedure_name="Đăng ký khai sinh",
        applicant_name=NAME,
        competent_unit=COMMUNE,
        received_at=RECEIVED,
        due_at=RECEIVED.replace(hour=16, minute=30),
        transferred_at=None,
        resolved_at=RECEIVED.replace(hour=15),
        returned_at=RECEIVED.replace(hour=16),
        status=10,
    )
    return dataclasses.replace(entry, **changes)  # type: ignore[arg-type]


def a_register(*entries: RegisterEntry) -> Register:
    return Register(
        unit=COMMUNE,
        period_label="2019Q2",
        start=datetime(2019, 4, 1, tzinfo=VIETNAM),
        end=datetime(2019, 7, 1, tzinfo=VIETNAM),
        entries=entries,
    )


def test_the_register_lists_each_dossier_with_its_dates_from_reception_to_return() -> None:
    late = an_entry(2, resolved_at=RECEIVED + timedelta(days=1), status=9, returned_at=None)
    page = render_register(a_register(an_entry(1), late), issued_at=datetime(2019, 7, 2, 9, 0))
    text = text_of(page)
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Kỳ 2019Q2: từ ngày 01/04/2019 đến ngày 30/06/2019" in text
    assert "Số hồ sơ: 2" in text
    assert "Ngày, tháng, năm" in text
    assert "Đã trả kết quả cho cá nhân, tổ chức" in text
    assert "08:05 15/04/2019" in text
    assert "Đã trả kết quả; trước hạn" not in text
    assert "Đã trả kết quả; đúng hạn" in text
    assert "Đã xử lý xong; quá hạn" in text
    assert "size: A4 landscape" in page


def test_an_empty_register_says_so_and_names_escape_there_too() -> None:
    assert "Không có hồ sơ trong kỳ." in text_of(render_register(a_register(), issued_at=RECEIVED))
    page = render_register(a_register(an_entry(1, applicant_name=EVIL)), issued_at=RECEIVED)
    assert "<script>" not in page
    assert EVIL in text_of(page)


# --- Vietnamese wording -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("UBND Phường Phú Thuận", "Phú Thuận"),
        ("UBND Xã Phong Bình", "Phong Bình"),
        ("UBND Thị trấn Sịa", "Sịa"),
        ("Trung tâm Hành chính công Thị xã Hương Thủy", "Hương Thủy"),
        ("Trung tâm Phục vụ hành chính công tỉnh Thừa Thiên Huế", "Thừa Thiên Huế"),
        ("Văn phòng đăng ký đất đai", "Văn phòng đăng ký đất đai"),
    ],
)
def test_the_place_of_the_dateline_comes_from_the_unit_name(name: str, place: str) -> None:
    assert place_of(name) == place


def test_moments_are_written_in_vietnam_time_as_the_forms_do() -> None:
    utc_afternoon = datetime(2019, 4, 14, 16, 5, tzinfo=UTC)
    assert time_vn(utc_afternoon) == "23 giờ 05 phút, ngày 14/04/2019"
    assert dateline("Huế", datetime(2019, 4, 14, 23, 5, tzinfo=VIETNAM)) == (
        "Huế, ngày 14 tháng 04 năm 2019"
    )
    assert money_vnd(0) == "0 đồng"
    assert money_vnd(1_250_000) == "1.250.000 đồng"


def test_on_time_means_by_the_due_moment_and_early_means_an_earlier_day() -> None:
    assert timeliness(DUE, DUE) is Timeliness.ON_TIME
    assert timeliness(DUE - timedelta(hours=8), DUE) is Timeliness.ON_TIME
    assert timeliness(DUE - timedelta(days=1), DUE) is Timeliness.EARLY
    assert timeliness(DUE + timedelta(minutes=1), DUE) is Timeliness.LATE
