"""A commune one-stop system: registers dossiers, decides the procedures it is competent
for, hands results to citizens at the counter, and hears back about transferred ones."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from simulators.peer import PeerBase

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def compact(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")


@dataclass
class DossierSpec:
    """One dossier to register, in the commune software's own terms."""

    unit: str
    code: str
    procedure: str
    received_at: datetime
    channel: int
    by_post: bool
    applicant: dict[str, str]
    delivery: dict[str, str] | None
    self_decided: bool
    late: bool = False
    refused: bool = False
    withdrawn: bool = False
    """The citizen withdraws a dossier the commune decides, before it is accepted."""
    fee_vnd: int = 0
    """Fee collected at the counter, with an e-receipt, once the dossier is accepted."""
    group: str | None = None
    """A linked procedure group (MaNhomLienThong): ``procedure`` is then its lead."""
    own_part: str | None = None
    """In a linked group, the part the commune decides itself (e.g. birth registration)."""


@dataclass
class CommuneSimulator(PeerBase):
    units: list[str] = field(default_factory=list)
    dossiers: dict[str, DossierSpec] = field(default_factory=dict)
    notices: dict[str, list[int]] = field(default_factory=dict)
    rejections: list[dict[str, Any]] = field(default_factory=list)
    rating_share: float = 0.3
    warnings: dict[str, list[str]] = field(default_factory=dict)
    apologies: list[str] = field(default_factory=list)
    group_results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """``ThongBaoLienThong`` notices per linked group dossier."""

    async def start(self) -> None:
        await self.connect([f"peer.{unit}" for unit in self.units])

    async def register(self, spec: DossierSpec) -> None:
        self.dossiers[spec.code] = spec
        body = {
            "LoaiBanTin": "TiepNhanHoSo",
            "MaBanTin": str(uuid.uuid4()),
            "MaDonVi": spec.unit,
            "MaHoSo": spec.code,
            "MaTTHC": spec.procedure,
            "NgayTiepNhan": compact(spec.received_at),
            "HinhThuc": spec.channel,
            "ChuHoSo": spec.applicant,
            "HinhThucTraKQ": 2 if spec.by_post else 1,
            "DiaChiNhanKQ": spec.delivery,
            "TepDinhKem": [
                {
                    "TenTep": "to-khai.pdf",
                    "DuongDan": f"s3://hue-dossiers/{spec.code}/to-khai.pdf",
                    "MaBam": uuid.uuid5(uuid.NAMESPACE_URL, spec.code).hex * 2,
                }
            ],
            "LePhi": 0,
        }
        if spec.group:
            body["MaNhomLienThong"] = spec.group
        await self.send(f"commune.{spec.unit}.hoso", body)
        if spec.own_part:
            self.later(lambda: self._decide_part(spec, 2, hours=1))
        if spec.self_decided:
            self.later(lambda: self._status(spec, 7 if spec.withdrawn else 2, hours=1))

    async def _send(self, spec: DossierSpec, kind: str, key: str, **fields: Any) -> None:
        body = {
            "LoaiBanTin": kind,
            "MaBanTin": str(uuid.uuid4()),
            "MaDonVi": spec.unit,
            "MaHoSo": spec.code,
            **fields,
        }
        await self.send(f"commune.{spec.unit}.{key}", body)

    async def _fee(self, spec: DossierSpec) -> None:
        await self._send(
            spec,
            "ThuPhiLePhi",
            "phi",
            ThoiGian=compact(spec.received_at + timedelta(hours=1, minutes=5)),
            SoTien=spec.fee_vnd,
            SoBienLai=f"BL{spec.code[-11:].replace('-', '')}",
        )

    async def _rate(self, spec: DossierSpec, moment: datetime) -> None:
        level = self.rng.choice((2, 3, 3, 1))
        await self._send(
            spec,
            "DanhGiaHaiLong",
            "danhgia",
            ThoiGian=compact(moment),
            MucDo=level,
            GopY=None if level > 1 else "Thời gian chờ lâu",
        )

    async def _resubmit(self, spec: DossierSpec, missing: list[str], notified: str) -> None:
        moment = datetime.strptime(notified, "%Y%m%d%H%M%S").replace(tzinfo=VIETNAM)
        await self._send(
            spec,
            "BoSungHoSo",
            "bosung",
            ThoiGian=compact(moment + timedelta(days=2)),
            DanhSachBoSung=missing,
            NoiDung="Công dân đã bổ sung đủ",
        )

    async def _decide_part(self, spec: DossierSpec, status: int, *, hours: float) -> None:
        """The commune's own part of a linked group: accepted, then resolved the same day."""
        await self._send(
            spec,
            "CapNhatTrangThai",
            "trangthai",
            TrangThai=status,
            ThoiGian=compact(spec.received_at + timedelta(hours=hours)),
            MaTTHC=spec.own_part,
            **(
                {"SoQuyetDinh": f"{spec.code[-4:]}/GKS", "NoiDung": "Đã cấp"} if status == 9 else {}
            ),
        )
        if status == 2:
            self.later(lambda: self._decide_part(spec, 9, hours=3))

    async def _status(self, spec: DossierSpec, status: int, *, hours: float) -> None:
        moment = spec.received_at + timedelta(hours=hours)
        body: dict[str, Any] = {
            "LoaiBanTin": "CapNhatTrangThai",
            "MaBanTin": str(uuid.uuid4()),
            "MaDonVi": spec.unit,
            "MaHoSo": spec.code,
            "TrangThai": status,
            "ThoiGian": compact(moment),
        }
        if status == 9:
            body["SoQuyetDinh"] = f"{spec.code[-4:]}/QĐ-UBND"
            body["NoiDung"] = "Đã giải quyết"
        elif status == 3:
            body["LyDo"] = "Thành phần hồ sơ không hợp lệ theo quy định"
        elif status == 7:
            body["LyDo"] = "Công dân xin rút hồ sơ"
        await self.send(f"commune.{spec.unit}.trangthai", body)
        if status == 2:
            outcome = 3 if spec.refused else 9
            self.later(lambda: self._status(spec, outcome, hours=80 if spec.late else 4))
            if spec.fee_vnd and not spec.refused:
                self.later(lambda: self._fee(spec))
        elif status == 9 and not spec.by_post:
            self.later(lambda: self._status(spec, 10, hours=(80 if spec.late else 4) + 1))
        elif status == 10 and self.rng.random() < self.rating_share:
            self.later(lambda: self._rate(spec, moment + timedelta(minutes=10)))

    async def on_message(self, unit: str, data: dict[str, Any]) -> None:
        kind = data.get("LoaiBanTin")
        if kind == "KhongTiepNhan":
            self.rejections.append(data)
            return
        if kind == "CanhBaoHanXuLy":
            self.warnings.setdefault(data["MaHoSo"], []).append(data["Loai"])
            return
        if kind == "ThuXinLoi":
            self.apologies.append(data["MaHoSo"])
            return
        code = data.get("MaHoSo", "")
        if kind == "ThongBaoLienThong":
            # Fan-in: TrangThai 9 comes only once every part has its outcome.
            self.group_results.setdefault(code, []).append(data)
        status = int(data.get("TrangThai", 0))
        self.notices.setdefault(code, []).append(status)
        spec = self.dossiers.get(code)
        if spec is None or spec.self_decided:
            return
        if status == 5:
            missing, notified = list(data.get("DanhSachThieu") or []), data["ThoiGian"]
            self.later(lambda: self._resubmit(spec, missing, notified))
        if status == 10 and self.rng.random() < self.rating_share:
            self.later(lambda: self._rate(spec, spec.received_at + timedelta(days=30)))
        if status == 9 and data.get("HinhThucTraKQ") == 1:
            # The result arrived from the deciding unit: hand it over at the counter.
            self.later(lambda: self._status(spec, 10, hours=200))
