"""The worker's pool (hub.db.pool) on the real PostgreSQL: how its statements are planned,
and what a connection keeps when it is given back."""

from __future__ import annotations

import asyncpg

from adapters.provincial_db import sql
from hub.db.pool import open_pool
from hub.settings import Settings


async def _plans(conn: asyncpg.Connection, statement: str) -> tuple[int, int]:
    row = await conn.fetchrow(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
        statement,
    )
    assert row is not None, "asyncpg did not prepare the statement"
    return row["generic_plans"], row["custom_plans"]


async def test_statements_are_planned_once_per_connection_by_default(db_url: str) -> None:
    pool = await open_pool(Settings(database_url=db_url, db_pool_size=2))
    try:
        async with pool.acquire() as conn:
            assert await conn.fetchval("SHOW plan_cache_mode") == "force_generic_plan"
            for codes in (["46-A"], ["46-A", "46-B"], ["46-C", "46-D", "46-E"]) * 3:
                await conn.execute(sql.REFRESH_DOSSIERS, codes)
            generic, custom = await _plans(conn, sql.REFRESH_DOSSIERS)
        assert (generic, custom) == (9, 0)
    finally:
        await pool.close()


async def test_the_plan_cache_mode_follows_the_setting(db_url: str) -> None:
    pool = await open_pool(Settings(database_url=db_url, db_plan_cache_mode="auto"))
    try:
        async with pool.acquire() as conn:
            assert await conn.fetchval("SHOW plan_cache_mode") == "auto"
            await conn.execute(sql.REFRESH_DOSSIERS, ["46-A", "46-B"])
            _, custom = await _plans(conn, sql.REFRESH_DOSSIERS)
        assert custom == 1  # auto: the first executions are always planned for their values
    finally:
        await pool.close()


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
            assert await again.fetchval("SHOW plan_cache_mode") == "force_generic_plan"
    finally:
        await pool.close()
