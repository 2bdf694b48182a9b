"""Waiting for parked messages in the dead-letter store (``hub.dead_letters``).

The hub consumes ``hub.parked`` itself, so tests look for parked messages in the table,
never on the queue.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass
from typing import Any

import asyncpg

from hub.settings import Settings

FIND_BY_BODY = """
SELECT * FROM hub.dead_letters WHERE position($1::bytea IN body) > 0 AND id > $2 ORDER BY id
"""


def _needle(marker: str | bytes) -> bytes:
    return marker.encode() if isinstance(marker, str) else marker


async def parked_letters(
    conn: asyncpg.Connection, marker: str | bytes, *, after_id: int = 0
) -> list[asyncpg.Record]:
    """Every stored dead letter whose body contains ``marker`` (oldest first)."""
    return list(await conn.fetch(FIND_BY_BODY, _needle(marker), after_id))


async def parked_letter(
    conn: asyncpg.Connection, marker: str | bytes, *, after_id: int = 0, timeout: float = 20.0
) -> asyncpg.Record:
    """The first dead letter whose body contains ``marker``, once the hub has stored it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        rows = await parked_letters(conn, marker, after_id=after_id)
        if rows:
            return rows[0]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"nothing containing {marker!r} parked within {timeout}s")
        await asyncio.sleep(0.1)


def headers(row: asyncpg.Record) -> dict[str, Any]:
    value = row["headers"]
    parsed: dict[str, Any] = json.loads(value) if isinstance(value, str) else dict(value)
    return parsed


@dataclass
class Cli:
    returncode: int
    stdout: str
    stderr: str


async def hub_dlq(settings: Settings, *args: str) -> Cli:
    """``hub dlq ...`` in a child process, against the test broker and database."""
    env = os.environ | {
        "HUB_AMQP_URL": settings.amqp_url.get_secret_value(),
        "HUB_DATABASE_URL": settings.database_url.get_secret_value(),
        "HUB_LOG_JSON": "true",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub.cli",
        "dlq",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return Cli(process.returncode, out.decode(), err.decode())
