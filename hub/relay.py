"""Publish outbox rows with publisher confirms, then delete them.

Events (rows for ``dossier.events``) go out in batch messages through the relay's event lane
(:mod:`hub.event_lane`); every other row goes out as it is.

Rows are published right after their transaction commits, from memory (consumers hand them
over with ``hand_over`` and ack their delivery without waiting for the confirms, unless the
publishes fall behind), and deleted once the broker confirmed them (the rows published
within ``DELETE_LINGER_S`` of each other in one statement); a background sweep publishes
any row older than a few seconds that is still there (a crash, or a broker or database
outage, between commit and delete), except rows this relay still holds: under load a
publish and its delete can take longer than the sweep's age, and sweeping them would
publish them twice. The sweep locks its rows with SKIP LOCKED, so two sweeps never publish
the same row at once. A row can still go out twice (a crash between confirm and delete, a
delete that failed, or another worker's sweep taking a row this one is slow to publish),
and every consumer is idempotent on the message id.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Sequence
from typing import Protocol
from uuid import uuid4

import asyncpg
import structlog

from hub.errors import Unroutable
from hub.event_batches import batch_messages, split_events
from hub.event_lane import EventLane
from hub.parking import parking_headers
from hub.store import outbox
from hub.store.outbox import OutboxMessage
from hub.topology import OUTBOX_SOURCE, PARKING_EXCHANGE

log = structlog.get_logger(__name__)

DELETE_LINGER_S = 0.05
"""How long published rows wait to be deleted together, so that the rows of many
hand-overs go in one DELETE instead of one DELETE each."""

HELD_AT_MOST_S = 30.0
"""How long the sweep leaves a row alone while this relay still publishes or deletes it."""

MAX_EVENTS_WAITING = 5_000
"""Event rows waiting for the event lane beyond which a hand-over waits too."""


class Publisher(Protocol):
    async def publish(self, message: OutboxMessage) -> None:
        """Publish persistently and return once the broker confirmed it."""


async def publish_all(publisher: Publisher, messages: Sequence[OutboxMessage]) -> None:
    if len(messages) == 1:  # no task and gather around a single publish
        await publisher.publish(messages[0])
    else:
        await asyncio.gather(*(publisher.publish(m) for m in messages))


def parked_copy(row: OutboxMessage, reason: str) -> OutboxMessage:
    """An outbox row the broker returned, addressed to the parking exchange with the hub's
    parking headers (``hub dlq replay`` sends it to its original exchange and key)."""
    headers = (
        dict(row.headers)
        | parking_headers(
            reason_code=Unroutable.reason_code,
            reason=reason,
            attempts=1,
            source_queue=OUTBOX_SOURCE,
            routing_key=row.routing_key,
            original_message_id=str(row.message_id),
        )
        | {"x-hub-original-exchange": row.exchange}
    )
    return OutboxMessage(uuid4(), PARKING_EXCHANGE, row.routing_key, row.body, headers)


class OutboxRelay:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        publisher: Publisher,
        sweep_after_s: float = 2.0,
        batch: int = 500,
        max_behind: int = 16,
        delete_linger_s: float = DELETE_LINGER_S,
    ) -> None:
        self._pool = pool
        self._publisher = publisher
        self._sweep_after_s = sweep_after_s
        self._batch = batch
        self._published: list[int] = []
        self._forgetting: asyncio.Task[None] | None = None
        self._flushing: set[asyncio.Task[None]] = set()
        self._max_behind = max_behind
        self._delete_linger_s = delete_linger_s
        self._waiting: deque[asyncio.Future[None]] = deque()
        """Hand-overs waiting for room, woken one per finished flush (cheaper than
        ``asyncio.wait`` on every flush in flight, which a busy consumer did per message)."""
        self._held: dict[int, float] = {}
        """Ids of rows handed over and not yet deleted nor given up, and when."""
        self._events = EventLane(
            send=self._publish_events,
            deferred=self._release,
            round_done=self._make_room_for_all,
        )

    @property
    def publisher(self) -> Publisher:
        """The confirming publisher the relay publishes with."""
        return self._publisher

    @property
    def publishing(self) -> int:
        """Hand-overs whose rows are being published now."""
        return len(self._flushing)

    async def hand_over(self, messages: Sequence[OutboxMessage]) -> None:
        """:meth:`flush_soon`, but wait while more than ``max_behind`` earlier hand-overs are
        still being published (or too many events wait for the event lane): the caller goes
        on without waiting for its own confirms, and the publishes never fall so far behind
        that the sweep takes their rows."""
        self.flush_soon(messages)
        while self._behind():
            room = asyncio.get_running_loop().create_future()
            self._waiting.append(room)
            await room  # a waiter cancelled meanwhile is skipped when its turn comes

    def _behind(self) -> bool:
        return len(self._flushing) > self._max_behind or self._events.waiting > MAX_EVENTS_WAITING

    @property
    def held(self) -> int:
        """Rows handed over and not yet deleted (nor left to the sweep)."""
        return len(self._held)

    def _hold(self, messages: Sequence[OutboxMessage]) -> None:
        now = time.monotonic()
        for message in messages:
            if message.id is not None:
                self._held[message.id] = now

    def _release(self, ids: Sequence[int]) -> None:
        for row_id in ids:
            self._held.pop(row_id, None)

    def _still_held(self) -> list[int]:
        """Ids the sweep leaves alone: held for less than ``HELD_AT_MOST_S`` (a publish
        that never ends must not keep its row from the sweep for ever)."""
        oldest = time.monotonic() - HELD_AT_MOST_S
        return [row_id for row_id, since in self._held.items() if since > oldest]

    def flush_soon(self, messages: Sequence[OutboxMessage]) -> None:
        """Start publishing rows just committed and return at once: the delivery that made
        them can be acked now, since the rows are durable in the outbox (the sweep
        publishes any that do not go out). Publishes start in call order, so the rows of
        successive messages reach the broker in the order their messages were applied
        (events in their lane, the other rows among themselves)."""
        if not messages:
            return
        self._hold(messages)
        events, others = split_events(messages)
        if events:
            self._events.add(events)
        if others:
            task = asyncio.get_running_loop().create_task(self._publish_rows(others))
            self._flushing.add(task)
            task.add_done_callback(self._flushed)

    def _flushed(self, task: asyncio.Task[None]) -> None:
        self._flushing.discard(task)
        self._make_room()

    def _make_room(self) -> None:
        while self._waiting:  # one slot freed: one waiter goes on (and checks again)
            room = self._waiting.popleft()
            if not room.done():
                room.set_result(None)
                return

    def _make_room_for_all(self) -> None:
        """The event lane took every waiting event: every waiter checks again."""
        while self._waiting:
            room = self._waiting.popleft()
            if not room.done():
                room.set_result(None)

    async def _publish_rows(self, rows: Sequence[OutboxMessage]) -> None:
        """Publish rows just committed (not events), then have them deleted."""
        await self._send(rows, rows, deferred_as="outbox_flush_deferred")

    async def _publish_events(self, rows: Sequence[OutboxMessage]) -> None:
        """Publish event rows in batch messages (the event lane's round), then have them
        deleted."""
        batches = [message for message, _ in batch_messages(rows)]
        await self._send(batches, rows, deferred_as="event_batch_deferred")

    async def _send(
        self,
        outgoing: Sequence[OutboxMessage],
        rows: Sequence[OutboxMessage],
        *,
        deferred_as: str,
    ) -> None:
        """Publish ``outgoing`` (the rows themselves, or the batches that carry them), then
        have ``rows`` deleted. It never raises: the message that made them is already
        processed, and rows that could not go out now (broker away) stay in the outbox for
        the sweep."""
        ids = [m.id for m in rows if m.id is not None]
        try:
            await publish_all(self._publisher, outgoing)
        except BaseException as exc:
            self._release(ids)  # the sweep publishes them
            if not isinstance(exc, Exception):
                raise
            log.warning(deferred_as, rows=len(rows), error=type(exc).__name__)
            return
        self._forget(ids)

    def _forget(self, ids: list[int]) -> None:
        self._published.extend(ids)
        if self._forgetting is None or self._forgetting.done():
            self._forgetting = asyncio.get_running_loop().create_task(self._delete_published())

    async def _delete_published(self) -> None:
        """Delete the published rows in rounds ``delete_linger_s`` apart, all the rows noted
        by then in one statement."""
        while self._published:
            await asyncio.sleep(self._delete_linger_s)
            ids, self._published = self._published, []
            try:
                async with self._pool.acquire() as conn:
                    await outbox.delete(conn, ids)
            except BaseException as exc:
                # The rows stay: the sweep publishes them again (consumers drop the
                # duplicates by message id) and deletes them.
                self._release(ids)
                if not isinstance(exc, Exception):
                    raise
                log.warning("outbox_delete_deferred", rows=len(ids), error=type(exc).__name__)
            else:
                self._release(ids)

    async def settled(self) -> None:
        """Wait until the rows handed over so far are published and deleted (or left for
        the sweep)."""
        if self._flushing:
            await asyncio.gather(*self._flushing, return_exceptions=True)
        await self._events.idle()
        if self._forgetting is not None:
            await asyncio.shield(self._forgetting)

    async def sweep_once(self, *, older_than_s: float | None = None) -> int:
        age = self._sweep_after_s if older_than_s is None else older_than_s
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await outbox.take_stale(
                conn, older_than_s=age, limit=self._batch, skip=self._still_held()
            )
            await self._publish_swept(rows)
        if rows:
            log.info("outbox_swept", published=len(rows))
        return len(rows)

    async def _publish_swept(self, rows: Sequence[OutboxMessage]) -> None:
        """Publish swept rows (events in batches); park those the broker returns as
        unroutable (a peer's queue gone, a binding missing), which would otherwise fail every
        sweep for ever and hold back every row behind them; a returned batch parks each of
        its events. Any other failure raises: the rows stay."""
        events, others = split_events(rows)
        outgoing = [(row, [row]) for row in others] + batch_messages(events)
        results = await asyncio.gather(
            *(self._publisher.publish(message) for message, _ in outgoing),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, Unroutable):
                raise result
        for (_, carried), result in zip(outgoing, results, strict=True):
            if isinstance(result, Unroutable):
                for row in carried:
                    await self._publisher.publish(parked_copy(row, str(result)))
                    log.warning(
                        "outbox_row_parked",
                        reason_code=result.reason_code,
                        exchange=row.exchange,
                        routing_key=row.routing_key,
                    )

    async def drain(self, timeout_s: float = 10.0) -> int:
        """Publish every row left in the outbox, whatever its age (at shutdown); the rows
        published. Rows another worker holds are its own to publish."""
        published = 0
        async with asyncio.timeout(timeout_s):
            await self.settled()
            while (count := await self.sweep_once(older_than_s=0.0)) > 0:
                published += count
        return published

    async def run(self, interval_s: float = 1.0) -> None:
        while True:
            try:
                while await self.sweep_once() >= self._batch:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox_sweep_failed", error=type(exc).__name__)
            await asyncio.sleep(interval_s)
