"""PostgreSQL plumbing shared by the hub and its database adapters."""

from __future__ import annotations

from hub.db.connection import Connection, PoolOrConnection, connection_from
from hub.db.migrations import (
    MigrationChecksumMismatch,
    MigrationError,
    MigrationSource,
    apply_migrations,
)

__all__ = [
    "Connection",
    "MigrationChecksumMismatch",
    "MigrationError",
    "MigrationSource",
    "PoolOrConnection",
    "apply_migrations",
    "connection_from",
]
