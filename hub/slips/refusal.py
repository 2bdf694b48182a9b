"""Phiếu từ chối tiếp nhận giải quyết hồ sơ (refusal slip), Circular 01/2018 form 03."""

from __future__ import annotations

from hub.slips import html as h
from hub.slips.model import DossierSlip, Step
from hub.slips.vietnamese import BLANK, time_vn

TITLE = "Phiếu từ chối tiếp nhận giải quyết hồ sơ"


def render_refusal(slip: DossierSlip, refusal: Step) -> str:
    unit = refusal.unit
    body = h.blocks(
        [
            h.national_header(unit, refusal.at),
            h.title(TITLE, slip.code),
            h.paragraph(unit.name, " tiếp nhận hồ sơ của: ", slip.applicant_name),
            h.line("Địa chỉ", BLANK),
            h.line("Số điện thoại", f"{BLANK} Email: {BLANK}"),
            h.line("Nội dung yêu cầu giải quyết", slip.procedure.name),
            h.line("Thời gian nhận hồ sơ", time_vn(slip.received_at)),
            h.paragraph(
                "Qua xem xét, ",
                unit.name,
                " thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau: ",
                refusal.reason or BLANK,
            ),
            h.paragraph("Xin thông báo cho Ông/Bà được biết và thực hiện./."),
            h.signatures(None, "NGƯỜI TIẾP NHẬN HỒ SƠ"),
        ]
    )
    return h.page(f"{TITLE} {slip.code}", body)
