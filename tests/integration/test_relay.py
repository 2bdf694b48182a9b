"""The outbox relay against the real RabbitMQ and PostgreSQL: rows handed over with
``flush_soon`` go out in order without the caller waiting, and are deleted once confirmed;
rows the broker refuses stay in the outbox for the sweep."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import aio_pika
import asyncpg
import pytest

from hub.amqp import ConfirmingPublisher
from hub.bootstrap import migrate_database
from hub.relay import OutboxRelay
from hub.settings import Settings
from hub.store import outbox
from hub.store.outbox import OutboxMessage

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def db_url(database_url: str) -> str:
    await migrate_database(Settings(database_url=database_url))
    return database_url


@pytest.fixture
async def pool(db_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with asyncpg.create_pool(db_url, min_size=2, max_size=4) as two:
        yield two


@pytest.fixture
async def broker(amqp_url: str) -> AsyncIterator[aio_pika.abc.AbstractRobustConnection]:
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        yield connection


def _rows(routing_key: str, count: int, tag: str) -> list[OutboxMessage]:
    return [
        OutboxMessage(uuid4(), "", routing_key, f"{tag}-{i}".encode(), {"x-test": tag})
        for i in range(count)
    ]


async def _left(pool: asyncpg.Pool, rows: list[OutboxMessage]) -> int:
    ids = [r.id for r in rows]
    return int(await pool.fetchval("SELECT count(*) FROM hub.outbox WHERE id = ANY($1)", ids))


async def test_rows_flushed_soon_go_out_in_order_and_are_deleted(
    pool: asyncpg.Pool, broker: aio_pika.abc.AbstractRobustConnection
) -> None:
    channel = await broker.channel()
    queue = await channel.declare_queue(
        f"test.relay.{uuid4().hex[:8]}", durable=True, arguments={"x-queue-type": "quorum"}
    )
    publisher = await ConfirmingPublisher.open(broker)
    relay = OutboxRelay(pool=pool, publisher=publisher)
    try:
        async with pool.acquire() as conn:
            first = await outbox.add(conn, _rows(queue.name, 3, "first"))
            second = await outbox.add(conn, _rows(queue.name, 2, "second"))

        relay.flush_soon(first)  # returns at once: the caller acks its delivery now
        relay.flush_soon(second)
        relay.flush_soon([])
        await relay.settled()

        bodies = []
        for _ in range(5):
            message = await queue.get(timeout=5, fail=True)
            assert message is not None
            bodies.append(message.body.decode())
            await message.ack()
        assert bodies == ["first-0", "first-1", "first-2", "second-0", "second-1"]
        assert await _left(pool, first + second) == 0
    finally:
        await queue.delete(if_unused=False, if_empty=False)
        await publisher.close()


async def test_rows_the_broker_refuses_stay_for_the_sweep(
    pool: asyncpg.Pool, broker: aio_pika.abc.AbstractRobustConnection
) -> None:
    publisher = await ConfirmingPublisher.open(broker)
    relay = OutboxRelay(pool=pool, publisher=publisher)
    # Published with "mandatory" to a queue that does not exist: the broker returns them.
    async with pool.acquire() as conn:
        refused = await outbox.add(conn, _rows(f"test.relay.none.{uuid4().hex}", 2, "lost"))
    try:
        relay.flush_soon(refused)
        await relay.settled()
        assert await _left(pool, refused) == 2
    finally:
        await pool.execute("DELETE FROM hub.outbox WHERE id = ANY($1)", [r.id for r in refused])
        await publisher.close()


async def test_drain_waits_for_rows_handed_over(
    pool: asyncpg.Pool, broker: aio_pika.abc.AbstractRobustConnection
) -> None:
    channel = await broker.channel()
    queue = await channel.declare_queue(
        f"test.relay.{uuid4().hex[:8]}", durable=True, arguments={"x-queue-type": "quorum"}
    )
    publisher = await ConfirmingPublisher.open(broker)
    relay = OutboxRelay(pool=pool, publisher=publisher)
    try:
        async with pool.acquire() as conn:
            rows = await outbox.add(conn, _rows(queue.name, 20, "drained"))
        relay.flush_soon(rows)
        await relay.drain()  # as at shutdown: nothing handed over is left behind
        assert await _left(pool, rows) == 0
        received = set()
        for _ in range(20):
            message = await queue.get(timeout=5, fail=True)
            assert message is not None
            received.add(message.body)
            await message.ack()
        assert received == {r.body for r in rows}
    finally:
        await queue.delete(if_unused=False, if_empty=False)
        await publisher.close()


async def test_hand_over_waits_only_when_publishes_fall_behind(
    pool: asyncpg.Pool, broker: aio_pika.abc.AbstractRobustConnection
) -> None:
    channel = await broker.channel()
    queue = await channel.declare_queue(
        f"test.relay.{uuid4().hex[:8]}", durable=True, arguments={"x-queue-type": "quorum"}
    )
    publisher = await ConfirmingPublisher.open(broker)
    relay = OutboxRelay(pool=pool, publisher=publisher, max_behind=2)
    try:
        async with pool.acquire() as conn:
            batches = [await outbox.add(conn, _rows(queue.name, 1, f"b{i}")) for i in range(6)]
        for batch in batches:
            await relay.hand_over(batch)
            assert relay.publishing <= 2  # never more than max_behind in flight
        await relay.settled()
        bodies = []
        for _ in range(6):
            message = await queue.get(timeout=5, fail=True)
            assert message is not None
            bodies.append(message.body.decode())
            await message.ack()
        assert bodies == [f"b{i}-0" for i in range(6)]
        assert await _left(pool, [r for b in batches for r in b]) == 0
    finally:
        await queue.delete(if_unused=False, if_empty=False)
        await publisher.close()
