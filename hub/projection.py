"""Consumer that projects canonical events into the provincial database."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError

from adapters.native import validation_failed
from adapters.provincial_db import project
from hub.consumers import Guarded
from hub.relay import Publisher
from hub.topology import PROJECTION_QUEUE
from schemas import CanonicalMessage


@dataclass
class ProjectionConsumer:
    pool: asyncpg.Pool
    publisher: Publisher

    async def __call__(self, raw: AbstractIncomingMessage) -> None:
        await Guarded(self.publisher, PROJECTION_QUEUE).run(raw, lambda _rk: self._handle(raw))

    async def _handle(self, raw: AbstractIncomingMessage) -> None:
        try:
            message = CanonicalMessage.model_validate_json(raw.body)
        except ValidationError as exc:
            raise validation_failed(exc) from None
        async with self.pool.acquire() as conn:
            await project(conn, message)
