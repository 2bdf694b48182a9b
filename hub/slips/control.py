"""Phiếu kiểm soát quá trình giải quyết hồ sơ (processing control slip), Circular 01/2018
form 05: every unit the dossier passed through, when it was handed over or acted on, and
whether that was before, on or after the due date in force at the time."""

from __future__ import annotations

from datetime import datetime

from hub.slips import html as h
from hub.slips.model import DossierSlip, Step, UnitInfo
from hub.slips.steps import NOT_ON_CONTROL_SLIP, describe, remark
from hub.slips.vietnamese import BLANK, STATUS_NAMES, Timeliness, time_vn, timeliness

TITLE = "Phiếu kiểm soát quá trình giải quyết hồ sơ"
HEADINGS = (
    "STT",
    "Tên cơ quan, đơn vị",
    "Nội dung",
    "Thời gian giao, nhận hồ sơ",
    "Kết quả giải quyết hồ sơ (Trước hạn/Đúng hạn/Quá hạn)",
    "Ghi chú",
)
CLOSED_WITHOUT_RESULT = frozenset({3, 7, 8})


def step_timeliness(slip: DossierSlip, step: Step) -> Timeliness | None:
    """Judged against the due date in force before the step; reception is not judged."""
    if step.kind == "dossier.received":
        return None
    due = slip.due_before(step) or step.sets_due
    return None if due is None else timeliness(step.at, due)


def outcome(slip: DossierSlip, now: datetime) -> str:
    """The dossier's result so far, for the slip's summary line."""
    if slip.resolved_at is not None:
        if slip.due_at is None:
            return "Đã có kết quả"
        return f"Đã có kết quả, {timeliness(slip.resolved_at, slip.due_at).lower()}"
    if slip.status in CLOSED_WITHOUT_RESULT:
        return STATUS_NAMES[slip.status]
    if slip.due_at is not None and now > slip.due_at:
        return "Chưa có kết quả, đã quá hạn"
    return "Chưa có kết quả, còn hạn"


def _unit_cell(step: Step) -> h.Safe:
    if step.kind == "dossier.transferred" and step.from_unit is not None:
        return h.lines(f"Giao: {step.from_unit.name}", f"Nhận: {step.unit.name}")
    return h.esc(step.unit.name)


def _row(n: int, slip: DossierSlip, step: Step) -> list[object]:
    judged = step_timeliness(slip, step)
    return [n, _unit_cell(step), describe(step), time_vn(step.at), judged or "", remark(step)]


def _cooperating(slip: DossierSlip) -> str:
    main = {slip.receiving_unit.code, slip.competent_unit.code}
    others: dict[str, UnitInfo] = {}
    for step in slip.steps:
        if step.kind == "dossier.transferred" and step.unit.code not in main:
            others.setdefault(step.unit.code, step.unit)
    return ", ".join(unit.name for unit in others.values()) or BLANK


def render_control(slip: DossierSlip, *, issued_at: datetime) -> str:
    steps = [s for s in slip.steps if s.kind not in NOT_ON_CONTROL_SLIP]
    rows = [_row(n, slip, step) for n, step in enumerate(steps, start=1)]
    body = h.blocks(
        [
            h.national_header(slip.receiving_unit, slip.received_at),
            h.title(TITLE, slip.code),
            h.line("Cơ quan (bộ phận) giải quyết hồ sơ", slip.competent_unit.name),
            h.line("Cơ quan phối hợp giải quyết hồ sơ", _cooperating(slip)),
            h.line("Nội dung yêu cầu giải quyết", slip.procedure.name),
            h.line("Thời gian nhận hồ sơ", time_vn(slip.received_at)),
            h.line("Thời gian hẹn trả kết quả", time_vn(slip.due_at)),
            h.line("Kết quả", outcome(slip, issued_at)),
            h.grid(h.heading_row(*HEADINGS), rows),
        ]
    )
    return h.page(f"{TITLE} {slip.code}", body)
