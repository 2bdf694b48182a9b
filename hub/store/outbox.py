"""The transactional outbox: rows written with the state change, published after commit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

import asyncpg

from hub.db import Connection
from hub.store import queries as q
from hub.store import statements
from hub.store.statements import Write


@dataclass(frozen=True)
class OutboxMessage:
    message_id: UUID
    exchange: str
    routing_key: str
    body: bytes
    headers: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


def insert(messages: Sequence[OutboxMessage]) -> Write:
    """The write adding ``messages`` (returning their ids; see :func:`with_ids`)."""
    return Write(
        q.INSERT_OUTBOX,
        (
            [m.message_id for m in messages],
            [m.exchange for m in messages],
            [m.routing_key for m in messages],
            [m.body for m in messages],
            [json.dumps(m.headers) for m in messages],
        ),
        returning=True,
    )


def with_ids(messages: Sequence[OutboxMessage], rows: Sequence[Any]) -> list[OutboxMessage]:
    """``messages`` carrying the row ids :func:`insert` returned, in the order given.

    One message id can have several rows (an event goes to ``dossier.events`` and, as a
    notice, to a peer), so each row is matched on its message id, exchange and routing
    key; identical rows take their ids in order."""
    ids: dict[tuple[Any, str, str], list[int]] = {}
    for row in sorted(rows, key=lambda r: int(r["id"])):
        ids.setdefault((row["message_id"], row["exchange"], row["routing_key"]), []).append(
            int(row["id"])
        )
    return [replace(m, id=ids[(m.message_id, m.exchange, m.routing_key)].pop(0)) for m in messages]


async def add(conn: Connection, messages: Sequence[OutboxMessage]) -> list[OutboxMessage]:
    """Add ``messages`` in the caller's transaction; them with their row ids."""
    if not messages:
        return []
    return with_ids(messages, await statements.run(conn, [insert(messages)]))


async def delete(conn: Connection, ids: Sequence[int]) -> None:
    """Forget rows already published (confirmed by the broker)."""
    await conn.execute(q.DELETE_OUTBOX, list(ids))


def _message(row: asyncpg.Record) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        message_id=row["message_id"],
        exchange=row["exchange"],
        routing_key=row["routing_key"],
        body=bytes(row["body"]),
        headers=json.loads(row["headers"]),
    )


async def take_stale(
    conn: Connection, *, older_than_s: float, limit: int, skip: Sequence[int] = ()
) -> list[OutboxMessage]:
    """Delete the oldest rows older than ``older_than_s`` (except ``skip``, and those no
    other transaction holds) and return them, in id order. Inside the caller's
    transaction: if publishing them fails, the rollback keeps them."""
    rows = await conn.fetch(q.TAKE_OUTBOX_STALE, older_than_s, limit, list(skip))
    return sorted((_message(r) for r in rows), key=lambda m: m.id or 0)
