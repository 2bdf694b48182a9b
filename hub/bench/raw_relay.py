"""The baseline: a plain aio-pika relay between two quorum queues, with confirms and acks.

It fills ``bench.relay.in`` with ``count`` messages of ``size`` bytes, then consumes them with
``prefetch`` deliveries in flight, publishes each one persistently (mandatory, confirmed) to
``bench.relay.out`` and acks it. That is the least work a hub hop can do on this broker with
the same delivery guarantees; it has no database and no translation. Both queues are deleted
afterwards.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

RELAY_IN = "bench.relay.in"
RELAY_OUT = "bench.relay.out"


@dataclass(frozen=True)
class RelayResult:
    messages: int
    seconds: float

    @property
    def msgs_per_s(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else 0.0


def _message(body: bytes) -> aio_pika.Message:
    return aio_pika.Message(
        body, content_type="application/json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT
    )


async def run_raw_relay(
    amqp_url: str, *, count: int, size: int, prefetch: int, timeout_s: float = 120.0
) -> RelayResult:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        setup = await connection.channel(publisher_confirms=True)
        inbound = await setup.declare_queue(
            RELAY_IN, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await setup.declare_queue(RELAY_OUT, durable=True, arguments={"x-queue-type": "quorum"})
        try:
            await inbound.purge()
            body = (b'{"pad":"' + b"x" * max(size - 10, 0) + b'"}')[: max(size, 1)]
            for start in range(0, count, 500):
                batch = range(start, min(start + 500, count))
                await asyncio.gather(
                    *(setup.default_exchange.publish(_message(body), RELAY_IN) for _ in batch)
                )
            return await _relay(connection, count, prefetch, timeout_s)
        finally:
            await setup.queue_delete(RELAY_IN)
            await setup.queue_delete(RELAY_OUT)


async def _relay(
    connection: aio_pika.abc.AbstractConnection, count: int, prefetch: int, timeout_s: float
) -> RelayResult:
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    await channel.set_qos(prefetch_count=prefetch)
    queue = await channel.get_queue(RELAY_IN, ensure=False)
    done = asyncio.Event()
    relayed = 0
    tasks: set[asyncio.Task[None]] = set()

    async def relay_one(message: AbstractIncomingMessage) -> None:
        nonlocal relayed
        await channel.default_exchange.publish(
            _message(message.body), routing_key=RELAY_OUT, mandatory=True
        )
        await message.ack()
        relayed += 1
        if relayed >= count:
            done.set()

    async def on_message(message: AbstractIncomingMessage) -> None:
        # One task per delivery: up to ``prefetch`` relays are in flight at once.
        task = asyncio.create_task(relay_one(message))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    started = time.perf_counter()
    tag = await queue.consume(on_message)
    try:
        await asyncio.wait_for(done.wait(), timeout_s)
    finally:
        elapsed = time.perf_counter() - started
        await queue.cancel(tag)
        await asyncio.gather(*tasks, return_exceptions=True)
        await channel.close()
    return RelayResult(messages=relayed, seconds=elapsed)
