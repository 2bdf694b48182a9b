"""SQL of the hub's own state, as named constants."""

from __future__ import annotations

from hub.store.statements import GUARDED

READ_FOR_DECISION = """
SELECT EXISTS (SELECT FROM hub.inbox WHERE message_id = $1) AS seen, d.*
FROM (SELECT) AS one
LEFT JOIN LATERAL (
    SELECT xmin AS version, competent_unit, status, sequence, due_at, postal_item_code,
           dossier, supplement_requested, deadline_extended, warned_due_at, overdue_due_at
    FROM hub.dossiers WHERE code = $2
) AS d ON true
"""
"""Whether a message id was processed, and its dossier's state with the row version
(``xmin``), without a lock: the writes that follow apply only if the version is still
the one read (see :mod:`hub.service`)."""
CLAIM = f"INSERT INTO hub.inbox (message_id) SELECT $1 WHERE {GUARDED}"
"""Claim a message id; a second claim of the same id fails with a unique violation."""
INSERT_NEW_DOSSIER = """
INSERT INTO hub.dossiers
    (code, competent_unit, status, sequence, due_at, postal_item_code, dossier,
     supplement_requested, deadline_extended, warned_due_at, overdue_due_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (code) DO NOTHING
RETURNING xmin AS version
"""
UPDATE_DOSSIER_AT_VERSION = """
UPDATE hub.dossiers SET
    competent_unit = $2, status = $3, sequence = $4, due_at = $5, postal_item_code = $6,
    dossier = $7, supplement_requested = $8, deadline_extended = $9, warned_due_at = $10,
    overdue_due_at = $11, updated_at = now()
WHERE code = $1 AND xmin = $12::xid
RETURNING xmin AS version
"""
DOSSIER_AT_VERSION = (
    "SELECT xmin AS version FROM hub.dossiers WHERE code = $1 AND xmin = $2::xid FOR UPDATE"
)
GET_DOSSIER = """
SELECT competent_unit, status, sequence, due_at, postal_item_code, dossier,
       supplement_requested, deadline_extended, warned_due_at, overdue_due_at
FROM hub.dossiers WHERE code = $1
"""
SELECT_PARTS = """
SELECT procedure_code, competent_unit, status, due_at, decision_number, summary, reason
FROM hub.dossier_parts WHERE dossier_code = $1 ORDER BY position
"""
UPSERT_PARTS = f"""
INSERT INTO hub.dossier_parts
    (dossier_code, procedure_code, position, competent_unit, status, due_at, decision_number,
     summary, reason)
SELECT $1, * FROM unnest($2::text[], $3::smallint[], $4::text[], $5::smallint[],
                         $6::timestamptz[], $7::text[], $8::text[], $9::text[])
WHERE {GUARDED}
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
INSERT_OUTBOX = f"""
INSERT INTO hub.outbox (message_id, exchange, routing_key, body, headers)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::jsonb[])
WHERE {GUARDED}
RETURNING id, message_id, exchange, routing_key
"""
DELETE_OUTBOX = "DELETE FROM hub.outbox WHERE id = ANY($1::bigint[])"
TAKE_OUTBOX_STALE = """
WITH picked AS (
    SELECT id FROM hub.outbox
    WHERE created_at < now() - make_interval(secs => $1) AND NOT id = ANY($3::bigint[])
    ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
)
DELETE FROM hub.outbox o USING picked WHERE o.id = picked.id
RETURNING o.id, o.message_id, o.exchange, o.routing_key, o.body, o.headers
"""
COUNT_OUTBOX = "SELECT count(*) FROM hub.outbox"
LOCK_POSTAL_CURSOR = "SELECT cursor FROM hub.postal_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED"
SAVE_POSTAL_CURSOR = "UPDATE hub.postal_cursor SET cursor = $1 WHERE id = 1"
