"""The simulated peers' queues, emptied before a demo or a bench phase."""

from __future__ import annotations

from collections.abc import Iterable

import aio_pika

from hub.topology import peer_queue


async def purge_queues(amqp_url: str, names: Iterable[str]) -> int:
    """Empty the (existing) queues ``names``; the messages purged."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        purged = 0
        for name in names:
            queue = await channel.declare_queue(name, passive=True)
            result = await queue.purge()
            purged += result.message_count or 0
        return purged


async def purge_peer_queues(amqp_url: str, units: list[str]) -> int:
    """Empty the queues of the peers a run simulates; the messages purged. Whatever an
    earlier run or a test left there (a not-accepted reply, say) would be counted as this
    run's."""
    return await purge_queues(amqp_url, (peer_queue(unit) for unit in units))
