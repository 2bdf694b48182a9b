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


async def take_ids(conn: Connection, ids: Sequence[int]) -> list[OutboxMessage]:
    """Delete these rows (those no other transaction holds) and return them, in id order.
    Inside the caller's transaction: if publishing them fails, the rollback keeps them."""
    rows = await conn.fetch(q.TAKE_OUTBOX_IDS, list(ids))
    return sorted((_message(r) for r in rows), key=lambda m: m.id or 0)


async def take_stale(conn: Connection, *, older_than_s: float, limit: int) -> list[OutboxMessage]:
    """Like :func:`take_ids`, for the oldest rows older than ``older_than_s``."""
    rows = await conn.fetch(q.TAKE_OUTBOX_STALE, older_than_s, limit)
    return sorted((_message(r) for r in rows), key=lambda m: m.id or 0)
