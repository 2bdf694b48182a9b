"""An in-memory :class:`PostalPort` for unit tests: same idempotency and conflict rules."""

from __future__ import annotations

from datetime import datetime

from adapters.postal import codes
from adapters.postal.errors import (
    PostalOrderConflict,
    PostalRequestRejected,
    PostalServiceUnavailable,
)
from adapters.postal.models import CreatedOrder, CreateOrderRequest, TrackingEvent
from adapters.postal.translate import format_event_time
from schemas.envelope import VIETNAM

MESSAGES = {
    codes.REGISTERED: "Đã tiếp nhận đơn hàng",
    codes.COLLECTED: "Đã nhận hàng",
    codes.IN_TRANSIT: "Đang vận chuyển",
    codes.OUT_FOR_DELIVERY: "Đang phát",
    codes.DELIVERY_FAILED: "Phát không thành công",
    codes.DELIVERED: "Phát thành công",
    codes.CANCELLED: "Đã hủy",
}


class FakePostal:
    """Set ``unavailable = True`` to make every call raise ``PostalServiceUnavailable``."""

    def __init__(self) -> None:
        self.orders: dict[str, CreateOrderRequest] = {}
        self.item_codes: dict[str, str] = {}
        self.events: list[TrackingEvent] = []
        self.unavailable = False

    async def create_order(self, request: CreateOrderRequest) -> CreatedOrder:
        self._check_available()
        existing = self.orders.get(request.order_number)
        if existing is not None and existing != request:
            raise PostalOrderConflict("different order", status_code=409)
        if existing is None:
            self.orders[request.order_number] = request
            self.item_codes[request.order_number] = f"EB{len(self.orders):08d}0VN"
            self.report(request.order_number, codes.REGISTERED)
        return CreatedOrder(
            order_number=request.order_number,
            item_code=self.item_codes[request.order_number],
            status=codes.REGISTERED,
            status_message=MESSAGES[codes.REGISTERED],
        )

    async def cancel_order(self, order_number: str) -> None:
        self._check_available()
        if order_number not in self.orders:
            raise PostalRequestRejected("unknown order", status_code=404)
        self.report(order_number, codes.CANCELLED)

    async def track_since(self, cursor: str | None) -> tuple[list[TrackingEvent], str]:
        self._check_available()
        start = int(cursor or "0")
        return self.events[start:], str(len(self.events))

    def report(self, order_number: str, status_code: str, at: datetime | None = None) -> None:
        """Append a tracking event for an existing order, as the postal service would."""
        self.events.append(
            TrackingEvent(
                order_number=order_number,
                item_code=self.item_codes[order_number],
                status_code=status_code,
                status_message=MESSAGES.get(status_code, status_code),
                event_time=format_event_time(at or datetime.now(VIETNAM)),
                pos_id=self.orders[order_number].receiver_district,
            )
        )

    def _check_available(self) -> None:
        if self.unavailable:
            raise PostalServiceUnavailable("fake postal service is down")
