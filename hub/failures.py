"""Where a message goes when it cannot be processed now: a retry tier, or the parking queue.

Transient failures wait in delay queues (TTL + dead-letter back to the source queue), a
bounded number of times; permanent ones, and transient ones that never clear, are parked
with the original body and headers plus the reason and the attempt count.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from aio_pika.abc import AbstractIncomingMessage

from hub.amqp import CORRELATION_HEADER
from hub.parking import ATTEMPTS, ORIGINAL_ROUTING_KEY, parking_headers
from hub.relay import Publisher
from hub.store.outbox import OutboxMessage
from hub.topology import (
    PARKING_EXCHANGE,
    RETRY_TIERS_MS,
    retry_queue,
    retry_return_key,
    retry_source,
)

MAX_ATTEMPTS = 5


def origin(raw: AbstractIncomingMessage, source_queue: str) -> tuple[str, int]:
    """The routing key the peer used and how many attempts were made already.

    Only a message that came back from the hub's own retry queue (delivered with a routing
    key peers cannot publish: the source queue's name, or the ingress retry key) has its
    headers trusted.
    """
    headers = raw.headers or {}
    returned = raw.routing_key == retry_return_key(retry_source(source_queue))
    if returned and ORIGINAL_ROUTING_KEY in headers:
        return str(headers[ORIGINAL_ROUTING_KEY]), int(str(headers.get(ATTEMPTS, 0)))
    return raw.routing_key or "", 0


def _copy_headers(raw: AbstractIncomingMessage) -> dict[str, Any]:
    headers = {k: v for k, v in (raw.headers or {}).items() if not k.startswith("x-hub-")}
    if raw.correlation_id:
        headers[CORRELATION_HEADER] = raw.correlation_id  # retried copies keep their shard
    return headers


async def park(
    publisher: Publisher,
    raw: AbstractIncomingMessage,
    *,
    source_queue: str,
    routing_key: str,
    reason_code: str,
    reason: str,
    attempts: int,
) -> None:
    headers = (
        _copy_headers(raw)
        | {"content-type": raw.content_type or "application/octet-stream"}
        | {"x-hub-original-user-id": raw.user_id or ""}
    )
    await park_body(
        publisher,
        raw.body,
        headers,
        source_queue=source_queue,
        routing_key=routing_key,
        reason_code=reason_code,
        reason=reason,
        attempts=attempts,
        original_message_id=raw.message_id or "",
    )


async def park_body(
    publisher: Publisher,
    body: bytes,
    headers: dict[str, Any],
    *,
    source_queue: str,
    routing_key: str,
    reason_code: str,
    reason: str,
    attempts: int,
    original_message_id: str,
) -> None:
    """Park ``body`` with ``headers`` and the parking headers (also one event of a batch,
    set aside on its own)."""
    parked = headers | parking_headers(
        reason_code=reason_code,
        reason=reason,
        attempts=attempts,
        source_queue=source_queue,
        routing_key=routing_key,
        original_message_id=original_message_id,
    )
    await publisher.publish(OutboxMessage(uuid4(), PARKING_EXCHANGE, routing_key, body, parked))


async def retry_later(
    publisher: Publisher,
    raw: AbstractIncomingMessage,
    *,
    source_queue: str,
    routing_key: str,
    attempts: int,
    reason_code: str,
    reason: str,
) -> bool:
    """Schedule another attempt; False (and nothing published) when attempts are spent."""
    if attempts + 1 >= MAX_ATTEMPTS:
        return False
    delay = RETRY_TIERS_MS[min(attempts, len(RETRY_TIERS_MS) - 1)]
    source = retry_source(source_queue)
    headers = _copy_headers(raw) | {
        "content-type": raw.content_type or "application/octet-stream",
        ATTEMPTS: attempts + 1,
        ORIGINAL_ROUTING_KEY: routing_key,
        "x-hub-last-reason-code": reason_code,
        "x-hub-last-reason": reason[:1000],
    }
    await publisher.publish(
        OutboxMessage(uuid4(), "", retry_queue(source, delay), raw.body, headers)
    )
    return True
