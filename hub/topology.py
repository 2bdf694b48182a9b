"""The RabbitMQ topology, declared in one place.

Every exchange, queue, binding, dead-letter route and retry queue is derived from this
module; the broker definitions file (``hub topology``) and the declarations the hub makes
at start-up both come from :func:`build_topology`, never from a hand-kept copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from hub.registry.model import Unit, UnitKind
from schemas import EVENT_BATCH_TYPE

INBOUND_EXCHANGE = "dossier.in"
"""Topic exchange peers publish to, routing key ``<format>.<unit code>.<message kind>``."""
OUTBOUND_EXCHANGE = "dossier.out"
"""Direct exchange the hub publishes to peers on, routing key = the unit code."""
EVENTS_EXCHANGE = "dossier.events"
"""Topic exchange of canonical events for projections. The hub publishes them in batches
(:mod:`schemas.batch`) with the routing key ``EVENT_BATCH_KEY``; a single event (a parked
one replayed to its exchange) has its event type as the key."""
EVENT_BATCH_KEY = EVENT_BATCH_TYPE
"""Routing key of event batches on ``dossier.events`` (their message type)."""
PARKING_EXCHANGE = "hub.parking"
"""Fanout exchange every queue dead-letters to; feeds the parking queue."""
INGRESS_EXCHANGE = "hub.ingress"
"""Consistent-hash exchange (plugin ``rabbitmq_consistent_hash_exchange``) fed by
``dossier.in``: it spreads peers' messages over the ingress shards by the AMQP
``correlation_id`` (peers set it to the dossier code), so that every message of one dossier
lands on the same shard."""
INGRESS_SHARDS = 16
"""Ingress shard queues. Each is single-active-consumer and consumed one message at a time,
so a dossier's messages are applied in the order they were published, whichever worker
holds the shard; different shards run in parallel."""
INGRESS_RETRY_KEY = "hub.ingress.retry"
"""Routing key of messages coming back from the ingress retry queues (peers cannot publish
to ``hub.ingress``, so a delivery with this key is the hub's own)."""

PARKED_QUEUE = "hub.parked"
OUTBOX_SOURCE = "hub.outbox"
"""The source a parked outbox row names (the broker returned it: no queue for its key)."""
POSTAL_TRACKING_SOURCE = "postal.tracking"
"""The source a parked postal tracking event names (it came from the postal service's
feed, not from a queue, so it cannot be replayed: the feed is the record)."""
PROJECTION_QUEUE = "provincial.projection"
POSTAL_QUEUE = "hub.postal.orders"
"""Commands to place postal return orders, published through the default exchange."""
RETRY_TIERS_MS: tuple[int, ...] = (1_000, 5_000, 30_000)
DELIVERY_LIMIT = 20
"""Redeliveries (e.g. a worker killed mid-message) before the broker parks a message."""

PeerFormat = Literal["commune", "agency"]
PEER_FORMATS: tuple[PeerFormat, ...] = ("commune", "agency")


def ingress_shard(index: int) -> str:
    return f"hub.ingress.{index:02d}"


INGRESS_QUEUES: tuple[str, ...] = tuple(ingress_shard(i) for i in range(INGRESS_SHARDS))
INGRESS_RETRY_SOURCE = INGRESS_EXCHANGE
"""The ingress as one source: its retry queues are named after it, and parked messages
record it as their source queue, whichever shard they came from."""


def shards_of_worker(index: int, count: int) -> tuple[str, ...]:
    """The shards worker ``index`` of ``count`` consumes first (the others it only stands by
    for, in case their worker is gone)."""
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"worker index {index} is not within 0..{count - 1}")
    return tuple(q for i, q in enumerate(INGRESS_QUEUES) if i % count == index)


def peer_queue(unit_code: str) -> str:
    return f"peer.{unit_code}"


def retry_queue(source_queue: str, delay_ms: int) -> str:
    return f"{source_queue}.retry.{delay_ms // 1000}s"


def inbound_routing_key(peer_format: PeerFormat, unit_code: str, kind: str) -> str:
    return f"{peer_format}.{unit_code}.{kind}"


def parse_inbound_routing_key(routing_key: str) -> tuple[str, str, str] | None:
    """``(format, unit code, kind)`` or None when the key is not of that shape."""
    parts = routing_key.split(".")
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


def peer_format_of(unit: Unit) -> PeerFormat:
    return "commune" if unit.kind is UnitKind.COMMUNE else "agency"


