"""What every AMQP peer simulator shares: a connection, a confirming publisher on
``dossier.in``, consumers on the peer's own queues and delayed actions.

Simulators speak only the documented wire contract (docs/integration.md): exchange and
queue names, routing keys and JSON bodies. They import nothing from the hub."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractIncomingMessage

INBOUND_EXCHANGE = "dossier.in"


@dataclass
class Delays:
    """Real-time delays (seconds) between what a peer receives and what it answers."""

    low: float = 0.05
    high: float = 0.5

    def pick(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)


@dataclass
class PeerBase:
    amqp_url: str
    delays: Delays = field(default_factory=Delays)
    seed: int = 0
    rng: random.Random = field(init=False)
    _connection: aio_pika.abc.AbstractRobustConnection | None = field(init=False, default=None)
    _channel: AbstractChannel | None = field(init=False, default=None)
    _exchange: AbstractExchange | None = field(init=False, default=None)
    _tasks: set[asyncio.Task[None]] = field(init=False, default_factory=set)
    unreadable: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    async def connect(self, queues: list[str], prefetch: int = 100) -> None:
        self._connection = await aio_pika.connect_robust(self.amqp_url)
        self._channel = await self._connection.channel(publisher_confirms=True)
        await self._channel.set_qos(prefetch_count=prefetch)
        self._exchange = await self._channel.get_exchange(INBOUND_EXCHANGE, ensure=False)
        for name in queues:
            queue = await self._channel.get_queue(name, ensure=False)
            await queue.consume(self._consumer(name.removeprefix("peer.")))

    def _consumer(self, unit: str) -> Callable[[AbstractIncomingMessage], Awaitable[None]]:
        async def consume(message: AbstractIncomingMessage) -> None:
            async with message.process(requeue=False):
                try:
                    await self.on_message(unit, message.body)
                except (ValueError, KeyError, TypeError):
                    self.unreadable += 1  # a real peer logs it and moves on

        return consume

    async def on_message(self, unit: str, body: bytes) -> None:
        """Handle one message that arrived on ``peer.<unit>``."""
        raise NotImplementedError

    async def publish(self, routing_key: str, body: bytes) -> None:
        assert self._exchange is not None, "connect() first"
        await self._exchange.publish(
            aio_pika.Message(
                body,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=routing_key,
        )

    def later(self, action: Callable[[], Awaitable[None]], delay: float | None = None) -> None:
        """Run ``action`` after a delay, as a peer answering asynchronously would."""

        async def run() -> None:
            await asyncio.sleep(self.delays.pick(self.rng) if delay is None else delay)
            await action()

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._connection is not None:
            await self._connection.close()
