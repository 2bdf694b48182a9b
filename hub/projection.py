"""Consumer that projects canonical events into the provincial database."""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg
import structlog
from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError

from adapters.native import validation_failed
from adapters.provincial_db.projector import project_batch
from hub import failures
from hub.batching import MicroBatcher
from hub.consumers import TRANSIENT_INFRASTRUCTURE, Guarded
from hub.errors import PermanentError, TransientError
from hub.event_batches import BatchItem, is_batch, read_batch
from hub.relay import Publisher
from hub.rendering import JSON
from hub.topology import PROJECTION_QUEUE
from schemas import CanonicalMessage

log = structlog.get_logger(__name__)

PROJECTION_LINGER_S = 0.05
"""How long the first event of a batch waits for others: the projection is off every
peer's critical path, and a transaction per event would cost several round trips each.
(10 ms made batches of a few events under load; 50 ms lets them grow toward the prefetch,
part of the CPU saving measured in docs/performance-history.md.)"""

PROJECTION_MAX_BATCH = 500
"""Events projected in one transaction at most (an event batch message carries up to 500)."""


@dataclass
class ProjectionConsumer:
    """Events that arrive together (in one batch message, or in deliveries up to the
    queue's prefetch) are projected in one transaction, one transaction at a time: events
    that arrive while one is being written go into the next. An event that cannot be
    projected is parked on its own with its reason; the others of its batch are projected.
    When the database is away, the whole delivery is retried later (the events already
    projected are skipped then, by their message id)."""

    pool: asyncpg.Pool
    publisher: Publisher
    _batcher: MicroBatcher[CanonicalMessage] = field(init=False)

    def __post_init__(self) -> None:
        self._batcher = MicroBatcher(
            lambda messages: project_batch(self.pool, messages),
            max_batch=PROJECTION_MAX_BATCH,
            linger_s=PROJECTION_LINGER_S,
            max_in_flight=1,
        )

    async def __call__(self, raw: AbstractIncomingMessage) -> None:
        _, attempts = failures.origin(raw, PROJECTION_QUEUE)
        await Guarded(self.publisher, PROJECTION_QUEUE).run(
            raw, lambda _rk: self._handle(raw, attempts)
        )

    async def _handle(self, raw: AbstractIncomingMessage, attempts: int) -> None:
        if is_batch(raw.headers):
            await self._handle_batch(read_batch(raw.body), attempts)
            return
        try:
            message = CanonicalMessage.model_validate_json(raw.body)
        except ValidationError as exc:
            raise validation_failed(exc) from None
        await self._batcher.submit(message)

    async def _handle_batch(self, items: list[BatchItem], attempts: int) -> None:
        usable = [(item, item.message) for item in items if item.message is not None]
        errors = await self._batcher.submit_many([message for _, message in usable])
        failed: list[tuple[BatchItem, Exception]] = [
            (item, item.error) for item in items if item.error is not None
        ]
        for (item, _), error in zip(usable, errors, strict=True):
            if error is None:
                continue
            if isinstance(error, (TransientError, *TRANSIENT_INFRASTRUCTURE)):
                raise error  # the whole delivery, later: nothing is parked twice
            failed.append((item, error))
        for item, error in failed:
            await self._park(item, error, attempts)

    async def _park(self, item: BatchItem, error: Exception, attempts: int) -> None:
        """Set one event of a batch aside, as if it had come alone (``hub dlq replay``
        sends it back to the projection on its own)."""
        if isinstance(error, PermanentError):
            code, reason = error.reason_code, str(error)
        else:
            log.error("projection_event_crashed", error=type(error).__name__)
            code, reason = "internal_error", f"{type(error).__name__}: {error}"
        await failures.park_body(
            self.publisher,
            item.body,
            {"content-type": JSON, "x-message-type": item.event_type},
            source_queue=PROJECTION_QUEUE,
            routing_key=item.event_type,
            reason_code=code,
            reason=reason,
            attempts=attempts,
            original_message_id=item.message_id,
        )
        log.warning(
            "message_parked", queue=PROJECTION_QUEUE, reason_code=code, routing_key=item.event_type
        )
