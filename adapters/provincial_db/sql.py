"""SQL of the projector, as named constants. Values always travel as parameters."""

from __future__ import annotations

DOSSIER_LOCK_CLASS = 4601
"""First key of the two-key advisory locks that serialise projections of one dossier."""

LOCK_DOSSIERS = """
SELECT pg_advisory_xact_lock($1::integer, keys.k)
FROM (SELECT DISTINCT hashtext(code) AS k FROM unnest($2::text[]) AS code ORDER BY 1) AS keys
"""

INSERT_TIMELINE = """
INSERT INTO province.timeline
    (message_id, dossier_code, sequence, type, status, unit, occurred_at, payload)
SELECT m.message_id, m.dossier_code, m.sequence, m.type, m.status, m.unit, m.occurred_at,
       m.payload::jsonb
FROM unnest($1::uuid[], $2::text[], $3::integer[], $4::text[], $5::smallint[], $6::text[],
            $7::timestamptz[], $8::text[])
    AS m(message_id, dossier_code, sequence, type, status, unit, occurred_at, payload)
ON CONFLICT (message_id) DO NOTHING
RETURNING message_id
"""

_INSERT_DOSSIER = """
INSERT INTO province.dossiers
    (code, procedure_code, receiving_unit, competent_unit, channel, return_method,
     received_at, status, status_at, applicant_digest, applicant, group_code)
VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $6, $8, $9::jsonb, $10)
"""
UPSERT_RECEIVED_DOSSIER = (
    _INSERT_DOSSIER
    + """
ON CONFLICT (code) DO UPDATE SET
    procedure_code = EXCLUDED.procedure_code,
    receiving_unit = EXCLUDED.receiving_unit,
    channel = EXCLUDED.channel,
    return_method = EXCLUDED.return_method,
    received_at = EXCLUDED.received_at,
    applicant_digest = EXCLUDED.applicant_digest,
    applicant = EXCLUDED.applicant,
    group_code = EXCLUDED.group_code,
    updated_at = now()
"""
)
"""dossier.received is authoritative for the dossier's own fields."""

INSERT_TRANSFERRED_DOSSIER = _INSERT_DOSSIER + "ON CONFLICT (code) DO NOTHING\n"
"""dossier.transferred carries the dossier too: it creates the row if received is late."""

INSERT_HANDOFF = """
INSERT INTO province.handoffs
    (message_id, dossier_code, from_unit, to_unit, handed_over_at, due_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (message_id) DO NOTHING
"""

UPSERT_POSTAL_ORDER = """
INSERT INTO province.postal_orders
    (order_number, item_code, dossier_code, receiver_commune, created_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (order_number) DO UPDATE SET
    item_code = EXCLUDED.item_code,
    dossier_code = EXCLUDED.dossier_code,
    receiver_commune = EXCLUDED.receiver_commune,
    created_at = EXCLUDED.created_at
"""

INSERT_POSTAL_ORDER_IF_MISSING = """
INSERT INTO province.postal_orders (order_number, item_code, dossier_code)
VALUES ($1, $2, $3)
ON CONFLICT (order_number) DO NOTHING
"""

INSERT_POSTAL_EVENT = """
INSERT INTO province.postal_events
    (order_number, status_code, event_time, status_message, pos_id, delivered)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (order_number, status_code, event_time) DO NOTHING
"""

