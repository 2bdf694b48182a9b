"""Every native peer message, by name, for JSON Schema export."""

from __future__ import annotations

from pydantic import BaseModel

from adapters.agency.wire import (
    Apology,
    DueWarning,
    Rejected,
    Resubmission,
    StatusUpdate,
    Transfer,
    Withdrawal,
)
from adapters.commune.wire import (
    BoSungHoSo,
    CanhBaoHanXuLy,
    CapNhatTrangThai,
    DanhGiaHaiLong,
    KhongTiepNhan,
    ThongBaoHoSo,
    ThongBaoLienThong,
    ThuPhiLePhi,
    ThuXinLoi,
    TiepNhanHoSo,
    XacNhanTiepNhan,
    XinLoiHenLai,
)

NATIVE_MESSAGES: dict[str, type[BaseModel]] = {
    "commune.TiepNhanHoSo": TiepNhanHoSo,
    "commune.CapNhatTrangThai": CapNhatTrangThai,
    "commune.ThongBaoHoSo": ThongBaoHoSo,
    "commune.KhongTiepNhan": KhongTiepNhan,
    "agency.TRANSFER": Transfer,
    "agency.STATUS": StatusUpdate,
    "agency.REJECTED": Rejected,
    "commune.BoSungHoSo": BoSungHoSo,
    "commune.XinLoiHenLai": XinLoiHenLai,
    "commune.ThuPhiLePhi": ThuPhiLePhi,
    "commune.DanhGiaHaiLong": DanhGiaHaiLong,
    "commune.CanhBaoHanXuLy": CanhBaoHanXuLy,
    "commune.ThuXinLoi": ThuXinLoi,
    "commune.ThongBaoLienThong": ThongBaoLienThong,
    "commune.XacNhanTiepNhan": XacNhanTiepNhan,
    "agency.APOLOGY": Apology,
    "agency.RESUBMISSION": Resubmission,
    "agency.WITHDRAWAL": Withdrawal,
    "agency.DUE_WARNING": DueWarning,
}
