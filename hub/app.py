"""The FastStream application: subscribers on the hub's queues, resources in the lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import asyncpg
import structlog
from aio_pika.abc import AbstractIncomingMessage
from faststream import FastStream
from faststream.message import StreamMessage
from faststream.middlewares import AckPolicy
from faststream.rabbit import Channel, RabbitBroker, RabbitQueue

from adapters.postal.client import PostalClient
from hub import deadlines
from hub.amqp import ConfirmingPublisher
from hub.broker_setup import declare_topology
from hub.consumers import PeerConsumer
from hub.db.migrations import apply_migrations
from hub.db.pool import open_pool
from hub.dlq.consumer import ParkedConsumer
from hub.heap import settle_heap
from hub.known_states import KnownStates
from hub.loop_watch import LoopWatch
from hub.migrations import MIGRATION_SOURCES
from hub.overdue_runner import overdue_scanner
from hub.postal import PostalOrderConsumer, PostalTracker
from hub.projection import ProjectionConsumer
from hub.registry import Registry, load_registry
from hub.relay import OutboxRelay
from hub.settings import Settings
from hub.shard_order import InOrder
from hub.topology import (
    EVENT_BATCH_KEY,
    EVENTS_EXCHANGE,
    INGRESS_QUEUES,
    PARKED_QUEUE,
    POSTAL_QUEUE,
    PROJECTION_QUEUE,
    build_topology,
    shards_of_worker,
)
from schemas import EventBatch

log = structlog.get_logger(__name__)


@dataclass
class Runtime:
    """Resources opened at start-up and the consumers that use them."""

    settings: Settings
    registry: Registry
    handlers: dict[str, Any] = field(default_factory=dict)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    relay: OutboxRelay | None = None

    async def dispatch(self, queue: str, message: AbstractIncomingMessage) -> None:
        await self.handlers[queue](message)


def _queue(name: str) -> RabbitQueue:
    return RabbitQueue(name, declare=False)


async def raw_delivery(message: StreamMessage[Any]) -> AbstractIncomingMessage:
    """Hand the aio-pika delivery over undecoded: the adapters own decoding, so that a body
    that is not JSON is parked with its reason instead of failing inside the framework, and
    the consumers ack it themselves once its effect is committed."""
    raw: AbstractIncomingMessage = message.raw_message
    return raw


INGRESS_DESCRIPTION = (
    "Ingress shard {shard}: peers' messages in their own formats (commune TiepNhanHoSo, "
    "CapNhatTrangThai; agency STATUS), routing key <format>.<unit>.<kind>, spread over the "
    "shards by correlation id (= dossier code). Single active consumer, one message at a "
    "time: a dossier's messages are applied in order."
)

SUBSCRIPTIONS: tuple[tuple[str, str, str], ...] = (
    (
        PROJECTION_QUEUE,
        "provincial-projection",
        "Canonical events projected into the provincial database.",
    ),
    (POSTAL_QUEUE, "postal-orders", "Commands to place postal returns."),
    (
        PARKED_QUEUE,
        "parked-messages",
        "Messages that could not be processed, stored in hub.dead_letters for operators (hub dlq).",
    ),
)
"""The hub's other queues: manual acks (each consumer acks after its effect is committed,
or after a confirmed retry/park), bodies handed over undecoded."""


def _subscribe(
    broker: RabbitBroker,
    runtime: Runtime,
    queue: str,
    *,
    title: str,
    description: str,
    channel: Channel | None = None,
    persistent: bool = True,
) -> Any:
    subscriber = broker.subscriber(
        _queue(queue),
        ack_policy=AckPolicy.MANUAL,
        decoder=raw_delivery,
        title=title,
        description=description,
        channel=channel,
        persistent=persistent,
    )

    @subscriber
    async def consume(message: Any) -> None:  # the raw delivery; Any keeps AsyncAPI happy
        await runtime.dispatch(queue, message)

    return subscriber


def _subscribe_shard(
    broker: RabbitBroker, runtime: Runtime, shard: str, channel: Channel, *, persistent: bool
) -> Any:
    return _subscribe(
        broker,
        runtime,
        shard,
        title=shard,
        description=INGRESS_DESCRIPTION.format(shard=shard),
        channel=channel,
        persistent=persistent,
    )


async def _stand_by(
    broker: RabbitBroker, runtime: Runtime, shards: tuple[str, ...], channel: Channel
) -> None:
    """After a pause, also subscribe to the other workers' shards: single active consumer
    keeps us idle on them until their worker is gone, then we take over in order."""
    await asyncio.sleep(runtime.settings.standby_after_s)
    for shard in shards:
        subscriber = _subscribe_shard(broker, runtime, shard, channel, persistent=False)
        for attempt in range(1_000_000):  # the broker may be restarting right now
            try:
                await subscriber.start()
                break
            except Exception as exc:
                log.warning("standby_subscribe_failed", shard=shard, error=type(exc).__name__)
                await asyncio.sleep(min(1.0 + attempt, 5.0))
    log.info("standing_by", shards=len(shards))


def create_app(settings: Settings, *, registry: Registry | None = None) -> FastStream:
    runtime = Runtime(settings=settings, registry=registry or load_registry())
    broker = RabbitBroker(
        settings.amqp_url.get_secret_value(),
        default_channel=Channel(prefetch_count=settings.prefetch),
        logger=None,
        # No dependency injection per message: the handlers take the raw delivery (see
        # raw_delivery). FastDepends' context lookup ran in a thread per message.
        apply_types=False,
        graceful_timeout=15.0,
        description="Dossier integration hub: routes, tracks and returns one-stop dossiers.",
    )

    # The broker sends each shard's next deliveries ahead; they are still applied one at a
    # time, in order (hub.shard_order).
    ingress_channel = Channel(prefetch_count=settings.ingress_prefetch)
    preferred = shards_of_worker(settings.worker_index, settings.worker_count)
    for shard in preferred:
        _subscribe_shard(broker, runtime, shard, ingress_channel, persistent=True)
    for queue, title, description in SUBSCRIPTIONS:
        _subscribe(broker, runtime, queue, title=title, description=description)
    standby = tuple(q for q in INGRESS_QUEUES if q not in preferred)

    events_publisher = broker.publisher(
        EVENTS_EXCHANGE,
        title="dossier-events",
        schema=EventBatch,
        description=(
            f"Canonical events in batches (routing key and header x-message-type "
            f"{EVENT_BATCH_KEY}), in the order the hub recorded them; see "
            "schemas/json/ for each event. A parked event replayed travels alone, with its "
            "event type as the routing key."
        ),
    )
    del events_publisher  # documented in the AsyncAPI document; published by the relay

    app = FastStream(broker, lifespan=_lifespan(runtime))
    if standby:

        @app.after_startup
        async def stand_by() -> None:
            runtime.tasks.append(
                asyncio.create_task(_stand_by(broker, runtime, standby, ingress_channel))
            )

    return app


def _lifespan(runtime: Runtime) -> Any:
    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        settings = runtime.settings
        pool = await open_pool(settings)
        connection = await aio_pika.connect_robust(
            settings.amqp_url.get_secret_value(), timeout=30, fail_fast=True
        )
        postal = PostalClient(
            base_url=settings.postal_api_url,
            client_id=settings.postal_client_id,
            client_secret=settings.postal_client_secret,
        )
        try:
            async with pool.acquire() as conn:
                await apply_migrations(conn, MIGRATION_SOURCES)
            deadlines.preload()
            setup_channel = await connection.channel()
            await declare_topology(setup_channel, build_topology(runtime.registry.peers()))
            await setup_channel.close()
            publisher = await ConfirmingPublisher.open(connection)
            relay = OutboxRelay(pool=pool, publisher=publisher)
            runtime.relay = relay
            known = KnownStates()  # one per process: every consumer's writes keep it fresh
            _wire(runtime, pool, publisher, relay, postal, known)
            tracker = PostalTracker(
                pool=pool,
                registry=runtime.registry,
                postal=postal,
                relay=relay,
                interval_s=settings.postal_poll_seconds,
                known=known,
            )
            runtime.tasks += [asyncio.create_task(relay.run()), asyncio.create_task(tracker.run())]
            if settings.loop_stall_warn_ms > 0:
                watch = LoopWatch(warn_after_s=settings.loop_stall_warn_ms / 1000)
                runtime.tasks.append(asyncio.create_task(watch.run()))
            if settings.overdue_scan_seconds > 0:
                runtime.tasks.append(
                    asyncio.create_task(overdue_scanner(runtime, pool, relay).run())
                )
            settle_heap()
            log.info("hub_started", queues=sorted(runtime.handlers))
            yield
        finally:
            for task in runtime.tasks:
                task.cancel()
            await asyncio.gather(*runtime.tasks, return_exceptions=True)
            await _drain_outbox(runtime)
            await postal.aclose()
            await connection.close()
            await pool.close()
            log.info("hub_stopped")

    return lifespan


async def _drain_outbox(runtime: Runtime) -> None:
    """At shutdown (consumers already stopped): publish what the outbox still holds, so a
    stopped hub leaves nothing behind for the next start to find."""
    if runtime.relay is None:
        return
    try:
        published = await runtime.relay.drain()
        log.info("outbox_drained", published=published)
    except Exception as exc:  # the next worker's sweep publishes whatever is left
        log.warning("outbox_drain_incomplete", error=type(exc).__name__)


def _wire(
    runtime: Runtime,
    pool: asyncpg.Pool,
    publisher: ConfirmingPublisher,
    relay: OutboxRelay,
    postal: PostalClient,
    known: KnownStates,
) -> None:
    registry = runtime.registry
    runtime.handlers = {
        **{
            q: InOrder(q, PeerConsumer(q, pool, registry, publisher, relay, known).settle)
            for q in INGRESS_QUEUES
        },
        PROJECTION_QUEUE: ProjectionConsumer(pool, publisher),
        POSTAL_QUEUE: PostalOrderConsumer(pool, registry, postal, publisher, relay, known),
        PARKED_QUEUE: ParkedConsumer(pool),
    }
