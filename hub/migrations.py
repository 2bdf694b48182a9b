"""Every migration source the ``hub migrate`` command applies, in order."""

from __future__ import annotations

from hub.db.migrations import MigrationSource

MIGRATION_SOURCES = (
    MigrationSource(component="hub", package="hub.store.migrations"),
    MigrationSource(component="province", package="adapters.provincial_db.migrations"),
)
