"""The outbox relay against the real RabbitMQ and PostgreSQL: rows handed over go out in
order without the caller waiting for their confirms, and are deleted once confirmed; rows
the broker refuses stay in the outbox for the sweep."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import aio_pika
import asyncpg
import pytest
from aio_pika.abc import AbstractQueue, AbstractRobustConnection

from hub import relay as relay_module
from hub.amqp import ConfirmingPublisher
from hub.relay import OutboxRelay
from hub.store import outbox
from hub.store.outbox import OutboxMessage
from hub.topology import EVENTS_EXCHANGE, PARKED_QUEUE, PARKING_EXCHANGE
from tests.harness import Published

pytestmark = pytest.mark.integration


@pytest.fixture
async def publisher(broker: AbstractRobustConnection) -> AsyncIterator[ConfirmingPublisher]:
    opened = await ConfirmingPublisher.open(broker)
    yield opened
    await opened.close()


@pytest.fixture
async def queue(broker: AbstractRobustConnection) -> AsyncIterator[AbstractQueue]:
    """A quorum queue of its own, reached through the default exchange."""
    channel = await broker.channel()
    declared = await channel.declare_queue(
        f"test.relay.{uuid4().hex[:8]}", durable=True, arguments={"x-queue-type": "quorum"}
    )
    yield declared
    await declared.delete(if_unused=False, if_empty=False)


def _rows(routing_key: str, count: int, tag: str) -> list[OutboxMessage]:
    return [
        OutboxMessage(uuid4(), "", routing_key, f"{tag}-{i}".encode(), {"x-test": tag})
        for i in range(count)
    ]


async def _added(pool: asyncpg.Pool, rows: list[OutboxMessage]) -> list[OutboxMessage]:
    async with pool.acquire() as conn:
        return await outbox.add(conn, rows)


async def _left(pool: asyncpg.Pool, rows: list[OutboxMessage]) -> int:
    ids = [r.id for r in rows]
    return int(await pool.fetchval("SELECT count(*) FROM hub.outbox WHERE id = ANY($1)", ids))


async def _bodies(queue: AbstractQueue, count: int) -> list[str]:
    """The next ``count`` message bodies on ``queue``, in order, acked."""
    bodies = []
    for _ in range(count):
        message = await queue.get(timeout=5, fail=True)
        assert message is not None
        bodies.append(message.body.decode())
        await message.ack()
    return bodies


async def test_rows_flushed_soon_go_out_in_order_and_are_deleted(
    pool: asyncpg.Pool, publisher: ConfirmingPublisher, queue: AbstractQueue
) -> None:
    relay = OutboxRelay(pool=pool, publisher=publisher)
    first = await _added(pool, _rows(queue.name, 3, "first"))
    second = await _added(pool, _rows(queue.name, 2, "second"))

    relay.flush_soon(first)  # returns at once: the caller acks its delivery now
    relay.flush_soon(second)
    relay.flush_soon([])
    await relay.settled()

    assert await _bodies(queue, 5) == ["first-0", "first-1", "first-2", "second-0", "second-1"]
    assert await _left(pool, first + second) == 0
    assert relay.held == 0


async def test_rows_the_broker_refuses_stay_for_the_sweep(
    pool: asyncpg.Pool, publisher: ConfirmingPublisher
) -> None:
    relay = OutboxRelay(pool=pool, publisher=publisher)
    # Published with "mandatory" to a queue that does not exist: the broker returns them.
    await _assert_left_for_the_sweep(
        pool, relay, _rows(f"test.relay.none.{uuid4().hex}", 2, "lost")
    )


async def _assert_left_for_the_sweep(
    pool: asyncpg.Pool, relay: OutboxRelay, rows: list[OutboxMessage]
) -> None:
    """Hand ``rows`` over to ``relay``, which cannot get them out: they stay in the outbox
    and the relay gives them up to the sweep. (They are deleted at the end.)"""
    added = await _added(pool, rows)
    try:
        relay.flush_soon(added)
        await relay.settled()

        assert await _left(pool, added) == len(added)
        assert relay.held == 0  # given up: the sweep takes them
    finally:
        await pool.execute("DELETE FROM hub.outbox WHERE id = ANY($1)", [r.id for r in added])


async def test_drain_waits_for_rows_handed_over(
    pool: asyncpg.Pool, publisher: ConfirmingPublisher, queue: AbstractQueue
) -> None:
    relay = OutboxRelay(pool=pool, publisher=publisher)
    rows = await _added(pool, _rows(queue.name, 20, "drained"))

    relay.flush_soon(rows)
    await relay.drain()  # as at shutdown: nothing handed over is left behind

    assert await _left(pool, rows) == 0
    assert sorted(await _bodies(queue, 20)) == sorted(r.body.decode() for r in rows)


async def test_hand_over_waits_only_when_publishes_fall_behind(
    pool: asyncpg.Pool, publisher: ConfirmingPublisher, queue: AbstractQueue
) -> None:
    relay = OutboxRelay(pool=pool, publisher=publisher, max_behind=2)
    batches = [await _added(pool, _rows(queue.name, 1, f"b{i}")) for i in range(6)]

    for batch in batches:
        await relay.hand_over(batch)
        assert relay.publishing <= 2  # never more than max_behind in flight
    await relay.settled()

    assert await _bodies(queue, 6) == [f"b{i}-0" for i in range(6)]
    assert await _left(pool, [r for b in batches for r in b]) == 0


class GatedPublisher:
    """The real publisher; a message's first publish is held back until the gate opens (a
    broker slow to confirm), a second one (the sweep's) goes straight out."""

    def __init__(self, inner: ConfirmingPublisher) -> None:
        self.inner = inner
        self.gate = asyncio.Event()
        self.seen: set[object] = set()

    async def publish(self, message: OutboxMessage) -> None:
        if message.message_id not in self.seen:
            self.seen.add(message.message_id)
            await self.gate.wait()
        await self.inner.publish(message)


async def test_the_sweep_leaves_rows_the_relay_still_publishes(
    pool: asyncpg.Pool, publisher: ConfirmingPublisher, queue: AbstractQueue
) -> None:
    slow = GatedPublisher(publisher)
    relay = OutboxRelay(pool=pool, publisher=slow, sweep_after_s=2.0)
    rows = await _added(pool, _rows(queue.name, 3, "held"))
    relay.flush_soon(rows)
    # Older than the sweep's age while their publish is still under way (a loaded broker).
    await pool.execute(
        "UPDATE hub.outbox SET created_at = now() - interval '10 seconds' WHERE id = ANY($1)",
        [r.id for r in rows],
    )

    try:
        await relay.sweep_once()
        assert await _left(pool, rows) == 3  # not taken: they would go out twice
    finally:
        slow.gate.set()
        await relay.settled()
    assert await _bodies(queue, 3) == ["held-0", "held-1", "held-2"]
    assert await queue.get(timeout=1, fail=False) is None  # each exactly once
    assert await _left(pool, rows) == 0


async def test_an_event_and_its_notice_are_two_rows_both_deleted(
    pool: asyncpg.Pool, publisher: ConfirmingPublisher, queue: AbstractQueue
) -> None:
    """One canonical message goes out as an event and as a peer notice: two rows with the
    same message id. Each must get its own row id, or one row is never deleted and the
    sweep publishes it a second time."""
    relay = OutboxRelay(pool=pool, publisher=publisher)
    message_id = uuid4()
    rows = await _added(
        pool,
        [
            OutboxMessage(message_id, "", queue.name, b"event", {}),
            OutboxMessage(message_id, "", queue.name, b"again", {}),
            OutboxMessage(message_id, "amq.direct", "nowhere", b"notice", {}),
        ],
    )
    try:
        assert len({r.id for r in rows}) == 3

        relay.flush_soon(rows[:2])
        await relay.settled()

        assert await _bodies(queue, 2) == ["event", "again"]
        assert await _left(pool, rows[:2]) == 0
        assert await _left(pool, rows[2:]) == 1  # not published: still there
    finally:
        await pool.execute("DELETE FROM hub.outbox WHERE id = ANY($1)", [r.id for r in rows])


async def test_the_sweep_parks_a_row_the_broker_returns_and_publishes_the_rest(
    pool: asyncpg.Pool,
    broker: AbstractRobustConnection,
    publisher: ConfirmingPublisher,
    queue: AbstractQueue,
) -> None:
    """A row no queue is bound for (a peer's queue deleted, say) used to fail every sweep:
    the rollback kept it, and every stale row behind it, for ever."""
    channel = await broker.channel()
    parking = await channel.declare_exchange(
        PARKING_EXCHANGE, aio_pika.ExchangeType.FANOUT, durable=True
    )
    parked = await channel.declare_queue(exclusive=True)
    await parked.bind(parking)
    relay = OutboxRelay(pool=pool, publisher=publisher)
    nowhere = f"test.relay.gone.{uuid4().hex}"
    rows = await _added(
        pool,
        [
            OutboxMessage(uuid4(), "", nowhere, b"unroutable", {"x-test": "parked"}),
            *_rows(queue.name, 2, "behind"),
        ],
    )
    try:
        await pool.execute(
            "UPDATE hub.outbox SET created_at = now() - interval '10 seconds' WHERE id = ANY($1)",
            [r.id for r in rows],
        )

        await relay.sweep_once()

        assert await _left(pool, rows) == 0
        assert await _bodies(queue, 2) == ["behind-0", "behind-1"]
        copy = await parked.get(timeout=5, fail=True)
        assert copy is not None
        await copy.ack()
        assert copy.body == b"unroutable"
        headers = copy.headers or {}
        assert headers["x-hub-reason-code"] == "unroutable"
        assert headers["x-hub-source-queue"] == "hub.outbox"
        assert (headers["x-hub-original-exchange"], headers["x-hub-original-routing-key"]) == (
            "",
            nowhere,
        )
    finally:
        await pool.execute("DELETE FROM hub.outbox WHERE id = ANY($1)", [r.id for r in rows])
        await _take_from_parked(channel, b"unroutable")
        await channel.close()


async def _take_from_parked(channel: aio_pika.abc.AbstractChannel, body: bytes) -> None:
    """Remove this test's copy from ``hub.parked`` (if that queue exists), so no worker
    stores it as a dead letter of a later test; other messages go back."""
    try:
        hub_parked = await channel.declare_queue(PARKED_QUEUE, passive=True)
    except aio_pika.exceptions.ChannelClosed:
        return
    others = []
    for _ in range(hub_parked.declaration_result.message_count or 0):
        message = await hub_parked.get(timeout=5, fail=False)
        if message is None:
            break
        if message.body == body:
            await message.ack()
        else:
            others.append(message)
    for message in others:
        await message.nack(requeue=True)


async def test_rows_published_close_together_are_deleted_in_one_statement(
    pool: asyncpg.Pool,
    publisher: ConfirmingPublisher,
    queue: AbstractQueue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deletes: list[list[int]] = []
    delete = outbox.delete

    async def counted(conn: asyncpg.Connection, ids: list[int]) -> None:
        deletes.append(sorted(ids))
        await delete(conn, ids)

    monkeypatch.setattr(outbox, "delete", counted)
    relay = OutboxRelay(pool=pool, publisher=publisher, delete_linger_s=0.2)
    hand_overs = [await _added(pool, _rows(queue.name, 1, f"h{i}")) for i in range(5)]

    for rows in hand_overs:  # five deliveries, one row each, published one by one
        await relay.hand_over(rows)
        await asyncio.sleep(0.01)
    await relay.settled()

    every = [r for rows in hand_overs for r in rows]
    assert deletes == [sorted(r.id for r in every if r.id is not None)]
    assert await _left(pool, every) == 0
    assert relay.held == 0
    assert len(await _bodies(queue, 5)) == 5


async def test_a_hand_over_waits_while_too_many_events_wait_for_the_event_lane(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(relay_module, "MAX_EVENTS_WAITING", 2)
    gate = asyncio.Event()
    publisher = Published(gate)  # a broker slow to confirm
    relay = OutboxRelay(pool=pool, publisher=publisher)
    events = await _added(
        pool, [OutboxMessage(uuid4(), EVENTS_EXCHANGE, "dossier.accepted", b"{}") for _ in range(3)]
    )

    try:
        handing_over = asyncio.create_task(relay.hand_over(events))
        await asyncio.sleep(0.2)
        assert not handing_over.done()  # three events wait: more than the lane may hold

        gate.set()
        await asyncio.wait_for(handing_over, 5)
        await relay.settled()
        assert len(publisher.messages) == 1  # the three went out as one batch
        assert await _left(pool, events) == 0
    finally:  # not left for a worker's sweep to publish, should the test fail
        gate.set()
        await pool.execute("DELETE FROM hub.outbox WHERE id = ANY($1)", [r.id for r in events])


class Refusing:
    """A broker that is away: every publish fails."""

    async def publish(self, message: OutboxMessage) -> None:
        raise ConnectionError("broker away")


async def test_events_the_broker_does_not_take_stay_for_the_sweep(pool: asyncpg.Pool) -> None:
    relay = OutboxRelay(pool=pool, publisher=Refusing())
    events = [OutboxMessage(uuid4(), EVENTS_EXCHANGE, "dossier.accepted", b"{}") for _ in range(2)]
    await _assert_left_for_the_sweep(pool, relay, events)
