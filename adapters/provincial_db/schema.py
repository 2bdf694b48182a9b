"""Where the provincial registry's migrations live (schema ``province``)."""

from __future__ import annotations

from hub.db import MigrationSource

MIGRATIONS = MigrationSource(component="provincial_db", package="adapters.provincial_db.migrations")
