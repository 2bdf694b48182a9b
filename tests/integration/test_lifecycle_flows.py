"""Later lifecycle flows through a running hub, with the test acting as the peers: supplement
request and resubmission, withdrawal and processing stopped, deadline warnings with an
apology accepted once, fees and satisfaction ratings. Real RabbitMQ, PostgreSQL and the
postal simulator; the deadline scan runs at explicit times (the clock port), never sleeping
until a deadline."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest

from hub.deadlines import due_at, warning_at
from hub.demo.workers import HubWorkers
from hub.overdue_cli import scan_once
from hub.registry import load_registry
from hub.settings import Settings
from tests.dead_letters import parked_letter
from tests.harness import Inbox, Peers, agency_status, body_contains, new_dossier, status_update

pytestmark = [pytest.mark.integration]

COMMUNE = "19750"  # Phường Tây Lộc, Thành phố Huế (district 474)
PAC = "474-PAC"
LAND = "1.012753"


def commune_message(kind: str, code: str, **fields: Any) -> dict[str, Any]:
    return {
        "LoaiBanTin": kind,
        "MaBanTin": str(uuid.uuid4()),
        "MaDonVi": COMMUNE,
        "MaHoSo": code,
        "ThoiGian": "20180416140000",
        **fields,
    }


def matching(code: str, *markers: bytes) -> Any:
    return lambda m: code.encode() in m.body and all(x in m.body for x in markers)


async def dossier_row(conn: asyncpg.Connection, code: str, **expected: Any) -> asyncpg.Record:
    """The provincial row once every expected column has the expected value."""
    for _ in range(200):
        row = await conn.fetchrow("SELECT * FROM province.dossiers WHERE code = $1", code)
        if row is not None and all(row[k] == v for k, v in expected.items()):
            return row
        await asyncio.sleep(0.1)
    raise AssertionError(f"{code} never matched {expected}")


async def transferred_land_dossier(peers: Peers, *, channel: int = 1) -> tuple[str, dict[str, Any]]:
    """Register a land dossier at the commune; return its code and the agency's TRANSFER."""
    district: Inbox = await peers.listen(f"peer.{PAC}")
    dossier = new_dossier(COMMUNE, LAND, HinhThuc=channel)
    await peers.publish(f"commune.{COMMUNE}.hoso", dossier)
    transfer = json.loads((await district.wait_for(body_contains(dossier["MaHoSo"]))).body)
    return dossier["MaHoSo"], transfer


