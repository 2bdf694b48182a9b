"""Vietnamese wording of dates, statuses, channels and deadlines, as the slips print them."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from schemas import VIETNAM

BLANK = "…………………"
"""What a paper form leaves for the official to fill in by hand."""

STATUS_NAMES = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
"""The national public service portal's names of status codes 1-10."""

CHANNEL_NAMES = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Qua dịch vụ bưu chính công ích"}
RETURN_METHOD_NAMES = {
    "in_person": "Trực tiếp tại Bộ phận Tiếp nhận và Trả kết quả",
    "post": "Qua dịch vụ bưu chính công ích",
    "online": "Trực tuyến",
}
_PLACE = re.compile(r".*\b(?:Xã|Phường|Thị trấn|Thị xã|Thành phố|Huyện|tỉnh|Tỉnh)\s+(.+)$")


class Timeliness(StrEnum):
    EARLY = "Trước hạn"
    ON_TIME = "Đúng hạn"
    LATE = "Quá hạn"


def _vn(moment: datetime) -> datetime:
    return moment.astimezone(VIETNAM)


def date_vn(moment: datetime | None) -> str:
    """``15/04/2019`` (Vietnam time), or a blank to fill in."""
    return BLANK if moment is None else f"{_vn(moment):%d/%m/%Y}"


def date_time_vn(moment: datetime | None) -> str:
    """``08:05 15/04/2019``: compact, for the register's columns."""
    return "" if moment is None else f"{_vn(moment):%H:%M %d/%m/%Y}"


def time_vn(moment: datetime | None) -> str:
    """``08 giờ 05 phút, ngày 15/04/2019``, as the forms write a moment."""
    if moment is None:
        return "…… giờ …… phút, ngày ……/……/………"
    local = _vn(moment)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def dateline(place: str, moment: datetime) -> str:
    """``Phú Thuận, ngày 15 tháng 04 năm 2019``: the place-and-date line of a document."""
    local = _vn(moment)
    return f"{place}, ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def place_of(unit_name: str) -> str:
    """The locality in a unit's name: ``UBND Phường Phú Thuận`` → ``Phú Thuận``."""
    match = _PLACE.match(unit_name.strip())
    return match.group(1) if match else unit_name.strip()


def processing_time(kind: str | None, days: int | None) -> str:
    if kind == "same_day":
        return "Trong ngày"
    if kind == "working_days" and days:
        return f"{days} ngày làm việc"
    return BLANK


def money_vnd(amount: int | None) -> str:
    """``50.000 đồng`` (dot as the thousands separator)."""
    return BLANK if amount is None else f"{amount:,} đồng".replace(",", ".")


def timeliness(at: datetime, due: datetime) -> Timeliness:
    """Late after the due moment; on time on the due day; early on an earlier day."""
    if at > due:
        return Timeliness.LATE
    return Timeliness.ON_TIME if _vn(at).date() == _vn(due).date() else Timeliness.EARLY
