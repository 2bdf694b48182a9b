"""Validate a create-order body the way the postal API does: 400 with a message."""

from __future__ import annotations

import re
from typing import Any

TEXT_FIELDS = ("OrderNumber", "SenderName", "SenderAddress", "ReceiverName", "ReceiverAddress")
CODE_FIELDS = ("SenderProvince", "SenderDistrict", "ReceiverProvince", "ReceiverDistrict")
CODE_PATTERN = re.compile(r"^[0-9A-Za-z.]{1,16}$")
PHONE_PATTERN = re.compile(r"^\+?\d{8,15}$")


class InvalidOrder(ValueError):
    """The body cannot be accepted; the message is returned to the caller."""


def validated_order(body: object) -> dict[str, Any]:
    """The normalised order fields, or :class:`InvalidOrder`."""
    if not isinstance(body, dict):
        raise InvalidOrder("Dữ liệu đơn hàng phải là một đối tượng JSON")
    order: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        order[name] = _text(body, name, max_length=500)
    for name in CODE_FIELDS:
        order[name] = _matching(body, name, CODE_PATTERN)
    order["ReceiverPhone"] = _matching(body, "ReceiverPhone", PHONE_PATTERN)
    order["CodAmount"] = _integer(body, "CodAmount", minimum=0)
    order["Weight"] = _integer(body, "Weight", minimum=1)
    note = body.get("Note") or ""
    if not isinstance(note, str):
        raise InvalidOrder("Trường Note không hợp lệ")
    order["Note"] = note
    return order


def _text(body: dict[str, Any], name: str, *, max_length: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidOrder(f"Thiếu trường bắt buộc: {name}")
    if len(value) > max_length:
        raise InvalidOrder(f"Trường {name} quá dài")
    return value


def _matching(body: dict[str, Any], name: str, pattern: re.Pattern[str]) -> str:
    value = _text(body, name, max_length=32)
    if not pattern.match(value):
        raise InvalidOrder(f"Trường {name} không hợp lệ")
    return value


def _integer(body: dict[str, Any], name: str, *, minimum: int) -> int:
    value = body.get(name)
    if value is None:
        raise InvalidOrder(f"Thiếu trường bắt buộc: {name}")
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidOrder(f"Trường {name} phải là số nguyên >= {minimum}")
    return value
