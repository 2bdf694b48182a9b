"""Statistics computed from the provincial database, on dossiers with known outcomes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import datetime

import asyncpg
import pytest

from adapters.provincial_db import project
from adapters.provincial_db.statistics import Period, statistics, total
from hub.bootstrap import migrate_database
from hub.settings import Settings
from schemas import (
    VIETNAM,
    Applicant,
    Channel,
    DossierAccepted,
    DossierReceived,
    DossierRefused,
    ResultIssued,
    new_envelope,
)
from schemas.dossier import Dossier
from schemas.events import DossierEvent

pytestmark = [pytest.mark.integration]

UNIT = "19744"
AGENCY = "000.01.31.H57"
NAMESPACE = uuid.UUID("6d1c0000-0000-4000-8000-000000002016")


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2016, month, day, hour, tzinfo=VIETNAM)


def message(code: str, seq: int, event: DossierEvent, when: datetime) -> object:
    # Fixed ids: rerunning the test projects nothing new (the projection is idempotent)
    return new_envelope(
        event,
        sender=UNIT,
        recipient="hub",
        dossier_code=code,
        occurred_at=when,
        sequence=seq,
        message_id=uuid.uuid5(NAMESPACE, f"{code}/{seq}"),
    )


async def seed(conn: asyncpg.Connection) -> None:
    """2016 Q2 at commune 19744: 6 received (2 online); 3 resolved (2 on time, 1 late);
    1 refused; 2 still in progress at the end of June (1 within due, 1 past due)."""
    plan = [  # (n, channel, received, due, outcome, outcome time)
        (1, 1, at(4, 4), at(4, 8), "resolved", at(4, 7)),
        (2, 2, at(4, 5), at(4, 9), "resolved", at(4, 8)),
        (3, 1, at(5, 2), at(5, 6), "resolved", at(5, 20)),
        (4, 2, at(5, 3), at(5, 9), "refused", at(5, 4)),
        (5, 1, at(6, 1), at(6, 10), None, None),
        (6, 1, at(6, 20), at(7, 15), None, None),
    ]
    for n, channel, received, due, outcome, when in plan:
        code = f"{AGENCY}-16{received:%m%d}-{9000 + n}"
        dossier = Dossier(
            code=code,
            procedure_code="1.001193",
            receiving_unit=UNIT,
            channel=Channel(channel),
            received_at=received,
            applicant=Applicant(full_name="Lê Văn Thống", id_number="046000000001", address="Huế"),
        )
        await project(conn, message(code, 1, DossierReceived(dossier=dossier), received))
        await project(conn, message(code, 2, DossierAccepted(unit=UNIT, due_at=due), received))
        if outcome == "resolved":
            await project(
                conn, message(code, 3, ResultIssued(unit=UNIT, decision_number="1"), when)
            )
        elif outcome == "refused":
            await project(conn, message(code, 3, DossierRefused(unit=UNIT, reason="thiếu"), when))


async def test_a_quarter_of_one_commune_counts_as_the_inspection_reports_do(
    database_url: str, amqp_url: str
) -> None:
    await migrate_database(Settings(database_url=database_url, amqp_url=amqp_url))
    conn = await asyncpg.connect(database_url)
    try:
        await seed(conn)
        rows = await statistics(conn, Period.parse("2016Q2"), unit=UNIT)
    finally:
        await conn.close()
    row = total(rows)
    assert (row.received, row.online) == (6, 2)
    assert (row.resolved, row.on_time, row.late) == (3, 2, 1)
    assert (row.in_progress, row.in_progress_within_due, row.in_progress_past_due) == (2, 1, 1)
    assert row.online_share == pytest.approx(2 / 6, abs=1e-4)


async def test_periods_parse_quarters_halves_years_and_months() -> None:
    assert Period.parse("2024Q2").start == datetime(2024, 4, 1, tzinfo=VIETNAM)
    assert Period.parse("2024Q4").end == datetime(2025, 1, 1, tzinfo=VIETNAM)
    assert Period.parse("2024H2").start == datetime(2024, 7, 1, tzinfo=VIETNAM)
    assert Period.parse("2024").end == datetime(2025, 1, 1, tzinfo=VIETNAM)
    assert Period.parse("2024-12").end == datetime(2025, 1, 1, tzinfo=VIETNAM)
    with pytest.raises(ValueError, match="period"):
        Period.parse("2024Q5")


async def test_the_report_command_prints_the_same_figures_as_json(
    database_url: str, amqp_url: str
) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await seed(conn)
    finally:
        await conn.close()
    done = subprocess.run(  # noqa: ASYNC221 - a short CLI call
        [sys.executable, "-m", "hub.cli", "report", "--period", "2016Q2", "--unit", UNIT, "--json"],
        env=os.environ | {"HUB_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["total"]["received"] == 6
    assert report["total"]["late"] == 1
    assert report["total"]["in_progress_past_due"] == 1