@dataclass(frozen=True)
class Exchange:
    name: str
    type: Literal["topic", "direct", "fanout", "x-consistent-hash"]
    arguments: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Queue:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Binding:
    exchange: str
    queue: str
    routing_key: str
    to_exchange: bool = False
    """The destination (``queue``) is an exchange (an exchange-to-exchange binding)."""


@dataclass(frozen=True)
class Topology:
    exchanges: tuple[Exchange, ...]
    queues: tuple[Queue, ...]
    bindings: tuple[Binding, ...]

    def queue(self, name: str) -> Queue:
        return next(q for q in self.queues if q.name == name)


def work_queue_arguments() -> dict[str, Any]:
    """Quorum, dead-lettered at least once to the parking exchange, bounded redelivery."""
    return {
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": PARKING_EXCHANGE,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
        "x-delivery-limit": DELIVERY_LIMIT,
    }


def retry_queue_arguments(source_queue: str, delay_ms: int) -> dict[str, Any]:
    """A delay queue: messages wait ``delay_ms`` then dead-letter back to ``source_queue``."""
    return {
        "x-queue-type": "quorum",
        "x-message-ttl": delay_ms,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": source_queue,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }


def ingress_queue_arguments() -> dict[str, Any]:
    return work_queue_arguments() | {"x-single-active-consumer": True}


def ingress_retry_queue_arguments(delay_ms: int) -> dict[str, Any]:
    """Ingress delay queues return to the hash exchange, so a retried message goes back to
    its dossier's shard (its correlation id is kept)."""
    return retry_queue_arguments(INGRESS_RETRY_SOURCE, delay_ms) | {
        "x-dead-letter-exchange": INGRESS_EXCHANGE,
        "x-dead-letter-routing-key": INGRESS_RETRY_KEY,
    }


def retry_source(queue: str) -> str:
    """The retry tier set a consumed queue uses (the ingress shards share one)."""
    return INGRESS_RETRY_SOURCE if queue in INGRESS_QUEUES else queue


def retry_return_key(source: str) -> str:
    """The routing key a message carries when it comes back from ``source``'s retry tiers."""
    return INGRESS_RETRY_KEY if source == INGRESS_RETRY_SOURCE else source


RETRIED_QUEUES: tuple[str, ...] = (INGRESS_RETRY_SOURCE, PROJECTION_QUEUE, POSTAL_QUEUE)
"""Sources with retry tiers: the ingress (one set for all shards), projection, postal."""

HUB_CONSUMED_QUEUES: tuple[str, ...] = (*INGRESS_QUEUES, PROJECTION_QUEUE, POSTAL_QUEUE)


def build_topology(units: Iterable[Unit]) -> Topology:
    exchanges = (
        Exchange(INBOUND_EXCHANGE, "topic"),
        Exchange(OUTBOUND_EXCHANGE, "direct"),
        Exchange(EVENTS_EXCHANGE, "topic"),
        Exchange(PARKING_EXCHANGE, "fanout"),
        Exchange(INGRESS_EXCHANGE, "x-consistent-hash", {"hash-property": "correlation_id"}),
    )
    queues: list[Queue] = [Queue(PARKED_QUEUE, {"x-queue-type": "quorum"})]
    bindings: list[Binding] = [Binding(PARKING_EXCHANGE, PARKED_QUEUE, "")]
    for peer_format in PEER_FORMATS:
        bindings.append(
            Binding(INBOUND_EXCHANGE, INGRESS_EXCHANGE, f"{peer_format}.*.*", to_exchange=True)
        )
    for name in INGRESS_QUEUES:
        queues.append(Queue(name, ingress_queue_arguments()))
        bindings.append(Binding(INGRESS_EXCHANGE, name, "1"))  # the shard's weight
    queues.append(Queue(PROJECTION_QUEUE, work_queue_arguments()))
    queues.append(Queue(POSTAL_QUEUE, work_queue_arguments()))
    bindings.append(Binding(EVENTS_EXCHANGE, PROJECTION_QUEUE, "#"))
    for delay in RETRY_TIERS_MS:
        queues.append(
            Queue(retry_queue(INGRESS_RETRY_SOURCE, delay), ingress_retry_queue_arguments(delay))
        )
    for source in (PROJECTION_QUEUE, POSTAL_QUEUE):
        for delay in RETRY_TIERS_MS:
            queues.append(Queue(retry_queue(source, delay), retry_queue_arguments(source, delay)))
    for unit in sorted(units, key=lambda u: u.code):
        queues.append(Queue(peer_queue(unit.code), work_queue_arguments()))
        bindings.append(Binding(OUTBOUND_EXCHANGE, peer_queue(unit.code), unit.code))
    return Topology(exchanges=exchanges, queues=tuple(queues), bindings=tuple(bindings))
