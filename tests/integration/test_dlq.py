"""The dead-letter store and ``hub dlq``: parked messages land in ``hub.dead_letters``, and
operators list, replay and purge them. Real RabbitMQ, PostgreSQL and ``hub`` processes."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import aio_pika
import asyncpg
import pytest

from adapters.postal import FakePostal
from adapters.postal.models import TrackingEvent
from hub.amqp import ConfirmingPublisher
from hub.demo.workers import HubWorkers
from hub.errors import UnknownDossier
from hub.postal import PostalTracker
from hub.registry import load_registry
from hub.relay import OutboxRelay
from hub.settings import Settings
from hub.topology import (
    INGRESS_RETRY_SOURCE,
    OUTBOUND_EXCHANGE,
    PARKING_EXCHANGE,
    POSTAL_TRACKING_SOURCE,
    peer_queue,
)
from tests.dead_letters import hub_dlq, parked_letter, parked_letters
from tests.harness import Peers, new_dossier

pytestmark = [pytest.mark.integration]

COMMUNE = "19744"
BIRTH = "1.001193"
QUIET_UNIT = "474-BHXH"
"""A unit no procedure routes to, so nothing else lands on its queue during the test."""


async def audit_trail(conn: asyncpg.Connection, dead_letter_id: int) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            "SELECT action, actor, detail FROM hub.dead_letter_audit"
            " WHERE dead_letter_id = $1 ORDER BY id",
            dead_letter_id,
        )
    )


async def status_of(conn: asyncpg.Connection, dead_letter_id: int) -> asyncpg.Record:
    row = await conn.fetchrow(
        "SELECT status, replay_count, replayed_at FROM hub.dead_letters WHERE id = $1",
        dead_letter_id,
    )
    assert row is not None
    return row


async def registered(conn: asyncpg.Connection, code: str, timeout: float = 20.0) -> None:
    for _ in range(int(timeout / 0.1)):
        if await conn.fetchval("SELECT 1 FROM province.dossiers WHERE code = $1", code):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"dossier {code} never reached the provincial database")


async def test_a_bad_message_is_stored_with_its_reason_and_listed(
    hub_worker: HubWorkers, peers: Peers, hub_settings: Settings, registry_db: asyncpg.Connection
) -> None:
    # Given a dossier that fails the schema
    body = new_dossier(COMMUNE, BIRTH)
    del body["MaTTHC"]
    await peers.publish(f"commune.{COMMUNE}.hoso", body)
    # Then it is stored with its reason, source and attempts
    letter = await parked_letter(registry_db, body["MaBanTin"])
    assert letter["reason_code"] == "schema_invalid"
    assert "MaTTHC" in letter["reason"]
    assert letter["source_queue"] == INGRESS_RETRY_SOURCE
    assert letter["original_routing_key"] == f"commune.{COMMUNE}.hoso"
    assert letter["attempts"] == 0
    assert letter["status"] == "parked"
    # And `hub dlq list --json` shows it, without the body
    listed = await hub_dlq(
        hub_settings,
        "list",
        "--json",
        "--reason",
        "schema_invalid",
        "--queue",
        INGRESS_RETRY_SOURCE,
    )
    assert listed.returncode == 0, listed.stderr
    rows = {row["id"]: row for row in json.loads(listed.stdout)}
    assert rows[letter["id"]]["reason_code"] == "schema_invalid"
    assert rows[letter["id"]]["attempts"] == 0
    assert body["MaBanTin"] not in listed.stdout
    assert "Trần Thị Bích" not in listed.stdout
    # And `show` prints the body only when asked
    shown = await hub_dlq(hub_settings, "show", str(letter["id"]))
    assert shown.returncode == 0, shown.stderr
    assert "schema_invalid" in shown.stdout
    assert body["MaBanTin"] not in shown.stdout
    with_body = await hub_dlq(hub_settings, "show", str(letter["id"]), "--body")
    assert body["MaBanTin"] in with_body.stdout


async def test_a_replay_whose_cause_remains_is_parked_again_and_audited(
    hub_worker: HubWorkers, peers: Peers, hub_settings: Settings, registry_db: asyncpg.Connection
) -> None:
    # Given a dossier parked because its procedure is unknown
    body = new_dossier(COMMUNE, "9.999999")
    await peers.publish(f"commune.{COMMUNE}.hoso", body)
    first = await parked_letter(registry_db, body["MaBanTin"])
    assert first["reason_code"] == "unknown_procedure"
    # When an operator replays it
    actor = f"tester-{uuid.uuid4().hex[:8]}"
    done = await hub_dlq(hub_settings, "replay", str(first["id"]), "--actor", actor)
    assert done.returncode == 0, done.stderr
    # Then it is marked replayed, audited with the actor, and parked again for the same reason
    row = await status_of(registry_db, first["id"])
    assert (row["status"], row["replay_count"]) == ("replayed", 1)
    assert row["replayed_at"] is not None
    trail = await audit_trail(registry_db, first["id"])
    assert [(t["action"], t["actor"]) for t in trail] == [("replay", actor)]
    assert "dossier.in" in trail[0]["detail"]
    again = await parked_letter(registry_db, body["MaBanTin"], after_id=first["id"])
    assert again["reason_code"] == "unknown_procedure"
    assert again["original_routing_key"] == f"commune.{COMMUNE}.hoso"
    # And replaying it a second time needs --force
    refused = await hub_dlq(hub_settings, "replay", str(first["id"]), "--actor", actor)
    assert refused.returncode == 1
    assert "--force" in refused.stderr


async def test_a_replay_after_the_cause_is_fixed_registers_the_dossier(
    hub_worker: HubWorkers, peers: Peers, hub_settings: Settings, registry_db: asyncpg.Connection
) -> None:
    # Given a valid dossier the hub gave up on while a dependency was down
    body = new_dossier(COMMUNE, BIRTH)
    routing_key = f"commune.{COMMUNE}.hoso"
    exchange = await peers.channel.get_exchange(PARKING_EXCHANGE, ensure=False)
    await exchange.publish(
        aio_pika.Message(
            json.dumps(body).encode(),
            content_type="application/json",
            message_id=str(uuid.uuid4()),
            headers={
                "content-type": "application/json",
                "x-hub-reason-code": "dependency_unavailable",
                "x-hub-reason": "gave up after 5 attempts: ConnectionRefusedError",
                "x-hub-attempts": 5,
                "x-hub-source-queue": INGRESS_RETRY_SOURCE,
                "x-hub-original-routing-key": routing_key,
                "x-hub-original-message-id": "",
                "x-hub-original-user-id": "",
                "x-hub-parked-at": datetime.now(UTC).isoformat(),
            },
        ),
        routing_key=routing_key,
    )
    letter = await parked_letter(registry_db, body["MaBanTin"])
    assert (letter["reason_code"], letter["attempts"]) == ("dependency_unavailable", 5)
    # When the operator replays everything parked for that reason from that queue (dry run first)
    planned = await hub_dlq(
        hub_settings, "replay", "--all", "--reason", "dependency_unavailable", "--dry-run"
    )
    assert planned.returncode == 0, planned.stderr
    assert f"would replay #{letter['id']}" in planned.stderr
    assert (await status_of(registry_db, letter["id"]))["status"] == "parked"
    done = await hub_dlq(
        hub_settings,
        "replay",
        "--all",
        "--reason",
        "dependency_unavailable",
        "--queue",
        INGRESS_RETRY_SOURCE,
        "--actor",
        "night-shift",
    )
    assert done.returncode == 0, done.stderr
    assert f"replayed #{letter['id']}" in done.stderr
    # Then the dossier reaches the provincial database, and nothing new is parked
    await registered(registry_db, body["MaHoSo"])
    assert (await status_of(registry_db, letter["id"]))["status"] == "replayed"
    assert [t["actor"] for t in await audit_trail(registry_db, letter["id"])] == ["night-shift"]
    assert len(await parked_letters(registry_db, body["MaBanTin"])) == 1


async def test_a_message_a_peer_rejected_is_stored_and_replayed_to_that_peer(
    hub_worker: HubWorkers, peers: Peers, hub_settings: Settings, registry_db: asyncpg.Connection
) -> None:
    # Given a message on a unit's queue that the unit's software rejects
    queue = await peers.channel.get_queue(peer_queue(QUIET_UNIT), ensure=False)
    await queue.purge()
    marker = f"rejected-by-peer-{uuid.uuid4()}"
    outbound = await peers.channel.get_exchange(OUTBOUND_EXCHANGE, ensure=False)
    await outbound.publish(aio_pika.Message(marker.encode()), routing_key=QUIET_UNIT)
    delivered = await _get(queue)
    await delivered.reject(requeue=False)
    # Then the broker dead-letters it and the hub stores it from the x-death headers
    letter = await parked_letter(registry_db, marker)
    assert letter["reason_code"] == "rejected"
    assert letter["source_queue"] == peer_queue(QUIET_UNIT)
    assert letter["original_exchange"] == OUTBOUND_EXCHANGE
    assert letter["original_routing_key"] == QUIET_UNIT
    # When it is replayed, it is on the unit's queue again
    done = await hub_dlq(hub_settings, "replay", str(letter["id"]))
    assert done.returncode == 0, done.stderr
    again = await _get(queue)
    assert again.body == marker.encode()
    assert "x-death" not in (again.headers or {})
    await again.ack()


async def test_purge_marks_and_audits_and_a_purged_message_is_not_replayed(
    hub_worker: HubWorkers, peers: Peers, hub_settings: Settings, registry_db: asyncpg.Connection
) -> None:
    marker = f"not-json-{uuid.uuid4()}"
    await peers.publish(f"commune.{COMMUNE}.hoso", f"{{{marker}".encode())
    letter = await parked_letter(registry_db, marker)
    done = await hub_dlq(hub_settings, "purge", str(letter["id"]), "--actor", "auditor")
    assert done.returncode == 0, done.stderr
    assert (await status_of(registry_db, letter["id"]))["status"] == "purged"
    assert [(t["action"], t["actor"]) for t in await audit_trail(registry_db, letter["id"])] == [
        ("purge", "auditor")
    ]
    refused = await hub_dlq(hub_settings, "replay", str(letter["id"]), "--force")
    assert refused.returncode == 1
    assert "purged" in refused.stderr
    twice = await hub_dlq(hub_settings, "purge", str(letter["id"]))
    assert twice.returncode == 1
    assert f"error: dead letter {letter['id']} is already purged" in twice.stderr
    assert len(await audit_trail(registry_db, letter["id"])) == 1
    listed = await hub_dlq(hub_settings, "list", "--json", "--status", "purged", "--limit", "50")
    assert letter["id"] in [row["id"] for row in json.loads(listed.stdout)]


async def _get(
    queue: aio_pika.abc.AbstractQueue, timeout: float = 10.0
) -> aio_pika.abc.AbstractIncomingMessage:
    for _ in range(int(timeout / 0.1)):
        message = await queue.get(fail=False, no_ack=False)
        if message is not None:
            return message
        await asyncio.sleep(0.1)
    raise AssertionError(f"nothing arrived on {queue.name} within {timeout}s")


async def test_a_postal_tracking_event_the_hub_cannot_use_is_stored_and_not_replayed(
    hub_worker: HubWorkers, hub_settings: Settings, registry_db: asyncpg.Connection
) -> None:
    # Given a tracking event of an order the hub never placed, parked by the tracker
    order = f"000.00.00.H00-190417-{uuid.uuid4().int % 10_000:04d}"
    event = TrackingEvent(
        order_number=order,
        item_code=f"EB{uuid.uuid4().int % 10**9:09d}VN",
        status_code="500",
        status_message="Phát thành công",
        event_time="17/04/2019 10:00:00",
    )
    connection = await aio_pika.connect_robust(hub_settings.amqp_url.get_secret_value())
    pool = await asyncpg.create_pool(
        hub_settings.database_url.get_secret_value(), min_size=1, max_size=1
    )
    try:
        publisher = await ConfirmingPublisher.open(connection)
        relay = OutboxRelay(pool=pool, publisher=publisher)
        tracker = PostalTracker(pool, load_registry(), FakePostal(), relay)
        await tracker._park(event, UnknownDossier(f"no dossier {order} is registered"))
    finally:
        await pool.close()
        await connection.close()
    # Then the hub stores it with its reason and source
    letter = await parked_letter(registry_db, event.item_code)
    assert letter["reason_code"] == "unknown_dossier"
    assert letter["source_queue"] == POSTAL_TRACKING_SOURCE
    assert TrackingEvent.model_validate_json(bytes(letter["body"])) == event
    # And a replay is refused with the reason
    refused = await hub_dlq(hub_settings, "replay", str(letter["id"]))
    assert refused.returncode == 1
    assert "postal service's feed" in refused.stderr
    assert (await status_of(registry_db, letter["id"]))["status"] == "parked"