# The timeline is filtered with ``= ANY($1)`` rather than joined to ``touched``: the join let
# the planner hash it and scan the whole timeline on every batch (a cost that grows with the
# table); ``= ANY`` reads it through the dossier index whatever the statistics say. Every
# derived column comes from one pass over those entries (one GROUP BY, the latest values
# picked with ordered ``array_agg``): the earlier form, a DISTINCT ON subquery per column
# group, took PostgreSQL three times as long to plan, and it is planned on every execution.
_LATEST = "ORDER BY t.sequence DESC NULLS LAST, t.occurred_at DESC, t.message_id DESC"
_WITH_STATUS = f"{_LATEST}) FILTER (WHERE t.status IS NOT NULL))[1]"
_DUE_CARRIERS = (
    "'dossier.transferred', 'dossier.accepted', 'dossier.resubmitted', "
    "'dossier.delay_apologised', 'dossier.group_fanned_out'"
)
REFRESH_DOSSIERS = f"""
WITH touched AS (
    SELECT DISTINCT code FROM unnest($1::text[]) AS code
), derived AS (
    SELECT t.dossier_code,
           (array_agg(t.status {_WITH_STATUS} AS status,
           (array_agg(t.occurred_at {_WITH_STATUS} AS status_at,
           (array_agg(t.sequence {_WITH_STATUS} AS last_sequence,
           (array_agg(t.payload ->> 'to_unit' {_LATEST})
               FILTER (WHERE t.type = 'dossier.transferred'))[1] AS to_unit,
           (array_agg((t.payload ->> 'due_at')::timestamptz {_LATEST})
               FILTER (WHERE t.type IN ({_DUE_CARRIERS})
                         AND t.payload ->> 'due_at' IS NOT NULL))[1] AS due_at,
           min(t.occurred_at) FILTER (WHERE t.status = 9) AS resolved_at,
           min(t.occurred_at) FILTER (WHERE t.status = 10) AS returned_at,
           min(t.occurred_at) FILTER (WHERE t.type = 'dossier.supplement_requested')
               AS supplement_requested_at,
           max(t.occurred_at) FILTER (WHERE t.type = 'dossier.resubmitted') AS resubmitted_at,
           max(t.occurred_at) FILTER (WHERE t.type = 'dossier.due_soon') AS due_warned_at,
           min(t.occurred_at) FILTER (WHERE t.type = 'dossier.overdue') AS overdue_flagged_at,
           min(t.occurred_at) FILTER (WHERE t.type = 'dossier.delay_apologised')
               AS apologised_at
    FROM province.timeline AS t WHERE t.dossier_code = ANY($1::text[])
    GROUP BY t.dossier_code
), fees AS (
    SELECT f.dossier_code, sum(f.amount_vnd) AS amount_vnd
    FROM province.fees AS f WHERE f.dossier_code = ANY($1::text[])
    GROUP BY f.dossier_code
)
UPDATE province.dossiers AS d SET
    status = COALESCE(m.status, d.status),
    status_at = COALESCE(m.status_at, d.status_at),
    last_sequence = COALESCE(m.last_sequence, 0),
    competent_unit = COALESCE(m.to_unit, d.receiving_unit),
    due_at = m.due_at,
    resolved_at = m.resolved_at,
    returned_at = m.returned_at,
    supplement_requested_at = m.supplement_requested_at,
    resubmitted_at = m.resubmitted_at,
    due_warned_at = m.due_warned_at,
    overdue_flagged_at = m.overdue_flagged_at,
    apologised_at = m.apologised_at,
    fees_vnd = COALESCE(f.amount_vnd, 0),
    updated_at = now()
FROM touched
LEFT JOIN derived AS m ON m.dossier_code = touched.code
LEFT JOIN fees AS f ON f.dossier_code = touched.code
WHERE d.code = touched.code
"""
"""Derive a dossier's current state from its whole timeline (and its fees), so arrival
order never matters, in one statement per batch:

- status follows the highest sequence (unsequenced entries rank below sequenced ones);
- competent unit and due date follow the latest handoff or acceptance carrying them (for a
  linked group, the fan-out that follows its handoffs carries the group's due date);
- resolved_at / returned_at are the first times status 9 / 10 were reported;
- the later lifecycle steps: first supplement request, last resubmission, last deadline
  warning, first past-due flag, first apology, and the sum of the fees paid."""

REFRESH_POSTAL_ORDERS = """
UPDATE province.postal_orders AS o SET
    last_status_code = latest.status_code,
    last_status_at = latest.event_time,
    delivered_at = (
        SELECT min(e.event_time) FROM province.postal_events AS e
        WHERE e.order_number = o.order_number AND e.delivered
    )
FROM (
    SELECT DISTINCT ON (e.order_number) e.order_number, e.status_code, e.event_time
    FROM province.postal_events AS e
    WHERE e.order_number = ANY($1::text[])
    ORDER BY e.order_number, e.event_time DESC, e.status_code DESC
) AS latest
WHERE o.order_number = latest.order_number
"""
