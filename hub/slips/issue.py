"""Load a slip's data from the provincial database and render it (the ``hub slip`` work)."""

from __future__ import annotations

from datetime import datetime

import structlog

from adapters.provincial_db import slips as source
from adapters.provincial_db.statistics import Period
from hub.db import Connection
from hub.errors import PermanentError
from hub.slips.kinds import SlipKind, render_dossier_slip
from hub.slips.register import render_register

log = structlog.get_logger(__name__)


class SlipSourceMissing(PermanentError):
    """The provincial database has no such dossier or unit."""

    reason_code = "slip_source_missing"


async def dossier_slip_html(conn: Connection, code: str, kind: SlipKind, *, now: datetime) -> str:
    slip = await source.dossier_slip(conn, code)
    if slip is None:
        raise SlipSourceMissing(f"no dossier {code!r} in the provincial database")
    page = render_dossier_slip(kind, slip, now=now)
    log.info("slip_rendered", dossier_code=code, kind=kind.value)
    return page


async def register_html(conn: Connection, unit: str, period: Period, *, now: datetime) -> str:
    found = await source.register(conn, unit, period)
    if found is None:
        raise SlipSourceMissing(f"no unit {unit!r} in the provincial database")
    page = render_register(found, issued_at=now)
    log.info("register_rendered", unit=unit, period=period.label, dossiers=len(found.entries))
    return page
