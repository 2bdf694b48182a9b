"""The baseline: a plain aio-pika relay between two quorum queues, with confirms and acks.

It fills ``bench.relay.in`` with ``count`` messages of ``size`` bytes, then consumes them with
``prefetch`` deliveries in flight, publishes each one persistently (mandatory, confirmed) to
``bench.relay.out`` and acks it. That is the least work a hub hop can do on this broker with
the same delivery guarantees; it has no database and no translation. Both queues are deleted
afterwards.

With ``record_in`` (a pool the caller opens with the hub worker's own
:func:`hub.db.pool.open_pool`) it is the *durable relay*: before it publishes, each
message's id and body go into a PostgreSQL table (one ``INSERT``, committed on its own),
which is the least a hop that records what it relayed can do with these tools. The table
(``bench_relay_inbox``, message id as primary key, like the hub's inbox) is created in that
database if missing and emptied before each run; what a run recorded stays there until the
next one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import uuid4

import aio_pika
import asyncpg
from aio_pika.abc import AbstractIncomingMessage

from hub.bench.procstats import MachineUse, machine_use, sample_machine
from hub.errors import RunStopped

RELAY_IN = "bench.relay.in"
RELAY_OUT = "bench.relay.out"
RELAY_TABLE = "bench_relay_inbox"
CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {RELAY_TABLE} (message_id uuid PRIMARY KEY, body bytea NOT NULL)"
)
RECORD = f"INSERT INTO {RELAY_TABLE} (message_id, body) VALUES ($1, $2)"

Record = Callable[[AbstractIncomingMessage], Awaitable[None]]


class RelayFailed(RunStopped):
    """A relay could not record, publish or ack a message."""


@dataclass(frozen=True)
class RelayResult:
    messages: int
    seconds: float
    client_cpu_seconds: float = 0.0
    """This process's CPU while it relayed: the Python client's cost."""
    machine: MachineUse | None = None
    """What the whole machine spent while it relayed (broker, database, all cores)."""

    @property
    def msgs_per_s(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else 0.0


def _message(body: bytes) -> aio_pika.Message:
    return aio_pika.Message(
        body,
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=str(uuid4()),
    )


async def run_raw_relay(
    amqp_url: str,
    *,
    count: int,
    size: int,
    prefetch: int,
    rate: float | None = None,
    timeout_s: float = 120.0,
    record_in: asyncpg.Pool | None = None,
) -> RelayResult:
    """Relay ``count`` messages of ``size`` bytes; with ``record_in``, record each one in
    that pool's database first (the durable relay)."""
    if record_in is None:
        return await _filled_and_relayed(amqp_url, count, size, prefetch, rate, timeout_s, None)
    pool = record_in
    await pool.execute(CREATE_TABLE)
    await pool.execute(f"TRUNCATE {RELAY_TABLE}")

    async def record(message: AbstractIncomingMessage) -> None:
        await pool.execute(RECORD, message.message_id, message.body)

    return await _filled_and_relayed(amqp_url, count, size, prefetch, rate, timeout_s, record)


async def _filled_and_relayed(
    amqp_url: str,
    count: int,
    size: int,
    prefetch: int,
    rate: float | None,
    timeout_s: float,
    record: Record | None,
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
            return await _relay(connection, count, prefetch, rate, timeout_s, record)
        finally:
            await setup.queue_delete(RELAY_IN)
            await setup.queue_delete(RELAY_OUT)


async def _relay(
    connection: aio_pika.abc.AbstractConnection,
    count: int,
    prefetch: int,
    rate: float | None,
    timeout_s: float,
    record: Record | None = None,
) -> RelayResult:
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    await channel.set_qos(prefetch_count=prefetch)
    queue = await channel.get_queue(RELAY_IN, ensure=False)
    done = asyncio.Event()
    relayed = taken = 0
    failures: list[BaseException] = []
    tasks: set[asyncio.Task[None]] = set()
    loop = asyncio.get_running_loop()

    async def relay_one(message: AbstractIncomingMessage, index: int) -> None:
        nonlocal relayed
        try:
            if rate is not None:  # message ``index`` goes out ``index / rate`` s after start
                await asyncio.sleep(max(started + index / rate - loop.time(), 0.0))
            if record is not None:
                await record(message)
            await channel.default_exchange.publish(
                _message(message.body), routing_key=RELAY_OUT, mandatory=True
            )
            await message.ack()
        except Exception as exc:  # the run stops with it, not with a timeout much later
            failures.append(exc)
            done.set()
            return
        relayed += 1
        if relayed >= count:
            done.set()

    async def on_message(message: AbstractIncomingMessage) -> None:
        # One task per delivery: up to ``prefetch`` relays are in flight at once.
        nonlocal taken
        task = asyncio.create_task(relay_one(message, taken))
        taken += 1
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    machine_before, cpu_before = sample_machine(), time.process_time()
    started = loop.time()
    tag = await queue.consume(on_message)
    try:
        try:
            await asyncio.wait_for(done.wait(), timeout_s)
        except TimeoutError:
            raise TimeoutError(
                f"the relay moved {relayed} of {count} messages in {timeout_s:g} s"
            ) from None
        if failures:
            raise RelayFailed(
                f"the relay failed after {relayed} of {count} messages: "
                f"{type(failures[0]).__name__}: {failures[0]}"
            ) from failures[0]
    finally:
        elapsed = loop.time() - started
        cpu = time.process_time() - cpu_before
        machine = machine_use(machine_before, sample_machine())
        await queue.cancel(tag)
        await asyncio.gather(*tasks, return_exceptions=True)
        await channel.close()
    return RelayResult(relayed, elapsed, client_cpu_seconds=cpu, machine=machine)
