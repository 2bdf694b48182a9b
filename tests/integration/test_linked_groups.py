"""Linked procedure groups end to end through a running hub, the test acting as the peers:
the commune registers one dossier for "birth registration + permanent residence +
health-insurance card for a child under 6"; the hub fans it out to the police and social
insurance, tracks each part, and fans in to the commune. Real RabbitMQ and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
import pytest
from aio_pika.abc import AbstractIncomingMessage

from hub.demo.workers import HubWorkers
from tests.dead_letters import parked_letter
from tests.harness import Inbox, Peers, agency_status, body_contains, new_dossier, status_update

pytestmark = [pytest.mark.integration]

COMMUNE = "19750"  # Phường Tây Lộc, Thành phố Huế (district 474)
POLICE, SOCIAL_INSURANCE = "474-CA", "474-BHXH"
GROUP = "LT-KS-TT-BHYT"
BIRTH, RESIDENCE, HEALTH_CARD = "1.001193", "1.004222", "9.000601"


def group_notices(inbox: Inbox, code: str) -> list[dict[str, Any]]:
    found = [json.loads(m.body) for m in inbox.messages if code.encode() in m.body]
    return [n for n in found if n.get("LoaiBanTin") == "ThongBaoLienThong"]


def is_group_notice(code: str, *, complete: bool) -> Any:
    marker = b'"HoanTat":true' if complete else b'"HoanTat":false'

    def check(message: AbstractIncomingMessage) -> bool:
        return code.encode() in message.body and marker in message.body

    return check


async def until(conn: asyncpg.Connection, query: str, *args: Any, expected: Any) -> Any:
    for _ in range(200):
        value = await conn.fetchval(query, *args)
        if value == expected:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"{query} {args} never returned {expected!r} (last {value!r})")


async def register_child_group(peers: Peers) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Register one group dossier; return its code and the police's and insurer's TRANSFER."""
    police = await peers.listen(f"peer.{POLICE}")
    insurer = await peers.listen(f"peer.{SOCIAL_INSURANCE}")
    await peers.listen(f"peer.{COMMUNE}")
    dossier = new_dossier(COMMUNE, BIRTH, MaNhomLienThong=GROUP)
    code = dossier["MaHoSo"]
    await peers.publish(f"commune.{COMMUNE}.hoso", dossier)
    to_police = json.loads((await police.wait_for(body_contains(code))).body)
    to_insurer = json.loads((await insurer.wait_for(body_contains(code))).body)
    return code, to_police, to_insurer


PART_STATUS = (
    "SELECT status FROM province.dossier_parts WHERE dossier_code = $1 AND procedure_code = $2"
)
DOSSIER_STATUS = "SELECT status FROM province.dossiers WHERE code = $1"


