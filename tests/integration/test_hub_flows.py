"""Dossier flows through a running hub, with the test acting as the peers. Real RabbitMQ,
PostgreSQL and the postal simulator."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
import pytest

from hub.demo.workers import HubWorkers
from tests.dead_letters import parked_letter
from tests.harness import Inbox, Peers, agency_status, body_contains, new_dossier, status_update

pytestmark = [pytest.mark.integration]

COMMUNE = "19750"  # Phường Tây Lộc, Thành phố Huế (district 474)
LAND = "1.012753"  # decided by the district PAC
BIRTH = "1.001193"


async def land_dossier_at_the_district(peers: Peers) -> tuple[Inbox, str, dict[str, Any]]:
    """Register a land dossier at the commune and wait for its TRANSFER at the district PAC:
    the commune's queue, the dossier code and the TRANSFER body."""
    commune_queue = await peers.listen(f"peer.{COMMUNE}")
    district_queue = await peers.listen("peer.474-PAC")
    dossier = new_dossier(COMMUNE, LAND)
    code = dossier["MaHoSo"]
    await peers.publish(f"commune.{COMMUNE}.hoso", dossier)
    transfer = json.loads((await district_queue.wait_for(body_contains(code))).body)
    return commune_queue, code, transfer


async def final_status(conn: asyncpg.Connection, code: str, status: int) -> list[str]:
    for _ in range(300):
        row = await conn.fetchrow("SELECT status FROM province.dossiers WHERE code = $1", code)
        if row is not None and row["status"] == status:
            return [
                r["type"]
                for r in await conn.fetch(
                    "SELECT type FROM province.timeline WHERE dossier_code = $1 ORDER BY sequence",
                    code,
                )
            ]
        await asyncio.sleep(0.1)
    raise AssertionError(f"{code} never reached status {status}")


async def test_a_land_dossier_goes_to_the_district_and_its_result_back_to_the_commune(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    # Given a land dossier registered at the commune
    # Then the district PAC receives it in its own format, with a due date
    commune_queue, code, transfer = await land_dossier_at_the_district(peers)
    assert transfer["messageType"] == "TRANSFER"
    assert transfer["receivingUnit"] == COMMUNE
    assert transfer["dueDate"] > transfer["receivedAt"]
    # When the district accepts and decides
    await peers.publish("agency.474-PAC.status", agency_status("474-PAC", code, 2))
    await final_status(registry_db, code, 2)
    await peers.publish(
        "agency.474-PAC.status",
        agency_status(
            "474-PAC", code, 9, decisionNumber="15/QĐ-UBND", eventTime="2018-04-20T10:00:00+07:00"
        ),
    )
    # Then the commune is told, in its own format, with the result
    notice = await commune_queue.wait_for(
        lambda m: code.encode() in m.body and b'"TrangThai":9' in m.body
    )
    result = json.loads(notice.body)
    assert result["KetQua"]["SoQuyetDinh"] == "15/QĐ-UBND"
    assert result["DonViXuLy"] == "474-PAC"
    # When the commune hands it over at the counter
    await peers.publish(f"commune.{COMMUNE}.trangthai", status_update(COMMUNE, code, 10))
    # Then the provincial database holds the whole timeline, in order
    assert await final_status(registry_db, code, 10) == [
        "dossier.received",
        "dossier.transferred",
        "dossier.accepted",
        "dossier.result_issued",
        "dossier.result_returned",
    ]


async def test_a_result_returned_by_post_is_delivered_and_closes_the_dossier(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    commune_queue: Inbox = await peers.listen(f"peer.{COMMUNE}")
    # Given a commune-level dossier whose citizen asked for the result by post
    dossier = new_dossier(COMMUNE, BIRTH, by_post=True)
    code = dossier["MaHoSo"]
    await peers.publish(f"commune.{COMMUNE}.hoso", dossier)
    await final_status(registry_db, code, 1)
    # When the commune accepts it, and later decides it (as real software does: each step
    # after the previous one landed; back-to-back publishes may be reordered, see
    # docs/architecture.md "Known limits")
    await peers.publish(f"commune.{COMMUNE}.trangthai", status_update(COMMUNE, code, 2))
    await final_status(registry_db, code, 2)
    await peers.publish(
        f"commune.{COMMUNE}.trangthai", status_update(COMMUNE, code, 9, SoQuyetDinh="7/TP-HT")
    )
    # Then a postal order is placed, delivered, and the commune told it was returned by post
    notice = await commune_queue.wait_for(
        lambda m: code.encode() in m.body and b'"TrangThai":10' in m.body, timeout=60
    )
    assert json.loads(notice.body)["MaVanDon"]
    types = await final_status(registry_db, code, 10)
    assert types[:4] == [
        "dossier.received",
        "dossier.accepted",
        "dossier.result_issued",
        "postal.order_created",
    ]
    assert types[-1] == "dossier.result_returned"
    assert "postal.status_changed" in types
    order = await registry_db.fetchrow(
        "SELECT delivered_at FROM province.postal_orders WHERE dossier_code = $1", code
    )
    assert order is not None
    assert order["delivered_at"] is not None


async def test_a_counter_return_of_a_by_post_dossier_is_refused(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    dossier = new_dossier(COMMUNE, BIRTH, by_post=True)
    code = dossier["MaHoSo"]
    await peers.publish(f"commune.{COMMUNE}.hoso", dossier)
    await final_status(registry_db, code, 1)
    await peers.publish(f"commune.{COMMUNE}.trangthai", status_update(COMMUNE, code, 2))
    await final_status(registry_db, code, 2)
    wrong = status_update(COMMUNE, code, 10)
    await peers.publish(f"commune.{COMMUNE}.trangthai", wrong)
    letter = await parked_letter(registry_db, wrong["MaBanTin"])
    assert letter["reason_code"] == "illegal_transition"


async def test_a_district_refusal_reaches_the_commune_with_its_reason_and_closes_the_dossier(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    # Given a land dossier handed to the district PAC
    commune_queue, code, _ = await land_dossier_at_the_district(peers)
    # When the district refuses it, with a reason
    reason = "Thửa đất đang có tranh chấp, chưa đủ điều kiện cấp Giấy chứng nhận"
    await peers.publish("agency.474-PAC.status", agency_status("474-PAC", code, 3, reason=reason))
    # Then the commune is told, in its own format, with the reason
    notice = await commune_queue.wait_for(
        lambda m: code.encode() in m.body and b'"TrangThai":3' in m.body
    )
    assert json.loads(notice.body)["NoiDung"] == reason
    # And the dossier is closed as refused in the provincial database, reason kept
    assert await final_status(registry_db, code, 3) == [
        "dossier.received",
        "dossier.transferred",
        "dossier.refused",
    ]
    refusal = await registry_db.fetchval(
        "SELECT payload->>'reason' FROM province.timeline "
        "WHERE dossier_code = $1 AND type = 'dossier.refused'",
        code,
    )
    assert refusal == reason
