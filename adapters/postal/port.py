"""The postal service as the hub sees it."""

from __future__ import annotations

from typing import Protocol

from adapters.postal.models import CreatedOrder, CreateOrderRequest, TrackingEvent


class PostalPort(Protocol):
    async def create_order(self, request: CreateOrderRequest) -> CreatedOrder:
        """Place an order; the same OrderNumber again returns the existing order."""
        ...

    async def cancel_order(self, order_number: str) -> None: ...

    async def track_since(self, cursor: str | None) -> tuple[list[TrackingEvent], str]:
        """Tracking events of every order after ``cursor`` (``None``: from the start)."""
        ...
