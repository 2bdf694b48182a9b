"""Thin consumers: decode, call the service, publish; on failure retry or park.

Each consumer acknowledges only after the message's effect is committed, or after the
message is safely handed to a retry queue or the parking queue (both confirmed).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import uuid4

import asyncpg
import structlog
from aio_pika.abc import AbstractIncomingMessage

from adapters.agency import translate as agency
from adapters.commune import translate as commune
from hub import failures
from hub.errors import (
    IllegalTransition,
    PermanentError,
    SchemaInvalid,
    SenderNotAllowed,
    TransientError,
    UnknownDossier,
    UnknownUnit,
)
from hub.known_states import KnownStates
from hub.registry import Registry
from hub.relay import OutboxRelay, Publisher
from hub.rendering import JSON
from hub.service import process
from hub.store.outbox import OutboxMessage
from hub.topology import (
    INGRESS_RETRY_SOURCE,
    OUTBOUND_EXCHANGE,
    PEER_FORMATS,
    parse_inbound_routing_key,
    peer_format_of,
)
from schemas import CanonicalMessage, MessageNotAccepted

log = structlog.get_logger(__name__)

MAX_BODY_BYTES = 256 * 1024
"""Documents travel by reference (claim check); a bigger body is refused."""

TRANSIENT_INFRASTRUCTURE: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
    asyncpg.exceptions.InternalClientError,  # a connection cut mid-operation (server restart)
    ConnectionError,
    TimeoutError,
    OSError,
)

TRANSLATORS: dict[str, Callable[..., CanonicalMessage]] = {
    "commune": commune.to_canonical,
    "agency": agency.to_canonical,
}
NOT_ACCEPTED_RENDERERS: dict[str, Callable[[MessageNotAccepted], bytes]] = {
    "commune": commune.not_accepted,
    "agency": agency.not_accepted,
}


def peer_user(unit_code: str) -> str:
    """The RabbitMQ user name of a unit's software (see ``hub topology``)."""
    return f"unit-{unit_code}"


OUTAGE_BACKOFF_S: tuple[float, ...] = (0.2, 0.5, 1.0, 2.0, 5.0)
RETURN_PAUSE_S: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0)
"""How long a delivery that could be neither processed, retried nor parked is held before
it goes back to its queue, by how often it was redelivered already: an immediate return
would come straight back and spend the queue's delivery limit (20) in a fraction of a
second, parking it while the broker is still coming back (about 90 s in all)."""


def return_pause_s(raw: AbstractIncomingMessage) -> float:
    """The pause before giving ``raw`` back, from the quorum queue's delivery count."""
    try:
        returned = int(str((raw.headers or {}).get("x-delivery-count", 0)))
    except ValueError:
        returned = 0
    return RETURN_PAUSE_S[min(max(returned, 0), len(RETURN_PAUSE_S) - 1)]


