"""The postal tracker against the real PostgreSQL: one poll applies the feed's events per
dossier (each dossier's in feed order, several dossiers at once), hands their outbox rows
to the relay without waiting for confirms, parks an event it cannot use, and moves the
cursor only when every event of the poll is done."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest

from adapters.postal import FakePostal, codes
from adapters.postal.models import TrackingEvent
from hub import postal as postal_module
from hub.errors import TransientError
from hub.known_states import KnownStates
from hub.postal import TRACKING_CONCURRENCY, PostalOrderConsumer, PostalTracker
from hub.registry import Registry, load_registry
from hub.relay import OutboxRelay
from hub.service import process
from hub.store.outbox import OutboxMessage
from hub.topology import PARKING_EXCHANGE, POSTAL_QUEUE, POSTAL_TRACKING_SOURCE
from schemas import DossierStatus, PostalStatusChanged
from schemas.envelope import VIETNAM
from tests.harness import Published
from tests.unit.test_lifecycle import COMMUNE, make_dossier, received, result_issued

pytestmark = pytest.mark.integration

ON_THE_WAY = (codes.COLLECTED, codes.IN_TRANSIT, codes.OUT_FOR_DELIVERY, codes.DELIVERED)
WHOLE_WAY = [codes.REGISTERED, *ON_THE_WAY]
"""Every status of an order in the feed, in order."""


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture
async def cursor(pool: asyncpg.Pool) -> AsyncIterator[None]:
    """The feed read from its start (the fake's cursor is an index into its events); the
    cursor row is left as it was found."""
    before = await pool.fetchval("SELECT cursor FROM hub.postal_cursor WHERE id = 1")
    await pool.execute("UPDATE hub.postal_cursor SET cursor = NULL WHERE id = 1")
    yield
    await pool.execute("UPDATE hub.postal_cursor SET cursor = $1 WHERE id = 1", before)


async def _ordered(
    pool: asyncpg.Pool, registry: Registry, postal: FakePostal, known: KnownStates, count: int
) -> list[str]:
    """``count`` by-post dossiers resolved at the commune, each with its postal order placed
    (which puts a "registered" event in the fake's feed)."""
    relay = OutboxRelay(pool=pool, publisher=Published())
    consumer = PostalOrderConsumer(pool, registry, postal, Published(), relay, known)
    dossier_codes = []
    for _ in range(count):
        dossier = make_dossier(by_post=True)
        await process(pool, registry, received(dossier), known)
        result = await process(pool, registry, result_issued(COMMUNE, dossier.code), known)
        assert result is not None
        command = next(r for r in result if r.routing_key == POSTAL_QUEUE)
        await consumer._handle(SimpleNamespace(body=command.body))  # type: ignore[arg-type]
        dossier_codes.append(dossier.code)
    await relay.settled()
    return dossier_codes


def _deliver_all(postal: FakePostal, dossier_codes: Sequence[str]) -> None:
    """Every order's way to the citizen, the dossiers' events interleaved in the feed."""
    start = datetime.now(VIETNAM).replace(microsecond=0)
    for step, status in enumerate(ON_THE_WAY, start=1):
        for code in dossier_codes:
            postal.report(code, status, at=start + timedelta(minutes=step))


def _statuses(pool: asyncpg.Pool, dossier_codes: Sequence[str]) -> Any:
    return pool.fetch(
        "SELECT code, status FROM hub.dossiers WHERE code = ANY($1::text[])", list(dossier_codes)
    )


def _postal_codes_published(publisher: Published, code: str) -> list[str]:
    """The postal status codes of ``code``'s ``postal.status_changed`` events, in publish
    order."""
    return [
        event.payload.status_code
        for event in publisher.events()
        if isinstance(event.payload, PostalStatusChanged) and event.correlation_id == code
    ]


async def _tidy(pool: asyncpg.Pool, dossier_codes: Sequence[str]) -> None:
    """Remove the outbox rows the set-up wrote without a relay (the tracker's own rows
    were deleted once published)."""
    await pool.execute(
        "DELETE FROM hub.outbox WHERE headers->>'x-dossier-code' = ANY($1::text[])",
        list(dossier_codes),
    )


@dataclass
class Feed:
    """By-post dossiers with their orders placed, the fake postal service, and a tracker on
    its feed whose relay publishes to ``publisher``."""

    postal: FakePostal
    dossier_codes: list[str]
    publisher: Published
    relay: OutboxRelay
    tracker: PostalTracker


async def _feed(
    pool: asyncpg.Pool,
    registry: Registry,
    count: int,
    *,
    concurrency: int = TRACKING_CONCURRENCY,
    gate: asyncio.Event | None = None,
) -> Feed:
    postal, known = FakePostal(), KnownStates()
    dossier_codes = await _ordered(pool, registry, postal, known, count)
    publisher = Published(gate)
    relay = OutboxRelay(pool=pool, publisher=publisher)
    tracker = PostalTracker(pool, registry, postal, relay, known=known, concurrency=concurrency)
    return Feed(postal, dossier_codes, publisher, relay, tracker)


async def _all_returned(pool: asyncpg.Pool, dossier_codes: Sequence[str]) -> bool:
    return {r["status"] for r in await _statuses(pool, dossier_codes)} == {
        int(DossierStatus.RESULT_RETURNED)
    }


async def _saved_cursor(pool: asyncpg.Pool) -> str | None:
    cursor: str | None = await pool.fetchval("SELECT cursor FROM hub.postal_cursor WHERE id = 1")
    return cursor


def _parked(messages: Sequence[OutboxMessage]) -> list[OutboxMessage]:
    return [m for m in messages if m.exchange == PARKING_EXCHANGE]


async def test_one_poll_returns_every_dossier_in_feed_order_per_dossier(
    pool: asyncpg.Pool, registry: Registry, cursor: None
) -> None:
    feed = await _feed(pool, registry, 6, concurrency=3)
    _deliver_all(feed.postal, feed.dossier_codes)

    applied = await feed.tracker.poll_once()
    await feed.relay.settled()

    assert applied == len(feed.postal.events)  # registered + four steps, for each dossier
    assert await _all_returned(pool, feed.dossier_codes)
    for code in feed.dossier_codes:
        assert _postal_codes_published(feed.publisher, code) == WHOLE_WAY
    assert await _saved_cursor(pool) == str(len(feed.postal.events))
    assert await feed.tracker.poll_once() == 0  # nothing new in the feed
    await _tidy(pool, feed.dossier_codes)


async def test_several_dossiers_are_applied_at_once(
    pool: asyncpg.Pool, registry: Registry, cursor: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = await _feed(pool, registry, 4, concurrency=3)
    _deliver_all(feed.postal, feed.dossier_codes)
    running: set[str] = set()
    most = 0
    original = postal_module.process

    async def watched(pool_: Any, registry_: Any, message: Any, known_: Any) -> Any:
        nonlocal most
        assert message.correlation_id not in running, "one dossier's events overlapped"
        running.add(message.correlation_id)
        most = max(most, len(running))
        try:
            await asyncio.sleep(0.01)  # let the other lanes start theirs
            return await original(pool_, registry_, message, known_)
        finally:
            running.discard(message.correlation_id)

    monkeypatch.setattr(postal_module, "process", watched)

    await feed.tracker.poll_once()
    await feed.relay.settled()

    assert most == 3
    await _tidy(pool, feed.dossier_codes)


async def test_the_poll_does_not_wait_for_the_broker_to_confirm(
    pool: asyncpg.Pool, registry: Registry, cursor: None
) -> None:
    gate = asyncio.Event()
    feed = await _feed(pool, registry, 2, gate=gate)
    _deliver_all(feed.postal, feed.dossier_codes)

    applied = await asyncio.wait_for(feed.tracker.poll_once(), timeout=30)

    assert applied == len(feed.postal.events)
    assert feed.publisher.messages == []  # nothing confirmed yet: the rows wait in the outbox
    assert feed.relay.held > 0
    gate.set()
    await feed.relay.settled()
    first = feed.dossier_codes[0]
    assert _postal_codes_published(feed.publisher, first) == WHOLE_WAY
    await _tidy(pool, feed.dossier_codes)


async def test_an_unusable_event_is_parked_and_the_feed_goes_on(
    pool: asyncpg.Pool, registry: Registry, cursor: None
) -> None:
    feed = await _feed(pool, registry, 2)
    postal, order = feed.postal, feed.dossier_codes[0]
    postal.events.append(  # a time the feed's documented format does not allow
        TrackingEvent(
            order_number=order,
            item_code=postal.item_codes[order],
            status_code=codes.IN_TRANSIT,
            status_message="Đang vận chuyển",
            event_time="2026-11-22T10:00:00",
        )
    )
    postal.events.append(  # an order the hub never placed
        postal.events[0].model_copy(update={"order_number": "000.00.00.H00-990101-9999"})
    )
    _deliver_all(postal, feed.dossier_codes)  # the events after them still apply

    applied = await feed.tracker.poll_once()
    await feed.relay.settled()

    assert applied == len(postal.events) - 2
    assert await _all_returned(pool, feed.dossier_codes)
    assert await _saved_cursor(pool) == str(len(postal.events))
    parked = _parked(feed.publisher.messages)
    assert sorted(m.headers["x-hub-reason-code"] for m in parked) == [
        "postal_response_invalid",
        "unknown_dossier",
    ]
    for m in parked:
        assert m.headers["x-hub-source-queue"] == POSTAL_TRACKING_SOURCE
        assert m.headers["x-hub-reason"]
        assert TrackingEvent.model_validate_json(m.body) in postal.events

    # The same events seen again (a poll repeated after a failure) park under the same ids,
    # which the dead-letter store keeps once.
    await pool.execute("UPDATE hub.postal_cursor SET cursor = NULL WHERE id = 1")
    await feed.tracker.poll_once()
    await feed.relay.settled()
    again = _parked(feed.publisher.messages)[len(parked) :]
    assert sorted(m.message_id for m in again) == sorted(m.message_id for m in parked)
    await _tidy(pool, feed.dossier_codes)


async def test_a_failed_poll_keeps_the_cursor_and_the_next_one_finishes(
    pool: asyncpg.Pool, registry: Registry, cursor: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = await _feed(pool, registry, 3)
    _deliver_all(feed.postal, feed.dossier_codes)
    first, failing = feed.dossier_codes[0], feed.dossier_codes[1]
    original = postal_module.process

    async def flaky(pool_: Any, registry_: Any, message: Any, known_: Any) -> Any:
        if message.correlation_id == failing and message.payload.status_code == codes.DELIVERED:
            raise TransientError("the database went away")
        return await original(pool_, registry_, message, known_)

    monkeypatch.setattr(postal_module, "process", flaky)

    with pytest.raises(TransientError):
        await feed.tracker.poll_once()
    assert await _saved_cursor(pool) is None
    statuses = {r["code"]: r["status"] for r in await _statuses(pool, feed.dossier_codes)}
    assert statuses[failing] == int(DossierStatus.RESOLVED)
    assert statuses[first] == int(DossierStatus.RESULT_RETURNED)

    monkeypatch.setattr(postal_module, "process", original)
    applied_again = await feed.tracker.poll_once()
    await feed.relay.settled()

    assert applied_again == 1  # the rest were applied before: the inbox knows them
    assert await _all_returned(pool, feed.dossier_codes)
    assert _postal_codes_published(feed.publisher, failing) == WHOLE_WAY
    await _tidy(pool, feed.dossier_codes)
