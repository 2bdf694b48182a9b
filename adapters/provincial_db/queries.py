"""Read side of the provincial registry: lookups by code, timelines and statistics."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime

from adapters.provincial_db.records import DossierRow, Summary, TimelineEntry
from hub.db import Connection
from schemas import FINAL_STATUSES

FINAL = sorted(int(status) for status in FINAL_STATUSES)

SELECT_TIMELINE = """
SELECT message_id, dossier_code, sequence, type, status, unit, occurred_at, recorded_at,
       payload::text AS payload
FROM province.timeline
WHERE dossier_code = $1
ORDER BY sequence NULLS LAST, occurred_at, id
"""

SELECT_DOSSIER = """
SELECT code, procedure_code, receiving_unit, competent_unit, channel, return_method,
       received_at, due_at, status, status_at, last_sequence, resolved_at, returned_at,
       applicant_digest, applicant::text AS applicant, updated_at
FROM province.dossiers
WHERE code = $1
"""

SELECT_STATUS_COUNTS = """
SELECT status, count(*) AS dossiers
FROM province.dossiers
WHERE code = ANY($1::text[])
GROUP BY status
"""

SELECT_SUMMARY = """
WITH picked AS (
    SELECT d.status, d.due_at, d.resolved_at,
           d.status = ANY($2::smallint[]) AS final,
           EXISTS (SELECT 1 FROM province.handoffs AS h WHERE h.dossier_code = d.code)
               AS transferred,
           EXISTS (SELECT 1 FROM province.postal_orders AS o
                   WHERE o.dossier_code = d.code AND o.delivered_at IS NOT NULL)
               AS delivered_by_post
    FROM province.dossiers AS d
    WHERE d.code = ANY($1::text[])
)
SELECT count(*) AS dossiers,
       count(*) FILTER (WHERE final) AS final,
       count(*) FILTER (WHERE NOT final) AS open,
       count(*) FILTER (WHERE transferred) AS transferred,
       count(*) FILTER (WHERE delivered_by_post) AS returned_by_post,
       count(*) FILTER (WHERE status = 10 AND NOT delivered_by_post) AS returned_in_person,
       count(*) FILTER (WHERE resolved_at IS NOT NULL) AS resolved,
       count(*) FILTER (WHERE resolved_at IS NOT NULL
                          AND (due_at IS NULL OR resolved_at <= due_at)) AS on_time,
       count(*) FILTER (WHERE NOT final AND resolved_at IS NULL) AS still_open,
       count(*) FILTER (WHERE status = 3) AS refused
FROM picked
"""


async def timeline(conn: Connection, dossier_code: str) -> list[TimelineEntry]:
    """Every recorded event of a dossier, ordered by sequence, then time of occurrence."""
    rows = await conn.fetch(SELECT_TIMELINE, dossier_code)
    return [TimelineEntry(**{**row, "payload": json.loads(row["payload"])}) for row in rows]


async def dossier(conn: Connection, code: str) -> DossierRow | None:
    row = await conn.fetchrow(SELECT_DOSSIER, code)
    if row is None:
        return None
    return DossierRow(**{**row, "applicant": json.loads(row["applicant"])})


async def status_counts(conn: Connection, codes: Sequence[str]) -> dict[int, int]:
    """How many of the given dossiers are in each status (statuses with none are absent)."""
    rows = await conn.fetch(SELECT_STATUS_COUNTS, list(codes))
    return {row["status"]: row["dossiers"] for row in rows}


async def demo_summary(conn: Connection, codes: Sequence[str]) -> Summary:
    row = await conn.fetchrow(SELECT_SUMMARY, list(codes), FINAL)
    assert row is not None  # an aggregate without GROUP BY always returns one row
    return Summary(**{f.name: row[f.name] for f in fields(Summary)})


SELECT_TIMELINE_INCOMPLETE = """
SELECT count(*) FROM province.dossiers d
LEFT JOIN LATERAL (
    SELECT count(*) AS entries, min(sequence) AS first, max(sequence) AS last
    FROM province.timeline t WHERE t.dossier_code = d.code AND t.sequence IS NOT NULL
) t ON true
WHERE d.code = ANY($1::text[])
  AND NOT (t.first = 1 AND t.last = t.entries)
"""


async def incomplete_timelines(conn: Connection, codes: Sequence[str]) -> int:
    """Dossiers whose timeline is not exactly the sequences 1..last, with no gap."""
    return int(await conn.fetchval(SELECT_TIMELINE_INCOMPLETE, list(codes)))


SELECT_LAST_RECEIVED = "SELECT max(received_at) FROM province.dossiers WHERE received_at < $1"


async def last_received_before(conn: Connection, limit: datetime) -> datetime | None:
    value = await conn.fetchval(SELECT_LAST_RECEIVED, limit)
    return value if isinstance(value, datetime) else None
