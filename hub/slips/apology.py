"""Phiếu xin lỗi và hẹn lại ngày trả kết quả (apology and new date), Circular 01/2018 form 04:
for an overdue dossier; the return date may be re-set only once (Decree 61/2018 Art.19(9)).

Rendered from the recorded apology (its reason and new date) when the timeline has one;
for an overdue dossier without one, reason and new date are left for the official to fill in.
"""

from __future__ import annotations

from datetime import datetime

from hub.slips import html as h
from hub.slips.model import DossierSlip, Step
from hub.slips.vietnamese import BLANK, date_vn, time_vn

TITLE = "Phiếu xin lỗi và hẹn lại ngày trả kết quả"


def render_apology(slip: DossierSlip, apology: Step | None, *, issued_at: datetime) -> str:
    unit = apology.unit if apology else slip.competent_unit
    old_due = (apology.previous_due_at or slip.due_before(apology)) if apology else slip.due_at
    new_due = apology.new_due_at if apology else None
    body = h.blocks(
        [
            h.national_header(unit, apology.at if apology else issued_at),
            h.title(TITLE, slip.code),
            h.line("Kính gửi", f"Ông/Bà {slip.applicant_name}"),
            h.paragraph(
                f"Ngày {date_vn(slip.received_at)}, ",
                slip.receiving_unit.name,
                " tiếp nhận giải quyết hồ sơ của Ông/Bà: ",
                slip.applicant_name,
                ".",
            ),
            h.line("Mã hồ sơ", slip.code),
            h.line("Nội dung yêu cầu giải quyết", slip.procedure.name),
            h.line("Thời gian hẹn trả kết quả", time_vn(old_due)),
            h.paragraph(
                "Tuy nhiên đến nay, ",
                unit.name,
                " chưa trả kết quả giải quyết hồ sơ của Ông/Bà đúng thời hạn ghi trên"
                " Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
            ),
            h.line("Lý do", (apology.reason if apology else None) or BLANK),
            h.paragraph(
                "Sự chậm trễ này đã gây phiền hà cho Ông/Bà. ",
                unit.name,
                " xin lỗi Ông/Bà và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào lúc ",
                time_vn(new_due),
                ".",
            ),
            h.paragraph("Xin trân trọng cảm ơn!"),
            h.signatures(None, "THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên và đóng dấu)"),
        ]
    )
    return h.page(f"{TITLE} {slip.code}", body)
