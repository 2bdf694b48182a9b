"""The provincial registry against the real PostgreSQL: migrations, projection, queries."""

from __future__ import annotations

import asyncio
import importlib
import random
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from adapters.provincial_db import (
    MIGRATIONS,
    DossierRow,
    TimelineConflict,
    applicant_digest,
    demo_summary,
    dossier,
    project,
    project_batch,
    status_counts,
    sync_registry,
    timeline,
)
from hub.db import MigrationChecksumMismatch, MigrationSource, apply_migrations
from hub.db.migrations import discover
from hub.registry import load_registry
from schemas import (
    CanonicalMessage,
    DossierAccepted,
    DossierRefused,
    DossierStatus,
    DossierTransferred,
    PostalOrderCreated,
    PostalStatusChanged,
    ProgressReported,
    ResultIssued,
    ResultReturned,
    ReturnMethod,
)
from tests.canonical import (
    COMMUNE,
    ID_NUMBER,
    MONDAY_8AM,
    a_dossier,
    message,
    new_code,
    received,
)

pytestmark = pytest.mark.integration

DISTRICT_PAC = "474-PAC"


@pytest.fixture(scope="session", autouse=True)
async def province_schema(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await apply_migrations(conn, [MIGRATIONS])
    finally:
        await conn.close()


# --- messages -------------------------------------------------------------------------------


def transferred(code: str, seq: int, *, due_in_hours: float = 48) -> CanonicalMessage:
    payload = DossierTransferred(
        from_unit=COMMUNE,
        to_unit=DISTRICT_PAC,
        procedure_code="1.001193",
        due_at=MONDAY_8AM + timedelta(hours=due_in_hours),
        dossier=a_dossier(code),
    )
    return message(code, payload, seq, hours=1)


def accepted(code: str, seq: int, *, due_in_hours: float | None = None) -> CanonicalMessage:
    due = None if due_in_hours is None else MONDAY_8AM + timedelta(hours=due_in_hours)
    return message(code, DossierAccepted(unit=DISTRICT_PAC, due_at=due), seq, hours=2)


def progress(code: str, seq: int, status: DossierStatus) -> CanonicalMessage:
    return message(code, ProgressReported(unit=DISTRICT_PAC, status=status), seq, hours=3)


def result_issued(code: str, seq: int, *, hours: float = 24) -> CanonicalMessage:
    payload = ResultIssued(unit=DISTRICT_PAC, decision_number="123/QĐ-UBND")
    return message(code, payload, seq, hours=hours)


def result_returned(code: str, seq: int, method: ReturnMethod) -> CanonicalMessage:
    return message(code, ResultReturned(unit=COMMUNE, method=method), seq, hours=30)


def refused(code: str, seq: int) -> CanonicalMessage:
    return message(code, DossierRefused(unit=COMMUNE, reason="Thiếu giấy chứng sinh"), seq, 1)


def order_created(code: str, seq: int) -> CanonicalMessage:
    payload = PostalOrderCreated(order_number=code, item_code="EB1", receiver_commune=COMMUNE)
    return message(code, payload, seq, hours=25)


def postal_status(
    code: str, seq: int | None, status_code: str, hours: float, *, delivered: bool = False
) -> CanonicalMessage:
    payload = PostalStatusChanged(
        order_number=code,
        item_code="EB1",
        status_code=status_code,
        status_message="Phát thành công" if delivered else "Đang vận chuyển",
        event_time=MONDAY_8AM + timedelta(hours=hours),
        pos_id="491000",
        delivered=delivered,
    )
    return message(code, payload, seq, hours=hours)


def full_story(code: str) -> list[CanonicalMessage]:
    """Received at the commune, decided by the district PAC, returned by post."""
    return [
        received(code, 1, by_post=True),
        transferred(code, 2, due_in_hours=48),
        accepted(code, 3),
        progress(code, 4, DossierStatus.IN_PROGRESS),
        result_issued(code, 5, hours=24),
        order_created(code, 6),
        postal_status(code, 7, "C", hours=26),
        postal_status(code, 8, "I", hours=28, delivered=True),
        result_returned(code, 9, ReturnMethod.POST),
    ]


# --- helpers --------------------------------------------------------------------------------

COUNT_ROWS = """
SELECT (SELECT count(*) FROM province.timeline WHERE dossier_code = $1),
       (SELECT count(*) FROM province.dossiers WHERE code = $1),
       (SELECT count(*) FROM province.handoffs WHERE dossier_code = $1),
       (SELECT count(*) FROM province.postal_orders WHERE dossier_code = $1),
       (SELECT count(*) FROM province.postal_events WHERE order_number = $1)
"""
SELECT_ORDER = """
SELECT item_code, receiver_commune, created_at, last_status_code, last_status_at, delivered_at
FROM province.postal_orders WHERE order_number = $1
"""
SELECT_HANDOFFS = """
SELECT from_unit, to_unit, handed_over_at, due_at FROM province.handoffs
WHERE dossier_code = $1 ORDER BY handed_over_at
"""


async def registered(db: asyncpg.Connection, code: str) -> DossierRow:
    row = await dossier(db, code)
    assert row is not None, f"dossier {code} is not registered"
    return row


async def one(db: asyncpg.Connection, query: str, *args: object) -> asyncpg.Record:
    row = await db.fetchrow(query, *args)
    assert row is not None
    return row


async def row_counts(db: asyncpg.Connection, code: str) -> tuple[int, ...]:
    return tuple(await one(db, COUNT_ROWS, code))


async def project_all(db: asyncpg.Connection, messages: list[CanonicalMessage]) -> None:
    for each in messages:
        await project(db, each)


async def state_of(db: asyncpg.Connection, code: str) -> dict[str, Any]:
    """Everything the registry holds about a dossier, minus the code and bookkeeping times."""
    row = await registered(db, code)
    kept = {k: v for k, v in vars(row).items() if k not in {"code", "updated_at"}}
    entries = [(e.sequence, e.type, e.status, e.unit) for e in await timeline(db, code)]
    order = await db.fetchrow(SELECT_ORDER, code)
    handoffs = [tuple(r) for r in await db.fetch(SELECT_HANDOFFS, code)]
    return {"dossier": kept, "timeline": entries, "order": dict(order or {}), "handoffs": handoffs}


# --- migrations -----------------------------------------------------------------------------


@pytest.fixture
def migration_package(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], MigrationSource]]:
    """A throwaway package of migration files, importable, with a unique component name."""
    sys.path.insert(0, str(tmp_path))
    made: list[str] = []

    def make(files: dict[str, str]) -> MigrationSource:
        name = f"test_migrations_{uuid4().hex[:12]}"
        importlib.invalidate_caches()
        package = tmp_path / name
        package.mkdir()
        (package / "__init__.py").write_text("")
        for filename, sql in files.items():
            (package / filename).write_text(sql)
        made.append(name)
        return MigrationSource(component=name, package=name)

    yield make
    sys.path.remove(str(tmp_path))
    for name in made:
        sys.modules.pop(name, None)


