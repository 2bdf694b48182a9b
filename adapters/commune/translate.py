"""Commune native format ⇄ canonical model."""

from __future__ import annotations

from uuid import UUID, uuid4

from pydantic import TypeAdapter, ValidationError

from adapters.commune.lifecycle import lifecycle_event
from adapters.commune.wire import (
    CapNhatTrangThai,
    CommuneInbound,
    CommuneInboundMessage,
    FileBlock,
    KhongTiepNhan,
    ResultBlock,
    ThongBaoHoSo,
    TiepNhanHoSo,
)
from adapters.native import (
    check_json_bytes,
    format_compact_time,
    parse_compact_time,
    status_event,
    validation_failed,
)
from hub.errors import SchemaInvalid, SenderNotAllowed
from schemas import (
    HUB_UNIT,
    Applicant,
    CanonicalMessage,
    Channel,
    DocumentRef,
    Dossier,
    DossierReceived,
    MessageNotAccepted,
    PostalAddress,
    ResultIssued,
    ReturnMethod,
    SupplementRequested,
    new_envelope,
)
from schemas.base import field_of
from schemas.events import status_of_event

_INBOUND: TypeAdapter[CommuneInboundMessage] = TypeAdapter(CommuneInbound)


def parse(body: bytes) -> CommuneInboundMessage:
    check_json_bytes(body)
    try:
        return _INBOUND.validate_json(body)
    except ValidationError as exc:
        raise validation_failed(exc) from None


def _message_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise SchemaInvalid("MaBanTin: must be a UUID") from None


def to_canonical(body: bytes, *, unit_code: str) -> CanonicalMessage:
    """Translate one inbound message from the commune ``unit_code`` (from the routing key)."""
    native = parse(body)
    if native.MaDonVi != unit_code:
        raise SenderNotAllowed(
            f"MaDonVi {native.MaDonVi!r} does not match the publishing unit {unit_code!r}"
        )
    try:
        if isinstance(native, TiepNhanHoSo):
            return _received(native)
        if isinstance(native, CapNhatTrangThai):
            return _status(native)
        return new_envelope(
            lifecycle_event(native),
            sender=native.MaDonVi,
            recipient=HUB_UNIT,
            dossier_code=native.MaHoSo,
            occurred_at=parse_compact_time(native.ThoiGian, field="ThoiGian"),
            message_id=_message_id(native.MaBanTin),
        )
    except ValidationError as exc:
        raise validation_failed(exc) from None


def _received(native: TiepNhanHoSo) -> CanonicalMessage:
    """A reception without ``MaHoSo`` is correlated by its message id until the hub issues
    the code (``hub/service.py``)."""
    received_at = parse_compact_time(native.NgayTiepNhan, field="NgayTiepNhan")
    message_id = _message_id(native.MaBanTin)
    address = native.DiaChiNhanKQ
    dossier = Dossier(
        code=native.MaHoSo,
        procedure_code=native.MaTTHC,
        receiving_unit=native.MaDonVi,
        channel=Channel(native.HinhThuc) if native.HinhThuc in (1, 2, 3) else _bad_channel(),
        received_at=received_at,
        applicant=Applicant(
            full_name=native.ChuHoSo.HoTen,
            id_number=native.ChuHoSo.SoCCCD,
            phone=native.ChuHoSo.SoDienThoai,
            address=native.ChuHoSo.DiaChi,
        ),
        return_method=ReturnMethod.POST if native.HinhThucTraKQ == 2 else ReturnMethod.IN_PERSON,
        delivery_address=None
        if address is None
        else PostalAddress(
            receiver_name=address.HoTenNguoiNhan,
            receiver_phone=address.SoDienThoai,
            address=address.DiaChi,
            commune_code=address.MaXa,
            district_code=address.MaHuyen,
            province_code=address.MaTinh,
        ),
        documents=tuple(
            DocumentRef(name=f.TenTep, uri=f.DuongDan, sha256=f.MaBam) for f in native.TepDinhKem
        ),
        fee_vnd=native.LePhi,
        group_code=native.MaNhomLienThong,
    )
    return new_envelope(
        DossierReceived(dossier=dossier),
        sender=native.MaDonVi,
        recipient=HUB_UNIT,
        dossier_code=str(message_id) if native.MaHoSo is None else native.MaHoSo,
        occurred_at=received_at,
        message_id=message_id,
    )


def _bad_channel() -> Channel:
    raise SchemaInvalid("HinhThuc: must be 1 (trực tiếp), 2 (trực tuyến) or 3 (bưu chính)")


def _status(native: CapNhatTrangThai) -> CanonicalMessage:
    event = status_event(
        status=native.TrangThai,
        unit=native.MaDonVi,
        note=native.NoiDung,
        decision_number=native.SoQuyetDinh,
        missing_items=native.DanhSachThieu,
        reason=native.LyDo,
        part=native.MaTTHC,
    )
    return new_envelope(
        event,
        sender=native.MaDonVi,
        recipient=HUB_UNIT,
        dossier_code=native.MaHoSo,
        occurred_at=parse_compact_time(native.ThoiGian, field="ThoiGian"),
        message_id=_message_id(native.MaBanTin),
    )


def notice(
    message: CanonicalMessage, *, deciding_unit: str, by_post: bool, item_code: str | None = None
) -> bytes:
    """Render a canonical status event as the commune's ``ThongBaoHoSo``."""
    event = message.payload
    status = status_of_event(event)
    if status is None:
        raise ValueError(f"{event.type} carries no status for a commune notice")
    result = None
    if isinstance(event, ResultIssued):
        result = ResultBlock(
            SoQuyetDinh=event.decision_number,
            TrichYeu=event.summary,
            TepDinhKem=tuple(
                FileBlock(TenTep=d.name, DuongDan=d.uri, MaBam=d.sha256) for d in event.documents
            ),
        )
    return (
        ThongBaoHoSo(
            MaBanTin=str(message.message_id),
            MaHoSo=message.correlation_id,
            TrangThai=int(status),
            ThoiGian=format_compact_time(message.occurred_at),
            DonViXuLy=deciding_unit,
            NoiDung=field_of(event, "note") or field_of(event, "reason"),
            KetQua=result,
            DanhSachThieu=event.missing_items if isinstance(event, SupplementRequested) else (),
            HinhThucTraKQ=2 if by_post else 1,
            MaVanDon=item_code,
        )
        .model_dump_json()
        .encode()
    )


def not_accepted(event: MessageNotAccepted) -> bytes:
    return (
        KhongTiepNhan(
            MaBanTin=str(uuid4()),
            MaBanTinBiTuChoi=event.rejected_message_id,
            MaLoi=event.reason_code,
            LyDo=event.reason,
        )
        .model_dump_json()
        .encode()
    )


__all__ = ["not_accepted", "notice", "parse", "to_canonical"]
