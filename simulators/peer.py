"""What every AMQP peer simulator shares: a connection, a confirming publisher on
``dossier.in``, consumers on the peer's own queues and delayed actions.

Simulators speak only the documented wire contract (docs/integration.md): exchange and
queue names, routing keys and JSON bodies. They import nothing from the hub."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractIncomingMessage

INBOUND_EXCHANGE = "dossier.in"
PUBLISH_ATTEMPTS = 60
"""About three minutes of retries: longer than a broker restart."""
DOSSIER_CODE_FIELDS = ("MaHoSo", "dossierNo")
"""Where each wire format carries the dossier code (commune, agency)."""
MESSAGE_ID_FIELDS = ("MaBanTin", "messageId")
MAX_CODE_BYTES = 64


def json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object; None when it is not one."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _field(data: dict[str, Any] | None, names: tuple[str, ...]) -> str | None:
    if data is None:
        return None
    return next((data[f] for f in names if isinstance(data.get(f), str)), None)


def _short(code: str | None) -> str | None:
    return code if code is not None and len(code.encode()) <= MAX_CODE_BYTES else None


def dossier_code_of(body: bytes) -> str | None:
    """The dossier code a peer puts in the AMQP correlation id (docs/integration.md): the
    hub spreads its ingress over shards by it, so one dossier's messages stay in order. None
    when there is none, or it could not be one (an AMQP short string holds 255 bytes)."""
    return _short(_field(json_object(body), DOSSIER_CODE_FIELDS))


def message_id_of(body: bytes) -> str | None:
    """The sender's own message id (MaBanTin / messageId)."""
    return _field(json_object(body), MESSAGE_ID_FIELDS)


@dataclass
class Delays:
    """Real-time delays (seconds) between what a peer receives and what it answers."""

    low: float = 0.05
    high: float = 0.5

    def pick(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)


@dataclass
class PeerBase:
    amqp_url: str
    delays: Delays = field(default_factory=Delays)
    seed: int = 0
    rng: random.Random = field(init=False)
    _connection: aio_pika.abc.AbstractRobustConnection | None = field(init=False, default=None)
    _channel: AbstractChannel | None = field(init=False, default=None)
    _exchange: AbstractExchange | None = field(init=False, default=None)
    _tasks: set[asyncio.Task[None]] = field(init=False, default_factory=set)
    unreadable: int = field(init=False, default=0)
    publish_retries: int = field(init=False, default=0)
    _order: dict[str, asyncio.Lock] = field(init=False, default_factory=dict)
    _handled: set[str] = field(init=False, default_factory=set)
    confirmed_ids: list[str] = field(init=False, default_factory=list)
    """Message ids the broker confirmed, for checks that nothing was lost."""
    confirmed_bodies: dict[str, bytes] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    async def connect(self, queues: list[str], prefetch: int = 100) -> None:
        self._connection = await aio_pika.connect_robust(self.amqp_url)
        self._channel = await self._connection.channel(publisher_confirms=True)
        await self._channel.set_qos(prefetch_count=prefetch)
        self._exchange = await self._channel.get_exchange(INBOUND_EXCHANGE, ensure=False)
        for name in queues:
            # Declared (passively) on the robust channel, so that the consumer is restored
            # when the connection comes back after a broker restart.
            queue = await self._channel.declare_queue(name, passive=True)
            await queue.consume(self._consumer(name.removeprefix("peer.")))

    def _consumer(self, unit: str) -> Callable[[AbstractIncomingMessage], Awaitable[None]]:
        async def consume(message: AbstractIncomingMessage) -> None:
            async with message.process(requeue=False):
                data = json_object(message.body)
                if data is None:
                    self.unreadable += 1  # a real peer logs it and moves on
                    return
                # Delivery is at least once: a peer acts on each hub message id only once.
                seen = _field(data, MESSAGE_ID_FIELDS)
                if seen is not None and seen in self._handled:
                    return
                try:
                    await self.on_message(unit, data)
                except (ValueError, KeyError, TypeError):
                    self.unreadable += 1
                if seen is not None:
                    self._handled.add(seen)

        return consume

    async def on_message(self, unit: str, data: dict[str, Any]) -> None:
        """Handle one message (a JSON object) that arrived on ``peer.<unit>``."""
        raise NotImplementedError

    async def send(self, routing_key: str, data: dict[str, Any]) -> None:
        """Publish a message the simulator built, as JSON (see :meth:`publish`)."""
        await self._ordered(routing_key, json.dumps(data).encode(), data)

    async def publish(self, routing_key: str, body: bytes) -> None:
        """Publish ``body`` as it is (a test's malformed one, say) with a confirm; while the
        broker is away (a restart), retry until it confirms, as real peer software must:
        the message id makes a repeat harmless."""
        await self._ordered(routing_key, body, json_object(body))

    async def _ordered(self, routing_key: str, body: bytes, data: dict[str, Any] | None) -> None:
        code = _short(_field(data, DOSSIER_CODE_FIELDS))
        # asyncio.Lock is FIFO: a dossier's messages go out in the order they were made,
        # even when retries during a broker restart hold one of them back.
        async with self._order.setdefault(code or "", asyncio.Lock()):
            await self._publish(routing_key, body, code, _field(data, MESSAGE_ID_FIELDS))
        self.published(routing_key, body, data)

    def published(self, routing_key: str, body: bytes, data: dict[str, Any] | None) -> None:
        """Called once the broker confirmed a message (for subclasses that count)."""

    async def _publish(
        self, routing_key: str, body: bytes, code: str | None, message_id: str | None
    ) -> None:
        assert self._exchange is not None, "connect() first"
        message = aio_pika.Message(
            body,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            correlation_id=code,
        )
        for attempt in range(PUBLISH_ATTEMPTS):
            try:
                await self._exchange.publish(message, routing_key=routing_key, timeout=10)
                if message_id is not None:
                    self.confirmed_ids.append(message_id)
                    self.confirmed_bodies[message_id] = body
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                if attempt + 1 == PUBLISH_ATTEMPTS:
                    raise
                self.publish_retries += 1
                await asyncio.sleep(min(0.2 * 2**attempt, 3.0))

    def later(self, action: Callable[[], Awaitable[None]], delay: float | None = None) -> None:
        """Run ``action`` after a delay, as a peer answering asynchronously would."""

        async def run() -> None:
            await asyncio.sleep(self.delays.pick(self.rng) if delay is None else delay)
            await action()

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._connection is not None:
            await self._connection.close()