@pytest.fixture
async def scratch_schema(db: asyncpg.Connection) -> AsyncIterator[str]:
    schema = f"scratch_{uuid4().hex[:12]}"
    yield schema
    await db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    await db.execute(
        "DELETE FROM public.schema_migrations WHERE component LIKE 'test_migrations_%'"
    )


def scratch_files(schema: str) -> dict[str, str]:
    return {
        "0002_add_column.sql": f"ALTER TABLE {schema}.things ADD COLUMN size int;",
        "0001_create.sql": (
            f"CREATE SCHEMA {schema}; SELECT pg_sleep(0.2);"
            f"CREATE TABLE {schema}.things (id int PRIMARY KEY);"
        ),
        "README.txt": "not a migration",
    }


async def test_applying_the_registry_migrations_again_applies_nothing(
    db: asyncpg.Connection,
) -> None:
    assert await apply_migrations(db, [MIGRATIONS]) == []
    versions = await db.fetch(
        "SELECT name FROM public.schema_migrations WHERE component = $1", MIGRATIONS.component
    )
    assert sorted(v["name"] for v in versions) == [m.name for m in discover(MIGRATIONS)]
    assert "0001_registry" in [v["name"] for v in versions]


async def test_pending_migrations_apply_in_version_order_once(
    db: asyncpg.Connection, migration_package: Any, scratch_schema: str
) -> None:
    source = migration_package(scratch_files(scratch_schema))

    first = await apply_migrations(db, [source])
    second = await apply_migrations(db, [source])

    assert first == [f"{source.component}/0001_create", f"{source.component}/0002_add_column"]
    assert second == []
    assert await db.fetchval(f"SELECT count(size) FROM {scratch_schema}.things") == 0


