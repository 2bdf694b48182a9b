"""Copy the registry's units and procedures into the provincial database."""

from __future__ import annotations

from hub.db import Connection
from hub.registry import Procedure, Registry, Unit

UPSERT_UNIT = """
INSERT INTO province.units
    (code, kind, name, agency_code, gso_code, district_code, postal_code)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (code) DO UPDATE SET
    kind = EXCLUDED.kind,
    name = EXCLUDED.name,
    agency_code = EXCLUDED.agency_code,
    gso_code = EXCLUDED.gso_code,
    district_code = EXCLUDED.district_code,
    postal_code = EXCLUDED.postal_code
"""

RELEASE_AGENCY_CODES = """
DELETE FROM province.units
WHERE agency_code = ANY($1::text[]) AND NOT code = ANY($2::text[])
"""
"""Units the registry no longer lists under their old code give up their agency code."""

UPSERT_PROCEDURE = """
INSERT INTO province.procedures
    (code, name, field, field_name, competent, processing_kind, processing_days, fee_vnd)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (code) DO UPDATE SET
    name = EXCLUDED.name,
    field = EXCLUDED.field,
    field_name = EXCLUDED.field_name,
    competent = EXCLUDED.competent,
    processing_kind = EXCLUDED.processing_kind,
    processing_days = EXCLUDED.processing_days,
    fee_vnd = EXCLUDED.fee_vnd
"""


async def sync_registry(conn: Connection, registry: Registry) -> None:
    """Upsert every unit and procedure of ``registry`` in one transaction.

    A unit whose agency code now belongs to a differently coded unit (a renamed or
    merged unit) is replaced; other units and procedures stay, for old dossiers.
    """
    units = [_unit_row(unit) for unit in registry.units.values()]
    procedures = [_procedure_row(p) for p in registry.procedures.values()]
    agency_codes = [unit.agency_code for unit in registry.units.values()]
    async with conn.transaction():
        await conn.execute(RELEASE_AGENCY_CODES, agency_codes, list(registry.units))
        if units:
            await conn.executemany(UPSERT_UNIT, units)
        if procedures:
            await conn.executemany(UPSERT_PROCEDURE, procedures)


def _unit_row(unit: Unit) -> tuple[object, ...]:
    return (
        unit.code,
        unit.kind.value,
        unit.name,
        unit.agency_code,
        unit.gso_code,
        unit.district_code,
        unit.postal_code,
    )


def _procedure_row(procedure: Procedure) -> tuple[object, ...]:
    return (
        procedure.code,
        procedure.name,
        procedure.field,
        procedure.field_name,
        procedure.competent.value,
        procedure.processing.kind,
        procedure.processing.days,
        procedure.fee_vnd,
    )
