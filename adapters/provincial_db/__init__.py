"""Provincial database adapter: the registry every canonical event is projected into."""

from __future__ import annotations

from adapters.provincial_db.projector import TimelineConflict, project, project_batch
from adapters.provincial_db.queries import demo_summary, dossier, status_counts, timeline
from adapters.provincial_db.records import DossierRow, Summary, TimelineEntry
from adapters.provincial_db.registry_sync import sync_registry
from adapters.provincial_db.rows import applicant_digest
from adapters.provincial_db.schema import MIGRATIONS

__all__ = [
    "MIGRATIONS",
    "DossierRow",
    "Summary",
    "TimelineConflict",
    "TimelineEntry",
    "applicant_digest",
    "demo_summary",
    "dossier",
    "project",
    "project_batch",
    "status_counts",
    "sync_registry",
    "timeline",
]