async def test_two_processes_migrating_at_once_apply_each_file_exactly_once(
    db: asyncpg.Connection, database_url: str, migration_package: Any, scratch_schema: str
) -> None:
    # Given two connections, as two hub processes starting together
    source = migration_package(scratch_files(scratch_schema))
    other = await asyncpg.connect(database_url)
    try:
        # When both migrate at the same moment
        results = await asyncio.gather(
            apply_migrations(db, [source]), apply_migrations(other, [source])
        )
    finally:
        await other.close()
    # Then one applied everything and the other found nothing pending
    assert sorted(len(applied) for applied in results) == [0, 2]


async def test_an_applied_migration_that_was_edited_is_refused(
    db: asyncpg.Connection, migration_package: Any, scratch_schema: str, tmp_path: Path
) -> None:
    # Given an applied migration
    source = migration_package(scratch_files(scratch_schema))
    await apply_migrations(db, [source])
    # When its file is edited afterwards
    edited = tmp_path / source.package / "0002_add_column.sql"
    edited.write_text(f"ALTER TABLE {scratch_schema}.things ADD COLUMN weight int;")
    # Then migrating refuses, naming the file
    with pytest.raises(MigrationChecksumMismatch, match="0002_add_column"):
        await apply_migrations(db, [source])


async def test_registry_sync_upserts_every_unit_and_replaces_a_renamed_one(
    db: asyncpg.Connection,
) -> None:
    # Given a unit stored under an old code with an agency code the registry now gives another
    registry = load_registry()
    unit = next(iter(registry.units.values()))
    stale = f"old-{uuid4().hex[:8]}"
    await db.execute("DELETE FROM province.units WHERE agency_code = $1", unit.agency_code)
    await db.execute(
        "INSERT INTO province.units (code, kind, name, agency_code, gso_code)"
        " VALUES ($1, 'commune', 'Cũ', $2, '0')",
        stale,
        unit.agency_code,
    )

    # When the registry is synchronised, twice
    await sync_registry(db, registry)
    await sync_registry(db, registry)

    # Then every unit is there once, the renamed one under its new code only
    codes = list(registry.units)
    stored = await db.fetchval(
        "SELECT count(*) FROM province.units WHERE code = ANY($1::text[])", codes
    )
    assert stored == len(codes)
    row = await one(
        db, "SELECT code, kind FROM province.units WHERE agency_code = $1", unit.agency_code
    )
    assert tuple(row) == (unit.code, unit.kind.value)


# --- projection of each event type ----------------------------------------------------------


async def test_a_received_dossier_is_registered_with_status_1_and_the_id_number_only_digested(
    db: asyncpg.Connection,
) -> None:
    code = new_code()

    assert await project(db, received(code, by_post=True)) is True

    row = await registered(db, code)
    assert (row.status, row.status_at, row.last_sequence) == (1, MONDAY_8AM, 1)
    assert (row.receiving_unit, row.competent_unit, row.channel) == (COMMUNE, COMMUNE, 2)
    assert row.return_method == "post"
    assert row.applicant_digest == applicant_digest(ID_NUMBER)
    assert row.applicant == {"full_name": "Nguyễn Văn An", "id_number": ID_NUMBER}
    assert ID_NUMBER not in repr(row)
    [entry] = await timeline(db, code)
    assert (entry.type, entry.status, entry.unit) == ("dossier.received", 1, COMMUNE)
    assert ID_NUMBER not in str(entry.payload)
    assert "0905123456" not in str(entry.payload)


async def test_a_transfer_records_the_handoff_and_moves_the_competent_unit_and_due_date(
    db: asyncpg.Connection,
) -> None:
    code = new_code()

    await project_all(db, [received(code), transferred(code, 2, due_in_hours=48)])

    row = await registered(db, code)
    assert (row.competent_unit, row.due_at, row.status) == (
        DISTRICT_PAC,
        MONDAY_8AM + timedelta(hours=48),
        1,
    )
    handoffs = [tuple(r) for r in await db.fetch(SELECT_HANDOFFS, code)]
    assert handoffs == [
        (COMMUNE, DISTRICT_PAC, MONDAY_8AM + timedelta(hours=1), MONDAY_8AM + timedelta(hours=48))
    ]


