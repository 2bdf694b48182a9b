"""The simulated postal service's state: orders, tracking feed, tokens and fault injection."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import datetime

from simulators.postal import statuses
from simulators.postal.config import PostalSimConfig
from simulators.postal.progression import progress
from simulators.postal.records import VIETNAM, Order, TrackingRecord, s10_item_code
from simulators.postal.tokens import TokenBook


class UnknownOrder(LookupError):
    pass


class OrderConflict(ValueError):
    pass


class PostalSim:
    """One VNPost client account. Test hooks: :meth:`fail_next`, :meth:`revoke_tokens`."""

    def __init__(self, config: PostalSimConfig) -> None:
        self.config = config
        self.tokens = TokenBook(
            client_id=config.client_id,
            client_secret=config.client_secret,
            ttl_seconds=config.token_ttl_seconds,
        )
        self._rng = random.Random(config.seed)
        self._serial = self._rng.randrange(10_000_000, 90_000_000)
        self.epoch = uuid.uuid4().hex[:12]
        self._orders: dict[str, Order] = {}
        self._feed: list[TrackingRecord] = []
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._forced_unavailable = 0
        self.unavailable_answers = 0

    def fail_next(self, count: int) -> None:
        """Answer the next ``count`` API calls with 503."""
        self._forced_unavailable = count

    def revoke_tokens(self) -> None:
        self.tokens.revoke_all()

    def answers_unavailable(self) -> bool:
        forced = self._forced_unavailable > 0
        if forced:
            self._forced_unavailable -= 1
        if forced or self._rng.random() < self.config.unavailable_rate:
            self.unavailable_answers += 1
            return True
        return False

    def order(self, order_number: str) -> Order:
        try:
            return self._orders[order_number]
        except KeyError:
            raise UnknownOrder(order_number) from None

    def create_order(self, body: dict[str, object]) -> tuple[Order, bool]:
        """The order and whether it is new; the same body again returns the existing one."""
        existing = self._orders.get(str(body["OrderNumber"]))
        if existing is not None:
            if existing.body != body:
                raise OrderConflict(existing.order_number)
            return existing, False
        self._serial += 1
        order = Order(body=dict(body), item_code=s10_item_code(self._serial), status_code="")
        self._orders[order.order_number] = order
        self.record(order, statuses.REGISTERED, pos_id=None)
        self._start_progress(order)
        return order, True

    def cancel_order(self, order_number: str) -> Order:
        """Cancel before the item leaves the collecting office; cancelling twice is harmless."""
        order = self.order(order_number)
        if order.status_code == statuses.CANCELLED:
            return order
        if order.status_code not in statuses.CANCELLABLE:
            raise OrderConflict(order_number)
        task = self._tasks.pop(order_number, None)
        if task is not None:
            task.cancel()
        self.record(order, statuses.CANCELLED, pos_id=str(order.body["SenderDistrict"]))
        return order

    def record(self, order: Order, status_code: str, *, pos_id: str | None) -> None:
        entry = TrackingRecord(
            sequence=len(self._feed) + 1,
            order_number=order.order_number,
            item_code=order.item_code,
            status_code=status_code,
            status_message=statuses.MESSAGES[status_code],
            event_time=datetime.now(VIETNAM),
            pos_id=pos_id,
        )
        order.status_code = status_code
        order.records.append(entry)
        self._feed.append(entry)

    def cursor(self, sequence: int) -> str:
        """An opaque feed cursor: this server's epoch and a position in its feed."""
        return f"{self.epoch}.{sequence}"

    def cursor_position(self, cursor: str) -> int:
        """Where a cursor points; a cursor another server instance issued reads from the
        start (its events are new here), as does ``0``. Anything else is a ValueError."""
        epoch, _, position = cursor.rpartition(".")
        if not position.isdigit():
            raise ValueError("Since không hợp lệ")
        return int(position) if epoch == self.epoch else 0

    def feed_after(self, sequence: int) -> list[TrackingRecord]:
        return self._feed[max(sequence, 0) :]

    def _start_progress(self, order: Order) -> None:
        task = asyncio.get_running_loop().create_task(progress(self, order))
        self._tasks[order.order_number] = task
        task.add_done_callback(lambda _: self._tasks.pop(order.order_number, None))

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
