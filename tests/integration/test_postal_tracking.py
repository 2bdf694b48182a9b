"""The postal tracker against the real PostgreSQL: one poll applies the feed's events per
dossier (each dossier's in feed order, several dossiers at once), hands their outbox rows
to the relay without waiting for confirms, parks an event it cannot use, and moves the
cursor only when every event of the poll is done."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
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
from hub.postal import PostalOrderConsumer, PostalTracker
from hub.registry import Registry, load_registry
from hub.relay import OutboxRelay
from hub.service import process
from hub.store.outbox import OutboxMessage
from hub.topology import PARKING_EXCHANGE, POSTAL_QUEUE, POSTAL_TRACKING_SOURCE
from schemas import DossierStatus
from schemas.envelope import VIETNAM
from tests.unit.test_lifecycle import COMMUNE, make_dossier, received, result_issued

pytestmark = pytest.mark.integration

ON_THE_WAY = (codes.COLLECTED, codes.IN_TRANSIT, codes.OUT_FOR_DELIVERY, codes.DELIVERED)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


class Published:
    """Keeps what it is given; with ``gate`` set, each publish waits for it (a broker slow
    to confirm)."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.messages: list[OutboxMessage] = []
        self.gate = gate

    async def publish(self, message: OutboxMessage) -> None:
        if self.gate is not None:
            await self.gate.wait()
        self.messages.append(message)


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


def _postal_codes_published(messages: Sequence[OutboxMessage], code: str) -> list[str]:
    """The postal status codes of ``code``'s ``postal.status_changed`` events, in publish
    order."""
    found = []
    for m in messages:
        if m.headers.get("x-message-type") != "postal.status_changed":
            continue
        body = json.loads(m.body)
        if body["correlation_id"] == code:
            found.append(body["payload"]["status_code"])
    return found


async def _tidy(pool: asyncpg.Pool, dossier_codes: Sequence[str]) -> None:
    """Remove the outbox rows the set-up wrote without a relay (the tracker's own rows
    were deleted once published)."""
    await pool.execute(
        "DELETE FROM hub.outbox WHERE headers->>'x-dossier-code' = ANY($1::text[])",
        list(dossier_codes),
    )


async def test_one_poll_returns_every_dossier_in_feed_order_per_dossier(
    pool: asyncpg.Pool, registry: Registry, cursor: None
) -> None:
    postal, known = FakePostal(), KnownStates()
    dossier_codes = await _ordered(pool, registry, postal, known, 6)
    _deliver_all(postal, dossier_codes)
    publisher = Published()
    relay = OutboxRelay(pool=pool, publisher=publisher)
    tracker = PostalTracker(pool, registry, postal, relay, known=known, concurrency=3)

    applied = await tracker.poll_once()
    await relay.settled()

    assert applied == len(postal.events)  # registered + four steps, for each dossier
    rows = await _statuses(pool, dossier_codes)
    assert {r["status"] for r in rows} == {int(DossierStatus.RESULT_RETURNED)}
    for code in dossier_codes:
        assert _postal_codes_published(publisher.messages, code) == [
            codes.REGISTERED,
            *ON_THE_WAY,
        ]
    saved = await pool.fetchval("SELECT cursor FROM hub.postal_cursor WHERE id = 1")
    assert saved == str(len(postal.events))
    assert await tracker.poll_once() == 0  # nothing new in the feed
    await _tidy(pool, dossier_codes)


