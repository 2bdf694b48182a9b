"""The headers a parked message carries, built in one place for every part of the hub that
parks: a consumer's delivery, an outbox row the broker returned, a postal tracking event.
``hub.parked``'s consumer reads them back into the dead-letter store (:mod:`hub.dlq`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

ATTEMPTS = "x-hub-attempts"
ORIGINAL_ROUTING_KEY = "x-hub-original-routing-key"


def parking_headers(
    *,
    reason_code: str,
    reason: str,
    attempts: int,
    source_queue: str,
    routing_key: str,
    original_message_id: str,
) -> dict[str, Any]:
    """Why, from where and after how many attempts a message was parked, and when."""
    return {
        "x-hub-reason-code": reason_code,
        "x-hub-reason": reason[:1000],
        ATTEMPTS: attempts,
        "x-hub-source-queue": source_queue,
        ORIGINAL_ROUTING_KEY: routing_key,
        "x-hub-original-message-id": original_message_id,
        "x-hub-parked-at": datetime.now(UTC).isoformat(),
    }
