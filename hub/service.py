"""Apply one canonical message: inbox, dossier code, state and outbox in one PostgreSQL
transaction, in as few round trips as the decision allows: claim and lock in one
statement, every write in another (see :mod:`hub.store.statements`)."""

from __future__ import annotations

import asyncpg

from hub.db import Connection
from hub.dossier_codes import is_valid_code
from hub.lifecycle import DossierState, decide
from hub.reception import acknowledged, codeless_dossier, with_issued_code
from hub.registry import Registry
from hub.rendering import render
from hub.store import outbox, state, statements
from hub.store.codes import external_code_recorded, issue_dossier_code
from hub.store.outbox import OutboxMessage
from hub.store.statements import Write
from schemas import CanonicalMessage, DossierReceived


async def process(
    pool: asyncpg.Pool, registry: Registry, message: CanonicalMessage
) -> list[OutboxMessage] | None:
    """The outbox rows to publish, or None when the message id was processed before."""
    async with pool.acquire() as conn, conn.transaction():
        claimed, current = await state.claim_and_lock(
            conn, message.message_id, message.correlation_id
        )
        if not claimed:
            return None
        coded, current = await _with_dossier_code(conn, registry, message, current)
        decision = decide(current, coded, registry)
        if coded is not message:
            decision = acknowledged(decision)
        writes: list[Write] = []
        if coded is message and _is_coded_reception(message):
            writes.append(external_code_recorded(message.correlation_id))
        if decision.state is not current:
            writes += state.saved(decision.state)
        rows = [render(o, decision.state) for o in decision.outgoing]
        if rows:
            writes.append(outbox.insert(rows))
        return outbox.with_ids(rows, await statements.run(conn, writes))


def _is_coded_reception(message: CanonicalMessage) -> bool:
    """A reception carrying a code the unit issued itself (noted so the hub never issues
    the unit's own code again)."""
    return isinstance(message.payload, DossierReceived) and is_valid_code(message.correlation_id)


async def _with_dossier_code(
    conn: Connection,
    registry: Registry,
    message: CanonicalMessage,
    current: DossierState | None,
) -> tuple[CanonicalMessage, DossierState | None]:
    """A reception with its dossier code, issued now from the receiving unit's daily
    sequence when the unit left it out (rolled back with the transaction), and the state
    under that code; any other message as it is, with ``current``."""
    dossier = codeless_dossier(message)
    if dossier is None:
        return message, current
    agency_code = registry.at(dossier.received_at).unit(dossier.receiving_unit).agency_code
    code = await issue_dossier_code(conn, agency_code=agency_code, received_at=dossier.received_at)
    coded = with_issued_code(message, code)
    return coded, await state.lock_dossier(conn, code)
