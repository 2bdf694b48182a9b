"""Events travel on ``dossier.events`` in batches: the relay publishes the events of many
hand-overs as one message, and the hub's projection records each event of a batch, parking
only the ones it cannot use, each alone with its reason. Real RabbitMQ, PostgreSQL and a
``hub run`` process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from uuid import uuid4

import aio_pika
import asyncpg
import pytest
from aio_pika.abc import AbstractQueue, AbstractRobustConnection

from hub.amqp import ConfirmingPublisher
from hub.demo.workers import HubWorkers
from hub.event_batches import EVENT_COUNT_HEADER, batch_messages, read_batch
from hub.relay import OutboxRelay
from hub.settings import Settings
from hub.store import outbox
from hub.store.outbox import OutboxMessage
from hub.topology import EVENT_BATCH_KEY, EVENTS_EXCHANGE, PROJECTION_QUEUE
from schemas import CanonicalMessage
from tests.canonical import new_code, received
from tests.dead_letters import headers, hub_dlq, parked_letter

pytestmark = [pytest.mark.integration]

TIMELINE = "SELECT message_id FROM province.timeline WHERE dossier_code = ANY($1) ORDER BY id"


def event_row(message: CanonicalMessage) -> OutboxMessage:
    body = message.model_dump_json().encode()
    return OutboxMessage(message.message_id, EVENTS_EXCHANGE, message.type, body, {})


@pytest.fixture
async def tap(broker: AbstractRobustConnection) -> AsyncIterator[AbstractQueue]:
    """A queue of the test's own that sees every batch on ``dossier.events``."""
    channel = await broker.channel()
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(EVENTS_EXCHANGE, EVENT_BATCH_KEY)
    yield queue
    await channel.close()


async def batches(tap: AbstractQueue) -> list[list[CanonicalMessage]]:
    """The events of every batch on the tap so far (each batch's count checked)."""
    found = []
    while (delivered := await tap.get(timeout=2, fail=False)) is not None:
        items = read_batch(delivered.body)
        assert (delivered.headers or {})[EVENT_COUNT_HEADER] == len(items)
        found.append([i.message for i in items if i.message is not None])
    return found


async def recorded(conn: asyncpg.Connection, codes: list[str], count: int) -> list[str]:
    """The message ids the projection recorded for ``codes``, once there are ``count``."""
    for _ in range(200):
        rows = await conn.fetch(TIMELINE, codes)
        if len(rows) >= count:
            return [str(r["message_id"]) for r in rows]
        await asyncio.sleep(0.1)
    raise AssertionError(f"{count} events of {codes} not projected within 20 s")


async def test_events_of_several_hand_overs_go_out_in_one_message_and_are_projected(
    hub_worker: HubWorkers,
    pool: asyncpg.Pool,
    broker: AbstractRobustConnection,
    tap: AbstractQueue,
    registry_db: asyncpg.Connection,
) -> None:
    # Given three deliveries' events committed to the outbox
    codes = [new_code() for _ in range(3)]
    messages = [received(code) for code in codes]
    async with pool.acquire() as conn:
        hand_overs = [await outbox.add(conn, [event_row(m)]) for m in messages]
    publisher = await ConfirmingPublisher.open(broker)
    relay = OutboxRelay(pool=pool, publisher=publisher)

    # When they are handed over one after the other
    for rows in hand_overs:
        await relay.hand_over(rows)
    await relay.settled()
    await publisher.close()

    # Then one message carried all three, in order, and their rows are gone
    carrying = [b for b in await batches(tap) if set(b) & set(messages)]
    assert carrying == [messages]
    ids = [r.id for rows in hand_overs for r in rows]
    assert await pool.fetchval("SELECT count(*) FROM hub.outbox WHERE id = ANY($1)", ids) == 0
    # And the hub projected every one of them
    assert await recorded(registry_db, codes, 3) == [str(m.message_id) for m in messages]


