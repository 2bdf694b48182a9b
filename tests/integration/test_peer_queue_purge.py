"""The bench and the demo empty the simulated peers' queues before they drive dossiers, so
that a message an earlier run or test left there is not counted as theirs (real RabbitMQ)."""

from __future__ import annotations

import aio_pika
import pytest

from hub.broker_setup import apply_topology
from hub.demo.peer_queues import purge_peer_queues
from hub.registry import load_registry
from hub.topology import build_topology, peer_queue

pytestmark = pytest.mark.integration


async def test_stale_messages_on_peer_queues_are_purged(amqp_url: str) -> None:
    registry = load_registry()
    await apply_topology(amqp_url, build_topology(registry.peers()))
    units = [u.code for u in list(registry.peers())[:2]]
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for unit in units:
            await channel.default_exchange.publish(
                aio_pika.Message(b'{"stale": true}'), routing_key=peer_queue(unit)
            )

        assert await purge_peer_queues(amqp_url, units) >= len(units)

        for unit in units:
            queue = await channel.declare_queue(peer_queue(unit), passive=True)
            assert await queue.get(fail=False) is None
