"""The consumer of ``hub.parked``: store each parked message, then acknowledge it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncpg
import structlog
from aio_pika.abc import AbstractIncomingMessage

from hub.dlq import store
from hub.dlq.letters import ParkedDelivery, dead_letter

log = structlog.get_logger(__name__)


@dataclass
class ParkedConsumer:
    """Acks only after the row is committed; a redelivered parking is stored once.

    ``hub.parked`` is the end of the line (no dead-letter route, no delivery limit), so a
    message that cannot be stored now (database down) goes back to the queue after a pause
    rather than being dropped; the pause keeps that from becoming a hot loop.
    """

    pool: asyncpg.Pool
    pause_s: float = 1.0

    async def __call__(self, raw: AbstractIncomingMessage) -> None:
        letter = dead_letter(
            ParkedDelivery(
                body=raw.body,
                headers=raw.headers or {},
                message_id=raw.message_id,
                content_type=raw.content_type,
                routing_key=raw.routing_key,
            )
        )
        try:
            stored_id = await store.insert(self.pool, letter)
        except Exception:
            log.warning("dead_letter_store_failed", reason_code=letter.reason_code, exc_info=True)
            await asyncio.sleep(self.pause_s)
            await raw.nack(requeue=True)
            return
        log.info(
            "dead_letter_stored" if stored_id is not None else "dead_letter_already_stored",
            dead_letter_id=stored_id,
            queue=letter.source_queue,
            reason_code=letter.reason_code,
        )
        await raw.ack()
