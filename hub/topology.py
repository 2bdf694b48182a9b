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

INBOUND_EXCHANGE = "dossier.in"
"""Topic exchange peers publish to, routing key ``<format>.<unit code>.<message kind>``."""
OUTBOUND_EXCHANGE = "dossier.out"
"""Direct exchange the hub publishes to peers on, routing key = the unit code."""
EVENTS_EXCHANGE = "dossier.events"
"""Topic exchange of canonical events (routing key = event type) for projections."""
PARKING_EXCHANGE = "hub.parking"
"""Fanout exchange every queue dead-letters to; feeds the parking queue."""

PARKED_QUEUE = "hub.parked"
PROJECTION_QUEUE = "provincial.projection"
POSTAL_QUEUE = "hub.postal.orders"
"""Commands to place postal return orders, published through the default exchange."""
RETRY_TIERS_MS: tuple[int, ...] = (1_000, 5_000, 30_000)
DELIVERY_LIMIT = 20
"""Redeliveries (e.g. a worker killed mid-message) before the broker parks a message."""

PeerFormat = Literal["commune", "agency"]
PEER_FORMATS: tuple[PeerFormat, ...] = ("commune", "agency")


def ingress_queue(peer_format: PeerFormat) -> str:
    return f"hub.ingress.{peer_format}"


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
    type: Literal["topic", "direct", "fanout"]


@dataclass(frozen=True)
class Queue:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Binding:
    exchange: str
    queue: str
    routing_key: str


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


HUB_CONSUMED_QUEUES: tuple[str, ...] = (
    ingress_queue("commune"),
    ingress_queue("agency"),
    PROJECTION_QUEUE,
    POSTAL_QUEUE,
)


def build_topology(units: Iterable[Unit]) -> Topology:
    exchanges = (
        Exchange(INBOUND_EXCHANGE, "topic"),
        Exchange(OUTBOUND_EXCHANGE, "direct"),
        Exchange(EVENTS_EXCHANGE, "topic"),
        Exchange(PARKING_EXCHANGE, "fanout"),
    )
    queues: list[Queue] = [Queue(PARKED_QUEUE, {"x-queue-type": "quorum"})]
    bindings: list[Binding] = [Binding(PARKING_EXCHANGE, PARKED_QUEUE, "")]
    for peer_format in PEER_FORMATS:
        name = ingress_queue(peer_format)
        queues.append(Queue(name, work_queue_arguments()))
        bindings.append(Binding(INBOUND_EXCHANGE, name, f"{peer_format}.*.*"))
    queues.append(Queue(PROJECTION_QUEUE, work_queue_arguments()))
    queues.append(Queue(POSTAL_QUEUE, work_queue_arguments()))
    bindings.append(Binding(EVENTS_EXCHANGE, PROJECTION_QUEUE, "#"))
    for source in HUB_CONSUMED_QUEUES:
        for delay in RETRY_TIERS_MS:
            queues.append(Queue(retry_queue(source, delay), retry_queue_arguments(source, delay)))
    for unit in sorted(units, key=lambda u: u.code):
        queues.append(Queue(peer_queue(unit.code), work_queue_arguments()))
        bindings.append(Binding(OUTBOUND_EXCHANGE, peer_queue(unit.code), unit.code))
    return Topology(exchanges=exchanges, queues=tuple(queues), bindings=tuple(bindings))
