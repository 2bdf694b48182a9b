"""The commune one-stop system's native JSON format (Vietnamese field names).

Inbound, routing key ``commune.<MaDonVi>.hoso`` or ``commune.<MaDonVi>.trangthai``;
outbound on the commune's own queue ``peer.<MaDonVi>``. Times are ``yyyyMMddHHmmss`` in
Vietnam time. See docs/integration.md for examples.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class NativeModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


CompactTime = Annotated[str, Field(pattern=r"^\d{14}$", examples=["20190417083000"])]


class ApplicantBlock(NativeModel):
    HoTen: str
    SoCCCD: str
    SoDienThoai: str | None = None
    DiaChi: str


class DeliveryBlock(NativeModel):
    HoTenNguoiNhan: str
    SoDienThoai: str
    DiaChi: str
    MaXa: str
    MaHuyen: str
    MaTinh: str


class FileBlock(NativeModel):
    TenTep: str
    DuongDan: str
    MaBam: str = Field(description="SHA-256 of the file, hex.")


class TiepNhanHoSo(NativeModel):
    """A dossier registered at the commune counter (status 1)."""

    LoaiBanTin: Literal["TiepNhanHoSo"]
    MaBanTin: str = Field(description="Message id (UUID).")
    MaDonVi: str
    MaHoSo: str | None = Field(
        default=None,
        description="Dossier code <agency code>-<YYMMDD>-<NNNN>; leave it out to have the hub "
        "issue it (sent back in XacNhanTiepNhan).",
    )
    MaTTHC: str
    NgayTiepNhan: CompactTime
    HinhThuc: int = Field(description="1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích.")
    ChuHoSo: ApplicantBlock
    HinhThucTraKQ: Literal[1, 2] = Field(
        default=1, description="1 tại Bộ phận một cửa, 2 qua dịch vụ bưu chính công ích."
    )
    DiaChiNhanKQ: DeliveryBlock | None = None
    TepDinhKem: tuple[FileBlock, ...] = ()
    LePhi: int = 0
    MaNhomLienThong: str | None = Field(
        default=None,
        description="Linked procedure group (nhóm TTHC liên thông); MaTTHC is then its lead.",
    )


class CapNhatTrangThai(NativeModel):
    """A status change of a dossier the commune decides, or the result handed over."""

    LoaiBanTin: Literal["CapNhatTrangThai"]
    MaBanTin: str
    MaDonVi: str
    MaHoSo: str
    TrangThai: int
    ThoiGian: CompactTime
    NoiDung: str | None = None
    SoQuyetDinh: str | None = None
    DanhSachThieu: tuple[str, ...] = ()
    LyDo: str | None = None
    MaTTHC: str | None = Field(
        default=None, description="Linked group dossier: the part (procedure code) concerned."
    )


class BoSungHoSo(NativeModel):
    """The citizen completed the dossier after a supplement request (resubmission)."""

    LoaiBanTin: Literal["BoSungHoSo"]
    MaBanTin: str
    MaDonVi: str
    MaHoSo: str
    ThoiGian: CompactTime = Field(description="When the completed dossier arrived.")
    DanhSachBoSung: tuple[str, ...] = Field(description="Every item supplied, in one go.")
    TepDinhKem: tuple[FileBlock, ...] = ()
    NoiDung: str | None = None


class XinLoiHenLai(NativeModel):
    """Apology and new date for a dossier the commune decides (once per dossier)."""

    LoaiBanTin: Literal["XinLoiHenLai"]
    MaBanTin: str
    MaDonVi: str
    MaHoSo: str
    ThoiGian: CompactTime
    LyDo: str
    NgayHenTraMoi: CompactTime = Field(description="The new date the result is due.")


class ThuPhiLePhi(NativeModel):
    """A fee or charge collected, with its electronic receipt number."""

    LoaiBanTin: Literal["ThuPhiLePhi"]
    MaBanTin: str
    MaDonVi: str
    MaHoSo: str
    ThoiGian: CompactTime
    SoTien: int = Field(description="Amount in VND.")
    SoBienLai: str = Field(description="Electronic receipt number (biên lai điện tử).")
    NoiDung: str | None = None


class DanhGiaHaiLong(NativeModel):
    """The citizen's satisfaction rating and feedback (kiosk or counter)."""

    LoaiBanTin: Literal["DanhGiaHaiLong"]
    MaBanTin: str
    MaDonVi: str
    MaHoSo: str
    ThoiGian: CompactTime
    MucDo: int = Field(description="1 không hài lòng, 2 hài lòng, 3 rất hài lòng.")
    GopY: str | None = Field(default=None, description="Feedback (phản ánh, kiến nghị).")


