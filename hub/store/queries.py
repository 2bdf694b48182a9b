"""SQL of the hub's own state, as named constants."""

from __future__ import annotations

CLAIM_AND_LOCK = """
WITH claimed AS (
    INSERT INTO hub.inbox (message_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING message_id
)
SELECT EXISTS (SELECT FROM claimed) AS claimed, d.*
FROM (SELECT) AS one
LEFT JOIN LATERAL (
    SELECT competent_unit, status, sequence, due_at, postal_item_code, dossier,
           supplement_requested, deadline_extended, warned_due_at, overdue_due_at
    FROM hub.dossiers WHERE code = $2 FOR UPDATE
) AS d ON true
"""
"""Claim a message id in the inbox and lock its dossier's row, in one round trip."""
LOCK_DOSSIER = """
SELECT competent_unit, status, sequence, due_at, postal_item_code, dossier,
       supplement_requested, deadline_extended, warned_due_at, overdue_due_at
FROM hub.dossiers WHERE code = $1 FOR UPDATE
"""
GET_DOSSIER = """
SELECT competent_unit, status, sequence, due_at, postal_item_code, dossier,
       supplement_requested, deadline_extended, warned_due_at, overdue_due_at
FROM hub.dossiers WHERE code = $1
"""
UPSERT_DOSSIER = """
INSERT INTO hub.dossiers
    (code, competent_unit, status, sequence, due_at, postal_item_code, dossier,
     supplement_requested, deadline_extended, warned_due_at, overdue_due_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (code) DO UPDATE SET
    competent_unit = EXCLUDED.competent_unit, status = EXCLUDED.status,
    sequence = EXCLUDED.sequence, due_at = EXCLUDED.due_at,
    postal_item_code = EXCLUDED.postal_item_code,
    supplement_requested = EXCLUDED.supplement_requested,
    deadline_extended = EXCLUDED.deadline_extended,
    warned_due_at = EXCLUDED.warned_due_at, overdue_due_at = EXCLUDED.overdue_due_at,
    updated_at = now()
"""
SELECT_PARTS = """
SELECT procedure_code, competent_unit, status, due_at, decision_number, summary, reason
FROM hub.dossier_parts WHERE dossier_code = $1 ORDER BY position
"""
UPSERT_PARTS = """
INSERT INTO hub.dossier_parts
    (dossier_code, procedure_code, position, competent_unit, status, due_at, decision_number,
     summary, reason)
SELECT $1, * FROM unnest($2::text[], $3::smallint[], $4::text[], $5::smallint[],
                         $6::timestamptz[], $7::text[], $8::text[], $9::text[])
ON CONFLICT (dossier_code, procedure_code) DO UPDATE SET
    competent_unit = EXCLUDED.competent_unit, status = EXCLUDED.status,
    due_at = EXCLUDED.due_at, decision_number = EXCLUDED.decision_number,
    summary = EXCLUDED.summary, reason = EXCLUDED.reason, updated_at = now()
"""
SELECT_DEADLINE_CANDIDATES = """
SELECT code, competent_unit, status, sequence, due_at, postal_item_code, dossier,
       supplement_requested, deadline_extended, warned_due_at, overdue_due_at
FROM hub.dossiers
WHERE status IN (1, 2, 4, 6) AND due_at > $1 AND due_at <= $2
  AND (warned_due_at IS DISTINCT FROM due_at OR overdue_due_at IS DISTINCT FROM due_at)
ORDER BY due_at
LIMIT $3
"""
"""Open dossiers due in a window around now that still lack a warning or a past-due flag."""
INSERT_OUTBOX = """
INSERT INTO hub.outbox (message_id, exchange, routing_key, body, headers)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::jsonb[])
RETURNING id, message_id
"""
DELETE_OUTBOX = "DELETE FROM hub.outbox WHERE id = ANY($1::bigint[])"
TAKE_OUTBOX_STALE = """
WITH picked AS (
    SELECT id FROM hub.outbox WHERE created_at < now() - make_interval(secs => $1)
    ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
)
DELETE FROM hub.outbox o USING picked WHERE o.id = picked.id
RETURNING o.id, o.message_id, o.exchange, o.routing_key, o.body, o.headers
"""
COUNT_OUTBOX = "SELECT count(*) FROM hub.outbox"
LOCK_POSTAL_CURSOR = "SELECT cursor FROM hub.postal_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED"
SAVE_POSTAL_CURSOR = "UPDATE hub.postal_cursor SET cursor = $1 WHERE id = 1"
