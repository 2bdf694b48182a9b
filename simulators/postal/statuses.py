"""VNPost-style tracking status codes (see the package docstring)."""

from __future__ import annotations

REGISTERED = "100"
COLLECTED = "200"
IN_TRANSIT = "300"
OUT_FOR_DELIVERY = "400"
DELIVERY_FAILED = "401"
DELIVERED = "500"
CANCELLED = "600"

MESSAGES: dict[str, str] = {
    REGISTERED: "Đã tiếp nhận đơn hàng",
    COLLECTED: "Đã nhận hàng",
    IN_TRANSIT: "Đang vận chuyển",
    OUT_FOR_DELIVERY: "Đang phát",
    DELIVERY_FAILED: "Phát không thành công",
    DELIVERED: "Phát thành công",
    CANCELLED: "Đã hủy",
}

CANCELLABLE = frozenset({REGISTERED, COLLECTED})