async def test_the_sweep_publishes_stale_events_in_batches(
    pool: asyncpg.Pool, broker: AbstractRobustConnection, tap: AbstractQueue
) -> None:
    messages = [received(new_code()) for _ in range(4)]
    async with pool.acquire() as conn:
        rows = await outbox.add(conn, [event_row(m) for m in messages])
    ids = [r.id for r in rows]
    await pool.execute(
        "UPDATE hub.outbox SET created_at = now() - interval '1 hour' WHERE id = ANY($1)", ids
    )
    publisher = await ConfirmingPublisher.open(broker)
    relay = OutboxRelay(pool=pool, publisher=publisher)

    await relay.sweep_once()
    await publisher.close()

    carrying = [b for b in await batches(tap) if set(b) & set(messages)]
    assert carrying == [messages]  # together, in their order
    assert await pool.fetchval("SELECT count(*) FROM hub.outbox WHERE id = ANY($1)", ids) == 0


async def test_an_event_the_projection_cannot_use_is_parked_alone_and_its_batch_goes_on(
    hub_worker: HubWorkers,
    hub_settings: Settings,
    broker: AbstractRobustConnection,
    registry_db: asyncpg.Connection,
) -> None:
    # Given a batch: a good event, one that fails the schema, and one whose sequence the
    # good one already holds
    good_code, marker = new_code(), f"marker-{uuid4()}"
    good = received(good_code)
    clash = received(good_code)  # another message id, the same sequence 1
    broken = {"type": "dossier.accepted", "message_id": str(uuid4()), "note": marker}
    rows = [event_row(good), event_row(clash)]
    [(batch, _)] = batch_messages(rows)
    body = batch.body.replace(b"]}", b"," + json.dumps(broken).encode() + b"]}")
    channel = await broker.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(EVENTS_EXCHANGE, ensure=False)

    # When it is published on dossier.events
    await exchange.publish(
        aio_pika.Message(body, headers=batch.headers, content_type="application/json"),
        routing_key=EVENT_BATCH_KEY,
    )
    await channel.close()

    # Then the good event is projected
    assert await recorded(registry_db, [good_code], 1) == [str(good.message_id)]
    # And each unusable one is parked on its own, with its own reason and type
    invalid = await parked_letter(registry_db, marker)
    assert (invalid["reason_code"], invalid["source_queue"]) == ("schema_invalid", PROJECTION_QUEUE)
    assert invalid["original_routing_key"] == "dossier.accepted"
    assert json.loads(invalid["body"]) == broken
    conflict = await parked_letter(registry_db, str(clash.message_id))
    assert conflict["reason_code"] == "timeline_conflict"
    assert headers(conflict)["x-hub-original-message-id"] == str(clash.message_id)
    assert json.loads(conflict["body"]) == json.loads(clash.model_dump_json())

    # And once the operator has cleared the clash, the parked event replays on its own
    await registry_db.execute("DELETE FROM province.timeline WHERE dossier_code = $1", good_code)
    replayed = await hub_dlq(hub_settings, "replay", str(conflict["id"]))
    assert replayed.returncode == 0, replayed.stderr
    assert await recorded(registry_db, [good_code], 1) == [str(clash.message_id)]


async def test_a_batch_that_is_not_a_batch_at_all_is_parked_whole_with_its_reason(
    hub_worker: HubWorkers, broker: AbstractRobustConnection, registry_db: asyncpg.Connection
) -> None:
    marker = f"not-a-batch-{uuid4()}"
    channel = await broker.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(EVENTS_EXCHANGE, ensure=False)

    await exchange.publish(
        aio_pika.Message(
            f"{{{marker}".encode(),
            headers={"x-message-type": EVENT_BATCH_KEY},
            content_type="application/json",
        ),
        routing_key=EVENT_BATCH_KEY,
    )
    await channel.close()

    letter = await parked_letter(registry_db, marker)
    assert (letter["reason_code"], letter["source_queue"]) == ("invalid_json", PROJECTION_QUEUE)
    assert letter["original_routing_key"] == EVENT_BATCH_KEY
