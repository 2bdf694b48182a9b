"""Counts the event batches on ``dossier.events`` during a bench phase: a queue of the
bench's own, bound like the projection's, which says how many broker messages the events
took (the projection's timeline says how many events there were)."""

from __future__ import annotations

from dataclasses import dataclass, field

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage

from hub.event_batches import EVENT_COUNT_HEADER
from hub.topology import EVENT_BATCH_KEY, EVENTS_EXCHANGE


@dataclass
class EventTap:
    """A classic, exclusive queue consumed without acks: the broker's cost of the copy is
    a small share of one message per batch (tens a second)."""

    amqp_url: str
    messages: int = 0
    events: int = 0
    _connection: AbstractConnection | None = field(default=None, init=False)

    async def start(self) -> None:
        self._connection = await aio_pika.connect(self.amqp_url)
        channel: AbstractChannel = await self._connection.channel()
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(EVENTS_EXCHANGE, EVENT_BATCH_KEY)
        await queue.consume(self._count, no_ack=True)

    async def _count(self, message: AbstractIncomingMessage) -> None:
        self.messages += 1
        self.events += int(str((message.headers or {}).get(EVENT_COUNT_HEADER, 0)))

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
