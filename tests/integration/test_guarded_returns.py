"""A delivery that can be neither processed, retried nor parked (the broker channel the hub
publishes on is not back yet after a restart) goes back to its queue after a pause, on the
real RabbitMQ: returned at once, it came straight back and spent the quorum queue's delivery
limit in a fraction of a second, so the broker parked it although nothing was wrong with it
(seen in the chaos test: projection events parked for `delivery_limit`)."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import aio_pika
import aiormq
import pytest
from aio_pika.abc import (
    AbstractChannel,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)

from hub.consumers import RETURN_PAUSE_S, Guarded
from hub.errors import TransientError
from hub.store.outbox import OutboxMessage
from hub.topology import DELIVERY_LIMIT

pytestmark = pytest.mark.integration


class ChannelNotBack:
    """The hub's publishing channel while the broker connection is being restored."""

    async def publish(self, message: OutboxMessage) -> None:
        raise aiormq.exceptions.ChannelInvalidStateError("channel closed")


class DatabaseAway(TransientError):
    reason_code = "dependency_unavailable"


async def database_away(_routing_key: str) -> None:
    raise DatabaseAway("database restarting")


async def work_queue(
    channel: AbstractChannel, name: str, extra: dict[str, Any] | None = None
) -> AbstractQueue:
    """A quorum queue with the hub's delivery limit, as the hub's work queues have."""
    arguments = {"x-queue-type": "quorum", "x-delivery-limit": DELIVERY_LIMIT, **(extra or {})}
    return await channel.declare_queue(name, durable=True, arguments=arguments)


async def test_a_delivery_that_cannot_be_retried_returns_after_a_pause(
    broker: AbstractRobustConnection,
) -> None:
    channel = await broker.channel()
    await channel.set_qos(prefetch_count=1)
    name = f"test.returns.{uuid4().hex[:8]}"
    dead = await channel.declare_queue(
        f"{name}.dead", durable=True, arguments={"x-queue-type": "quorum"}
    )
    queue = await work_queue(
        channel, name, {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": dead.name}
    )
    try:
        await channel.default_exchange.publish(
            aio_pika.Message(b'{"n": 1}', delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key=name,
        )
        guard = Guarded(ChannelNotBack(), name)
        counts: list[int] = []

        async def consume(raw: AbstractIncomingMessage) -> None:
            counts.append(int(str((raw.headers or {}).get("x-delivery-count", 0))))
            await guard.run(raw, database_away)

        tag = await queue.consume(consume)
        watched_s = RETURN_PAUSE_S[0] + RETURN_PAUSE_S[1] + 0.5
        await asyncio.sleep(watched_s)
        await queue.cancel(tag)

        # Without the pause: about DELIVERY_LIMIT deliveries, then dead-lettered.
        assert 2 <= len(counts) <= 4, counts
        assert counts == sorted(counts), counts  # each return counted by the broker
        assert (await dead.declare()).message_count == 0
    finally:
        await queue.delete(if_unused=False, if_empty=False)
        await dead.delete(if_unused=False, if_empty=False)
        await channel.close()


async def test_a_delivery_not_given_back_stays_with_its_consumer_until_its_channel_closes(
    broker: AbstractRobustConnection,
) -> None:
    # An ingress shard's delivery that cannot be settled is held by the worker (the ones
    # behind it are in the worker already), not returned ahead of them.
    channel = await broker.channel()
    await channel.set_qos(prefetch_count=4)
    name = f"test.held.{uuid4().hex[:8]}"
    queue = await work_queue(channel, name)
    other = await broker.channel()
    try:
        for n in (1, 2):
            await channel.default_exchange.publish(
                aio_pika.Message(b'{"n": %d}' % n, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=name,
            )
        first = await queue.get(no_ack=False, timeout=5)
        settled = await Guarded(ChannelNotBack(), name).run(first, database_away, give_back=False)

        assert settled is False
        assert (await other.declare_queue(name, passive=True)).declaration_result.message_count == 1
        await channel.close()  # the worker's connection drops: the broker has it back, first
        again = await (await other.get_queue(name)).get(no_ack=False, timeout=5)
        assert again.body == b'{"n": 1}'
        assert int(str((again.headers or {}).get("x-delivery-count", 0))) == 1
        await again.ack()
    finally:
        await other.queue_delete(name)
        await other.close()
