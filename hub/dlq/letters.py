"""What a parked message says about itself, and where a replay sends it. Pure functions.

Two kinds of message reach ``hub.parked``: copies the hub parked itself (``x-hub-*`` headers,
see :func:`hub.failures.park`), and messages the broker dead-lettered (delivery limit
reached, or rejected by a peer), which carry only RabbitMQ's ``x-death`` headers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from hub.errors import HubError
from hub.topology import (
    INBOUND_EXCHANGE,
    INGRESS_QUEUES,
    INGRESS_RETRY_SOURCE,
    OUTBOUND_EXCHANGE,
    OUTBOX_SOURCE,
    PEER_FORMATS,
    POSTAL_QUEUE,
    POSTAL_TRACKING_SOURCE,
    PROJECTION_QUEUE,
)

HUB_PREFIX = "x-hub-"
BROKER_HEADERS = frozenset(
    {
        "x-death",
        "x-first-death-queue",
        "x-first-death-reason",
        "x-first-death-exchange",
        "x-last-death-queue",
        "x-last-death-reason",
        "x-last-death-exchange",
        "x-delivery-count",
    }
)
"""Headers the broker adds on dead-lettering or redelivery; never replayed."""
REPLAYED_TO_INGRESS = (
    frozenset(INGRESS_QUEUES) | {INGRESS_RETRY_SOURCE} | {f"hub.ingress.{f}" for f in PEER_FORMATS}
)
"""The ingress (as parked messages name it), its shards, and the per-format ingress queues
of earlier versions."""
INTERNAL_QUEUES = frozenset({PROJECTION_QUEUE, POSTAL_QUEUE})
PEER_QUEUE_PREFIX = "peer."
UNKNOWN = "unknown"


class ActionRefused(HubError):
    """An operator action the store will not do (replay of a purged message, ...)."""

    reason_code = "action_refused"


@dataclass(frozen=True, kw_only=True)
class ParkedDelivery:
    """The parts of an AMQP delivery from ``hub.parked`` the store keeps."""

    body: bytes
    headers: Mapping[str, Any]
    message_id: str | None
    content_type: str | None
    routing_key: str | None


@dataclass(frozen=True, kw_only=True)
class DeadLetter:
    parked_message_id: str
    original_message_id: str | None
    source_queue: str
    original_exchange: str | None
    original_routing_key: str
    reason_code: str
    reason: str
    attempts: int
    headers: dict[str, Any]
    body: bytes
    content_type: str | None
    parked_at: datetime


@dataclass(frozen=True)
class ReplayTarget:
    exchange: str
    routing_key: str

    def describe(self) -> str:
        return f"exchange {self.exchange or '(default)'!r} key {self.routing_key!r}"


def json_safe(value: Any) -> Any:
    """AMQP header values (bytes, datetimes, decimals, nested tables) as JSON values."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    if isinstance(value, datetime):
        return _aware(value).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def derived_message_id(body: bytes, headers: Mapping[str, Any]) -> str:
    """A stable id for one parking: the same delivery seen again hashes to the same id."""
    digest = hashlib.sha256(body)
    digest.update(json.dumps(json_safe(headers), sort_keys=True).encode())
    return f"sha256:{digest.hexdigest()}"


def dead_letter(delivery: ParkedDelivery) -> DeadLetter:
    """The record to store for one delivery from ``hub.parked``; never raises on odd headers."""
    headers = json_safe(dict(delivery.headers))
    if f"{HUB_PREFIX}reason-code" in headers:
        return _parked_by_hub(delivery, headers)
    return _dead_lettered_by_broker(delivery, headers)


def _parked_by_hub(delivery: ParkedDelivery, headers: dict[str, Any]) -> DeadLetter:
    return DeadLetter(
        parked_message_id=delivery.message_id or derived_message_id(delivery.body, headers),
        original_message_id=_text(headers.get("x-hub-original-message-id")) or None,
        source_queue=_text(headers.get("x-hub-source-queue")) or UNKNOWN,
        original_exchange=(
            _text(headers["x-hub-original-exchange"])
            if "x-hub-original-exchange" in headers
            else None
        ),
        original_routing_key=_text(headers.get("x-hub-original-routing-key"))
        or (delivery.routing_key or ""),
        reason_code=_text(headers.get("x-hub-reason-code")) or UNKNOWN,
        reason=_text(headers.get("x-hub-reason")),
        attempts=_int(headers.get("x-hub-attempts")),
        headers=headers,
        body=delivery.body,
        content_type=delivery.content_type,
        parked_at=_timestamp(headers.get("x-hub-parked-at")),
    )


