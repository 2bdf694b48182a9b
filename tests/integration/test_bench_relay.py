"""The bench's baselines on the real broker and database: the raw relay moves every message
and leaves no queue behind; the durable relay records each message once before relaying it;
a relay that runs out of time says how far it got, and one that fails stops at once with
why."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aio_pika
import aiormq
import asyncpg
import pytest

from hub.bench.raw_relay import RELAY_IN, RELAY_OUT, RELAY_TABLE, RelayFailed, run_raw_relay
from hub.db.pool import open_pool
from hub.settings import Settings

pytestmark = pytest.mark.integration


async def _queues_left(amqp_url: str) -> list[str]:
    left = []
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        for name in (RELAY_IN, RELAY_OUT):
            channel = await connection.channel()
            try:
                await channel.declare_queue(name, passive=True)
                left.append(name)
            except aiormq.exceptions.ChannelNotFoundEntity:
                pass
    return left


@pytest.fixture
async def relay_db(db: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    yield db
    await db.execute(f"DROP TABLE IF EXISTS {RELAY_TABLE}")


@pytest.fixture
async def worker_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool as a hub worker opens it (the durable relay records through one)."""
    pool = await open_pool(Settings(database_url=database_url, db_pool_size=4))
    yield pool
    await pool.close()


async def test_the_raw_relay_moves_every_message_and_deletes_its_queues(amqp_url: str) -> None:
    result = await run_raw_relay(amqp_url, count=200, size=300, prefetch=16)

    assert result.messages == 200
    assert result.msgs_per_s > 0
    assert await _queues_left(amqp_url) == []


async def test_the_durable_relay_records_each_message_once_before_relaying_it(
    amqp_url: str, worker_pool: asyncpg.Pool, relay_db: asyncpg.Connection
) -> None:
    # When the durable relay moves 200 messages of 300 bytes
    result = await run_raw_relay(amqp_url, count=200, size=300, prefetch=16, record_in=worker_pool)
    # Then every message was relayed, and recorded once with its body
    assert result.messages == 200
    rows = await relay_db.fetch(f"SELECT message_id, length(body) AS size FROM {RELAY_TABLE}")
    assert len({row["message_id"] for row in rows}) == len(rows) == 200
    assert {row["size"] for row in rows} == {300}
    # And the next run starts from an empty table
    await run_raw_relay(amqp_url, count=50, size=300, prefetch=16, record_in=worker_pool)
    assert await relay_db.fetchval(f"SELECT count(*) FROM {RELAY_TABLE}") == 50
    assert await _queues_left(amqp_url) == []


async def test_a_relay_out_of_time_says_how_far_it_got_and_deletes_its_queues(
    amqp_url: str,
) -> None:
    with pytest.raises(TimeoutError, match=r"the relay moved \d+ of 2000 messages in 0.001 s"):
        await run_raw_relay(amqp_url, count=2000, size=300, prefetch=16, timeout_s=0.001)

    assert await _queues_left(amqp_url) == []


async def test_a_durable_relay_whose_database_refuses_stops_at_once_with_the_reason(
    amqp_url: str, worker_pool: asyncpg.Pool, relay_db: asyncpg.Connection
) -> None:
    # Given a relay table (kept by the relay, which creates it only if missing) that refuses
    # every message of the run's size
    await relay_db.execute(f"DROP TABLE IF EXISTS {RELAY_TABLE}")
    await relay_db.execute(
        f"CREATE TABLE {RELAY_TABLE} (message_id uuid PRIMARY KEY,"
        " body bytea NOT NULL CHECK (length(body) < 10))"
    )
    # When the durable relay runs, with plenty of time
    # Then it stops with the database's reason, not with a timeout
    with pytest.raises(RelayFailed, match=r"failed after 0 of 100 messages: CheckViolationError"):
        await run_raw_relay(
            amqp_url, count=100, size=300, prefetch=16, timeout_s=60, record_in=worker_pool
        )
    assert await _queues_left(amqp_url) == []
