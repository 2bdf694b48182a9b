"""Load and save tracked dossiers and the inbox, inside the caller's transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from hub.db import Connection
from hub.lifecycle import DossierState
from hub.lifecycle_model import PartState
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


async def _with_parts(conn: Connection | asyncpg.Pool, row: Any) -> DossierState:
    """The state of a dossier row, with its parts when it is a linked group dossier."""
    state = _state(row)
    if state.dossier.group_code is None:
        return state
    rows: Any = await conn.fetch(q.SELECT_PARTS, state.code)
    parts = tuple(
        PartState(
            procedure_code=r["procedure_code"],
            unit=r["competent_unit"],
            status=DossierStatus(r["status"]),
            due_at=r["due_at"],
            decision_number=r["decision_number"],
            summary=r["summary"],
            reason=r["reason"],
        )
        for r in rows
    )
    return replace(state, parts=parts)


async def lock_dossier(conn: Connection, code: str) -> DossierState | None:
    row = await conn.fetchrow(q.LOCK_DOSSIER, code)
    return None if row is None else await _with_parts(conn, row)


async def get_dossier(conn: Connection | asyncpg.Pool, code: str) -> DossierState | None:
    row: Any = await conn.fetchrow(q.GET_DOSSIER, code)
    return None if row is None else await _with_parts(conn, row)


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
    if state.parts:
        await conn.executemany(
            q.UPSERT_PART,
            [
                (
                    state.code,
                    p.procedure_code,
                    position,
                    p.unit,
                    int(p.status),
                    p.due_at,
                    p.decision_number,
                    p.summary,
                    p.reason,
                )
                for position, p in enumerate(state.parts)
            ],
        )


async def deadline_candidates(
    conn: Connection | asyncpg.Pool, *, due_after: datetime, due_before: datetime, limit: int
) -> list[DossierState]:
    """Open dossiers due in ``(due_after, due_before]`` still lacking a warning or a flag."""
    rows: Any = await conn.fetch(q.SELECT_DEADLINE_CANDIDATES, due_after, due_before, limit)
    return [_state(row) for row in rows]
