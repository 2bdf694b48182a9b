"""A running hub keeps order and comes back after RabbitMQ or PostgreSQL restarts: the
consumers return by themselves and no message is lost. The services are restarted with the
commands of DEVELOPERS.md and left running."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import asyncpg
import pytest

from hub.demo.workers import HubWorkers
from hub.settings import Settings
from tests import service_control
from tests.dead_letters import parked_letters
from tests.harness import Peers, agency_status, body_contains, new_dossier, status_update

pytestmark = [pytest.mark.integration]

COMMUNE = "19750"
LAND = "1.012753"  # decided by the district PAC 474-PAC


@pytest.fixture(scope="module")
def controllable(hub_settings: Settings) -> None:
    reason = service_control.cannot_control(
        hub_settings.amqp_url.get_secret_value(), hub_settings.database_url.get_secret_value()
    )
    if reason is not None:
        pytest.skip(f"cannot restart the services: {reason}")


@pytest.fixture
async def fresh_peers(hub_settings: Settings) -> AsyncIterator[Peers]:
    """A connection of the test's own, opened after any restart of the broker."""
    client = await Peers.open(hub_settings.amqp_url.get_secret_value())
    yield client
    await client.close()


async def status_in_province(db_url: str, code: str, status: int, timeout_s: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            conn = await asyncpg.connect(db_url)
            try:
                found = await conn.fetchval(
                    "SELECT status FROM province.dossiers WHERE code = $1", code
                )
            finally:
                await conn.close()
            if found == status:
                return
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            pass  # the server is still starting
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{code} did not reach status {status} in {timeout_s}s")
        await asyncio.sleep(0.2)


async def test_back_to_back_messages_of_one_dossier_are_applied_in_publish_order(
    hub_worker: HubWorkers, fresh_peers: Peers, registry_db: asyncpg.Connection
) -> None:
    # Given a land dossier whose whole life is published at once, without waiting
    dossier = new_dossier(COMMUNE, LAND)
    code = dossier["MaHoSo"]
    await fresh_peers.publish(f"commune.{COMMUNE}.hoso", dossier)
    await fresh_peers.publish("agency.474-PAC.status", agency_status("474-PAC", code, 2))
    await fresh_peers.publish("agency.474-PAC.status", agency_status("474-PAC", code, 4))
    await fresh_peers.publish(
        "agency.474-PAC.status", agency_status("474-PAC", code, 9, decisionNumber="7/QĐ")
    )
    await fresh_peers.publish(f"commune.{COMMUNE}.trangthai", status_update(COMMUNE, code, 10))
    # Then every step is applied, in the order it was published, and nothing is parked
    for _ in range(300):
        status = await registry_db.fetchval(
            "SELECT status FROM province.dossiers WHERE code = $1", code
        )
        if status == 10:
            break
        await asyncio.sleep(0.1)
    timeline = await registry_db.fetch(
        "SELECT type, status FROM province.timeline WHERE dossier_code = $1 ORDER BY sequence",
        code,
    )
    assert [(r["type"], r["status"]) for r in timeline] == [
        ("dossier.received", 1),
        ("dossier.transferred", None),
        ("dossier.accepted", 2),
        ("dossier.progress", 4),
        ("dossier.result_issued", 9),
        ("dossier.result_returned", 10),
    ]
    assert await parked_letters(registry_db, code) == []


async def test_consumers_come_back_after_rabbitmq_restarts(
    controllable: None, hub_worker: HubWorkers, hub_settings: Settings
) -> None:
    amqp_url = hub_settings.amqp_url.get_secret_value()
    # Given a running hub, when RabbitMQ is stopped and started again
    away = await asyncio.to_thread(service_control.restart_rabbitmq)
    assert away > 0
    # Then the same worker process consumes every hub queue again, by itself
    await hub_worker.wait_ready(amqp_url, timeout_s=90)
    assert all(p.poll() is None for p in hub_worker.processes)
    # And a dossier registered now goes all the way to the district and the database
    peers = await Peers.open(amqp_url)
    try:
        district = await peers.listen("peer.474-PAC")
        dossier = new_dossier(COMMUNE, LAND)
        await peers.publish(f"commune.{COMMUNE}.hoso", dossier)
        transfer = json.loads((await district.wait_for(body_contains(dossier["MaHoSo"]), 60)).body)
        assert transfer["messageType"] == "TRANSFER"
    finally:
        await peers.close()
    await status_in_province(hub_settings.database_url.get_secret_value(), dossier["MaHoSo"], 1)


async def test_a_dossier_sent_while_postgresql_is_down_is_applied_once_it_is_back(
    controllable: None, hub_worker: HubWorkers, hub_settings: Settings, fresh_peers: Peers
) -> None:
    db_url = hub_settings.database_url.get_secret_value()
    district = await fresh_peers.listen("peer.474-PAC")
    dossier = new_dossier(COMMUNE, LAND)
    # Given PostgreSQL is down
    await asyncio.to_thread(service_control.stop_postgresql)
    try:
        # When a commune registers a dossier and the hub cannot reach its database
        await fresh_peers.publish(f"commune.{COMMUNE}.hoso", dossier)
        await asyncio.sleep(3)
    finally:
        await asyncio.to_thread(service_control.start_postgresql)
    # Then, once the database is back, the same worker applies it and hands it over
    transfer = json.loads((await district.wait_for(body_contains(dossier["MaHoSo"]), 90)).body)
    assert transfer["dossierNo"] == dossier["MaHoSo"]
    await status_in_province(db_url, dossier["MaHoSo"], 1)
    assert all(p.poll() is None for p in hub_worker.processes)
    conn = await asyncpg.connect(db_url)
    try:
        assert await parked_letters(conn, dossier["MaHoSo"]) == []
    finally:
        await conn.close()


async def test_a_message_that_overtakes_its_predecessor_waits_for_it(
    hub_worker: HubWorkers, fresh_peers: Peers, registry_db: asyncpg.Connection
) -> None:
    """After a broker restart the hash ring can send a dossier's next message to another
    shard than its earlier ones; the early message waits instead of being refused."""
    dossier = new_dossier(COMMUNE, "1.001193")  # decided by the commune itself
    code = dossier["MaHoSo"]
    # Given the commune's 'accepted' arrives first, on whatever shard another key hashes to
    early = status_update(COMMUNE, code, 2)
    await fresh_peers.publish(
        f"commune.{COMMUNE}.trangthai", early, correlation_id=f"elsewhere-{code}"
    )
    await asyncio.sleep(1.0)
    # When the reception it depends on arrives afterwards
    await fresh_peers.publish(f"commune.{COMMUNE}.hoso", dossier)
    # Then both are applied, in the dossier's order, and nothing is parked
    for _ in range(300):
        status = await registry_db.fetchval(
            "SELECT status FROM province.dossiers WHERE code = $1", code
        )
        if status == 2:
            break
        await asyncio.sleep(0.1)
    types = [
        r["type"]
        for r in await registry_db.fetch(
            "SELECT type FROM province.timeline WHERE dossier_code = $1 ORDER BY sequence", code
        )
    ]
    assert types == ["dossier.received", "dossier.accepted"]
    assert await parked_letters(registry_db, early["MaBanTin"]) == []
