"""Project canonical events into the provincial registry, idempotently.

Every message becomes one timeline entry (keyed by message_id, so a redelivery changes
nothing); dossier and postal-order rows are then re-derived from the timeline and the
tracking events, so the result does not depend on arrival order and projecting a batch
equals projecting its messages one by one. Projections of the same dossier are serialised
by a transaction-scoped advisory lock, so concurrent consumers never lose an update.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg
import structlog

from adapters.provincial_db import lifecycle, linked, sql
from adapters.provincial_db.rows import Row, timeline_row, writes_of
from hub.db import Connection, PoolOrConnection, connection_from
from hub.errors import PermanentError
from schemas import CanonicalMessage

log = structlog.get_logger(__name__)


class TimelineConflict(PermanentError):
    """Another message already holds this dossier's sequence number."""

    reason_code = "timeline_conflict"


async def project(conn: Connection, message: CanonicalMessage) -> bool:
    """Record one message; False when it was already recorded (nothing changes then)."""
    return await project_batch(conn, [message]) == 1


async def project_batch(
    pool_or_conn: PoolOrConnection, messages: Sequence[CanonicalMessage]
) -> int:
    """Record many messages in one transaction; return how many were new.

    Duplicates (within the batch or already recorded) are skipped, exactly as if the
    messages had been projected one by one in the order given.
    """
    unique = _first_of_each(messages)
    if not unique:
        return 0
    async with connection_from(pool_or_conn) as conn, conn.transaction():
        new = await _record_timeline(conn, unique)
        await _apply(conn, new)
    log.debug("provincial_db_projected", received=len(messages), new=len(new))
    return len(new)


def _first_of_each(messages: Sequence[CanonicalMessage]) -> list[CanonicalMessage]:
    first: dict[UUID, CanonicalMessage] = {}
    for message in messages:
        first.setdefault(message.message_id, message)
    return list(first.values())


async def _record_timeline(
    conn: Connection, messages: list[CanonicalMessage]
) -> list[CanonicalMessage]:
    codes = [m.correlation_id for m in messages]
    await conn.execute(sql.LOCK_DOSSIERS, sql.DOSSIER_LOCK_CLASS, codes)
    columns = list(zip(*(timeline_row(m) for m in messages), strict=True))
    try:
        rows = await conn.fetch(sql.INSERT_TIMELINE, *columns)
    except asyncpg.UniqueViolationError as error:
        raise TimelineConflict(f"sequence already taken: {error.detail}") from error
    inserted = {row["message_id"] for row in rows}
    return [m for m in messages if m.message_id in inserted]


async def _apply(conn: Connection, messages: list[CanonicalMessage]) -> None:
    if not messages:
        return
    writes = writes_of(messages)
    await _many(conn, sql.UPSERT_RECEIVED_DOSSIER, writes.received_dossiers)
    await _many(conn, sql.INSERT_TRANSFERRED_DOSSIER, writes.transferred_dossiers)
    await _many(conn, sql.INSERT_HANDOFF, writes.handoffs)
    await _many(conn, sql.UPSERT_POSTAL_ORDER, writes.postal_orders)
    await _many(conn, sql.INSERT_POSTAL_ORDER_IF_MISSING, writes.postal_order_stubs)
    await _many(conn, sql.INSERT_POSTAL_EVENT, writes.postal_events)
    await _many(conn, lifecycle.INSERT_FEE, lifecycle.fee_rows(messages))
    await _many(conn, lifecycle.INSERT_RATING, lifecycle.rating_rows(messages))
    await _many(conn, linked.UPSERT_PART_PLAN, linked.plan_rows(messages))
    await _many(conn, linked.UPSERT_PART_STATUS, linked.status_rows(messages))
    codes = [m.correlation_id for m in messages]
    await conn.execute(sql.REFRESH_DOSSIERS, codes)
    if writes.order_numbers:
        await conn.execute(sql.REFRESH_POSTAL_ORDERS, writes.order_numbers)


async def _many(conn: Connection, statement: str, rows: list[Row]) -> None:
    if rows:
        await conn.executemany(statement, rows)
