"""SIGTERM: the hub stops consuming, finishes or returns what it holds, drains its outbox
and exits cleanly; the next worker picks up what was left on the queues."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import asyncpg
import pytest

from hub.demo.workers import HubWorkers
from hub.settings import Settings
from tests.dead_letters import parked_letters
from tests.harness import Peers, new_dossier, worker_log

pytestmark = [pytest.mark.integration]

COMMUNE = "19750"
BIRTH = "1.001193"  # decided by the commune: each reception makes events and a notice


def worker_env(settings: Settings) -> dict[str, str]:
    return {
        "HUB_AMQP_URL": settings.amqp_url.get_secret_value(),
        "HUB_DATABASE_URL": settings.database_url.get_secret_value(),
        "HUB_POSTAL_API_URL": settings.postal_api_url,
        "HUB_LOG_JSON": "true",
    }


async def registered(conn: asyncpg.Connection, codes: list[str]) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM province.dossiers WHERE code = ANY($1::text[])", codes
        )
    )


async def test_sigterm_drains_the_outbox_and_the_next_worker_finishes_the_rest(
    hub_settings: Settings, peers: Peers, registry_db: asyncpg.Connection, tmp_path: Path
) -> None:
    amqp_url = hub_settings.amqp_url.get_secret_value()
    first = HubWorkers(1, worker_env(hub_settings), tmp_path / "first")
    first.start()
    await first.wait_ready(amqp_url)
    # Given a burst of dossiers in flight
    dossiers = [new_dossier(COMMUNE, BIRTH) for _ in range(60)]
    codes = [d["MaHoSo"] for d in dossiers]
    for dossier in dossiers:
        await peers.publish(f"commune.{COMMUNE}.hoso", dossier)
    await asyncio.sleep(0.5)
    # When the worker is told to stop
    process = first.processes[0]
    process.send_signal(signal.SIGTERM)
    returncode = await asyncio.to_thread(process.wait, 30)
    log = worker_log(tmp_path / "first")
    # Then it exits cleanly, having drained its outbox
    assert returncode == 0, log
    assert '"outbox_drained"' in log
    assert await registry_db.fetchval("SELECT count(*) FROM hub.outbox") == 0
    # And what it had not taken is still on the queues: the next worker finishes it all
    second = HubWorkers(1, worker_env(hub_settings), tmp_path / "second")
    second.start()
    try:
        await second.wait_ready(amqp_url)
        for _ in range(300):
            if await registered(registry_db, codes) == len(codes):
                break
            await asyncio.sleep(0.1)
        assert await registered(registry_db, codes) == len(codes)
        for code in codes:
            assert await parked_letters(registry_db, code) == []
    finally:
        second.stop()
