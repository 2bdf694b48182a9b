"""Publishing with publisher confirms and mandatory routing, over aio-pika."""

from __future__ import annotations

import aio_pika
import aio_pika.exceptions
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection

from hub.errors import Unroutable
from hub.store.outbox import OutboxMessage

CORRELATION_HEADER = "correlation-id"
"""An outgoing message's ``correlation-id`` header becomes the AMQP ``correlation_id``
property (the dossier code), so peers and the ingress hash see it as a property."""


class ConfirmingPublisher:
    """Persistent, mandatory publishes; returns once the broker confirmed (a message the
    broker returns as unroutable raises :class:`~hub.errors.Unroutable`)."""

    def __init__(self, channel: AbstractChannel) -> None:
        self._channel = channel
        self._exchanges: dict[str, AbstractExchange] = {}

    @classmethod
    async def open(cls, connection: AbstractRobustConnection) -> ConfirmingPublisher:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        return cls(channel)

    async def _exchange(self, name: str) -> AbstractExchange:
        if name == "":
            return self._channel.default_exchange
        if name not in self._exchanges:
            self._exchanges[name] = await self._channel.get_exchange(name, ensure=False)
        return self._exchanges[name]

    async def publish(self, message: OutboxMessage) -> None:
        exchange = await self._exchange(message.exchange)
        headers = dict(message.headers)
        correlation_id = headers.pop(CORRELATION_HEADER, None)
        try:
            await exchange.publish(
                aio_pika.Message(
                    body=message.body,
                    headers=headers,
                    content_type=str(headers.get("content-type", "application/json")),
                    correlation_id=str(correlation_id) if correlation_id else None,
                    message_id=str(message.message_id),
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=message.routing_key,
                mandatory=True,
            )
        except aio_pika.exceptions.PublishError as returned:  # always a basic.return
            where = f"exchange {message.exchange or '(default)'!r}, key {message.routing_key!r}"
            raise Unroutable(f"returned by the broker ({returned.args[0]}): {where}") from None

    async def close(self) -> None:
        await self._channel.close()
