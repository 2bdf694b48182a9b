"""What the simulator stores: orders and their tracking records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
EVENT_TIME_FORMAT = "%d/%m/%Y %H:%M:%S"


@dataclass(frozen=True)
class TrackingRecord:
    sequence: int
    order_number: str
    item_code: str
    status_code: str
    status_message: str
    event_time: datetime
    pos_id: str | None

    def to_wire(self) -> dict[str, Any]:
        return {
            "OrderNumber": self.order_number,
            "ItemCode": self.item_code,
            "StatusCode": self.status_code,
            "StatusMessage": self.status_message,
            "EventTime": self.event_time.astimezone(VIETNAM).strftime(EVENT_TIME_FORMAT),
            "POSID": self.pos_id,
        }


@dataclass
class Order:
    body: dict[str, Any]
    item_code: str
    status_code: str
    records: list[TrackingRecord] = field(default_factory=list)

    @property
    def order_number(self) -> str:
        return str(self.body["OrderNumber"])

    def to_wire(self, status_message: str) -> dict[str, Any]:
        return {
            "OrderNumber": self.order_number,
            "ItemCode": self.item_code,
            "Status": self.status_code,
            "StatusMessage": status_message,
        }


def s10_item_code(serial: int, prefix: str = "EB", country: str = "VN") -> str:
    """A UPU S10 item code (``EB123456785VN``): 8-digit serial plus its check digit."""
    digits = f"{serial % 100_000_000:08d}"
    total = sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"{prefix}{digits}{check}{country}"
