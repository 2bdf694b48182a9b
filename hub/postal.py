"""Postal returns: place orders with the postal service, and turn its tracking feed into
canonical events. Both go through the same idempotent :func:`hub.service.process`."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

import asyncpg
import structlog
from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError

from adapters.postal.models import CreateOrderRequest, TrackingEvent
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
from hub.parking import parking_headers
from hub.registry import Registry
from hub.relay import OutboxRelay, Publisher
from hub.rendering import JSON
from hub.service import process
from hub.store import queries as q
from hub.store.outbox import OutboxMessage
from hub.store.state import get_dossier
from hub.topology import PARKING_EXCHANGE, POSTAL_QUEUE, POSTAL_TRACKING_SOURCE
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


TRACKING_CONCURRENCY = 2
"""Dossiers whose tracking events one poll applies at the same time (each dossier's own
events one after another, in feed order)."""


@dataclass
class PostalTracker:
    """Polls the postal tracking feed; one worker at a time holds the cursor row.

    The events of one poll are applied per dossier: a dossier's events in feed order, up to
    ``concurrency`` dossiers at a time, and the outbox rows they make are handed to the
    relay without waiting for their confirms (they are committed; the sweep publishes any
    that do not go out). Applied one at a time with a confirm each, a busy feed fell
    behind the rest of the hub. The cursor moves on only once every event of the poll is
    applied or parked; after a failure the poll is repeated, and events applied already
    are recognised by their derived message ids.
    """

    pool: asyncpg.Pool
    registry: Registry
    postal: PostalPort
    relay: OutboxRelay
    interval_s: float = 1.0
    known: KnownStates | None = None
    concurrency: int = TRACKING_CONCURRENCY

    async def poll_once(self) -> int:
        """Apply the feed's new events; how many were applied (not seen before, not parked)."""
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(q.LOCK_POSTAL_CURSOR)
            if row is None:
                return 0  # another worker is polling
            events, cursor = await self.postal.track_since(row["cursor"])
            applied = await self._apply_all(events)
            await conn.execute(q.SAVE_POSTAL_CURSOR, cursor)
        return applied

    async def _apply_all(self, events: Sequence[TrackingEvent]) -> int:
        by_dossier: dict[str, list[TrackingEvent]] = {}
        for event in events:
            by_dossier.setdefault(dossier_code_of(event.order_number), []).append(event)
        pending = deque(by_dossier.values())

        async def lane() -> int:
            """Take the next dossier's events until none is left; how many applied."""
            applied = 0
            while pending:
                for event in pending.popleft():
                    applied += await self._apply(event)
            return applied

        lanes = min(self.concurrency, len(pending))
        outcomes = await asyncio.gather(*(lane() for _ in range(lanes)), return_exceptions=True)
        applied = 0
        for outcome in outcomes:  # every lane has finished: the first failure fails the poll
            if isinstance(outcome, BaseException):
                raise outcome
            applied += outcome
        return applied

    async def _apply(self, event: TrackingEvent) -> bool:
        """Apply one tracking event; False when it was seen before or was parked: an
        event that is malformed, of an unknown dossier or not allowed in its dossier's
        state is parked with the reason and never holds back the feed."""
        try:
            changed = _canonical(event)
            message: CanonicalMessage = new_envelope(
                changed,
                sender=HUB_UNIT,
                recipient=HUB_UNIT,
                dossier_code=dossier_code_of(event.order_number),
                occurred_at=changed.event_time,
                message_id=derived_id(
                    "postal-event",
                    event.order_number,
                    event.status_code,
                    changed.event_time.isoformat(),
                ),
            )
            rows = await process(self.pool, self.registry, message, self.known)
        except (PermanentError, UnknownDossier) as exc:
            await self._park(event, exc)
            return False
        if rows:
            await self.relay.hand_over(rows)
        return rows is not None

    async def _park(self, event: TrackingEvent, error: PermanentError | UnknownDossier) -> None:
        """Park an event the hub cannot use, with its reason, so that it shows in
        ``hub dlq list``; confirmed before the cursor moves past it. Its message id is
        derived from the event, so a poll repeated after a failure parks it once."""
        parked_id = derived_id(
            "postal-event-parked", event.order_number, event.status_code, event.event_time
        )
        headers = {"content-type": JSON} | parking_headers(
            reason_code=error.reason_code,
            reason=str(error),
            attempts=1,
            source_queue=POSTAL_TRACKING_SOURCE,
            routing_key="",
            original_message_id=str(parked_id),
        )
        body = event.model_dump_json(by_alias=True).encode()
        await self.relay.publisher.publish(
            OutboxMessage(parked_id, PARKING_EXCHANGE, POSTAL_TRACKING_SOURCE, body, headers)
        )
        log.warning(
            "postal_event_parked",
            reason_code=error.reason_code,
            dossier_code=event.order_number,
            status_code=event.status_code,
        )

    async def run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("postal_poll_failed", error=type(exc).__name__)
            await asyncio.sleep(self.interval_s)


def _canonical(event: TrackingEvent) -> PostalStatusChanged:
    try:
        return to_canonical(event)
    except ValidationError as exc:
        raise SchemaInvalid(f"tracking event does not fit postal.status_changed: {exc}") from None