def _dead_lettered_by_broker(delivery: ParkedDelivery, headers: dict[str, Any]) -> DeadLetter:
    """The most recent ``x-death`` entry is the dead-lettering that brought the message here
    (``x-first-death-*`` may name an earlier one, e.g. a retry queue's TTL expiry)."""
    deaths = headers.get("x-death")
    death: dict[str, Any] = deaths[0] if isinstance(deaths, list) and deaths else {}
    if not isinstance(death, dict):
        death = {}
    queue = _text(death.get("queue")) or _text(headers.get("x-first-death-queue")) or UNKNOWN
    reason = _text(death.get("reason")) or _text(headers.get("x-first-death-reason")) or UNKNOWN
    keys = death.get("routing-keys")
    routing_key = _text(keys[0]) if isinstance(keys, list) and keys else ""
    if routing_key == queue and "x-hub-original-routing-key" in headers:
        # It came back from the hub's own retry queue: the peer's key is in the hub's header.
        routing_key = _text(headers["x-hub-original-routing-key"])
    count = _int(death.get("count"), default=1)
    return DeadLetter(
        parked_message_id=derived_message_id(delivery.body, headers),
        original_message_id=delivery.message_id,
        source_queue=queue,
        original_exchange=_text(death.get("exchange", headers.get("x-first-death-exchange"))),
        original_routing_key=routing_key or (delivery.routing_key or ""),
        reason_code=reason,
        reason=f"dead-lettered by the broker ({reason}) from {queue}",
        attempts=_int(headers.get("x-delivery-count"), default=count),
        headers=headers,
        body=delivery.body,
        content_type=delivery.content_type,
        parked_at=_timestamp(death.get("time")),
    )


def replay_target(
    source_queue: str, original_routing_key: str, original_exchange: str | None = None
) -> ReplayTarget:
    """Where a replay goes so that it reaches the queue it was parked from, and only that one.

    Peer ingress goes back through ``dossier.in`` with the peer's routing key (so the
    sender checks apply again); hub-internal queues are addressed by name through the
    default exchange; a message a peer rejected goes back to that peer through ``dossier.out``;
    an outbox row the broker returned goes to its original exchange and key.
    """
    if source_queue == POSTAL_TRACKING_SOURCE:
        raise ActionRefused(
            "a postal tracking event is not replayed: it came from the postal service's feed, "
            "which the hub polls; fix the cause, then the feed's next events apply"
        )
    if source_queue == OUTBOX_SOURCE:
        if original_exchange is None:
            raise ActionRefused("no original exchange recorded for a parked outbox row")
        return ReplayTarget(original_exchange, original_routing_key)
    if source_queue in REPLAYED_TO_INGRESS:
        if not original_routing_key:
            raise ActionRefused(f"no original routing key recorded for {source_queue}")
        return ReplayTarget(INBOUND_EXCHANGE, original_routing_key)
    if source_queue in INTERNAL_QUEUES:
        return ReplayTarget("", source_queue)
    if source_queue.startswith(PEER_QUEUE_PREFIX) and len(source_queue) > len(PEER_QUEUE_PREFIX):
        return ReplayTarget(OUTBOUND_EXCHANGE, source_queue.removeprefix(PEER_QUEUE_PREFIX))
    raise ActionRefused(f"no replay route for source queue {source_queue!r}")


def replay_headers(headers: Mapping[str, Any], content_type: str | None) -> dict[str, Any]:
    """The original headers without the hub's parking headers and the broker's death marks."""
    kept = {
        k: v for k, v in headers.items() if not k.startswith(HUB_PREFIX) and k not in BROKER_HEADERS
    }
    if content_type and "content-type" not in kept:
        kept["content-type"] = content_type
    return kept


def replay_message_id(original_message_id: str | None) -> UUID | None:
    """The AMQP message id a replay carries: the original one (as a UUID) when there was one."""
    if not original_message_id:
        return None
    try:
        return UUID(original_message_id)
    except ValueError:
        return uuid5(NAMESPACE_URL, original_message_id)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


def _timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, str):
        try:
            return _aware(datetime.fromisoformat(value))
        except ValueError:
            pass
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
