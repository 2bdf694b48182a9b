"""Load and save tracked dossiers and the inbox, inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from hub.db import Connection
from hub.lifecycle import DossierState
from hub.store import queries as q
from schemas import Dossier, DossierStatus


async def claim_inbox(conn: Connection, message_id: UUID) -> bool:
    """True the first time a message id is seen; False for a redelivery or replay."""
    return await conn.fetchval(q.CLAIM_INBOX, message_id) is not None


def _state(row: asyncpg.Record) -> DossierState:
    return DossierState(
        dossier=Dossier.model_validate_json(row["dossier"]),
        competent_unit=row["competent_unit"],
        status=DossierStatus(row["status"]),
        sequence=row["sequence"],
        due_at=row["due_at"],
        postal_item_code=row["postal_item_code"],
        supplement_requested=row["supplement_requested"],
        deadline_extended=row["deadline_extended"],
        warned_due_at=row["warned_due_at"],
        overdue_due_at=row["overdue_due_at"],
    )


async def lock_dossier(conn: Connection, code: str) -> DossierState | None:
    row = await conn.fetchrow(q.LOCK_DOSSIER, code)
    return None if row is None else _state(row)


async def get_dossier(conn: Connection | asyncpg.Pool, code: str) -> DossierState | None:
    row: Any = await conn.fetchrow(q.GET_DOSSIER, code)
    return None if row is None else _state(row)


async def save_dossier(conn: Connection, state: DossierState) -> None:
    await conn.execute(
        q.UPSERT_DOSSIER,
        state.code,
        state.competent_unit,
        int(state.status),
        state.sequence,
        state.due_at,
        state.postal_item_code,
        state.dossier.model_dump_json(),
        state.supplement_requested,
        state.deadline_extended,
        state.warned_due_at,
        state.overdue_due_at,
    )


async def deadline_candidates(
    conn: Connection | asyncpg.Pool, *, due_after: datetime, due_before: datetime, limit: int
) -> list[DossierState]:
    """Open dossiers due in ``(due_after, due_before]`` still lacking a warning or a flag."""
    rows: Any = await conn.fetch(q.SELECT_DEADLINE_CANDIDATES, due_after, due_before, limit)
    return [_state(row) for row in rows]
