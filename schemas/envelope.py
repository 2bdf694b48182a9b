"""The envelope every canonical message travels in."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Generic, TypeVar
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from schemas.base import WireModel, field_of
from schemas.dossier import DOSSIER_CODE_PATTERN, DossierCode, UnitCode
from schemas.events import DossierEvent, DossierReceived

SCHEMA_VERSION = "1.0"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
HUB_UNIT = "hub"

P = TypeVar("P", bound=BaseModel)

InterimCorrelation = Annotated[
    str,
    Field(
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        description="A reception whose code the hub issues: its own message_id, until then.",
    ),
]


class Envelope(WireModel, Generic[P]):
    """Metadata common to every message; the payload is one canonical event."""

    message_id: UUID = Field(description="Unique id; consumers are idempotent on it.")
    type: str = Field(description="Equals payload.type.", examples=["dossier.received"])
    schema_version: str = Field(default=SCHEMA_VERSION, pattern=r"^1\.\d+$")
    occurred_at: AwareDatetime = Field(description="When it happened (Asia/Ho_Chi_Minh).")
    sender: UnitCode = Field(description="Unit code of the sender, or 'hub'.")
    recipient: UnitCode = Field(description="Unit code of the recipient, or 'hub'.")
    correlation_id: DossierCode | InterimCorrelation = Field(
        description="The dossier code. Only a dossier.received without a code (the hub issues "
        "it) carries its message_id instead; the hub never publishes one."
    )
    causation_id: UUID | None = Field(
        default=None, description="message_id of the message that caused this one."
    )
    sequence: int | None = Field(
        default=None,
        ge=1,
        description="Per-dossier sequence number assigned by the hub; orders the timeline.",
    )
    payload: P

    @model_validator(mode="after")
    def _type_matches_payload(self) -> Envelope[P]:
        payload_type = field_of(self.payload, "type")
        if payload_type is not None and payload_type != self.type:
            raise ValueError(f"envelope type {self.type!r} != payload type {payload_type!r}")
        return self

    @model_validator(mode="after")
    def _interim_correlation_only_before_the_code(self) -> Envelope[P]:
        """A dossier without a code travels only as a reception, correlated by its own id."""
        dossier = field_of(self.payload, "dossier")
        codeless = dossier is not None and dossier.code is None
        if codeless and not isinstance(self.payload, DossierReceived):
            raise ValueError("only dossier.received may carry a dossier without a code")
        if codeless and self.correlation_id != str(self.message_id):
            raise ValueError("a reception without a dossier code is correlated by its message_id")
        if not codeless and not re.fullmatch(DOSSIER_CODE_PATTERN, self.correlation_id):
            raise ValueError("correlation_id must be the dossier code")
        return self


CanonicalMessage = Envelope[DossierEvent]


def new_envelope(
    payload: DossierEvent,
    *,
    sender: str,
    recipient: str,
    dossier_code: str,
    occurred_at: datetime,
    causation_id: UUID | None = None,
    sequence: int | None = None,
    message_id: UUID | None = None,
) -> CanonicalMessage:
    """Wrap a payload; ``occurred_at`` must be timezone-aware."""
    return CanonicalMessage(
        message_id=message_id or uuid4(),
        type=payload.type,
        occurred_at=occurred_at.astimezone(VIETNAM),
        sender=sender,
        recipient=recipient,
        correlation_id=dossier_code,
        causation_id=causation_id,
        sequence=sequence,
        payload=payload,
    )
