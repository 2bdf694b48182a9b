"""Declare the topology on a live broker with aio-pika (idempotent)."""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractChannel

from hub.topology import Topology


async def declare_topology(channel: AbstractChannel, topology: Topology) -> None:
    exchanges = {}
    for exchange in topology.exchanges:
        exchanges[exchange.name] = await channel.declare_exchange(
            exchange.name,
            aio_pika.ExchangeType(exchange.type),
            durable=True,
            arguments=exchange.arguments,
        )
    queues = {}
    for queue in topology.queues:
        queues[queue.name] = await channel.declare_queue(
            queue.name, durable=True, arguments=queue.arguments
        )
    for binding in topology.bindings:
        if binding.to_exchange:
            await exchanges[binding.queue].bind(exchanges[binding.exchange], binding.routing_key)
        else:
            await queues[binding.queue].bind(exchanges[binding.exchange], binding.routing_key)


async def apply_topology(amqp_url: str, topology: Topology) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        await declare_topology(channel, topology)
