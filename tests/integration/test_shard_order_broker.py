"""An ingress shard consumed the way ``hub run`` consumes it (FastStream subscriber, raw
delivery, manual acks, a prefetch above one) on the real RabbitMQ: deliveries whose
handling takes uneven time are still settled in the order they were published. This is
what :mod:`hub.shard_order` relies on (aio-pika starting each delivery's task in delivery
order, and nothing on FastStream's way to the handler reordering them); an upgrade of
either library that broke it fails here."""

from __future__ import annotations

import asyncio
import random
from uuid import uuid4

import aio_pika
import pytest
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from faststream.rabbit import Channel, RabbitBroker

from hub.app import Runtime, _subscribe_shard
from hub.registry import load_registry
from hub.settings import Settings
from hub.shard_order import InOrder

pytestmark = pytest.mark.integration

COUNT = 120


async def test_a_shard_with_deliveries_sent_ahead_is_settled_in_publish_order(
    amqp_url: str, broker: AbstractRobustConnection
) -> None:
    name = f"test.shard.{uuid4().hex[:8]}"
    channel = await broker.channel()
    await channel.declare_queue(name, durable=True, arguments={"x-queue-type": "quorum"})
    rng = random.Random(7)
    settled: list[int] = []

    async def settle(raw: AbstractIncomingMessage) -> bool:
        await asyncio.sleep(rng.uniform(0, 0.004))  # uneven handling times
        settled.append(int(raw.body))
        await raw.ack()
        return True

    runtime = Runtime(settings=Settings(), registry=load_registry())
    runtime.handlers[name] = InOrder(name, settle)
    hub_broker = RabbitBroker(amqp_url, logger=None, apply_types=False)
    _subscribe_shard(hub_broker, runtime, name, Channel(prefetch_count=8), persistent=True)
    try:
        async with hub_broker:
            await hub_broker.start()
            for n in range(COUNT):
                await channel.default_exchange.publish(
                    aio_pika.Message(str(n).encode(), delivery_mode=2), routing_key=name
                )
            for _ in range(300):
                if len(settled) >= COUNT:
                    break
                await asyncio.sleep(0.05)

        assert settled == list(range(COUNT))
    finally:
        await channel.queue_delete(name)
        await channel.close()
