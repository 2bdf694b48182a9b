"""Sổ theo dõi hồ sơ (dossier register), Circular 01/2018 form 06: every dossier a unit
received or was handed over a period, with its dates from reception to return."""

from __future__ import annotations

from datetime import datetime, timedelta
from string import Template

from hub.slips import html as h
from hub.slips.model import Register, RegisterEntry
from hub.slips.vietnamese import STATUS_NAMES, date_time_vn, date_vn, timeliness

TITLE = "Sổ theo dõi hồ sơ"
EMPTY = "Không có hồ sơ trong kỳ."

_HEADINGS = Template(
    """<tr><th rowspan="2">STT</th><th rowspan="2">Mã hồ sơ</th>
<th rowspan="2">Tên thủ tục hành chính</th><th rowspan="2">Tên cá nhân, tổ chức</th>
<th rowspan="2">Cơ quan chủ trì giải quyết</th><th colspan="5">Ngày, tháng, năm</th>
<th rowspan="2">Ký nhận</th><th rowspan="2">Ghi chú</th></tr>
<tr><th>Nhận hồ sơ</th><th>Hẹn trả kết quả</th><th>Chuyển hồ sơ đến cơ quan giải quyết</th>
<th>Có kết quả giải quyết hồ sơ</th><th>Đã trả kết quả cho cá nhân, tổ chức</th></tr>"""
)


def note(entry: RegisterEntry) -> str:
    """The status, and for a resolved dossier with a due date whether it was late."""
    status = STATUS_NAMES.get(entry.status, str(entry.status))
    if entry.resolved_at is None or entry.due_at is None:
        return status
    return f"{status}; {timeliness(entry.resolved_at, entry.due_at).lower()}"


def _row(n: int, entry: RegisterEntry) -> list[object]:
    return [
        n,
        entry.code,
        entry.procedure_name,
        entry.applicant_name,
        entry.competent_unit.name,
        date_time_vn(entry.received_at),
        date_time_vn(entry.due_at),
        date_time_vn(entry.transferred_at),
        date_time_vn(entry.resolved_at),
        date_time_vn(entry.returned_at),
        "",
        note(entry),
    ]


def render_register(register: Register, *, issued_at: datetime) -> str:
    last_day = register.end - timedelta(days=1)
    rows = [_row(n, entry) for n, entry in enumerate(register.entries, start=1)]
    body = h.blocks(
        [
            h.national_header(register.unit, issued_at),
            h.title(TITLE),
            h.paragraph(
                f"Kỳ {register.period_label}: từ ngày {date_vn(register.start)}"
                f" đến ngày {date_vn(last_day)}"
            ),
            h.line("Số hồ sơ", len(rows)),
            h.grid(h.Safe(_HEADINGS.substitute()), rows) if rows else h.paragraph(EMPTY),
        ]
    )
    return h.page(f"{TITLE} {register.unit.name} {register.period_label}", body, landscape=True)
