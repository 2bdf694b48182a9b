"""Every migration source ``hub migrate`` applies, in order."""

from __future__ import annotations

from adapters.provincial_db import MIGRATIONS as PROVINCIAL_DB
from hub.db.migrations import MigrationSource

MIGRATION_SOURCES = (
    MigrationSource(component="hub", package="hub.store.migrations"),
    PROVINCIAL_DB,
)
