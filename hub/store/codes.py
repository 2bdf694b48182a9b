"""Issue dossier codes from a per-unit, per-day sequence kept in PostgreSQL.

One statement allocates the next number: the row lock taken by ``ON CONFLICT DO UPDATE``
serialises concurrent issuers of the same unit and day (any number of hub workers), while
other units and days never wait for each other. A unit's 10 000th code of a day is refused
without touching the counter.
"""

from __future__ import annotations

from datetime import datetime

from hub.db import Connection
from hub.dossier_codes import (
    MAX_SEQUENCE,
    DossierCode,
    SequenceExhausted,
    parse_code,
    reception_day,
)
from hub.store import statements
from hub.store.statements import GUARDED, Write

NEXT_SEQUENCE = """
INSERT INTO hub.dossier_code_sequences AS t (agency_code, day, last)
VALUES ($1, $2, 1)
ON CONFLICT (agency_code, day) DO UPDATE SET last = t.last + 1
WHERE t.last < $3
RETURNING last
"""
"""The next sequence number, or no row when the day's numbers are used up."""

RECORD_SEQUENCE = f"""
INSERT INTO hub.dossier_code_sequences AS t (agency_code, day, last)
SELECT $1, $2, $3 WHERE {GUARDED}
ON CONFLICT (agency_code, day) DO UPDATE SET last = greatest(t.last, EXCLUDED.last)
"""
"""Move a sequence past a code issued elsewhere, so the hub never issues it again."""


async def issue_dossier_code(conn: Connection, *, agency_code: str, received_at: datetime) -> str:
    """A new, never issued code for a dossier received now by the unit with ``agency_code``.

    Runs in the caller's transaction if there is one: a rollback gives the number back.
    """
    day = reception_day(received_at)
    DossierCode(agency_code, day, 1)  # an invalid agency code fails before the counter moves
    sequence = await conn.fetchval(NEXT_SEQUENCE, agency_code, day, MAX_SEQUENCE)
    if sequence is None:
        raise SequenceExhausted(
            f"agency {agency_code} already issued {MAX_SEQUENCE} dossier codes on {day:%d/%m/%Y}"
        )
    return str(DossierCode(agency_code, day, int(sequence)))


def external_code_recorded(code: str) -> Write:
    """The write noting a code a unit issued itself, so that hub-issued codes of that unit
    and day follow it."""
    parsed = parse_code(code)
    return Write(RECORD_SEQUENCE, (parsed.agency_code, parsed.day, parsed.sequence))


async def record_external_code(conn: Connection, code: str) -> None:
    """Run :func:`external_code_recorded` on its own."""
    await statements.run(conn, [external_code_recorded(code)])
