"""The worker's pool (hub.db.pool) on the real PostgreSQL: how its statements are planned,
and what a connection keeps when it is given back."""

from __future__ import annotations

import asyncpg

from adapters.provincial_db import sql
from hub.db.pool import open_pool
from hub.settings import Settings

CODES = (["46-A"], ["46-A", "46-B"], ["46-C", "46-D", "46-E"]) * 3


async def _plans(conn: asyncpg.Connection, statement: str) -> tuple[int, int]:
    """How often this session planned a prepared statement generically, and for its values."""
    row = await conn.fetchrow(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
        statement,
    )
    assert row is not None, "asyncpg did not prepare the statement"
    return row["generic_plans"], row["custom_plans"]


async def _refresh_plans(settings: Settings) -> tuple[str, tuple[int, int]]:
    pool = await open_pool(settings)
    try:
        async with pool.acquire() as conn:
            mode = await conn.fetchval("SHOW plan_cache_mode")
            for codes in CODES:
                await conn.execute(sql.REFRESH_DOSSIERS, codes)
            return mode, await _plans(conn, sql.REFRESH_DOSSIERS)
    finally:
        await pool.close()


async def test_generic_plans_plan_each_statement_once_per_connection(db_url: str) -> None:
    settings = Settings(database_url=db_url, db_plan_cache_mode="force_generic_plan")
    mode, plans = await _refresh_plans(settings)
    assert mode == "force_generic_plan"
    assert plans == (len(CODES), 0)


async def test_by_default_postgresql_chooses_per_execution(db_url: str) -> None:
    mode, (generic, custom) = await _refresh_plans(Settings(database_url=db_url))
    assert mode == "auto"
    assert generic + custom == len(CODES)
    assert custom >= 5  # auto: the first five executions are always planned for their values


async def test_a_connection_given_back_in_a_transaction_is_rolled_back(db_url: str) -> None:
    pool = await open_pool(Settings(database_url=db_url, db_pool_size=1))
    try:
        async with pool.acquire() as conn:
            backend = conn.get_server_pid()
            await conn.execute("BEGIN")
            await conn.execute("CREATE TEMP TABLE left_open (x int)")
        async with pool.acquire() as again:  # HUB_DB_POOL_SIZE=1: the same connection
            assert again.get_server_pid() == backend
            assert not again.is_in_transaction()
            assert await again.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
    finally:
        await pool.close()
