"""Applying messages without a transaction (``hub.service``): the version guard against
the real PostgreSQL. A decision made on a state that changed meanwhile writes nothing
and is made again; a message applied concurrently twice is applied once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from uuid import uuid4

import asyncpg
import pytest

from hub import service
from hub.errors import DuplicateDossier
from hub.known_states import KnownStates
from hub.registry import Registry, load_registry
from hub.service import process
from hub.store import outbox, state, statements
from hub.store.outbox import OutboxMessage
from schemas import CanonicalMessage, FeePaid
from tests.unit.test_lifecycle import COMMUNE, make_dossier, message, received

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


async def test_a_stale_decision_writes_nothing(pool: asyncpg.Pool, registry: Registry) -> None:
    dossier = make_dossier()
    assert await process(pool, registry, received(dossier))
    message_id = uuid4()
    async with pool.acquire() as conn:
        read = await state.read_for_decision(conn, message_id, dossier.code)
        assert read.state is not None
        assert not read.seen
        # Another writer changes the dossier after the read ...
        await conn.execute(
            "UPDATE hub.dossiers SET updated_at = now() WHERE code = $1", dossier.code
        )
        changed = replace(read.state, sequence=99)
        row = OutboxMessage(uuid4(), "dossier.events", "x", b"{}")
        result = await statements.run_guarded(
            conn,
            state.version_guard(read, changed),
            [state.claimed(message_id), outbox.insert([row])],
        )
        # ... so the decision made on the old state applies none of its writes.
        assert result is None
        assert not await conn.fetchval("SELECT 1 FROM hub.inbox WHERE message_id = $1", message_id)
        assert not await conn.fetchval(
            "SELECT 1 FROM hub.outbox WHERE message_id = $1", row.message_id
        )
        assert (
            await conn.fetchval("SELECT sequence FROM hub.dossiers WHERE code = $1", dossier.code)
            == read.state.sequence
        )

        fresh = await state.read_for_decision(conn, message_id, dossier.code)
        assert fresh.version != read.version
        applied = await statements.run_guarded(
            conn,
            state.version_guard(fresh, changed),
            [state.claimed(message_id), outbox.insert([row])],
        )
        assert applied is not None
        assert len(applied.rows) == 1
        await conn.execute("DELETE FROM hub.outbox WHERE message_id = $1", row.message_id)


async def test_concurrent_messages_on_one_dossier_all_apply_once(
    pool: asyncpg.Pool, registry: Registry
) -> None:
    dossier = make_dossier()
    assert await process(pool, registry, received(dossier))
    fees = [_fee(dossier.code, f"R{i:04d}") for i in range(6)]
    # Every fee three times at once: six different messages racing on one dossier row,
    # and each one racing with its own copies.
    results = await asyncio.gather(*(process(pool, registry, m) for m in fees * 3))

    applied = [r for r in results if r is not None]
    assert len(applied) == len(fees)
    async with pool.acquire() as conn:
        claimed = await conn.fetchval(
            "SELECT count(*) FROM hub.inbox WHERE message_id = ANY($1::uuid[])",
            [m.message_id for m in fees],
        )
        assert claimed == len(fees)
        await conn.execute(
            "DELETE FROM hub.outbox WHERE id = ANY($1::bigint[])",
            [row.id for rows in applied for row in rows],
        )


async def _row(pool: asyncpg.Pool, code: str) -> tuple[int, int]:
    row = await pool.fetchrow(
        "SELECT sequence, xmin::text::bigint AS version FROM hub.dossiers WHERE code = $1", code
    )
    assert row is not None
    return row["sequence"], row["version"]


def _fee(code: str, receipt: str) -> CanonicalMessage:
    return message(
        FeePaid(unit=COMMUNE, amount_vnd=5000, receipt_number=receipt), sender=COMMUNE, code=code
    )


async def _registered(
    pool: asyncpg.Pool, registry: Registry
) -> tuple[KnownStates, str, CanonicalMessage]:
    """A new dossier registered through ``known``: the states, its code, the reception."""
    known = KnownStates()
    dossier = make_dossier()
    reception = received(dossier)
    assert await process(pool, registry, reception, known)
    return known, dossier.code, reception


async def test_a_remembered_state_is_what_reading_it_back_gives(
    pool: asyncpg.Pool, registry: Registry
) -> None:
    known, code, _ = await _registered(pool, registry)
    remembered = known.get(code)
    assert remembered is not None
    assert remembered[0] == await state.get_dossier(pool, code)
    assert remembered[1] == (await _row(pool, code))[1]


async def test_a_stale_remembered_state_is_read_again_and_the_message_applies(
    pool: asyncpg.Pool, registry: Registry
) -> None:
    known, code, _ = await _registered(pool, registry)
    sequence, _ = await _row(pool, code)
    # Another writer changes the row: what this process remembers is now stale.
    await pool.execute("UPDATE hub.dossiers SET updated_at = now() WHERE code = $1", code)

    fee = _fee(code, "R-STALE")
    rows = await process(pool, registry, fee, known)

    assert rows is not None
    after, version = await _row(pool, code)
    assert after == sequence + 1
    remembered = known.get(code)
    assert remembered is not None
    assert remembered[1] == version
    assert remembered[0] == await state.get_dossier(pool, code)
    await pool.execute("DELETE FROM hub.outbox WHERE id = ANY($1::bigint[])", [r.id for r in rows])


async def test_duplicates_decided_on_a_remembered_state_are_not_applied_again(
    pool: asyncpg.Pool, registry: Registry
) -> None:
    known, code, reception = await _registered(pool, registry)
    fee = _fee(code, "R-DUP")
    rows = await process(pool, registry, fee, known)
    assert rows is not None
    sequence, version = await _row(pool, code)

    # Redeliveries: the fee (a legal step on the remembered state, refused by its inbox
    # claim) and the reception (refused by the lifecycle on the remembered state, then
    # found seen on a fresh read).
    assert await process(pool, registry, fee, known) is None
    assert await process(pool, registry, reception, known) is None

    assert await _row(pool, code) == (sequence, version)
    claims = await pool.fetchval(
        "SELECT count(*) FROM hub.inbox WHERE message_id = ANY($1::uuid[])",
        [fee.message_id, reception.message_id],
    )
    assert claims == 2
    await pool.execute("DELETE FROM hub.outbox WHERE id = ANY($1::bigint[])", [r.id for r in rows])


class _NoReads:
    """A connection on which any read fails the test."""

    async def fetchrow(self, *args: object) -> object:
        raise AssertionError("read the database")


async def test_a_reception_of_an_unknown_dossier_is_decided_as_new_without_a_read() -> None:
    reception = received(make_dossier())
    read, assumed = await service._read(_NoReads(), reception, KnownStates(), 0)  # type: ignore[arg-type]
    assert (read.seen, read.state, read.version, assumed) == (False, None, None, True)
    # Without remembered states, or on a retry, the dossier is read.
    with pytest.raises(AssertionError, match="read the database"):
        await service._read(_NoReads(), reception, None, 0)  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="read the database"):
        await service._read(_NoReads(), reception, KnownStates(), 1)  # type: ignore[arg-type]


async def test_a_reception_decided_as_new_of_a_dossier_that_exists_is_not_applied_again(
    pool: asyncpg.Pool, registry: Registry
) -> None:
    _, code, reception = await _registered(pool, registry)
    before = await _row(pool, code)
    # Another process (a restarted worker, say) gets the redelivery: it never wrote the
    # dossier, so it decides the reception as new; the insert finds the dossier there and
    # writes nothing, the read that follows finds the message seen.
    assert await process(pool, registry, reception, KnownStates()) is None
    # A second reception of the same dossier under a new message id is decided on the
    # dossier read back, and refused as without remembered states.
    again = reception.model_copy(update={"message_id": uuid4()})
    with pytest.raises(DuplicateDossier):
        await process(pool, registry, again, KnownStates())
    assert await _row(pool, code) == before
