from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from tests.chaos_report import CHAOS_COUNTS
from tests.services import LOCAL_AMQP, LOCAL_POSTGRES, resolve

TEST_DATABASE = os.environ.get("HUB_TEST_DATABASE", "hub_test")
"""Override to run two suites side by side against one PostgreSQL server."""


@pytest.fixture(scope="session")
def services() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


@pytest.fixture(scope="session")
def amqp_url(services: ExitStack) -> str:
    return resolve("RabbitMQ", "HUB_AMQP_URL", LOCAL_AMQP, services)


@pytest.fixture(scope="session")
async def database_url(services: ExitStack) -> str:
    """A dedicated database on the server (created if missing), so tests never touch demo data."""
    server_url = resolve("PostgreSQL", "HUB_DATABASE_URL", LOCAL_POSTGRES, services)
    conn = await asyncpg.connect(server_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", TEST_DATABASE)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{TEST_DATABASE}"')
    finally:
        await conn.close()
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{TEST_DATABASE}"))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(database_url)
    try:
        yield conn
    finally:
        await conn.close()


def pytest_unconfigure(config: pytest.Config) -> None:
    """The chaos test's counts as the last line of the run, one JSON object."""
    counts = config.stash.get(CHAOS_COUNTS, None)
    if counts:
        print(json.dumps(counts), flush=True)
