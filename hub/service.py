"""Apply one canonical message: inbox, state and outbox in one PostgreSQL transaction."""

from __future__ import annotations

import asyncpg

from hub.lifecycle import decide
from hub.registry import Registry
from hub.rendering import render
from hub.store import outbox, state
from schemas import CanonicalMessage


async def process(
    pool: asyncpg.Pool, registry: Registry, message: CanonicalMessage
) -> list[int] | None:
    """Outbox ids to publish, or None when the message id was processed before."""
    async with pool.acquire() as conn, conn.transaction():
        if not await state.claim_inbox(conn, message.message_id):
            return None
        current = await state.lock_dossier(conn, message.correlation_id)
        decision = decide(current, message, registry)
        if decision.state is not current:
            await state.save_dossier(conn, decision.state)
        rows = [render(o, decision.state) for o in decision.outgoing]
        return await outbox.add(conn, rows)