CommuneInboundMessage = (
    TiepNhanHoSo | CapNhatTrangThai | BoSungHoSo | XinLoiHenLai | ThuPhiLePhi | DanhGiaHaiLong
)
CommuneInbound = Annotated[CommuneInboundMessage, Field(discriminator="LoaiBanTin")]


class ResultBlock(NativeModel):
    SoQuyetDinh: str
    TrichYeu: str = ""
    TepDinhKem: tuple[FileBlock, ...] = ()


class ThongBaoHoSo(NativeModel):
    """Hub → commune: what happened to a dossier the commune received."""

    LoaiBanTin: Literal["ThongBaoHoSo"] = "ThongBaoHoSo"
    MaBanTin: str
    MaHoSo: str
    TrangThai: int
    ThoiGian: CompactTime
    DonViXuLy: str
    NoiDung: str | None = None
    KetQua: ResultBlock | None = None
    DanhSachThieu: tuple[str, ...] = ()
    HinhThucTraKQ: Literal[1, 2] = 1
    MaVanDon: str | None = Field(default=None, description="Postal item code when by post.")


class XacNhanTiepNhan(NativeModel):
    """Hub → commune: the dossier code the hub issued for a ``TiepNhanHoSo`` sent without
    ``MaHoSo``. Later messages about the dossier carry this code."""

    LoaiBanTin: Literal["XacNhanTiepNhan"] = "XacNhanTiepNhan"
    MaBanTin: str = Field(description="Id of this acknowledgement (UUID).")
    MaBanTinGoc: str = Field(description="MaBanTin of the TiepNhanHoSo it acknowledges.")
    MaHoSo: str = Field(description="The dossier code the hub issued.")
    NgayTiepNhan: CompactTime
    DonViXuLy: str = Field(description="The unit that decides the dossier.")
    HanXuLy: CompactTime | None = Field(default=None, description="The due date.")


class KhongTiepNhan(NativeModel):
    """Hub → sender: the message was not accepted and is parked with this reason."""

    LoaiBanTin: Literal["KhongTiepNhan"] = "KhongTiepNhan"
    MaBanTin: str
    MaBanTinBiTuChoi: str | None
    MaLoi: str
    LyDo: str


class CanhBaoHanXuLy(NativeModel):
    """Hub → commune: a dossier it received is due in one working day, or past due."""

    LoaiBanTin: Literal["CanhBaoHanXuLy"] = "CanhBaoHanXuLy"
    MaBanTin: str
    MaHoSo: str
    ThoiGian: CompactTime
    DonViXuLy: str
    Loai: Literal["SapDenHan", "QuaHan"] = Field(description="Due soon, or past due.")
    HanXuLy: CompactTime = Field(description="The due date.")


class ThuXinLoi(NativeModel):
    """Hub → commune: the deciding unit apologised for a delay and set a new date."""

    LoaiBanTin: Literal["ThuXinLoi"] = "ThuXinLoi"
    MaBanTin: str
    MaHoSo: str
    ThoiGian: CompactTime
    DonViXuLy: str
    LyDo: str
    NgayHenTraMoi: CompactTime


class PartBlock(NativeModel):
    """One part of a linked group dossier in a ``ThongBaoLienThong``."""

    MaTTHC: str
    DonViXuLy: str
    TrangThai: int
    HanXuLy: CompactTime | None = None
    SoQuyetDinh: str | None = None
    TrichYeu: str | None = None
    LyDo: str | None = Field(default=None, description="Reason of a refusal (3) or stop (8).")


class ThongBaoLienThong(NativeModel):
    """Hub → commune: fan-in of a linked group dossier. Sent when every part has its outcome
    (``HoanTat``), and when one part is refused or stopped (with the others so far)."""

    LoaiBanTin: Literal["ThongBaoLienThong"] = "ThongBaoLienThong"
    MaBanTin: str
    MaHoSo: str
    MaNhomLienThong: str
    ThoiGian: CompactTime
    TrangThai: int = Field(description="The dossier's status, derived from its parts.")
    HoanTat: bool = Field(description="Every part has its outcome: the group result.")
    ThanhPhanXuLy: str | None = Field(
        default=None, description="The part (MaTTHC) whose outcome caused this notice."
    )
    ThanhPhan: tuple[PartBlock, ...]
    HinhThucTraKQ: Literal[1, 2] = 1


CommuneOutbound = Annotated[
    ThongBaoHoSo | KhongTiepNhan | CanhBaoHanXuLy | ThuXinLoi | ThongBaoLienThong | XacNhanTiepNhan,
    Field(discriminator="LoaiBanTin"),
]
