"""Dossiers received in the two-tier era (from 2025-07-01) through a running hub: real
RabbitMQ and PostgreSQL, the test acting as the peers."""

from __future__ import annotations

import json
from datetime import datetime

import asyncpg
import pytest

from hub.deadlines import due_at
from hub.demo.workers import HubWorkers
from hub.registry import load_registry
from schemas import VIETNAM
from tests.harness import ENTROPY, Peers, agency_status, body_contains, new_dossier, status_update
from tests.integration.test_hub_flows import final_status

pytestmark = [pytest.mark.integration]

CENTRE = "19753-2025"  # Trung tâm PVHCC phường Phú Xuân (GSO 19753), two-tier era
CITY_PAC = "46-PAC"
LAND = "1.012753"  # catalog: district_pac; from 2025-07-01 the city-level centre decides
RECEIVED_AT = datetime(2025, 8, 12, 9, 0, tzinfo=VIETNAM)


def two_tier_dossier(unit: str, procedure: str) -> dict[str, object]:
    agency = load_registry().unit(unit).agency_code
    return new_dossier(
        unit,
        procedure,
        MaHoSo=f"{agency}-{RECEIVED_AT:%y%m%d}-{ENTROPY.randrange(10_000):04d}",
        NgayTiepNhan=f"{RECEIVED_AT:%Y%m%d%H%M%S}",
    )


async def test_a_2025_land_dossier_goes_to_the_city_centre_and_back_to_the_receiving_centre(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    centre_queue = await peers.listen(f"peer.{CENTRE}")
    city_queue = await peers.listen(f"peer.{CITY_PAC}")
    # Given a land dossier received on 2025-08-12 at a commune-level centre
    dossier = two_tier_dossier(CENTRE, LAND)
    code = str(dossier["MaHoSo"])
    await peers.publish(f"commune.{CENTRE}.hoso", dossier)
    # Then the city-level centre (no district level any more) receives it, due by the
    # two-tier rules
    transfer = json.loads((await city_queue.wait_for(body_contains(code))).body)
    assert transfer["messageType"] == "TRANSFER"
    assert transfer["receivingUnit"] == CENTRE
    await final_status(registry_db, code, 1)
    row = await registry_db.fetchrow(
        "SELECT competent_unit, due_at FROM province.dossiers WHERE code = $1", code
    )
    assert row is not None
    assert row["competent_unit"] == CITY_PAC
    assert row["due_at"] == due_at(load_registry().procedure(LAND).processing, RECEIVED_AT)
    # When the city centre accepts and decides
    await peers.publish(f"agency.{CITY_PAC}.status", agency_status(CITY_PAC, code, 2))
    await final_status(registry_db, code, 2)
    await peers.publish(
        f"agency.{CITY_PAC}.status",
        agency_status(
            CITY_PAC,
            code,
            9,
            decisionNumber="88/QĐ-UBND",
            eventTime="2025-08-20T10:00:00+07:00",
        ),
    )
    # Then the receiving centre is told, in its own format, with the result
    notice = await centre_queue.wait_for(
        lambda m: code.encode() in m.body and b'"TrangThai":9' in m.body
    )
    assert json.loads(notice.body)["DonViXuLy"] == CITY_PAC
    # When the receiving centre hands the result over at its counter
    await peers.publish(f"commune.{CENTRE}.trangthai", status_update(CENTRE, code, 10))
    assert await final_status(registry_db, code, 10) == [
        "dossier.received",
        "dossier.transferred",
        "dossier.accepted",
        "dossier.result_issued",
        "dossier.result_returned",
    ]
