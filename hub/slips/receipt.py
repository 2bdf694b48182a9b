"""Giấy tiếp nhận hồ sơ và hẹn trả kết quả (receipt and appointment slip), Circular 01/2018
form 01: given to the citizen when a valid dossier is registered; states the due date."""

from __future__ import annotations

from hub.slips import html as h
from hub.slips.model import DossierSlip
from hub.slips.vietnamese import (
    BLANK,
    CHANNEL_NAMES,
    RETURN_METHOD_NAMES,
    money_vnd,
    processing_time,
    time_vn,
)

TITLE = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"


def _fee(slip: DossierSlip) -> str:
    """Fees paid with their e-receipts, else the amount due at registration."""
    paid = [s for s in slip.steps if s.kind == "dossier.fee_paid" and s.amount_vnd]
    if paid:
        return "; ".join(
            f"{money_vnd(s.amount_vnd)} (biên lai điện tử số {s.receipt_number or BLANK})"
            for s in paid
        )
    return money_vnd(slip.fee_vnd if slip.fee_vnd is not None else slip.procedure.fee_vnd)


def render_receipt(slip: DossierSlip) -> str:
    unit = slip.receiving_unit
    procedure = slip.procedure
    documents = h.numbered(slip.documents) if slip.documents else h.paragraph(BLANK)
    fee = _fee(slip)
    body = h.blocks(
        [
            h.national_header(unit, slip.received_at),
            h.title(TITLE, slip.code),
            h.paragraph(h.COMMUNE_SECTION, " ", unit.name),
            h.line("Tiếp nhận hồ sơ của", slip.applicant_name),
            h.line("Địa chỉ", BLANK),
            h.line("Số điện thoại", f"{BLANK} Email: {BLANK}"),
            h.line(
                "Nội dung yêu cầu giải quyết", f"{procedure.name} (mã thủ tục {procedure.code})"
            ),
            h.line("Hình thức nộp hồ sơ", CHANNEL_NAMES.get(slip.channel, BLANK)),
            h.paragraph("1. Thành phần hồ sơ nộp gồm:"),
            documents,
            h.line("2. Số lượng hồ sơ", "01 (bộ)"),
            h.line(
                "3. Thời gian giải quyết hồ sơ theo quy định là",
                processing_time(procedure.processing_kind, procedure.processing_days),
            ),
            h.line("4. Thời gian nhận hồ sơ", time_vn(slip.received_at)),
            h.line("5. Thời gian trả kết quả giải quyết hồ sơ", time_vn(slip.first_due_at)),
            h.line(
                "6. Đăng ký nhận kết quả tại",
                RETURN_METHOD_NAMES.get(slip.return_method, slip.return_method),
            ),
            h.line("Phí, lệ phí", fee),
            h.signatures("NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ"),
        ]
    )
    return h.page(f"{TITLE} {slip.code}", body)
