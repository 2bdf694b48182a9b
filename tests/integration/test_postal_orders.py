"""The postal order consumer against the real PostgreSQL: it builds the order from the
dossier state this worker remembers, and reads the dossier only when it has none."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest

from adapters.postal import FakePostal
from hub import postal as postal_module
from hub.known_states import KnownStates
from hub.postal import PostalOrderConsumer
from hub.registry import Registry, load_registry
from hub.relay import OutboxRelay
from hub.service import process
from hub.store.outbox import OutboxMessage
from hub.topology import POSTAL_QUEUE
from tests.harness import Published
from tests.unit.test_lifecycle import COMMUNE, make_dossier, received, result_issued

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


async def _postal_command(
    pool: asyncpg.Pool, registry: Registry, known: KnownStates
) -> tuple[str, OutboxMessage, list[OutboxMessage]]:
    """A by-post dossier the commune resolved itself: its code, the postal order command
    and every outbox row written on the way."""
    dossier = make_dossier(by_post=True)
    reception = await process(pool, registry, received(dossier), known)
    result = await process(pool, registry, result_issued(COMMUNE, dossier.code), known)
    assert reception is not None
    assert result is not None
    command = next(r for r in result if r.routing_key == POSTAL_QUEUE)
    return dossier.code, command, [*reception, *result]


async def _consume(
    pool: asyncpg.Pool, registry: Registry, known: KnownStates | None, command: OutboxMessage
) -> FakePostal:
    postal, publisher = FakePostal(), Published()
    relay = OutboxRelay(pool=pool, publisher=publisher)
    consumer = PostalOrderConsumer(pool, registry, postal, publisher, relay, known)
    await consumer._handle(SimpleNamespace(body=command.body))  # type: ignore[arg-type]
    await relay.settled()
    return postal


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    get_dossier = postal_module.get_dossier

    async def counted(conn: Any, code: str) -> Any:
        reads.append(code)
        return await get_dossier(conn, code)

    monkeypatch.setattr(postal_module, "get_dossier", counted)
    return reads


async def _tidy(pool: asyncpg.Pool, rows: Sequence[OutboxMessage]) -> None:
    await pool.execute("DELETE FROM hub.outbox WHERE id = ANY($1::bigint[])", [r.id for r in rows])


async def test_the_order_is_built_from_the_remembered_state_without_a_read(
    pool: asyncpg.Pool, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = KnownStates()
    code, command, rows = await _postal_command(pool, registry, known)
    reads = _counting_reads(monkeypatch)

    postal = await _consume(pool, registry, known, command)

    assert reads == []
    assert len(postal.orders) == 1
    item_code = await pool.fetchval(
        "SELECT postal_item_code FROM hub.dossiers WHERE code = $1", code
    )
    assert item_code == next(iter(postal.item_codes.values()))
    await _tidy(pool, rows)


async def test_without_a_remembered_state_the_dossier_is_read(
    pool: asyncpg.Pool, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, command, rows = await _postal_command(pool, registry, KnownStates())
    reads = _counting_reads(monkeypatch)

    postal = await _consume(pool, registry, KnownStates(), command)

    assert reads == [code]
    assert len(postal.orders) == 1
    await _tidy(pool, rows)
