"""Read side for the slips: one dossier with its timeline, or a unit's register for a period.

To print a column added to ``province.dossiers`` later, select it here and add a field with a
default to ``hub.slips.model``.
"""

from __future__ import annotations

from adapters.provincial_db.queries import timeline
from adapters.provincial_db.slip_steps import reception_facts, step_of, unit_codes, unit_info
from adapters.provincial_db.statistics import Period
from hub.db import Connection
from hub.slips.model import DossierSlip, ProcedureInfo, Register, RegisterEntry, UnitInfo

SELECT_DOSSIER = """
SELECT d.code, d.procedure_code, d.receiving_unit, d.competent_unit, d.channel,
       d.return_method, d.received_at, d.due_at, d.status, d.status_at, d.resolved_at,
       d.returned_at, d.applicant ->> 'full_name' AS applicant_name
FROM province.dossiers AS d
WHERE d.code = $1
"""

SELECT_PROCEDURE = """
SELECT code, name, field_name, processing_kind, processing_days, fee_vnd
FROM province.procedures
WHERE code = $1
"""

SELECT_UNITS = """
SELECT code, kind, name, agency_code FROM province.units WHERE code = ANY($1::text[])
"""

SELECT_REGISTER = """
WITH picked AS (
    SELECT code FROM province.dossiers
    WHERE receiving_unit = $1 AND received_at >= $2 AND received_at < $3
    UNION
    SELECT dossier_code FROM province.handoffs
    WHERE to_unit = $1 AND handed_over_at >= $2 AND handed_over_at < $3
)
SELECT d.code, coalesce(p.name, d.procedure_code) AS procedure_name,
       d.applicant ->> 'full_name' AS applicant_name, d.competent_unit,
       d.received_at, d.due_at, d.status, d.resolved_at, d.returned_at,
       (SELECT min(h.handed_over_at) FROM province.handoffs AS h
        WHERE h.dossier_code = d.code) AS transferred_at
FROM picked
JOIN province.dossiers AS d ON d.code = picked.code
LEFT JOIN province.procedures AS p ON p.code = d.procedure_code
ORDER BY d.received_at, d.code
"""
"""Dossiers the unit received, or was handed over, in the period; oldest first."""


async def units(conn: Connection, codes: set[str]) -> dict[str, UnitInfo]:
    rows = await conn.fetch(SELECT_UNITS, sorted(codes))
    return {row["code"]: UnitInfo(**row) for row in rows}


async def procedure(conn: Connection, code: str) -> ProcedureInfo:
    row = await conn.fetchrow(SELECT_PROCEDURE, code)
    return ProcedureInfo(**row) if row else ProcedureInfo(code=code, name=code)


async def dossier_slip(conn: Connection, code: str) -> DossierSlip | None:
    """Everything the dossier's slips need, or None when the registry has no such dossier."""
    row = await conn.fetchrow(SELECT_DOSSIER, code)
    if row is None:
        return None
    entries = await timeline(conn, code)
    known = await units(conn, unit_codes(entries) | {row["receiving_unit"], row["competent_unit"]})
    documents, fee = reception_facts(entries)
    return DossierSlip(
        code=row["code"],
        procedure=await procedure(conn, row["procedure_code"]),
        receiving_unit=unit_info(row["receiving_unit"], known),
        competent_unit=unit_info(row["competent_unit"], known),
        applicant_name=row["applicant_name"] or "",
        channel=row["channel"],
        return_method=row["return_method"],
        received_at=row["received_at"],
        due_at=row["due_at"],
        status=row["status"],
        status_at=row["status_at"],
        resolved_at=row["resolved_at"],
        returned_at=row["returned_at"],
        documents=documents,
        fee_vnd=fee,
        steps=tuple(step_of(entry, known) for entry in entries),
    )


async def register(conn: Connection, unit_code: str, period: Period) -> Register | None:
    """The unit's dossier register for the period, or None when the unit is unknown."""
    found = await units(conn, {unit_code})
    if unit_code not in found:
        return None
    rows = await conn.fetch(SELECT_REGISTER, unit_code, period.start, period.end)
    competent = await units(conn, {row["competent_unit"] for row in rows})
    entries = tuple(
        RegisterEntry(
            code=row["code"],
            procedure_name=row["procedure_name"],
            applicant_name=row["applicant_name"] or "",
            competent_unit=unit_info(row["competent_unit"], competent),
            received_at=row["received_at"],
            due_at=row["due_at"],
            transferred_at=row["transferred_at"],
            resolved_at=row["resolved_at"],
            returned_at=row["returned_at"],
            status=row["status"],
        )
        for row in rows
    )
    return Register(
        unit=found[unit_code],
        period_label=period.label,
        start=period.start,
        end=period.end,
        entries=entries,
    )
