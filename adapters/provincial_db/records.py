"""Rows read back from the provincial registry: small frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True, kw_only=True)
class TimelineEntry:
    message_id: UUID
    dossier_code: str
    sequence: int | None
    type: str
    status: int | None
    unit: str | None
    occurred_at: datetime
    recorded_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class DossierRow:
    code: str
    procedure_code: str
    receiving_unit: str
    competent_unit: str
    channel: int
    return_method: str
    received_at: datetime
    due_at: datetime | None
    status: int
    status_at: datetime
    last_sequence: int
    resolved_at: datetime | None
    returned_at: datetime | None
    applicant_digest: str
    applicant: dict[str, str] = field(repr=False)
    """Personal data (full name, id number): kept out of repr so it never reaches a log."""
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class Summary:
    """Counts over a set of dossiers, as the inspection reports quote them.

    ``open`` is every dossier whose status is not final; ``still_open`` is the part of it
    not yet resolved (in progress, excluding results waiting to be returned); ``on_time``
    counts resolved dossiers resolved by their due date (or without one).
    """

    dossiers: int
    final: int
    open: int
    transferred: int
    returned_by_post: int
    returned_in_person: int
    resolved: int
    on_time: int
    still_open: int
    refused: int = 0

    @property
    def late(self) -> int:
        return self.resolved - self.on_time
