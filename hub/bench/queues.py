"""What the broker says of a set of queues right now (passive declares: nothing changes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aio_pika.abc import AbstractChannel


@dataclass(frozen=True)
class QueueTotals:
    messages: int
    consumers: int


async def queue_totals(channel: AbstractChannel, names: Iterable[str]) -> QueueTotals:
    """Messages ready and consumers, summed over the queues ``names``."""
    messages = consumers = 0
    for name in names:
        queue = await channel.declare_queue(name, passive=True)
        result = queue.declaration_result
        if result is not None:
            messages += result.message_count or 0
            consumers += result.consumer_count or 0
    return QueueTotals(messages, consumers)
