"""An ingress shard's deliveries, applied one at a time in the order the broker sent them.

A shard is consumed with a prefetch above one (``HUB_INGRESS_PREFETCH``): the broker sends
the next messages while the current one is being applied, instead of waiting for its ack,
which costs the broker and the worker less per message (docs/performance-history.md). aio-pika
runs each delivery on a task of its own, so they are taken in turn here: one at a time,
first delivered first.

A delivery is never given back to its queue while the ones behind it are already here,
which would let them overtake it. One that can be neither applied, retried nor parked
(the broker refuses the retry and the parking, say) is held and tried again, and the
shard waits for it. A delivery whose channel has closed is left alone: the broker has
given it back already, with the ones behind it, in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog
from aio_pika.abc import AbstractIncomingMessage
from aio_pika.exceptions import ChannelInvalidStateError

log = structlog.get_logger(__name__)

Settle = Callable[[AbstractIncomingMessage], Awaitable[bool]]
"""Handle a delivery; True once it is acknowledged, False when it could not be settled."""

HOLD_PAUSE_S: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0)
"""The pauses before a delivery that could not be settled is tried again."""


def channel_of(raw: AbstractIncomingMessage) -> object | None:
    """The channel a delivery came on, or None once that channel has closed."""
    try:
        return raw.channel
    except ChannelInvalidStateError:
        return None


@dataclass
class InOrder:
    """Settle one shard's deliveries one at a time, in the order they arrive (which is the
    order the broker sent them: aio-pika starts their tasks in that order)."""

    queue: str
    settle: Settle
    _turn: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _latest: tuple[object, int] | None = field(default=None, init=False)

    async def __call__(self, raw: AbstractIncomingMessage) -> None:
        self._check_arrival(raw)
        async with self._turn:
            for attempt in range(1_000_000):
                if channel_of(raw) is None:
                    return  # the broker has it back, and the ones behind it
                if await self.settle(raw):
                    return
                pause = HOLD_PAUSE_S[min(attempt, len(HOLD_PAUSE_S) - 1)]
                log.warning("delivery_held", queue=self.queue, attempt=attempt + 1, pause_s=pause)
                await asyncio.sleep(pause)

    def _check_arrival(self, raw: AbstractIncomingMessage) -> None:
        """Delivery tags grow on a channel: a smaller one than the last means deliveries
        reached this point out of the order they were sent in (they would be applied so)."""
        channel, tag = channel_of(raw), raw.delivery_tag or 0
        latest = self._latest
        if latest is not None and latest[0] is channel and tag < latest[1]:
            log.error("delivery_out_of_order", queue=self.queue, tag=tag, after=latest[1])
            return
        self._latest = (channel, tag)
