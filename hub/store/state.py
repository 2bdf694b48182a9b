"""Load and save tracked dossiers and the inbox, inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from hub.db import Connection
from hub.lifecycle import DossierState
from hub.lifecycle_model import PartState
from hub.store import queries as q
from hub.store.statements import Write
from schemas import Dossier, DossierStatus


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


@dataclass(frozen=True)
class Read:
    """What a decision is made from: whether the message was seen, and the dossier's state
    with its row version."""

    seen: bool
    state: DossierState | None
    version: int | None


async def read_for_decision(conn: Connection, message_id: UUID, code: str) -> Read:
    row = await conn.fetchrow(q.READ_FOR_DECISION, message_id, code)
    if row is None or row["seen"]:
        return Read(True, None, None)
    if row["status"] is None:
        return Read(False, None, None)
    return Read(False, await _with_parts(conn, row), row["version"])


def claimed(message_id: UUID) -> Write:
    return Write(q.CLAIM, (message_id,))


def _columns(state: DossierState) -> tuple[Any, ...]:
    return (
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


def version_guard(read: Read, new: DossierState) -> Write:
    """The guard of a decision made from ``read``: insert the new dossier if nobody did
    meanwhile, update it if it is still at the version read, or, when the decision left
    it unchanged, check (and lock) that version."""
    if read.state is None or read.version is None:
        return Write(q.INSERT_NEW_DOSSIER, _columns(new))
    if new is read.state:
        return Write(q.DOSSIER_AT_VERSION, (read.state.code, read.version))
    return Write(q.UPDATE_DOSSIER_AT_VERSION, (*_columns(new), read.version))


async def get_dossier(conn: Connection | asyncpg.Pool, code: str) -> DossierState | None:
    row: Any = await conn.fetchrow(q.GET_DOSSIER, code)
    return None if row is None else await _with_parts(conn, row)


def parts_saved(state: DossierState) -> list[Write]:
    """The write that saves a group dossier's parts (none for another dossier)."""
    writes: list[Write] = []
    if state.parts:
        parts = state.parts
        writes.append(
            Write(
                q.UPSERT_PARTS,
                (
                    state.code,
                    [p.procedure_code for p in parts],
                    list(range(len(parts))),
                    [p.unit for p in parts],
                    [int(p.status) for p in parts],
                    [p.due_at for p in parts],
                    [p.decision_number for p in parts],
                    [p.summary for p in parts],
                    [p.reason for p in parts],
                ),
            )
        )
    return writes


async def deadline_candidates(
    conn: Connection | asyncpg.Pool, *, due_after: datetime, due_before: datetime, limit: int
) -> list[DossierState]:
    """Open dossiers due in ``(due_after, due_before]`` still lacking a warning or a flag."""
    rows: Any = await conn.fetch(q.SELECT_DEADLINE_CANDIDATES, due_after, due_before, limit)
    return [_state(row) for row in rows]
