"""One name for "an asyncpg connection", whether plain or borrowed from a pool."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

Connection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
PoolOrConnection: TypeAlias = asyncpg.Pool | Connection


@asynccontextmanager
async def connection_from(pool_or_conn: PoolOrConnection) -> AsyncIterator[Connection]:
    """Borrow a connection from a pool (released on exit), or use the one given."""
    if isinstance(pool_or_conn, asyncpg.Pool):
        async with pool_or_conn.acquire() as conn:
            yield conn
    else:
        yield pool_or_conn
