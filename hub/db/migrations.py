"""Versioned SQL migrations: files ``NNNN_description.sql`` shipped inside a package.

Each component (the hub's own store, the provincial registry, ...) owns one package of files.
Applied files are recorded in ``public.schema_migrations`` with a checksum; each pending file
runs in its own transaction, in version order, while a session advisory lock keeps two
processes migrating at once from interleaving.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import structlog

from hub.db.connection import Connection
from hub.errors import HubError

log = structlog.get_logger(__name__)

MIGRATION_FILE = re.compile(r"^(?P<version>\d{4})_(?P<description>[a-z0-9_]+)\.sql$")
MIGRATION_LOCK_KEY = 4_600_000_001
"""Advisory lock key (bigint space) held while migrating; any constant unique to the hub."""

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS public.schema_migrations (
    component  text        NOT NULL,
    version    integer     NOT NULL,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (component, version)
)
"""
SELECT_APPLIED = "SELECT version, name, checksum FROM public.schema_migrations WHERE component = $1"
INSERT_APPLIED = (
    "INSERT INTO public.schema_migrations (component, version, name, checksum)"
    " VALUES ($1, $2, $3, $4)"
)
LOCK = "SELECT pg_advisory_lock($1)"
UNLOCK = "SELECT pg_advisory_unlock($1)"


class MigrationError(HubError):
    """The database schema cannot be brought up to date; fix the deployment, do not retry."""

    reason_code = "migration_failed"


class MigrationChecksumMismatch(MigrationError):
    """A migration file changed after it was applied: add a new file instead of editing it."""

    reason_code = "migration_checksum_mismatch"


@dataclass(frozen=True, kw_only=True)
class MigrationSource:
    """A component's package of migration files, e.g. ``adapters.provincial_db.migrations``."""

    component: str
    package: str


@dataclass(frozen=True, kw_only=True)
class Migration:
    component: str
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()

    @property
    def label(self) -> str:
        return f"{self.component}/{self.name}"


def discover(source: MigrationSource) -> list[Migration]:
    """The source's migration files in version order; other files are ignored."""
    found: dict[int, Migration] = {}
    for entry in resources.files(source.package).iterdir():
        match = MIGRATION_FILE.match(entry.name)
        if match is None or not entry.is_file():
            continue
        version = int(match["version"])
        if version in found:
            raise MigrationError(f"{source.component}: two migrations numbered {version:04d}")
        name = entry.name.removesuffix(".sql")
        sql = entry.read_text(encoding="utf-8")
        found[version] = Migration(component=source.component, version=version, name=name, sql=sql)
    return [found[version] for version in sorted(found)]


async def apply_migrations(conn: Connection, sources: Sequence[MigrationSource]) -> list[str]:
    """Apply every pending migration of every source, in order; return their labels.

    Labels read ``component/NNNN_description``. An already applied file whose content
    changed raises :class:`MigrationChecksumMismatch` before anything else is applied.
    """
    pending = {source.component: discover(source) for source in sources}
    await conn.execute(LOCK, MIGRATION_LOCK_KEY)
    try:
        await conn.execute(CREATE_LEDGER)
        todo = [m for source in sources for m in await _pending(conn, pending[source.component])]
        for migration in todo:
            await _apply(conn, migration)
        return [migration.label for migration in todo]
    finally:
        await conn.execute(UNLOCK, MIGRATION_LOCK_KEY)


async def _pending(conn: Connection, migrations: list[Migration]) -> list[Migration]:
    if not migrations:
        return []
    rows = await conn.fetch(SELECT_APPLIED, migrations[0].component)
    applied = {row["version"]: row["checksum"] for row in rows}
    for migration in migrations:
        checksum = applied.get(migration.version)
        if checksum is not None and checksum != migration.checksum:
            raise MigrationChecksumMismatch(
                f"{migration.label} was changed after it was applied "
                f"(recorded sha256 {checksum[:12]}…, file {migration.checksum[:12]}…); "
                "add a new migration instead of editing an applied one"
            )
    return [m for m in migrations if m.version not in applied]


async def _apply(conn: Connection, migration: Migration) -> None:
    async with conn.transaction():
        await conn.execute(migration.sql)
        await conn.execute(
            INSERT_APPLIED,
            migration.component,
            migration.version,
            migration.name,
            migration.checksum,
        )
    log.info("migration_applied", component=migration.component, migration=migration.name)
