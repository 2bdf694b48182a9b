"""The demo's deadline phase and its lifecycle counts.

Dossiers some agencies leave undecided wait for the hub's deadline scan. The demo runs the
scan at the simulated times their due dates come near (the clock port, never a real
wait for a deadline), so the agencies are warned, apologise or are flagged past due."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

import asyncpg

from hub.deadlines import warning_at
from hub.overdue_cli import scan_once
from hub.settings import Settings

OPEN_DUE_DATES = """
SELECT DISTINCT date_trunc('day', due_at) AS day, max(due_at) AS latest
FROM hub.dossiers
WHERE code = ANY($1::text[]) AND status IN (1, 2, 4, 6) AND due_at IS NOT NULL
GROUP BY 1 ORDER BY 1
"""

LIFECYCLE_COUNTS = """
SELECT count(*) FILTER (WHERE supplement_requested_at IS NOT NULL) AS supplements,
       count(*) FILTER (WHERE resubmitted_at IS NOT NULL) AS resubmissions,
       count(*) FILTER (WHERE status = 7) AS withdrawals,
       count(*) FILTER (WHERE due_warned_at IS NOT NULL) AS due_soon_warnings,
       count(*) FILTER (WHERE overdue_flagged_at IS NOT NULL) AS overdue_flagged,
       count(*) FILTER (WHERE apologised_at IS NOT NULL) AS apologies,
       count(*) FILTER (WHERE fees_vnd > 0) AS fees_paid,
       (SELECT count(*) FROM province.ratings WHERE dossier_code = ANY($1::text[])) AS ratings
FROM province.dossiers
WHERE code = ANY($1::text[])
"""


async def lifecycle_counts(conn: asyncpg.Connection, codes: Sequence[str]) -> dict[str, int]:
    row = await conn.fetchrow(LIFECYCLE_COUNTS, list(codes))
    assert row is not None  # an aggregate without GROUP BY always returns one row
    return {key: int(value) for key, value in row.items()}


async def run_deadline_scans(
    settings: Settings, conn: asyncpg.Connection, codes: Sequence[str], *, pause_s: float = 1.5
) -> int:
    """Scan one working day before each open due date, then after the last: how many scans."""
    days = await conn.fetch(OPEN_DUE_DATES, list(codes))
    if not days:
        return 0
    latest: datetime = max(row["latest"] for row in days)
    for row in days:
        await scan_once(settings, warning_at(row["latest"]))
        await asyncio.sleep(pause_s)  # the agencies answer: apology, or nothing
    await scan_once(settings, latest + timedelta(hours=1))
    return len(days) + 1
