"""Apply one canonical message: inbox, dossier code, state and outbox in one PostgreSQL
transaction."""

from __future__ import annotations

import asyncpg

from hub.db import Connection
from hub.dossier_codes import is_valid_code
from hub.lifecycle import decide
from hub.reception import acknowledged, codeless_dossier, with_issued_code
from hub.registry import Registry
from hub.rendering import render
from hub.store import outbox, state
from hub.store.codes import issue_dossier_code, record_external_code
from schemas import CanonicalMessage, DossierReceived


async def process(
    pool: asyncpg.Pool, registry: Registry, message: CanonicalMessage
) -> list[int] | None:
    """Outbox ids to publish, or None when the message id was processed before."""
    async with pool.acquire() as conn, conn.transaction():
        if not await state.claim_inbox(conn, message.message_id):
            return None
        coded = await _with_dossier_code(conn, registry, message)
        current = await state.lock_dossier(conn, coded.correlation_id)
        decision = decide(current, coded, registry)
        if coded is not message:
            decision = acknowledged(decision)
        if decision.state is not current:
            await state.save_dossier(conn, decision.state)
        rows = [render(o, decision.state) for o in decision.outgoing]
        return await outbox.add(conn, rows)


async def _with_dossier_code(
    conn: Connection, registry: Registry, message: CanonicalMessage
) -> CanonicalMessage:
    """A reception with its dossier code: issued now from the receiving unit's daily
    sequence when the unit left it out (rolled back with the transaction), else noted so the
    hub never issues the unit's own code again. Any other message as it is."""
    dossier = codeless_dossier(message)
    if dossier is None:
        if isinstance(message.payload, DossierReceived) and is_valid_code(message.correlation_id):
            await record_external_code(conn, message.correlation_id)
        return message
    agency_code = registry.at(dossier.received_at).unit(dossier.receiving_unit).agency_code
    code = await issue_dossier_code(conn, agency_code=agency_code, received_at=dossier.received_at)
    return with_issued_code(message, code)
