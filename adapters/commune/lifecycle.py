"""Commune native format ⇄ canonical model for the later steps of a dossier's life:
resubmission after a supplement request, apology and new date, fees, satisfaction ratings,
and the hub's deadline warnings and apology notices."""

from __future__ import annotations

from adapters.commune.wire import (
    BoSungHoSo,
    CanhBaoHanXuLy,
    DanhGiaHaiLong,
    ThuPhiLePhi,
    ThuXinLoi,
    XinLoiHenLai,
)
from adapters.native import format_compact_time, parse_compact_time, payload_as
from hub.errors import SchemaInvalid
from schemas import (
    CanonicalMessage,
    DelayApologised,
    DocumentRef,
    DossierEvent,
    DueSoonWarned,
    FeePaid,
    OverdueFlagged,
    SatisfactionRated,
    SupplementResubmitted,
)

LifecycleMessage = BoSungHoSo | XinLoiHenLai | ThuPhiLePhi | DanhGiaHaiLong


def lifecycle_event(native: LifecycleMessage) -> DossierEvent:
    """The canonical event of one of the commune's lifecycle messages."""
    if isinstance(native, BoSungHoSo):
        if not native.DanhSachBoSung:
            raise SchemaInvalid("DanhSachBoSung: a resubmission lists the items supplied")
        return SupplementResubmitted(
            unit=native.MaDonVi,
            completed_items=native.DanhSachBoSung,
            documents=tuple(
                DocumentRef(name=f.TenTep, uri=f.DuongDan, sha256=f.MaBam)
                for f in native.TepDinhKem
            ),
            note=native.NoiDung,
        )
    if isinstance(native, XinLoiHenLai):
        return DelayApologised(
            unit=native.MaDonVi,
            reason=native.LyDo,
            due_at=parse_compact_time(native.NgayHenTraMoi, field="NgayHenTraMoi"),
        )
    if isinstance(native, ThuPhiLePhi):
        return FeePaid(
            unit=native.MaDonVi,
            amount_vnd=native.SoTien,
            receipt_number=native.SoBienLai,
            description=native.NoiDung,
        )
    return SatisfactionRated(unit=native.MaDonVi, rating=native.MucDo, feedback=native.GopY)


def due_warning(message: CanonicalMessage, *, deciding_unit: str) -> bytes:
    """Render ``dossier.due_soon`` / ``dossier.overdue`` as the commune's ``CanhBaoHanXuLy``."""
    event = message.payload
    if not isinstance(event, DueSoonWarned | OverdueFlagged):
        raise TypeError(f"expected a deadline warning, got {event.type}")
    return (
        CanhBaoHanXuLy(
            MaBanTin=str(message.message_id),
            MaHoSo=message.correlation_id,
            ThoiGian=format_compact_time(message.occurred_at),
            DonViXuLy=deciding_unit,
            Loai="SapDenHan" if isinstance(event, DueSoonWarned) else "QuaHan",
            HanXuLy=format_compact_time(event.due_at),
        )
        .model_dump_json()
        .encode()
    )


def apology_notice(message: CanonicalMessage) -> bytes:
    """Render ``dossier.delay_apologised`` as the commune's ``ThuXinLoi``."""
    event = payload_as(message, DelayApologised)
    return (
        ThuXinLoi(
            MaBanTin=str(message.message_id),
            MaHoSo=message.correlation_id,
            ThoiGian=format_compact_time(message.occurred_at),
            DonViXuLy=event.unit,
            LyDo=event.reason,
            NgayHenTraMoi=format_compact_time(event.due_at),
        )
        .model_dump_json()
        .encode()
    )