async def test_a_child_group_where_every_part_succeeds_completes_only_after_the_last_part(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    commune = await peers.listen(f"peer.{COMMUNE}")
    # Given one dossier for the child group, registered at the commune
    code, to_police, to_insurer = await register_child_group(peers)
    # Then each agency gets a TRANSFER for its own part, with that part's due date
    assert (to_police["procedureCode"], to_police["groupCode"]) == (RESIDENCE, GROUP)
    assert (to_insurer["procedureCode"], to_insurer["groupCode"]) == (HEALTH_CARD, GROUP)
    await until(
        registry_db,
        "SELECT count(*) FROM province.dossier_parts WHERE dossier_code = $1",
        code,
        expected=3,
    )
    # When the commune decides its civil-status part and the police theirs
    birth = status_update(COMMUNE, code, 9, MaTTHC=BIRTH, SoQuyetDinh="12/GKS")
    await peers.publish(f"commune.{COMMUNE}.trangthai", birth)
    await peers.publish(f"agency.{POLICE}.status", agency_status(POLICE, code, 2))
    police_result = agency_status(
        POLICE, code, 9, procedureCode=RESIDENCE, decisionNumber="55/ĐKTT"
    )
    await peers.publish(f"agency.{POLICE}.status", police_result)
    await until(registry_db, PART_STATUS, code, RESIDENCE, expected=9)
    await until(registry_db, PART_STATUS, code, BIRTH, expected=9)
    # Then the commune has no group result yet, and the dossier is in progress
    assert group_notices(commune, code) == []
    await until(registry_db, DOSSIER_STATUS, code, expected=4)
    # When social insurance issues the card, the last part
    card = agency_status(SOCIAL_INSURANCE, code, 9, decisionNumber="BHYT-0001")
    await peers.publish(f"agency.{SOCIAL_INSURANCE}.status", card)
    # Then the commune gets one complete result with every part's outcome
    notice = json.loads((await commune.wait_for(is_group_notice(code, complete=True))).body)
    assert notice["MaNhomLienThong"] == GROUP
    assert notice["TrangThai"] == 9
    assert notice["ThanhPhanXuLy"] == HEALTH_CARD
    assert [
        (p["MaTTHC"], p["DonViXuLy"], p["TrangThai"], p["SoQuyetDinh"]) for p in notice["ThanhPhan"]
    ] == [
        (BIRTH, COMMUNE, 9, "12/GKS"),
        (RESIDENCE, POLICE, 9, "55/ĐKTT"),
        (HEALTH_CARD, SOCIAL_INSURANCE, 9, "BHYT-0001"),
    ]
    await until(registry_db, DOSSIER_STATUS, code, expected=9)
    assert len(group_notices(commune, code)) == 1
    # When the commune hands every result over at the counter, the dossier is closed
    await peers.publish(f"commune.{COMMUNE}.trangthai", status_update(COMMUNE, code, 10))
    await until(registry_db, DOSSIER_STATUS, code, expected=10)
    # And the group's due date is its latest part's
    row = await registry_db.fetchrow(
        "SELECT d.due_at, d.group_code, max(p.due_at) AS latest FROM province.dossiers d "
        "JOIN province.dossier_parts p ON p.dossier_code = d.code WHERE d.code = $1 "
        "GROUP BY d.due_at, d.group_code",
        code,
    )
    assert row is not None
    assert row["group_code"] == GROUP
    assert row["due_at"] == row["latest"]


async def test_a_refused_part_is_reported_with_the_other_parts_and_the_group_still_fans_in(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    commune = await peers.listen(f"peer.{COMMUNE}")
    code, _, _ = await register_child_group(peers)
    birth = status_update(COMMUNE, code, 9, MaTTHC=BIRTH, SoQuyetDinh="13/GKS")
    await peers.publish(f"commune.{COMMUNE}.trangthai", birth)
    await until(registry_db, PART_STATUS, code, BIRTH, expected=9)
    # When the police refuse the residence part, with the reason
    reason = "Chỗ ở hợp pháp chưa đủ điều kiện đăng ký thường trú"
    refusal = agency_status(POLICE, code, 3, procedureCode=RESIDENCE, reason=reason)
    await peers.publish(f"agency.{POLICE}.status", refusal)
    # Then the commune is told which part was refused and why, with the others' outcomes
    notice = json.loads((await commune.wait_for(is_group_notice(code, complete=False))).body)
    assert notice["ThanhPhanXuLy"] == RESIDENCE
    parts = {p["MaTTHC"]: p for p in notice["ThanhPhan"]}
    assert (parts[RESIDENCE]["TrangThai"], parts[RESIDENCE]["LyDo"]) == (3, reason)
    assert (parts[BIRTH]["TrangThai"], parts[BIRTH]["SoQuyetDinh"]) == (9, "13/GKS")
    assert parts[HEALTH_CARD]["TrangThai"] == 1
    assert notice["TrangThai"] == 4
    # And a unit that decides no part of the group may not change it
    stranger = agency_status("474-PAC", code, 9, decisionNumber="1/QĐ")
    await peers.publish("agency.474-PAC.status", stranger)
    parked = await parked_letter(registry_db, stranger["messageId"])
    assert parked["reason_code"] == "sender_not_allowed"
    # When the last part is resolved, the group result carries the refusal too
    card = agency_status(SOCIAL_INSURANCE, code, 9, decisionNumber="BHYT-0002")
    await peers.publish(f"agency.{SOCIAL_INSURANCE}.status", card)
    final = json.loads((await commune.wait_for(is_group_notice(code, complete=True))).body)
    assert final["TrangThai"] == 9
    assert [p["TrangThai"] for p in final["ThanhPhan"]] == [9, 3, 9]
    await until(registry_db, PART_STATUS, code, RESIDENCE, expected=3)
    reason_row = await registry_db.fetchval(
        "SELECT reason FROM province.dossier_parts WHERE dossier_code = $1 AND procedure_code = $2",
        code,
        RESIDENCE,
    )
    assert reason_row == reason