@dataclass
class Guarded:
    """Run a handler for one delivery; map failures to retry or parking, then ack.

    ``hold_on_outage_s`` > 0 keeps retrying a message in place while the database or the
    broker is unreachable (for up to that long) instead of sending it to a delay queue: on
    an ordered queue a later message of the same dossier must not overtake it.
    """

    publisher: Publisher
    source_queue: str
    hold_on_outage_s: float = 0.0

    async def _attempt(self, handler: Callable[[str], Awaitable[None]], routing_key: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.hold_on_outage_s
        for step in range(1_000_000):
            try:
                await handler(routing_key)
                return
            except TRANSIENT_INFRASTRUCTURE as exc:
                pause = OUTAGE_BACKOFF_S[min(step, len(OUTAGE_BACKOFF_S) - 1)]
                if loop.time() + pause > deadline:
                    raise
                log.warning(
                    "dependency_unavailable_holding",
                    queue=self.source_queue,
                    error=type(exc).__name__,
                    retry_in_s=pause,
                )
                await asyncio.sleep(pause)

    async def run(
        self,
        raw: AbstractIncomingMessage,
        handler: Callable[[str], Awaitable[None]],
        on_rejected: Callable[[str, PermanentError], Awaitable[None]] | None = None,
        *,
        give_back: bool = True,
    ) -> bool:
        """True once the delivery is acknowledged. One that could be neither processed,
        retried nor parked goes back to its queue after a pause with ``give_back``;
        without, it is left unsettled for the caller to hold (see :mod:`hub.shard_order`).
        Either way the result is False."""
        routing_key, attempts = failures.origin(raw, self.source_queue)
        try:
            try:
                await self._attempt(handler, routing_key)
            except TRANSIENT_INFRASTRUCTURE as exc:
                await self._transient(
                    raw,
                    routing_key,
                    attempts,
                    "dependency_unavailable",
                    f"{type(exc).__name__}: {exc}",
                )
            except TransientError as exc:
                await self._transient(raw, routing_key, attempts, exc.reason_code, str(exc))
            except PermanentError as exc:
                await self._park(raw, routing_key, attempts, exc.reason_code, str(exc))
                if on_rejected is not None:
                    await on_rejected(routing_key, exc)
            except Exception as exc:
                log.exception("handler_crashed", queue=self.source_queue)
                await self._park(
                    raw, routing_key, attempts, "internal_error", f"{type(exc).__name__}: {exc}"
                )
            await raw.ack()
            return True
        except Exception:
            # Could not even park or retry (broker or database gone): give the message back
            # after a pause; the queue's delivery limit bounds how often this can happen
            # before the broker parks it. Or leave it to the caller, which holds it.
            if not give_back:
                log.warning("delivery_not_settled", queue=self.source_queue, exc_info=True)
                return False
            pause = return_pause_s(raw)
            log.warning("delivery_returned", queue=self.source_queue, pause_s=pause, exc_info=True)
            await asyncio.sleep(pause)
            await raw.nack(requeue=True)
            return False

    async def _transient(
        self, raw: AbstractIncomingMessage, routing_key: str, attempts: int, code: str, reason: str
    ) -> None:
        scheduled = await failures.retry_later(
            self.publisher,
            raw,
            source_queue=self.source_queue,
            routing_key=routing_key,
            attempts=attempts,
            reason_code=code,
            reason=reason,
        )
        if scheduled:
            log.info(
                "message_retry_scheduled",
                queue=self.source_queue,
                reason_code=code,
                attempt=attempts + 1,
            )
        else:
            await self._park(
                raw,
                routing_key,
                attempts + 1,
                code,
                f"gave up after {attempts + 1} attempts: {reason}",
            )

    async def _park(
        self, raw: AbstractIncomingMessage, routing_key: str, attempts: int, code: str, reason: str
    ) -> None:
        await failures.park(
            self.publisher,
            raw,
            source_queue=self.source_queue,
            routing_key=routing_key,
            reason_code=code,
            reason=reason,
            attempts=attempts,
        )
        log.warning(
            "message_parked", queue=self.source_queue, reason_code=code, routing_key=routing_key
        )


EARLY_HOLD_S = 20.0
"""How long an ingress shard waits for the predecessor of a message that looks early."""
EARLY_BACKOFF_S: tuple[float, ...] = (0.05, 0.2, 0.5, 1.0, 2.0)
INGRESS_HOLD_ON_OUTAGE_S = 120.0
"""How long an ingress shard waits in place for the database or broker to come back."""


@dataclass
class PeerConsumer:
    """Messages peers publish on ``dossier.in``, in the peer's own format, from one ingress
    shard. The shard's deliveries are applied one at a time, in order (see
    :mod:`hub.shard_order`), so a dossier's messages are applied in order; the sender's
    format comes from the routing key ``<format>.<unit>.<kind>``."""

    shard: str
    pool: asyncpg.Pool
    registry: Registry
    publisher: Publisher
    relay: OutboxRelay
    known: KnownStates | None = None

    async def settle(self, raw: AbstractIncomingMessage) -> bool:
        """Apply one delivery and acknowledge it; False when it could be neither applied,
        retried nor parked: it is not given back to the shard then, where the deliveries
        behind it would overtake it, but left for :class:`hub.shard_order.InOrder` to hold."""
        guard = Guarded(
            self.publisher, INGRESS_RETRY_SOURCE, hold_on_outage_s=INGRESS_HOLD_ON_OUTAGE_S
        )
        return await guard.run(
            raw,
            lambda rk: self._handle(raw, rk),
            lambda rk, e: self._reply(raw, rk, e),
            give_back=False,
        )

    def _sender(self, raw: AbstractIncomingMessage, routing_key: str) -> tuple[str, str]:
        """``(format, unit code)`` of an authorised sender."""
        parsed = parse_inbound_routing_key(routing_key)
        if parsed is None or parsed[0] not in PEER_FORMATS:
            raise SenderNotAllowed(f"routing key {routing_key!r} is not '<format>.<unit>.<kind>'")
        unit = self.registry.unit(parsed[1])
        peer_format = peer_format_of(unit)
        if peer_format != parsed[0]:
            raise SenderNotAllowed(f"unit {unit.code} does not speak the {parsed[0]} format")
        if raw.user_id and raw.user_id != peer_user(unit.code):
            raise SenderNotAllowed(f"user {raw.user_id!r} may not publish as unit {unit.code}")
        return peer_format, unit.code

    async def _handle(self, raw: AbstractIncomingMessage, routing_key: str) -> None:
        peer_format, unit_code = self._sender(raw, routing_key)
        if len(raw.body) > MAX_BODY_BYTES:
            raise SchemaInvalid(
                f"body of {len(raw.body)} bytes exceeds {MAX_BODY_BYTES}; "
                "send documents by reference"
            )
        message = TRANSLATORS[peer_format](raw.body, unit_code=unit_code)
        structlog.contextvars.bind_contextvars(
            dossier_code=message.correlation_id, message_id=str(message.message_id)
        )
        try:
            rows = await self._process_in_order(message)
            if rows is None:
                log.info("duplicate_message_ignored", type=message.type)
                return
            await self.relay.hand_over(rows)  # committed: the ack need not wait for confirms
        finally:
            structlog.contextvars.unbind_contextvars("dossier_code", "message_id")

    async def _process_in_order(self, message: CanonicalMessage) -> list[OutboxMessage] | None:
        """Apply the message; when it looks early (its dossier unknown yet, or a forward
        jump the state does not allow yet), wait in place for a while: its predecessor may
        be on another shard, which happens to messages published across a broker restart
        (the hash ring is rebuilt), and waiting here keeps this shard's order."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + EARLY_HOLD_S
        for step in range(1_000_000):
            try:
                return await process(self.pool, self.registry, message, self.known)
            except (UnknownDossier, IllegalTransition) as exc:
                early = isinstance(exc, UnknownDossier) or exc.may_become_legal
                pause = EARLY_BACKOFF_S[min(step, len(EARLY_BACKOFF_S) - 1)]
                if not early or loop.time() + pause > deadline:
                    raise
                log.info("early_message_waiting", reason_code=exc.reason_code, type=message.type)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")

    async def _reply(
        self, raw: AbstractIncomingMessage, routing_key: str, error: PermanentError
    ) -> None:
        """Tell an identifiable sender, on its own queue, that its message was not accepted."""
        parsed = parse_inbound_routing_key(routing_key)
        if parsed is None:
            return
        try:
            unit = self.registry.unit(parsed[1])
        except UnknownUnit:
            return
        reply = MessageNotAccepted(
            reason_code=error.reason_code,
            reason=str(error),
            rejected_message_id=_body_message_id(raw.body),
        )
        body = NOT_ACCEPTED_RENDERERS[peer_format_of(unit)](reply)
        await self.publisher.publish(
            OutboxMessage(
                uuid4(),
                OUTBOUND_EXCHANGE,
                unit.code,
                body,
                {"content-type": JSON, "x-message-type": reply.type},
            )
        )


def _body_message_id(body: bytes) -> str | None:
    """The sender's own message id, when the body is JSON enough to have one."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    value = data.get("MaBanTin") or data.get("messageId")
    return str(value)[:100] if value is not None else None
