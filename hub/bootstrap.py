"""Set-up steps shared by the CLI, the demo and tests."""

from __future__ import annotations

import asyncpg

from adapters.provincial_db import sync_registry
from hub.db.migrations import apply_migrations
from hub.migrations import MIGRATION_SOURCES
from hub.registry import load_registry
from hub.settings import Settings


async def migrate_database(settings: Settings) -> list[str]:
    conn = await asyncpg.connect(settings.database_url.get_secret_value())
    try:
        applied = await apply_migrations(conn, MIGRATION_SOURCES)
        await sync_registry(conn, load_registry())
    finally:
        await conn.close()
    return applied
