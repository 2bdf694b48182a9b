"""Consumer that projects canonical events into the provincial database."""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg
from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError

from adapters.native import validation_failed
from adapters.provincial_db.projector import project_batch
from hub.batching import MicroBatcher
from hub.consumers import Guarded
from hub.relay import Publisher
from hub.topology import PROJECTION_QUEUE
from schemas import CanonicalMessage

PROJECTION_LINGER_S = 0.05
"""How long the first event of a batch waits for others: the projection is off every
peer's critical path, and a transaction per event would cost several round trips each.
(10 ms made batches of a few events under load; 50 ms lets them grow toward the prefetch,
part of the CPU saving measured in docs/performance.md.)"""


@dataclass
class ProjectionConsumer:
    """Events that arrive together (up to the queue's prefetch) are projected in one
    transaction, one batch at a time: events that arrive while a batch is being written
    go into the next one. Each delivery is still acked, retried or parked on its own."""

    pool: asyncpg.Pool
    publisher: Publisher
    _batcher: MicroBatcher[CanonicalMessage] = field(init=False)

    def __post_init__(self) -> None:
        self._batcher = MicroBatcher(
            lambda messages: project_batch(self.pool, messages),
            linger_s=PROJECTION_LINGER_S,
            max_in_flight=1,
        )

    async def __call__(self, raw: AbstractIncomingMessage) -> None:
        await Guarded(self.publisher, PROJECTION_QUEUE).run(raw, lambda _rk: self._handle(raw))

    async def _handle(self, raw: AbstractIncomingMessage) -> None:
        try:
            message = CanonicalMessage.model_validate_json(raw.body)
        except ValidationError as exc:
            raise validation_failed(exc) from None
        await self._batcher.submit(message)