async def test_a_supplement_request_by_post_and_the_resubmission_restart_the_deadline(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    commune_queue = await peers.listen(f"peer.{COMMUNE}")
    district_queue = await peers.listen(f"peer.{PAC}")
    # Given a land dossier that came by post (channel 3), transferred to the district PAC
    code, transfer = await transferred_land_dossier(peers, channel=3)
    # When the district asks for every missing item in one go
    items = ["Sơ đồ thửa đất", "Bản sao Giấy chứng minh nhân dân"]
    await peers.publish(
        f"agency.{PAC}.status", agency_status(PAC, code, 5, missingItems=items, note="Bổ sung")
    )
    # Then the commune gets the list, and a letter goes out by post
    notice = json.loads((await commune_queue.wait_for(matching(code, b'"TrangThai":5'))).body)
    assert notice["DanhSachThieu"] == items
    await dossier_row(registry_db, code, status=5)
    for _ in range(200):
        letter = await registry_db.fetchrow(
            "SELECT item_code FROM province.postal_orders WHERE order_number = $1", f"{code}-BS"
        )
        if letter is not None:
            break
        await asyncio.sleep(0.1)
    assert letter is not None
    assert letter["item_code"]
    # When the citizen brings the completed dossier to the commune a week later
    resubmitted = commune_message(
        "BoSungHoSo", code, ThoiGian="20180417150000", DanhSachBoSung=items
    )
    await peers.publish(f"commune.{COMMUNE}.bosung", resubmitted)
    # Then the district gets it in its own format, with a due date counted again
    forwarded = json.loads((await district_queue.wait_for(matching(code, b'"RESUBMISSION"'))).body)
    processing = load_registry().procedure(LAND).processing
    expected_due = due_at(processing, datetime.fromisoformat("2018-04-17T15:00:00+07:00"))
    assert datetime.fromisoformat(forwarded["dueDate"]) == expected_due
    assert forwarded["dueDate"] > transfer["dueDate"]
    assert forwarded["completedItems"] == items
    # And the provincial database holds the new due date and both steps
    row = await dossier_row(registry_db, code, status=2, due_at=expected_due)
    assert row["supplement_requested_at"] is not None
    assert row["resubmitted_at"] is not None
    # And a second supplement request is refused: everything goes in one go
    again = agency_status(PAC, code, 5, missingItems=["Giấy tờ khác"])
    await peers.publish(f"agency.{PAC}.status", again)
    parked = await parked_letter(registry_db, again["messageId"])
    assert parked["reason_code"] == "supplement_already_requested"


async def test_a_withdrawal_at_the_commune_stops_the_district_and_closes_the_dossier(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    district_queue = await peers.listen(f"peer.{PAC}")
    code, _ = await transferred_land_dossier(peers)
    await peers.publish(f"agency.{PAC}.status", agency_status(PAC, code, 2))
    await dossier_row(registry_db, code, status=2)
    # When the citizen withdraws the dossier at the commune
    withdrawal = status_update(COMMUNE, code, 7, LyDo="Công dân xin rút hồ sơ")
    await peers.publish(f"commune.{COMMUNE}.trangthai", withdrawal)
    # Then the district is told to stop, and the dossier is closed as withdrawn
    stop = json.loads((await district_queue.wait_for(matching(code, b'"WITHDRAWAL"'))).body)
    assert stop["reason"] == "Công dân xin rút hồ sơ"
    await dossier_row(registry_db, code, status=7)
    # And a decision the district sends afterwards is parked, never applied
    late = agency_status(PAC, code, 9, decisionNumber="1/QĐ")
    await peers.publish(f"agency.{PAC}.status", late)
    assert (await parked_letter(registry_db, late["messageId"]))["reason_code"] == (
        "illegal_transition"
    )


async def test_processing_stopped_by_the_district_goes_back_to_the_commune_with_the_reason(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    commune_queue = await peers.listen(f"peer.{COMMUNE}")
    code, _ = await transferred_land_dossier(peers)
    # The receiving commune may not stop a dossier the district decides
    wrong = status_update(COMMUNE, code, 8, LyDo="Không rõ")
    await peers.publish(f"commune.{COMMUNE}.trangthai", wrong)
    assert (await parked_letter(registry_db, wrong["MaBanTin"]))["reason_code"] == (
        "sender_not_allowed"
    )
    # When the district stops processing, with its reason
    stopped = agency_status(PAC, code, 8, reason="Đất đang có tranh chấp")
    await peers.publish(f"agency.{PAC}.status", stopped)
    # Then the commune gets status 8 and the reason, and the dossier is closed
    notice = json.loads((await commune_queue.wait_for(matching(code, b'"TrangThai":8'))).body)
    assert notice["NoiDung"] == "Đất đang có tranh chấp"
    await dossier_row(registry_db, code, status=8)


async def deadline_scan(settings: Settings, now: datetime) -> dict[str, int]:
    return await scan_once(settings, now)


async def test_a_dossier_near_its_due_date_is_warned_once_apologised_once_then_flagged(
    hub_worker: HubWorkers,
    peers: Peers,
    registry_db: asyncpg.Connection,
    hub_settings: Settings,
) -> None:
    commune_queue = await peers.listen(f"peer.{COMMUNE}")
    district_queue = await peers.listen(f"peer.{PAC}")
    code, transfer = await transferred_land_dossier(peers)
    await peers.publish(f"agency.{PAC}.status", agency_status(PAC, code, 2))
    await dossier_row(registry_db, code, status=2)
    due = datetime.fromisoformat(transfer["dueDate"])
    # When the deadline scan runs one working day before the due date, twice
    await deadline_scan(hub_settings, warning_at(due))
    # (the scan returns once its warnings are published: none is left for a worker's sweep)
    assert not await registry_db.fetchval(
        "SELECT count(*) FROM hub.outbox WHERE headers->>'x-dossier-code' = $1", code
    )
    await deadline_scan(hub_settings, warning_at(due) + timedelta(hours=1))
    # Then the district and the commune are each warned once, in their own formats
    to_district = json.loads((await district_queue.wait_for(matching(code, b"DUE_SOON"))).body)
    to_commune = json.loads((await commune_queue.wait_for(matching(code, b"SapDenHan"))).body)
    assert datetime.fromisoformat(to_district["dueDate"]) == due
    assert to_commune["DonViXuLy"] == PAC
    await dossier_row(registry_db, code, due_warned_at=warning_at(due))
    warnings = await registry_db.fetchval(
        "SELECT count(*) FROM province.timeline WHERE dossier_code = $1 AND type = $2",
        code,
        "dossier.due_soon",
    )
    assert warnings == 1
    assert len([m for m in district_queue.messages if matching(code, b"DUE_SOON")(m)]) == 1
    # When the district apologises with a reason and a new date
    new_due = due + timedelta(days=7)
    apology = {
        "messageType": "APOLOGY",
        "messageId": str(uuid.uuid4()),
        "agencyUnit": PAC,
        "dossierNo": code,
        "eventTime": warning_at(due).isoformat(),
        "reason": "Chờ ý kiến phối hợp của Sở Tài nguyên và Môi trường",
        "newDueDate": new_due.isoformat(),
    }
    await peers.publish(f"agency.{PAC}.apology", apology)
    # Then the commune gets the apology letter and the registry the new date
    letter = json.loads((await commune_queue.wait_for(matching(code, b"ThuXinLoi"))).body)
    assert letter["LyDo"] == apology["reason"]
    row = await dossier_row(registry_db, code, due_at=new_due)
    assert row["apologised_at"] is not None
    # And a second apology is refused with its reason, and the district is told
    second = apology | {
        "messageId": str(uuid.uuid4()),
        "newDueDate": (new_due + timedelta(days=3)).isoformat(),
    }
    await peers.publish(f"agency.{PAC}.apology", second)
    parked = await parked_letter(registry_db, second["messageId"])
    assert parked["reason_code"] == "deadline_already_extended"
    rejected = json.loads((await district_queue.wait_for(body_contains(second["messageId"]))).body)
    assert rejected["reasonCode"] == "deadline_already_extended"
    # When the scan runs after the new date without a result
    await deadline_scan(hub_settings, new_due + timedelta(hours=1))
    # Then the dossier is flagged past due, and both units are told
    await district_queue.wait_for(matching(code, b"OVERDUE"))
    await commune_queue.wait_for(matching(code, b"QuaHan"))
    row = await dossier_row(registry_db, code, due_at=new_due)
    for _ in range(100):
        row = await dossier_row(registry_db, code, due_at=new_due)
        if row["overdue_flagged_at"] is not None:
            break
        await asyncio.sleep(0.1)
    assert row["overdue_flagged_at"] == new_due + timedelta(hours=1)


async def test_fees_and_satisfaction_ratings_are_recorded_against_the_dossier(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    code, _ = await transferred_land_dossier(peers)
    receipt = f"BL-{uuid.uuid4().hex[:10]}"
    # When the commune records a fee with its e-receipt and, later, the citizen's rating
    await peers.publish(
        f"commune.{COMMUNE}.phi",
        commune_message("ThuPhiLePhi", code, SoTien=250_000, SoBienLai=receipt),
    )
    await peers.publish(
        f"commune.{COMMUNE}.danhgia",
        commune_message("DanhGiaHaiLong", code, MucDo=3, GopY="Hướng dẫn tận tình"),
    )
    # Then both are in the provincial database, and the dossier's status is unchanged
    await dossier_row(registry_db, code, fees_vnd=250_000, status=1)
    fee = await registry_db.fetchrow(
        "SELECT amount_vnd, receipt_number FROM province.fees WHERE dossier_code = $1", code
    )
    assert fee is not None
    assert (fee["amount_vnd"], fee["receipt_number"]) == (250_000, receipt)
    for _ in range(100):
        rating = await registry_db.fetchrow(
            "SELECT rating, feedback FROM province.ratings WHERE dossier_code = $1", code
        )
        if rating is not None:
            break
        await asyncio.sleep(0.1)
    assert rating is not None
    assert (rating["rating"], rating["feedback"]) == (
        3,
        "Hướng dẫn tận tình",
    )
