"""Operator actions on stored dead letters: replay (republish to where it came from) and
purge. Each action is one transaction that locks the row and writes an audit record."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

import asyncpg

from hub.db import Connection
from hub.dlq import store
from hub.dlq.letters import (
    ActionRefused,
    ReplayTarget,
    replay_headers,
    replay_message_id,
    replay_target,
)
from hub.relay import Publisher
from hub.store.outbox import OutboxMessage


class DeadLetterNotFound(ActionRefused):
    reason_code = "dead_letter_not_found"


@dataclass(frozen=True)
class Replayed:
    dead_letter_id: int
    target: ReplayTarget
    dry_run: bool


def replay_message(row: asyncpg.Record) -> OutboxMessage:
    """The original body and headers, addressed to where the message was parked from."""
    target = replay_target(
        row["source_queue"], row["original_routing_key"], row["original_exchange"]
    )
    return OutboxMessage(
        replay_message_id(row["original_message_id"]) or uuid4(),
        target.exchange,
        target.routing_key,
        bytes(row["body"]),
        replay_headers(store.headers_of(row), row["content_type"]),
    )


async def _locked(conn: Connection, dead_letter_id: int) -> asyncpg.Record:
    row = await store.lock(conn, dead_letter_id)
    if row is None:
        raise DeadLetterNotFound(f"no dead letter with id {dead_letter_id}")
    return row


async def replay(
    conn: Connection,
    publisher: Publisher,
    dead_letter_id: int,
    *,
    actor: str,
    force: bool = False,
    dry_run: bool = False,
) -> Replayed:
    """Republish with publisher confirms, then mark replayed and audit, in one transaction.

    A crash between the confirm and the commit leaves the row parked, so it may be replayed
    again later; the hub's inbox makes that second copy harmless.
    """
    async with conn.transaction():
        row = await _locked(conn, dead_letter_id)
        if row["status"] == "purged":
            raise ActionRefused(f"dead letter {dead_letter_id} was purged")
        if row["status"] == "replayed" and not force:
            raise ActionRefused(
                f"dead letter {dead_letter_id} was already replayed "
                f"{row['replay_count']} time(s); use --force to replay it again"
            )
        message = replay_message(row)
        target = ReplayTarget(message.exchange, message.routing_key)
        if dry_run:
            return Replayed(dead_letter_id, target, dry_run=True)
        await publisher.publish(message)
        await store.mark_replayed(conn, dead_letter_id)
        await store.audit(
            conn, dead_letter_id, action="replay", actor=actor, detail=f"to {target.describe()}"
        )
    return Replayed(dead_letter_id, target, dry_run=False)


async def purge(conn: Connection, dead_letter_id: int, *, actor: str, detail: str = "") -> None:
    """Mark a dead letter as truly bad; the row (and its body) is kept for the record."""
    async with conn.transaction():
        row = await _locked(conn, dead_letter_id)
        if row["status"] == "purged":
            raise ActionRefused(f"dead letter {dead_letter_id} is already purged")
        await store.mark_purged(conn, dead_letter_id)
        await store.audit(conn, dead_letter_id, action="purge", actor=actor, detail=detail)
