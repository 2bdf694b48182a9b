"""What each timeline step was, in the Vietnamese of the processing control slip."""

from __future__ import annotations

from hub.slips.model import Step
from hub.slips.vietnamese import RETURN_METHOD_NAMES, STATUS_NAMES, money_vnd, time_vn

NOT_ON_CONTROL_SLIP = frozenset(
    {"postal.status_changed", "hub.not_accepted", "dossier.due_soon", "dossier.rated"}
)
"""Postal tracking, rejected messages, reminders and ratings are not steps of processing."""

_FIXED = {
    "dossier.received": "Tiếp nhận hồ sơ",
    "dossier.accepted": "Tiếp nhận giải quyết hồ sơ",
    "dossier.supplement_requested": "Yêu cầu bổ sung, hoàn thiện hồ sơ",
    "dossier.resubmitted": "Tiếp nhận hồ sơ đã bổ sung, hoàn thiện",
    "dossier.transferred": "Chuyển hồ sơ đến cơ quan giải quyết",
    "dossier.refused": "Từ chối tiếp nhận giải quyết hồ sơ",
    "dossier.withdrawn": "Cá nhân, tổ chức rút hồ sơ",
    "dossier.processing_stopped": "Dừng xử lý hồ sơ",
    "dossier.overdue": "Hồ sơ quá hạn giải quyết",
}


def describe(step: Step) -> str:
    """One line for the control slip's "content" column; unknown kinds fall back to status."""
    if step.kind in _FIXED:
        return _FIXED[step.kind]
    if step.kind == "dossier.result_issued":
        number = f" (số {step.decision_number})" if step.decision_number else ""
        return f"Có kết quả giải quyết hồ sơ{number}"
    if step.kind == "dossier.result_returned":
        how = RETURN_METHOD_NAMES.get(step.method or "", "")
        return "Trả kết quả cho cá nhân, tổ chức" + (f" ({how.lower()})" if how else "")
    if step.kind == "postal.order_created":
        return f"Giao kết quả cho dịch vụ bưu chính (số hiệu bưu gửi {step.item_code})"
    if step.kind == "dossier.fee_paid":
        return f"Nộp phí, lệ phí: {money_vnd(step.amount_vnd)}"
    if step.new_due_at is not None:
        return f"Xin lỗi và hẹn lại ngày trả kết quả: {time_vn(step.new_due_at)}"
    if step.status is not None:
        return STATUS_NAMES.get(step.status, str(step.status))
    return step.kind


def remark(step: Step) -> str:
    """The "notes" column: the reason, the missing items or the official's note."""
    if step.reason:
        return f"Lý do: {step.reason}"
    if step.missing_items:
        return "Cần bổ sung: " + "; ".join(step.missing_items)
    if step.receipt_number:
        return f"Biên lai điện tử số {step.receipt_number}"
    return step.note or ""
