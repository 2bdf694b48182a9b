"""Every native peer message, by name, for JSON Schema export."""

from __future__ import annotations

from pydantic import BaseModel

from adapters.agency.wire import Rejected, StatusUpdate, Transfer
from adapters.commune.wire import CapNhatTrangThai, KhongTiepNhan, ThongBaoHoSo, TiepNhanHoSo

NATIVE_MESSAGES: dict[str, type[BaseModel]] = {
    "commune.TiepNhanHoSo": TiepNhanHoSo,
    "commune.CapNhatTrangThai": CapNhatTrangThai,
    "commune.ThongBaoHoSo": ThongBaoHoSo,
    "commune.KhongTiepNhan": KhongTiepNhan,
    "agency.TRANSFER": Transfer,
    "agency.STATUS": StatusUpdate,
    "agency.REJECTED": Rejected,
}
