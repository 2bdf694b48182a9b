"""Postal returns: place orders with the postal service, and turn its tracking feed into
canonical events. Both go through the same idempotent :func:`hub.service.process`."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

import asyncpg
import structlog
from aio_pika.abc import AbstractIncomingMessage

from adapters.postal.models import CreateOrderRequest
from adapters.postal.port import PostalPort
from adapters.postal.translate import (
    dossier_code_of,
    order_created,
    order_request_for,
    supplement_letter_request,
    to_canonical,
)
from hub.consumers import Guarded
from hub.errors import PermanentError, SchemaInvalid, UnknownDossier
from hub.known_states import KnownStates
from hub.lifecycle import DossierState
from hub.registry import Registry
from hub.relay import OutboxRelay, Publisher
from hub.service import process
from hub.store import queries as q
from hub.store.state import get_dossier
from hub.topology import POSTAL_QUEUE
from schemas import (
    HUB_UNIT,
    CanonicalMessage,
    PostalOrderCreated,
    PostalStatusChanged,
    new_envelope,
)

log = structlog.get_logger(__name__)


def derived_id(*parts: str) -> UUID:
    """A deterministic message id, so a repeated effect is recognised by the inbox."""
    return uuid5(NAMESPACE_URL, "hub:" + "/".join(parts))


@dataclass
class PostalOrderConsumer:
    pool: asyncpg.Pool
    registry: Registry
    postal: PostalPort
    publisher: Publisher
    relay: OutboxRelay
    known: KnownStates | None = None

    async def __call__(self, raw: AbstractIncomingMessage) -> None:
        await Guarded(self.publisher, POSTAL_QUEUE).run(raw, lambda _rk: self._handle(raw))

    async def _handle(self, raw: AbstractIncomingMessage) -> None:
        try:
            command = json.loads(raw.body)
            code, cause = str(command["dossier_code"]), UUID(str(command["cause"]))
            occurred_at = datetime.fromisoformat(str(command["occurred_at"]))
            letter = command.get("purpose", "result") == "supplement"
        except (ValueError, KeyError, TypeError, AttributeError):
            raise SchemaInvalid("postal command needs dossier_code and cause") from None
        # The dossier as this process last wrote it, if it did (its parties and addresses
        # are what the order needs; the event below is still applied guarded).
        remembered = self.known.get(code) if self.known is not None else None
        state = remembered[0] if remembered is not None else await get_dossier(self.pool, code)
        if state is None:
            raise UnknownDossier(f"no dossier {code} is registered")
        request = self._letter(state) if letter else self._result_return(state)
        created = await self.postal.create_order(request)
        event = (
            PostalOrderCreated(
                order_number=created.order_number,
                item_code=created.item_code,
                receiver_commune=state.dossier.receiving_unit,
            )
            if letter
            else order_created(created, state.dossier)
        )
        message = new_envelope(
            event,
            sender=HUB_UNIT,
            recipient=HUB_UNIT,
            dossier_code=code,
            occurred_at=occurred_at,
            causation_id=cause,
            message_id=derived_id("postal-order", request.order_number),
        )
        rows = await process(self.pool, self.registry, message, self.known)
        if rows:
            await self.relay.hand_over(rows)

    def _result_return(self, state: DossierState) -> CreateOrderRequest:
        sender = self.registry.unit(state.dossier.receiving_unit)
        return order_request_for(state.dossier, sender_unit=sender)

    def _letter(self, state: DossierState) -> CreateOrderRequest:
        """A supplement request letter, sent by the deciding unit's one-stop section."""
        receiving = self.registry.unit(state.dossier.receiving_unit)
        return supplement_letter_request(
            state.dossier,
            sender_unit=receiving,
            receiving_unit=receiving,
            province_code=self.registry.province_code,
        )


@dataclass
class PostalTracker:
    """Polls the postal tracking feed; one worker at a time holds the cursor row."""

    pool: asyncpg.Pool
    registry: Registry
    postal: PostalPort
    relay: OutboxRelay
    interval_s: float = 1.0
    known: KnownStates | None = None

    async def poll_once(self) -> int:
        applied = 0
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(q.LOCK_POSTAL_CURSOR)
            if row is None:
                return 0  # another worker is polling
            events, cursor = await self.postal.track_since(row["cursor"])
            for event in events:
                if await self._apply(to_canonical(event)):
                    applied += 1
            await conn.execute(q.SAVE_POSTAL_CURSOR, cursor)
        return applied

    async def _apply(self, event: PostalStatusChanged) -> bool:
        message: CanonicalMessage = new_envelope(
            event,
            sender=HUB_UNIT,
            recipient=HUB_UNIT,
            dossier_code=dossier_code_of(event.order_number),
            occurred_at=event.event_time,
            message_id=derived_id(
                "postal-event", event.order_number, event.status_code, event.event_time.isoformat()
            ),
        )
        try:
            rows = await process(self.pool, self.registry, message, self.known)
        except (PermanentError, UnknownDossier) as exc:
            log.warning(
                "postal_event_skipped", reason_code=exc.reason_code, dossier_code=event.order_number
            )
            return False
        if rows:
            await self.relay.flush(rows)
        return rows is not None

    async def run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("postal_poll_failed", error=type(exc).__name__)
            await asyncio.sleep(self.interval_s)
