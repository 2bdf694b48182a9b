"""The worker's PostgreSQL pool: how its connections are opened and given back."""

from __future__ import annotations

import asyncpg

from hub.settings import Settings


async def open_pool(settings: Settings) -> asyncpg.Pool:
    """The pool of one ``hub run`` worker.

    Its connections start with ``plan_cache_mode`` set to ``HUB_DB_PLAN_CACHE_MODE``.
    asyncpg prepares each statement once per connection. Under ``auto`` (PostgreSQL's
    default, and ours) a prepared statement is planned for its values on its first five
    executions, then with its generic plan unless that looks costlier; the projection's
    statements, the outbox delete and the sweep keep being planned on every execution (the
    refresh of the projected dossiers takes ~0.5 ms to plan). ``force_generic_plan`` plans
    each of them once per connection instead, but a generic plan stays until the next
    ANALYZE of its tables: one made while a table was nearly empty (a new database) keeps
    its sequential scans as the table grows, unless autovacuum analyzes it
    (docs/performance-history.md).
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