async def test_status_events_set_status_resolution_and_return_times(
    db: asyncpg.Connection,
) -> None:
    code = new_code()
    steps = [
        (received(code), 1),
        (accepted(code, 2, due_in_hours=72), 2),
        (progress(code, 3, DossierStatus.AWAITING_FINANCIAL_OBLIGATION), 6),
        (result_issued(code, 4, hours=24), 9),
        (result_returned(code, 5, ReturnMethod.IN_PERSON), 10),
    ]
    for step, expected_status in steps:
        await project(db, step)
        row = await registered(db, code)
        assert (row.status, row.status_at) == (expected_status, step.occurred_at)

    assert row.due_at == MONDAY_8AM + timedelta(hours=72)
    assert row.resolved_at == MONDAY_8AM + timedelta(hours=24)
    assert row.returned_at == MONDAY_8AM + timedelta(hours=30)
    assert row.last_sequence == 5


async def test_a_refusal_is_a_final_status_3(db: asyncpg.Connection) -> None:
    code = new_code()

    await project_all(db, [received(code), refused(code, 2)])

    assert await status_counts(db, [code]) == {3: 1}


async def test_postal_order_and_tracking_events_record_the_delivery(
    db: asyncpg.Connection,
) -> None:
    code = new_code()

    await project_all(
        db,
        [
            received(code, by_post=True),
            order_created(code, 2),
            postal_status(code, 3, "C", hours=26),
            postal_status(code, 4, "I", hours=28, delivered=True),
        ],
    )

    order = await one(db, SELECT_ORDER, code)
    assert dict(order) == {
        "item_code": "EB1",
        "receiver_commune": COMMUNE,
        "created_at": MONDAY_8AM + timedelta(hours=25),
        "last_status_code": "I",
        "last_status_at": MONDAY_8AM + timedelta(hours=28),
        "delivered_at": MONDAY_8AM + timedelta(hours=28),
    }
    assert await row_counts(db, code) == (4, 1, 0, 1, 2)


async def test_a_tracking_event_reported_twice_by_the_postal_service_is_kept_once(
    db: asyncpg.Connection,
) -> None:
    # Given the postal service reports the same tracking event in two polls (two messages)
    code = new_code()
    first, again = postal_status(code, None, "C", 26), postal_status(code, None, "C", 26)

    # When both are projected
    assert await project(db, first) is True
    assert await project(db, again) is True

    # Then the timeline has both messages but the order has one tracking event
    assert await row_counts(db, code) == (2, 0, 0, 1, 1)


# --- idempotency and ordering ---------------------------------------------------------------


async def test_projecting_the_same_message_twice_changes_nothing(db: asyncpg.Connection) -> None:
    # Given a dossier's whole story projected once
    code = new_code()
    story = full_story(code)
    await project_all(db, story)
    counts, state = await row_counts(db, code), await state_of(db, code)

    # When every message is delivered again
    again = [await project(db, each) for each in story]

    # Then nothing is new and nothing changed
    assert again == [False] * len(story)
    assert await row_counts(db, code) == counts == (9, 1, 1, 1, 2)
    assert await state_of(db, code) == state


async def test_events_out_of_order_keep_the_highest_sequence_status_and_an_ordered_timeline(
    db: asyncpg.Connection,
) -> None:
    # Given a result issued (seq 4) that overtakes the acceptance (2) and progress (3),
    # all of them arriving before the dossier itself (1)
    code = new_code()
    arrivals = [
        result_issued(code, 4, hours=24),
        progress(code, 3, DossierStatus.IN_PROGRESS),
        accepted(code, 2),
        received(code, 1),
    ]

    # When they are projected in arrival order
    await project_all(db, arrivals)

    # Then the status is the highest sequence's and the timeline reads in sequence order
    row = await registered(db, code)
    assert (row.status, row.last_sequence) == (9, 4)
    assert row.resolved_at == MONDAY_8AM + timedelta(hours=24)
    assert [e.sequence for e in await timeline(db, code)] == [1, 2, 3, 4]


async def test_a_late_older_status_does_not_override_a_newer_one(db: asyncpg.Connection) -> None:
    # Given a dossier already in progress at sequence 3
    code = new_code()
    await project_all(db, [received(code), progress(code, 3, DossierStatus.IN_PROGRESS)])

    # When the acceptance (sequence 2) arrives late
    await project(db, accepted(code, 2))

    # Then it joins the timeline but the status stays 4
    row = await registered(db, code)
    assert (row.status, row.last_sequence) == (4, 3)
    assert [e.status for e in await timeline(db, code)] == [1, 2, 4]


