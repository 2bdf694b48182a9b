"""Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (supplement request), Circular 01/2018 form 02:
every missing item listed in one go; sent by post when the dossier came by post."""

from __future__ import annotations

from hub.slips import html as h
from hub.slips.model import DossierSlip, Step
from hub.slips.vietnamese import BLANK, time_vn

TITLE = "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
BY_POST = "Phiếu này được gửi cho Ông/Bà qua dịch vụ bưu chính công ích."


def render_supplement(slip: DossierSlip, request: Step) -> str:
    unit = request.unit
    items = request.missing_items or (BLANK,)
    body = h.blocks(
        [
            h.national_header(unit, request.at),
            h.title(TITLE, slip.code),
            h.line("Hồ sơ của", slip.applicant_name),
            h.line("Nội dung yêu cầu giải quyết", slip.procedure.name),
            h.line("Địa chỉ", BLANK),
            h.line("Số điện thoại", f"{BLANK} Email: {BLANK}"),
            h.line("Thời gian nhận hồ sơ", time_vn(slip.received_at)),
            h.paragraph("Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:"),
            h.numbered(items),
            h.line("Lý do", request.note or BLANK),
            h.paragraph(
                "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ với ",
                unit.name,
                " để được hướng dẫn.",
            ),
            h.line("Thời gian yêu cầu bổ sung", time_vn(request.at)),
            h.paragraph(BY_POST) if slip.channel == 3 else h.Safe(""),
            h.signatures(None, "NGƯỜI HƯỚNG DẪN"),
        ]
    )
    return h.page(f"{TITLE} {slip.code}", body)
