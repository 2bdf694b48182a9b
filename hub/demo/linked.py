"""The demo's linked procedure group counts, from the provincial database."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

LINKED_COUNTS = """
WITH groups AS (
    SELECT code FROM province.dossiers
    WHERE code = ANY($1::text[]) AND group_code IS NOT NULL
), parts AS (
    SELECT p.dossier_code, p.status FROM province.dossier_parts AS p
    JOIN groups AS g ON g.code = p.dossier_code
)
SELECT (SELECT count(*) FROM groups) AS linked_groups,
       (SELECT count(*) FROM groups AS g WHERE NOT EXISTS (
            SELECT 1 FROM parts AS p WHERE p.dossier_code = g.code AND p.status <> 9
       )) AS linked_groups_complete,
       (SELECT count(DISTINCT dossier_code) FROM parts WHERE status IN (3, 8))
           AS linked_groups_with_refusal,
       (SELECT count(*) FROM parts) AS linked_parts,
       (SELECT count(*) FROM parts WHERE status = 9) AS linked_parts_resolved,
       (SELECT count(*) FROM parts WHERE status IN (3, 8)) AS linked_parts_refused
"""


async def linked_counts(conn: asyncpg.Connection, codes: Sequence[str]) -> dict[str, int]:
    row = await conn.fetchrow(LINKED_COUNTS, list(codes))
    assert row is not None  # scalar subqueries only: always one row
    return {key: int(value) for key, value in row.items()}
