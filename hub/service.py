"""Apply one canonical message: inbox, dossier code, state and outbox, atomically.

Most messages take two round trips and no explicit transaction (optimistic concurrency):
read whether the message was seen and the dossier's state with its row version, decide in
Python, then send every write as one statement guarded by that version (see
:mod:`hub.store.statements`). If another writer changed the dossier in between (the
deadline scan, the postal tracker), nothing was written and the message is decided again
on the new state. A second claim of the same message id fails on the inbox's key, so a
message is applied once. With the states this process wrote last (:mod:`hub.known_states`)
most messages skip the read, and so does a reception of a dossier the process never wrote:
it is decided as new, and its write inserts the dossier only if it is absent.

A reception that leaves its code to the hub is applied the same way inside a transaction
that first allocates the code from the unit's daily sequence, so a failed apply gives the
number back.
"""

from __future__ import annotations

import asyncpg

from hub.db import Connection
from hub.dossier_codes import is_valid_code
from hub.errors import TransientError
from hub.known_states import KnownStates
from hub.lifecycle import Decision, DossierState, decide
from hub.reception import acknowledged, codeless_dossier, with_issued_code
from hub.registry import Registry
from hub.rendering import render
from hub.store import outbox, state, statements
from hub.store.codes import external_code_recorded, issue_dossier_code
from hub.store.outbox import OutboxMessage
from hub.store.statements import Write
from schemas import CanonicalMessage, DossierReceived

MAX_CONFLICTS = 50
"""Decisions retried on a newer state before the message goes back to its queue."""

INBOX_KEY = "inbox_pkey"


class DossierContended(TransientError):
    """The dossier kept changing under the decision; retry later."""

    reason_code = "dossier_contended"


async def process(
    pool: asyncpg.Pool,
    registry: Registry,
    message: CanonicalMessage,
    known: KnownStates | None = None,
) -> list[OutboxMessage] | None:
    """The outbox rows to publish, or None when the message id was processed before.
    With ``known``, a dossier state this process wrote last stands in for the read (see
    :mod:`hub.known_states`)."""
    async with pool.acquire() as conn:
        dossier = codeless_dossier(message)
        if dossier is None:
            return await _apply(conn, registry, message, known)
        if (await state.read_for_decision(conn, message.message_id, message.correlation_id)).seen:
            return None  # a redelivery: no number is taken
        async with conn.transaction():  # a failed apply gives the number back
            era = registry.at(dossier.received_at)
            code = await issue_dossier_code(
                conn,
                agency_code=era.unit(dossier.receiving_unit).agency_code,
                received_at=dossier.received_at,
            )
            coded = with_issued_code(message, code)
            return await _apply(conn, registry, coded, known, issued=True)


async def _read(
    conn: Connection, message: CanonicalMessage, known: KnownStates | None, attempt: int
) -> tuple[state.Read, bool]:
    """What to decide from, and whether it was taken without a read (from ``known``, first
    attempt only)."""
    if known is not None and attempt == 0:
        remembered = known.get(message.correlation_id)
        if remembered is not None:
            # Whether the message was seen is left to its inbox claim, in the guarded write.
            return state.Read(False, remembered[0], remembered[1]), True
        if isinstance(message.payload, DossierReceived):
            # A reception of a dossier this process never wrote: nearly always a new one.
            # Decided as new, its write inserts the dossier only if it is absent; if it is
            # there (a redelivery, another worker's), nothing is written and the message
            # is decided again on a read.
            return state.Read(False, None, None), True
    return await state.read_for_decision(conn, message.message_id, message.correlation_id), False


async def _apply(
    conn: Connection,
    registry: Registry,
    message: CanonicalMessage,
    known: KnownStates | None,
    *,
    issued: bool = False,
) -> list[OutboxMessage] | None:
    """Read, decide, write guarded by the version read; again on a newer state."""
    code = message.correlation_id
    for attempt in range(MAX_CONFLICTS):
        read, remembered = await _read(conn, message, known, attempt)
        if read.seen:
            return None
        try:
            decision = decide(read.state, message, registry)
        except Exception:
            if not remembered or known is None:
                raise
            known.forget(code)  # decide on what the database holds
            continue
        if issued:
            decision = acknowledged(decision)
        rows = [render(o, decision.state) for o in decision.outgoing]
        writes = [state.claimed(message.message_id), *_writes(message, read.state, decision)]
        if rows:
            writes.append(outbox.insert(rows))
        try:
            result = await statements.run_guarded(
                conn, state.version_guard(read, decision.state), writes
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == INBOX_KEY:  # processed before, or meanwhile elsewhere
                return None
            raise
        if result is None:  # stale: another writer changed the dossier
            if known is not None:
                known.forget(code)
            continue
        if known is not None:
            known.remember(decision.state, result.version)
        return outbox.with_ids(rows, result.rows)
    raise DossierContended(
        f"dossier {message.correlation_id} changed {MAX_CONFLICTS} times while deciding"
    )


def _writes(
    message: CanonicalMessage, current: DossierState | None, decision: Decision
) -> list[Write]:
    """The writes besides the dossier row (the guard writes that) and the outbox."""
    writes: list[Write] = []
    if _is_coded_reception(message):
        writes.append(external_code_recorded(message.correlation_id))
    if decision.state is not current:
        writes += state.parts_saved(decision.state)
    return writes


def _is_coded_reception(message: CanonicalMessage) -> bool:
    """A reception carrying a code the unit issued itself (noted so the hub never issues
    the unit's own code again)."""
    return isinstance(message.payload, DossierReceived) and is_valid_code(message.correlation_id)
