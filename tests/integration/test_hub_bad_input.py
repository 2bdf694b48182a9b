"""Bad peer input is parked with its reason, answered on the sender's own queue when the
sender can be identified, and never blocks good traffic. Real RabbitMQ and PostgreSQL."""

from __future__ import annotations

import json
import uuid

import asyncpg
import pytest

from hub.demo.workers import HubWorkers
from tests.dead_letters import parked_letter, parked_letters
from tests.harness import Peers, agency_status, body_contains, new_dossier

pytestmark = [pytest.mark.integration]

COMMUNE = "19744"  # Phường Phú Thuận, Thành phố Huế (district 474)
OTHER_COMMUNE = "19747"
BIRTH = "1.001193"  # commune-level, same day
LAND = "1.012753"  # decided by the district PAC


async def test_invalid_json_is_parked_and_the_commune_is_told(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    replies = await peers.listen(f"peer.{COMMUNE}")
    marker = f"not-json-{uuid.uuid4()}"
    await peers.publish(f"commune.{COMMUNE}.hoso", f"{{{marker}".encode())
    letter = await parked_letter(registry_db, marker)
    assert letter["reason_code"] == "invalid_json"
    assert letter["original_routing_key"] == f"commune.{COMMUNE}.hoso"
    reply = await replies.wait_for(body_contains('"MaLoi":"invalid_json"'))
    assert json.loads(reply.body)["LoaiBanTin"] == "KhongTiepNhan"


async def test_invalid_utf8_is_parked_as_invalid_json(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    body = b'{"MaBanTin": "\xff\xfe-utf8-marker-' + uuid.uuid4().hex.encode() + b'"}'
    await peers.publish(f"commune.{COMMUNE}.hoso", body)
    letter = await parked_letter(registry_db, body)
    assert bytes(letter["body"]) == body
    assert letter["reason_code"] == "invalid_json"


async def test_a_dossier_missing_its_procedure_fails_the_schema(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    replies = await peers.listen(f"peer.{COMMUNE}")
    body = new_dossier(COMMUNE, BIRTH)
    del body["MaTTHC"]
    await peers.publish(f"commune.{COMMUNE}.hoso", body)
    letter = await parked_letter(registry_db, body["MaBanTin"])
    assert letter["reason_code"] == "schema_invalid"
    assert "MaTTHC" in letter["reason"]
    assert "Trần Thị Bích" not in letter["reason"]
    reply = await replies.wait_for(body_contains(body["MaBanTin"]))
    assert json.loads(reply.body)["MaLoi"] == "schema_invalid"


async def test_an_unknown_procedure_is_refused(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    replies = await peers.listen(f"peer.{COMMUNE}")
    body = new_dossier(COMMUNE, "9.999999")
    await peers.publish(f"commune.{COMMUNE}.hoso", body)
    letter = await parked_letter(registry_db, body["MaBanTin"])
    assert letter["reason_code"] == "unknown_procedure"
    reply = await replies.wait_for(body_contains(body["MaBanTin"]))
    assert json.loads(reply.body)["MaLoi"] == "unknown_procedure"


async def test_an_unknown_unit_is_parked(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    body = new_dossier(COMMUNE, BIRTH, MaDonVi="99999")
    await peers.publish("commune.99999.hoso", body)
    letter = await parked_letter(registry_db, body["MaBanTin"])
    assert letter["reason_code"] == "unknown_unit"


async def test_a_unit_publishing_as_another_unit_is_refused(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    replies = await peers.listen(f"peer.{COMMUNE}")
    body = new_dossier(OTHER_COMMUNE, BIRTH)  # claims to be 19747 ...
    await peers.publish(f"commune.{COMMUNE}.hoso", body)  # ... but publishes as 19744
    letter = await parked_letter(registry_db, body["MaBanTin"])
    assert letter["reason_code"] == "sender_not_allowed"
    await replies.wait_for(body_contains(body["MaBanTin"]))


async def test_a_dossier_code_of_another_agency_is_refused(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    body = new_dossier(COMMUNE, BIRTH)
    body["MaHoSo"] = body["MaHoSo"].replace(".31.H57", ".39.H57")
    await peers.publish(f"commune.{COMMUNE}.hoso", body)
    letter = await parked_letter(registry_db, body["MaBanTin"])
    assert letter["reason_code"] == "sender_not_allowed"
    assert "agency code" in letter["reason"]


async def test_an_agency_may_not_decide_a_dossier_it_was_not_given(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    # Given a land dossier of commune 19744, transferred to 474-PAC
    agency_replies = await peers.listen("peer.476-PAC")
    dossier = new_dossier(COMMUNE, LAND)
    await peers.publish(f"commune.{COMMUNE}.hoso", dossier)
    await _registered(registry_db, dossier["MaHoSo"])
    # When another district's PAC reports a result for it
    update = agency_status("476-PAC", dossier["MaHoSo"], 9, decisionNumber="1/QĐ")
    await peers.publish("agency.476-PAC.status", update)
    # Then it is parked and that PAC is told, in its own format
    letter = await parked_letter(registry_db, update["messageId"])
    assert letter["reason_code"] == "sender_not_allowed"
    reply = await agency_replies.wait_for(body_contains(update["messageId"]))
    assert json.loads(reply.body)["messageType"] == "REJECTED"


async def test_an_oversized_body_is_parked(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    body = new_dossier(COMMUNE, BIRTH, LePhi=0)
    body["ChuHoSo"]["DiaChi"] = "x" * 300_000
    await peers.publish(f"commune.{COMMUNE}.hoso", body)
    letter = await parked_letter(registry_db, body["MaBanTin"])
    assert letter["reason_code"] == "schema_invalid"
    assert "exceeds" in letter["reason"]


async def test_a_replayed_message_id_is_applied_once(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    body = new_dossier(COMMUNE, BIRTH)
    await peers.publish(f"commune.{COMMUNE}.hoso", body)
    await peers.publish(f"commune.{COMMUNE}.hoso", body)
    await _registered(registry_db, body["MaHoSo"])
    follow_up = new_dossier(COMMUNE, BIRTH)  # published after both copies
    await peers.publish(f"commune.{COMMUNE}.hoso", follow_up)
    await _registered(registry_db, follow_up["MaHoSo"])
    entries = await registry_db.fetchval(
        "SELECT count(*) FROM province.timeline WHERE dossier_code = $1", body["MaHoSo"]
    )
    assert entries == 1
    assert not await parked_letters(registry_db, body["MaBanTin"])


async def test_good_traffic_flows_after_bad_input(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    for garbage in (b"", b"[]", b"null", b'{"LoaiBanTin": "TiepNhanHoSo"}'):
        await peers.publish(f"commune.{COMMUNE}.hoso", garbage)
    good = new_dossier(COMMUNE, BIRTH)
    await peers.publish(f"commune.{COMMUNE}.hoso", good)
    row = await _registered(registry_db, good["MaHoSo"])
    assert row["status"] == 1


async def _registered(conn: asyncpg.Connection, code: str, timeout: float = 20.0) -> asyncpg.Record:
    import asyncio

    for _ in range(int(timeout / 0.1)):
        row = await conn.fetchrow("SELECT * FROM province.dossiers WHERE code = $1", code)
        if row is not None:
            return row
        await asyncio.sleep(0.1)
    raise AssertionError(f"dossier {code} never reached the provincial database")
