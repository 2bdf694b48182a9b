"""SQL of the dead-letter store, as named constants, and the functions that run it."""

from __future__ import annotations

import json
from typing import Any, Literal

import asyncpg

from hub.db import Connection, PoolOrConnection
from hub.dlq.letters import DeadLetter

Status = Literal["parked", "replayed", "purged"]
STATUSES: tuple[Status, ...] = ("parked", "replayed", "purged")

INSERT_DEAD_LETTER = """
INSERT INTO hub.dead_letters (
    parked_message_id, original_message_id, source_queue, original_exchange,
    original_routing_key, reason_code, reason, attempts, headers, body, content_type, parked_at
)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12)
ON CONFLICT (parked_message_id) DO NOTHING
RETURNING id
"""
SUMMARY_COLUMNS = """
id, parked_at, source_queue, original_routing_key, reason_code, attempts, status, replay_count
"""
LIST_DEAD_LETTERS = f"""
SELECT {SUMMARY_COLUMNS}
FROM hub.dead_letters
WHERE ($1::text IS NULL OR reason_code = $1)
  AND ($2::text IS NULL OR source_queue = $2)
  AND ($3::text IS NULL OR status = $3)
ORDER BY id DESC
LIMIT $4
"""
GET_DEAD_LETTER = "SELECT * FROM hub.dead_letters WHERE id = $1"
LOCK_DEAD_LETTER = "SELECT * FROM hub.dead_letters WHERE id = $1 FOR UPDATE"
SELECT_REPLAYABLE_IDS = """
SELECT id FROM hub.dead_letters
WHERE status = ANY($1::text[])
  AND ($2::text IS NULL OR reason_code = $2)
  AND ($3::text IS NULL OR source_queue = $3)
ORDER BY id
"""
MARK_REPLAYED = """
UPDATE hub.dead_letters
SET status = 'replayed', replayed_at = now(), replay_count = replay_count + 1
WHERE id = $1
"""
MARK_PURGED = "UPDATE hub.dead_letters SET status = 'purged' WHERE id = $1"
INSERT_AUDIT = """
INSERT INTO hub.dead_letter_audit (dead_letter_id, action, actor, detail)
VALUES ($1, $2, $3, $4)
"""
LIST_AUDIT = """
SELECT action, actor, at, detail FROM hub.dead_letter_audit
WHERE dead_letter_id = $1 ORDER BY id
"""


async def insert(conn: PoolOrConnection, letter: DeadLetter) -> int | None:
    """Store one parked message; None when this parking was stored before (redelivery)."""
    value: int | None = await conn.fetchval(
        INSERT_DEAD_LETTER,
        letter.parked_message_id,
        letter.original_message_id,
        letter.source_queue,
        letter.original_exchange,
        letter.original_routing_key,
        letter.reason_code,
        letter.reason,
        letter.attempts,
        json.dumps(letter.headers),
        letter.body,
        letter.content_type,
        letter.parked_at,
    )
    return value


async def list_summaries(
    conn: PoolOrConnection,
    *,
    reason_code: str | None = None,
    source_queue: str | None = None,
    status: Status | None = None,
    limit: int = 100,
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        LIST_DEAD_LETTERS, reason_code, source_queue, status, limit
    )
    return rows


async def get(conn: PoolOrConnection, dead_letter_id: int) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(GET_DEAD_LETTER, dead_letter_id)
    return row


async def lock(conn: Connection, dead_letter_id: int) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(LOCK_DEAD_LETTER, dead_letter_id)
    return row


async def replayable_ids(
    conn: PoolOrConnection,
    *,
    reason_code: str | None,
    source_queue: str | None,
    include_replayed: bool,
) -> list[int]:
    statuses = ["parked", "replayed"] if include_replayed else ["parked"]
    rows = await conn.fetch(SELECT_REPLAYABLE_IDS, statuses, reason_code, source_queue)
    return [int(row["id"]) for row in rows]


async def mark_replayed(conn: Connection, dead_letter_id: int) -> None:
    await conn.execute(MARK_REPLAYED, dead_letter_id)


async def mark_purged(conn: Connection, dead_letter_id: int) -> None:
    await conn.execute(MARK_PURGED, dead_letter_id)


async def audit(
    conn: Connection, dead_letter_id: int, *, action: str, actor: str, detail: str
) -> None:
    await conn.execute(INSERT_AUDIT, dead_letter_id, action, actor, detail)


async def audit_trail(conn: PoolOrConnection, dead_letter_id: int) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(LIST_AUDIT, dead_letter_id)
    return rows


def headers_of(row: asyncpg.Record) -> dict[str, Any]:
    value = row["headers"]
    parsed: dict[str, Any] = json.loads(value) if isinstance(value, str) else dict(value)
    return parsed