async def test_a_different_message_claiming_a_taken_sequence_is_refused(
    db: asyncpg.Connection,
) -> None:
    code = new_code()
    await project(db, received(code, 1))

    with pytest.raises(TimelineConflict):
        await project(db, accepted(code, 1))

    assert await row_counts(db, code) == (1, 1, 0, 0, 0)


# --- batches --------------------------------------------------------------------------------


async def test_project_batch_equals_projecting_one_by_one_even_with_duplicates(
    db: asyncpg.Connection, database_url: str
) -> None:
    # Given the same shuffled story, with redeliveries, for two dossiers
    one_by_one, batched = new_code(), new_code()

    def delivery(code: str) -> list[CanonicalMessage]:
        story = full_story(code)
        arrivals = [*story, story[0], story[4], story[7]]
        random.Random(2651).shuffle(arrivals)
        return arrivals

    # When one is projected message by message and the other in two batches through a pool
    await project_all(db, delivery(one_by_one))
    arrivals = delivery(batched)
    async with asyncpg.create_pool(database_url, min_size=1, max_size=2) as pool:
        new = await project_batch(pool, arrivals[:5]) + await project_batch(pool, arrivals[5:])
        again = await project_batch(pool, arrivals)

    # Then both end in the same state and each message counted new exactly once
    assert (new, again) == (9, 0)
    assert await state_of(db, batched) == await state_of(db, one_by_one)
    assert await row_counts(db, batched) == await row_counts(db, one_by_one)


async def test_project_batch_of_many_dossiers_counts_only_new_messages(
    db: asyncpg.Connection,
) -> None:
    codes = [new_code() for _ in range(20)]
    stories = [m for code in codes for m in full_story(code)]

    assert await project_batch(db, stories[:50]) == 50
    assert await project_batch(db, stories) == len(stories) - 50
    assert await project_batch(db, []) == 0
    assert await status_counts(db, codes) == {10: 20}


async def test_concurrent_consumers_never_lose_the_highest_sequence_status(
    db: asyncpg.Connection, database_url: str
) -> None:
    # Given the stories of many dossiers dealt at random to four consumers
    codes = [new_code() for _ in range(25)]
    messages = [m for code in codes for m in full_story(code)]
    random.Random(61).shuffle(messages)
    hands = [messages[i::4] for i in range(4)]

    # When the consumers project their messages at the same time, one by one
    async with asyncpg.create_pool(database_url, min_size=4, max_size=4) as pool:

        async def consume(hand: list[CanonicalMessage]) -> None:
            async with pool.acquire() as conn:
                for each in hand:
                    await project(conn, each)

        await asyncio.gather(*(consume(hand) for hand in hands))

    # Then every dossier ends at its last event
    assert await status_counts(db, codes) == {10: 25}
    assert (
        await db.fetchval(
            "SELECT count(*) FROM province.dossiers"
            " WHERE code = ANY($1::text[]) AND last_sequence = 9",
            codes,
        )
        == 25
    )


# --- statistics -----------------------------------------------------------------------------


async def test_demo_summary_counts_dossiers_by_fate(db: asyncpg.Connection) -> None:
    # Given six dossiers with different fates
    by_post, in_person, late, in_progress, refusal, awaiting_return = (new_code() for _ in range(6))
    stories = [
        *full_story(by_post),
        received(in_person),
        accepted(in_person, 2, due_in_hours=48),
        result_issued(in_person, 3, hours=24),
        result_returned(in_person, 4, ReturnMethod.IN_PERSON),
        received(late),
        transferred(late, 2, due_in_hours=12),
        result_issued(late, 3, hours=24),
        received(in_progress),
        transferred(in_progress, 2),
        progress(in_progress, 3, DossierStatus.IN_PROGRESS),
        received(refusal),
        refused(refusal, 2),
        received(awaiting_return),
        result_issued(awaiting_return, 2),
    ]
    codes = [by_post, in_person, late, in_progress, refusal, awaiting_return]

    # When they are projected
    await project_batch(db, stories)
    summary = await demo_summary(db, codes)

    # Then the counts match the reports' categories
    assert vars(summary) == {
        "dossiers": 6,
        "final": 3,
        "open": 3,
        "transferred": 3,
        "returned_by_post": 1,
        "returned_in_person": 1,
        "resolved": 4,
        "on_time": 3,
        "still_open": 1,
        "refused": 1,
    }
    assert summary.late == 1
    assert await status_counts(db, codes) == {10: 2, 9: 2, 4: 1, 3: 1}
