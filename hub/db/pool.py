"""The worker's PostgreSQL pool: how its connections are opened and given back."""

from __future__ import annotations

import asyncpg

from hub.settings import Settings


async def open_pool(settings: Settings) -> asyncpg.Pool:
    """The pool of one ``hub run`` worker.

    Its connections start with ``plan_cache_mode`` set to ``HUB_DB_PLAN_CACHE_MODE``
    (generic plans by default). asyncpg prepares each statement once per connection. Left
    to ``auto``, PostgreSQL plans a prepared statement for its values on its first five
    executions, then keeps doing so for every statement whose generic plan looks costlier
    than one made for the actual arrays: the projection's (the refresh of the projected
    dossiers took ~0.95 ms to plan and ~0.4 ms to run), the outbox delete and the sweep.
    Their generic plans are the same index scans (docs/performance.md).
    """
    return await asyncpg.create_pool(
        settings.database_url.get_secret_value(),
        min_size=min(2, settings.db_pool_size),
        max_size=settings.db_pool_size,
        reset=keep_session,
        server_settings={"plan_cache_mode": settings.db_plan_cache_mode},
    )


async def keep_session(conn: asyncpg.Connection) -> None:
    """Skip asyncpg's reset query on every release (a round trip per message): the hub
    keeps no session state (no SET, LISTEN, cursors or session advisory locks; its advisory
    locks are transaction-scoped; the plan cache mode is set when the connection starts).
    Only a connection released inside a transaction (a handler cancelled mid-query) is
    rolled back."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")
