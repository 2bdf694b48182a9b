"""The transactional outbox: rows written with the state change, published after commit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg

from hub.db import Connection
from hub.store import queries as q


@dataclass(frozen=True)
class OutboxMessage:
    message_id: UUID
    exchange: str
    routing_key: str
    body: bytes
    headers: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


async def add(conn: Connection, messages: Sequence[OutboxMessage]) -> list[int]:
    if not messages:
        return []
    rows = await conn.fetch(
        q.INSERT_OUTBOX,
        [m.message_id for m in messages],
        [m.exchange for m in messages],
        [m.routing_key for m in messages],
        [m.body for m in messages],
        [json.dumps(m.headers) for m in messages],
    )
    return [row["id"] for row in rows]


def _message(row: asyncpg.Record) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        message_id=row["message_id"],
        exchange=row["exchange"],
        routing_key=row["routing_key"],
        body=bytes(row["body"]),
        headers=json.loads(row["headers"]),
    )


async def lock_ids(conn: Connection, ids: Sequence[int]) -> list[OutboxMessage]:
    return [_message(row) for row in await conn.fetch(q.LOCK_OUTBOX_IDS, list(ids))]


async def lock_stale(conn: Connection, *, older_than_s: float, limit: int) -> list[OutboxMessage]:
    return [_message(r) for r in await conn.fetch(q.LOCK_OUTBOX_STALE, older_than_s, limit)]


async def delete(conn: Connection, ids: Sequence[int]) -> None:
    await conn.execute(q.DELETE_OUTBOX, list(ids))
