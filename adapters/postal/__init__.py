"""The postal service (VNPost) port, its HTTP adapter, a fake, and pure translations."""

from __future__ import annotations

from adapters.postal.client import PostalClient
from adapters.postal.errors import (
    NotDeliverableByPost,
    PostalAuthenticationFailed,
    PostalOrderConflict,
    PostalRequestRejected,
    PostalResponseInvalid,
)
from adapters.postal.fake import FakePostal
from adapters.postal.models import CreatedOrder, CreateOrderRequest, TrackingEvent, TrackingPage
from adapters.postal.port import PostalPort
from adapters.postal.translate import order_created, order_request_for, to_canonical

__all__ = [
    "CreateOrderRequest",
    "CreatedOrder",
    "FakePostal",
    "NotDeliverableByPost",
    "PostalAuthenticationFailed",
    "PostalClient",
    "PostalOrderConflict",
    "PostalPort",
    "PostalRequestRejected",
    "PostalResponseInvalid",
    "TrackingEvent",
    "TrackingPage",
    "order_created",
    "order_request_for",
    "to_canonical",
]
