"""Linked procedure groups in the commune's format: the fan-in notice ``ThongBaoLienThong``."""

from __future__ import annotations

from adapters.commune.wire import PartBlock, ThongBaoLienThong
from adapters.native import format_compact_time, payload_as
from schemas import CanonicalMessage, GroupOutcome, PartOutcome


def _part(part: PartOutcome) -> PartBlock:
    return PartBlock(
        MaTTHC=part.procedure_code,
        DonViXuLy=part.unit,
        TrangThai=int(part.status),
        HanXuLy=None if part.due_at is None else format_compact_time(part.due_at),
        SoQuyetDinh=part.decision_number,
        TrichYeu=part.summary,
        LyDo=part.reason,
    )


def group_notice(message: CanonicalMessage, *, by_post: bool) -> bytes:
    """Render a canonical ``dossier.group_outcome`` as the commune's ``ThongBaoLienThong``."""
    event = payload_as(message, GroupOutcome)
    return (
        ThongBaoLienThong(
            MaBanTin=str(message.message_id),
            MaHoSo=message.correlation_id,
            MaNhomLienThong=event.group_code,
            ThoiGian=format_compact_time(message.occurred_at),
            TrangThai=int(event.status),
            HoanTat=event.complete,
            ThanhPhanXuLy=event.settled_part,
            ThanhPhan=tuple(_part(p) for p in event.parts),
            HinhThucTraKQ=2 if by_post else 1,
        )
        .model_dump_json()
        .encode()
    )
