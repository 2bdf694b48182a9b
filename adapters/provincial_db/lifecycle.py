"""Projection of the later lifecycle steps: fee and rating rows, and the dossier columns
derived from the timeline (supplements, deadline warnings, past-due flag, apology, fees)."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.provincial_db.rows import Row
from schemas import CanonicalMessage, FeePaid, SatisfactionRated

INSERT_FEE = """
INSERT INTO province.fees
    (message_id, dossier_code, unit, amount_vnd, receipt_number, description, paid_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (message_id) DO NOTHING
"""

INSERT_RATING = """
INSERT INTO province.ratings (message_id, dossier_code, unit, rating, feedback, rated_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (message_id) DO NOTHING
"""

# Timeline read through its dossier index (``= ANY``), as in ``sql.REFRESH_DOSSIERS``.
REFRESH_LIFECYCLE = """
WITH touched AS (
    SELECT DISTINCT code FROM unnest($1::text[]) AS code
), marks AS (
    SELECT touched.code,
           min(t.occurred_at) FILTER (WHERE t.type = 'dossier.supplement_requested')
               AS supplement_requested_at,
           max(t.occurred_at) FILTER (WHERE t.type = 'dossier.resubmitted') AS resubmitted_at,
           max(t.occurred_at) FILTER (WHERE t.type = 'dossier.due_soon') AS due_warned_at,
           min(t.occurred_at) FILTER (WHERE t.type = 'dossier.overdue') AS overdue_flagged_at,
           min(t.occurred_at) FILTER (WHERE t.type = 'dossier.delay_apologised')
               AS apologised_at,
           (SELECT coalesce(sum(f.amount_vnd), 0) FROM province.fees AS f
            WHERE f.dossier_code = touched.code) AS fees_vnd
    FROM touched
    LEFT JOIN (SELECT * FROM province.timeline WHERE dossier_code = ANY($1::text[])) AS t
        ON t.dossier_code = touched.code
    GROUP BY touched.code
)
UPDATE province.dossiers AS d SET
    supplement_requested_at = m.supplement_requested_at,
    resubmitted_at = m.resubmitted_at,
    due_warned_at = m.due_warned_at,
    overdue_flagged_at = m.overdue_flagged_at,
    apologised_at = m.apologised_at,
    fees_vnd = m.fees_vnd
FROM marks AS m
WHERE d.code = m.code
"""
"""Derived from the whole timeline, like REFRESH_DOSSIERS, so arrival order never matters."""


def fee_rows(messages: Sequence[CanonicalMessage]) -> list[Row]:
    return [
        (
            m.message_id,
            m.correlation_id,
            m.payload.unit,
            m.payload.amount_vnd,
            m.payload.receipt_number,
            m.payload.description,
            m.occurred_at,
        )
        for m in messages
        if isinstance(m.payload, FeePaid)
    ]


def rating_rows(messages: Sequence[CanonicalMessage]) -> list[Row]:
    return [
        (
            m.message_id,
            m.correlation_id,
            m.payload.unit,
            m.payload.rating,
            m.payload.feedback,
            m.occurred_at,
        )
        for m in messages
        if isinstance(m.payload, SatisfactionRated)
    ]
