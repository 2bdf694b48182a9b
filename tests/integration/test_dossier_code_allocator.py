"""Hub-issued dossier codes against the real PostgreSQL: unique under concurrent issue.

Each test uses an agency code of its own, so its sequences start at 0001 on every run.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import date, datetime, timedelta
from uuid import uuid4

import asyncpg
import pytest

from hub.dossier_codes import InvalidDossierCode, SequenceExhausted, parse_code
from hub.store.codes import issue_dossier_code, record_external_code
from schemas import VIETNAM

pytestmark = pytest.mark.integration

MORNING = datetime(2019, 4, 17, 8, 0, tzinfo=VIETNAM)
NEXT_DAY = MORNING + timedelta(days=1)


def an_agency() -> str:
    return f"000.{uuid4().hex[:8]}.H57"


async def issue_many(pool: asyncpg.Pool, agency: str, at: datetime, n: int) -> list[int]:
    async def one() -> int:
        async with pool.acquire() as conn:
            code = await issue_dossier_code(conn, agency_code=agency, received_at=at)
        parsed = parse_code(code)
        assert (parsed.agency_code, parsed.day) == (agency, at.date())
        return parsed.sequence

    return list(await asyncio.gather(*(one() for _ in range(n))))


async def test_200_concurrent_issues_on_4_connections_give_exactly_1_to_200(
    pool: asyncpg.Pool,
) -> None:
    sequences = await issue_many(pool, an_agency(), MORNING, 200)
    assert sorted(sequences) == list(range(1, 201))


async def test_each_unit_and_each_day_has_its_own_sequence_even_when_interleaved(
    pool: asyncpg.Pool,
) -> None:
    first, second = an_agency(), an_agency()
    a_today, b_today, a_tomorrow = await asyncio.gather(
        issue_many(pool, first, MORNING, 30),
        issue_many(pool, second, MORNING, 30),
        issue_many(pool, first, NEXT_DAY, 30),
    )
    for sequences in (a_today, b_today, a_tomorrow):
        assert sorted(sequences) == list(range(1, 31))


async def test_worker_processes_issuing_at_once_never_share_a_code(db_url: str) -> None:
    agency = an_agency()
    script = (
        "import asyncio, asyncpg, sys\n"
        "from datetime import datetime\n"
        "from hub.store.codes import issue_dossier_code\n"
        "async def main():\n"
        "    conn = await asyncpg.connect(sys.argv[1])\n"
        "    at = datetime.fromisoformat(sys.argv[3])\n"
        "    for _ in range(40):\n"
        "        print(await issue_dossier_code(conn, agency_code=sys.argv[2], received_at=at))\n"
        "asyncio.run(main())\n"
    )

    async def worker() -> list[str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            script,
            db_url,
            agency,
            MORNING.isoformat(),
            stdout=asyncio.subprocess.PIPE,
            env=os.environ,
        )
        out, _ = await asyncio.wait_for(process.communicate(), timeout=60)
        assert process.returncode == 0
        return out.decode().split()

    codes = [code for one in await asyncio.gather(*(worker() for _ in range(3))) for code in one]
    assert sorted(parse_code(code).sequence for code in codes) == list(range(1, 121))


async def test_the_10000th_code_of_a_day_is_refused_and_the_counter_stays(
    conn: asyncpg.Connection,
) -> None:
    agency = an_agency()
    await record_external_code(conn, f"{agency}-190417-9998")

    assert await issue_dossier_code(conn, agency_code=agency, received_at=MORNING) == (
        f"{agency}-190417-9999"
    )
    with pytest.raises(SequenceExhausted, match=f"{agency} already issued 9999 .* 17/04/2019"):
        await issue_dossier_code(conn, agency_code=agency, received_at=MORNING)

    last = await conn.fetchval(
        "SELECT last FROM hub.dossier_code_sequences WHERE agency_code = $1 AND day = $2",
        agency,
        date(2019, 4, 17),
    )
    assert last == 9999
    assert await issue_dossier_code(conn, agency_code=agency, received_at=NEXT_DAY) == (
        f"{agency}-190418-0001"
    )


async def test_codes_a_unit_issued_itself_are_skipped_never_reissued(
    conn: asyncpg.Connection,
) -> None:
    agency = an_agency()
    await record_external_code(conn, f"{agency}-190417-0042")
    await record_external_code(conn, f"{agency}-190417-0007")  # lower: changes nothing
    assert await issue_dossier_code(conn, agency_code=agency, received_at=MORNING) == (
        f"{agency}-190417-0043"
    )


async def test_a_rolled_back_transaction_gives_its_number_back(conn: asyncpg.Connection) -> None:
    agency = an_agency()
    transaction = conn.transaction()
    await transaction.start()
    await issue_dossier_code(conn, agency_code=agency, received_at=MORNING)
    await transaction.rollback()
    code = await issue_dossier_code(conn, agency_code=agency, received_at=MORNING)
    assert code.endswith("-0001")


async def test_an_invalid_agency_code_fails_before_the_counter_moves(
    conn: asyncpg.Connection,
) -> None:
    with pytest.raises(InvalidDossierCode, match="agency code"):
        await issue_dossier_code(conn, agency_code="000 00 H57", received_at=MORNING)
    rows = await conn.fetchval(
        "SELECT count(*) FROM hub.dossier_code_sequences WHERE agency_code = '000 00 H57'"
    )
    assert rows == 0


async def hub_dossier_code(db_url: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub.cli",
        "dossier-code",
        *args,
        env=os.environ | {"HUB_DATABASE_URL": db_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode().strip(), err.decode()


async def test_hub_dossier_code_prints_the_next_code_of_the_receiving_unit(db_url: str) -> None:
    # A day of its own per run (the registry unit is shared): 2050-2099 in Vietnam time.
    day = date(2050, 1, 1) + timedelta(days=int(uuid4().int % 18_000))
    at = f"{day.isoformat()}T23:30:00"
    utc = f"{day.isoformat()}T16:30:00+00:00"  # the same moment as `at`, given in UTC

    (c1, first, _), (c2, second, _) = [
        await hub_dossier_code(db_url, "--unit", "19744", "--at", at),
        await hub_dossier_code(db_url, "--unit", "19744", "--at", utc),
    ]

    assert (c1, c2) == (0, 0)
    assert first.startswith(f"000.01.31.H57-{day:%y%m%d}-")
    assert parse_code(second).sequence == parse_code(first).sequence + 1
    assert parse_code(second).day == day


async def test_hub_dossier_code_refuses_an_unknown_unit_or_a_bad_time(db_url: str) -> None:
    unknown, bad_time = await asyncio.gather(
        hub_dossier_code(db_url, "--unit", "no-such-unit"),
        hub_dossier_code(db_url, "--unit", "19744", "--at", "tomorrow"),
    )
    assert unknown[0] == 2
    assert "unknown unit 'no-such-unit'" in unknown[2]
    assert bad_time[0] == 2
    assert "not an ISO 8601 date-time" in bad_time[2]
