"""Projection of linked procedure groups: one ``province.dossier_parts`` row per part,
planned by ``dossier.group_fanned_out`` and moved by the parts' own status events. A part's
status follows its highest sequence, so arrival order never matters."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.provincial_db.rows import Row
from schemas import (
    CanonicalMessage,
    DossierRefused,
    GroupFannedOut,
    ProcessingStopped,
    ResultIssued,
)
from schemas.base import field_of
from schemas.events import status_named_by

UPSERT_PART_PLAN = """
INSERT INTO province.dossier_parts AS p
    (dossier_code, procedure_code, competent_unit, status, status_at, last_sequence, due_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (dossier_code, procedure_code) DO UPDATE SET
    competent_unit = EXCLUDED.competent_unit, due_at = EXCLUDED.due_at
"""

UPSERT_PART_STATUS = """
INSERT INTO province.dossier_parts AS p
    (dossier_code, procedure_code, competent_unit, status, status_at, last_sequence,
     decision_number, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (dossier_code, procedure_code) DO UPDATE SET
    status = EXCLUDED.status, status_at = EXCLUDED.status_at,
    last_sequence = EXCLUDED.last_sequence,
    decision_number = coalesce(EXCLUDED.decision_number, p.decision_number),
    reason = coalesce(EXCLUDED.reason, p.reason)
WHERE p.last_sequence < EXCLUDED.last_sequence
"""


def plan_rows(messages: Sequence[CanonicalMessage]) -> list[Row]:
    return [
        (
            m.correlation_id,
            part.procedure_code,
            part.unit,
            int(part.status),
            m.occurred_at,
            m.sequence or 0,
            part.due_at,
        )
        for m in messages
        if isinstance(m.payload, GroupFannedOut)
        for part in m.payload.parts
    ]


def status_rows(messages: Sequence[CanonicalMessage]) -> list[Row]:
    rows: list[Row] = []
    for m in messages:
        payload = m.payload
        part, status = field_of(payload, "part"), status_named_by(payload)
        if part is None or status is None:
            continue
        decision = payload.decision_number if isinstance(payload, ResultIssued) else None
        reason = payload.reason if isinstance(payload, DossierRefused | ProcessingStopped) else None
        unit = str(field_of(payload, "unit", m.sender))
        code, at, sequence = m.correlation_id, m.occurred_at, m.sequence or 0
        rows.append((code, part, unit, int(status), at, sequence, decision, reason))
    return rows
