"""Event batches: how canonical events travel on ``dossier.events``.

The hub records several events per dossier, and one AMQP message per event made the
events most of what the broker and the projection carried. They go out in batches
instead: one message holds the events the hub recorded within a few milliseconds of each
other, in the order they were recorded. Each event keeps its own ``message_id``, so a
consumer stays idempotent per event, whatever batch a redelivery puts it in.
"""

from __future__ import annotations

from pydantic import Field

from schemas.base import WireModel
from schemas.envelope import CanonicalMessage

EVENT_BATCH_TYPE = "events.batch"
"""The ``x-message-type`` header (and routing key) of a batch on ``dossier.events``."""


class EventBatch(WireModel):
    """Canonical events recorded together, oldest first. A consumer handles each event on
    its own: one it cannot use is set aside alone, not with its neighbours."""

    events: list[CanonicalMessage] = Field(
        min_length=1, description="The events, in the order the hub recorded them."
    )
