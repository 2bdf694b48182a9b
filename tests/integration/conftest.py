from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aio_pika
import asyncpg
import pytest
from aio_pika.abc import AbstractRobustConnection

from hub.bootstrap import migrate_database
from hub.broker_setup import apply_topology
from hub.demo.workers import HubWorkers
from hub.registry import load_registry
from hub.settings import Settings
from hub.topology import build_topology
from simulators.postal_server import PostalSimConfig, RunningServer, start_postal_server
from tests.harness import Peers, worker_log


@pytest.fixture(scope="module")
async def db_url(database_url: str) -> str:
    """The test database, migrated (once per module)."""
    await migrate_database(Settings(database_url=database_url))
    return database_url


@pytest.fixture
async def conn(db_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(db_url)
    yield connection
    await connection.close()


@pytest.fixture
async def pool(db_url: str) -> AsyncIterator[asyncpg.Pool]:
    """Four connections: enough for the tests that race writers against each other."""
    async with asyncpg.create_pool(db_url, min_size=4, max_size=4) as four:
        yield four


@pytest.fixture
async def broker(amqp_url: str) -> AsyncIterator[AbstractRobustConnection]:
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        yield connection


@pytest.fixture(scope="module")
async def postal_server() -> AsyncIterator[RunningServer]:
    server = await start_postal_server(PostalSimConfig(time_scale=0.0002, seed=5))
    yield server
    await server.stop()


@pytest.fixture(scope="module")
async def hub_settings(amqp_url: str, database_url: str, postal_server: RunningServer) -> Settings:
    settings = Settings(
        amqp_url=amqp_url, database_url=database_url, postal_api_url=postal_server.url
    )
    await migrate_database(settings)
    await apply_topology(amqp_url, build_topology(load_registry().peers()))
    return settings


@pytest.fixture(scope="module")
async def hub_worker(
    hub_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[HubWorkers]:
    """One ``hub run`` process for this module, stopped (SIGTERM) at its end."""
    log_dir = Path(tmp_path_factory.mktemp("hub-logs"))
    workers = HubWorkers(
        1,
        {
            "HUB_AMQP_URL": hub_settings.amqp_url.get_secret_value(),
            "HUB_DATABASE_URL": hub_settings.database_url.get_secret_value(),
            "HUB_POSTAL_API_URL": hub_settings.postal_api_url,
            "HUB_POSTAL_POLL_SECONDS": "0.3",
            "HUB_LOG_JSON": "true",
        },
        log_dir,
    )
    workers.start()
    try:
        await workers.wait_ready(hub_settings.amqp_url.get_secret_value())
        yield workers
    finally:
        workers.stop()
        print(worker_log(log_dir))


@pytest.fixture(scope="module")
async def peers(hub_settings: Settings) -> AsyncIterator[Peers]:
    client = await Peers.open(hub_settings.amqp_url.get_secret_value())
    yield client
    await client.close()


@pytest.fixture
async def registry_db(hub_settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(hub_settings.database_url.get_secret_value())
    yield conn
    await conn.close()