async def test_several_dossiers_are_applied_at_once(
    pool: asyncpg.Pool, registry: Registry, cursor: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    postal, known = FakePostal(), KnownStates()
    dossier_codes = await _ordered(pool, registry, postal, known, 4)
    _deliver_all(postal, dossier_codes)
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
    relay = OutboxRelay(pool=pool, publisher=Published())
    tracker = PostalTracker(pool, registry, postal, relay, known=known, concurrency=3)

    await tracker.poll_once()
    await relay.settled()

    assert most == 3
    await _tidy(pool, dossier_codes)


async def test_the_poll_does_not_wait_for_the_broker_to_confirm(
    pool: asyncpg.Pool, registry: Registry, cursor: None
) -> None:
    postal, known = FakePostal(), KnownStates()
    dossier_codes = await _ordered(pool, registry, postal, known, 2)
    _deliver_all(postal, dossier_codes)
    gate = asyncio.Event()
    publisher = Published(gate)
    relay = OutboxRelay(pool=pool, publisher=publisher)
    tracker = PostalTracker(pool, registry, postal, relay, known=known)

    applied = await asyncio.wait_for(tracker.poll_once(), timeout=30)

    assert applied == len(postal.events)
    assert publisher.messages == []  # nothing confirmed yet: the rows wait in the outbox
    assert relay.held > 0
    gate.set()
    await relay.settled()
    assert _postal_codes_published(publisher.messages, dossier_codes[0])[-1] == codes.DELIVERED
    await _tidy(pool, dossier_codes)


async def test_an_unusable_event_is_parked_and_the_feed_goes_on(
    pool: asyncpg.Pool, registry: Registry, cursor: None
) -> None:
    postal, known = FakePostal(), KnownStates()
    dossier_codes = await _ordered(pool, registry, postal, known, 2)
    order = dossier_codes[0]
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
    _deliver_all(postal, dossier_codes)
    publisher = Published()
    relay = OutboxRelay(pool=pool, publisher=publisher)
    tracker = PostalTracker(pool, registry, postal, relay, known=known)

    applied = await tracker.poll_once()
    await relay.settled()

    assert applied == len(postal.events) - 2
    rows = await _statuses(pool, dossier_codes)
    assert {r["status"] for r in rows} == {int(DossierStatus.RESULT_RETURNED)}
    saved = await pool.fetchval("SELECT cursor FROM hub.postal_cursor WHERE id = 1")
    assert saved == str(len(postal.events))
    parked = _parked(publisher.messages)
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
    await tracker.poll_once()
    await relay.settled()
    again = _parked(publisher.messages)[len(parked) :]
    assert sorted(m.message_id for m in again) == sorted(m.message_id for m in parked)
    await _tidy(pool, dossier_codes)


def _parked(messages: Sequence[OutboxMessage]) -> list[OutboxMessage]:
    return [m for m in messages if m.exchange == PARKING_EXCHANGE]


async def test_a_failed_poll_keeps_the_cursor_and_the_next_one_finishes(
    pool: asyncpg.Pool, registry: Registry, cursor: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    postal, known = FakePostal(), KnownStates()
    dossier_codes = await _ordered(pool, registry, postal, known, 3)
    _deliver_all(postal, dossier_codes)
    failing = dossier_codes[1]
    original = postal_module.process

    async def flaky(pool_: Any, registry_: Any, message: Any, known_: Any) -> Any:
        if message.correlation_id == failing and message.payload.status_code == codes.DELIVERED:
            raise TransientError("the database went away")
        return await original(pool_, registry_, message, known_)

    monkeypatch.setattr(postal_module, "process", flaky)
    publisher = Published()
    relay = OutboxRelay(pool=pool, publisher=publisher)
    tracker = PostalTracker(pool, registry, postal, relay, known=known)

    with pytest.raises(TransientError):
        await tracker.poll_once()
    assert await pool.fetchval("SELECT cursor FROM hub.postal_cursor WHERE id = 1") is None
    statuses = {r["code"]: r["status"] for r in await _statuses(pool, dossier_codes)}
    assert statuses[failing] == int(DossierStatus.RESOLVED)
    assert statuses[dossier_codes[0]] == int(DossierStatus.RESULT_RETURNED)

    monkeypatch.setattr(postal_module, "process", original)
    applied_again = await tracker.poll_once()
    await relay.settled()

    assert applied_again == 1  # the rest were applied before: the inbox knows them
    rows = await _statuses(pool, dossier_codes)
    assert {r["status"] for r in rows} == {int(DossierStatus.RESULT_RETURNED)}
    assert _postal_codes_published(publisher.messages, failing) == [
        codes.REGISTERED,
        *ON_THE_WAY,
    ]
    await _tidy(pool, dossier_codes)
