"""Projection of the later lifecycle steps: fee and rating rows. The dossier columns they
and the timeline drive (supplements, deadline warnings, past-due flag, apology, fees) are
derived with the rest of the dossier in ``sql.REFRESH_DOSSIERS``."""

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
