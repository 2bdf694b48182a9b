"""Group work that arrives together into one call: deliveries handled concurrently submit
items, and whatever is pending when the batch starts goes to the batch function at once.

A batch starts ``linger_s`` after its first item arrived (0: when the loop next runs),
and no more than ``max_in_flight`` batches run at once: items that arrive meanwhile wait
for the next batch, so under load the batches grow by themselves (group commit).

A batch that fails is retried item by item, so each item gets its own result or its own
error (one bad event must not fail, or retry, its neighbours)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class MicroBatcher(Generic[T]):
    handle: Callable[[Sequence[T]], Awaitable[object]]
    max_batch: int = 100
    linger_s: float = 0.0
    max_in_flight: int | None = None
    _pending: list[tuple[T, asyncio.Future[None]]] = field(default_factory=list, init=False)
    _scheduled: bool = field(default=False, init=False)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, init=False)

    async def submit(self, item: T) -> None:
        """Return once ``item`` was handled in some batch; raise its own error if it failed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        self._schedule()
        await future

    async def submit_many(self, items: Sequence[T]) -> list[Exception | None]:
        """Submit ``items`` together (no task each); once every one was handled, each
        one's own error, or None. A cancellation or other BaseException is raised."""
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[None]] = [loop.create_future() for _ in items]
        self._pending.extend(zip(items, futures, strict=True))
        self._schedule()
        if futures:
            await asyncio.wait(futures)
        errors: list[Exception | None] = []
        for future in futures:
            error = future.exception()
            if error is not None and not isinstance(error, Exception):
                raise error
            errors.append(error)
        return errors

    def _schedule(self) -> None:
        if self._scheduled or not self._pending:
            return
        self._scheduled = True
        loop = asyncio.get_running_loop()
        if self.linger_s > 0 and len(self._pending) < self.max_batch:
            loop.call_later(self.linger_s, self._start)
        else:
            loop.call_soon(self._start)

    def _start(self) -> None:
        self._scheduled = False
        while self._pending and (
            self.max_in_flight is None or len(self._tasks) < self.max_in_flight
        ):
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            task = asyncio.get_running_loop().create_task(self._run(batch))
            self._tasks.add(task)
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._pending and not self._scheduled:  # what arrived while it ran goes now
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._start)

    async def _run(self, batch: list[tuple[T, asyncio.Future[None]]]) -> None:
        try:
            await self.handle([item for item, _ in batch])
        except asyncio.CancelledError as cancelled:
            for _, future in batch:
                _settle(future, cancelled)
            raise
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exc)
                return
            for item, future in batch:  # isolate the failure: each item on its own
                try:
                    await self.handle([item])
                except Exception as single:
                    _settle(future, single)
                else:
                    _settle(future, None)
            return
        for _, future in batch:
            _settle(future, None)


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():  # the submitter was cancelled (worker stopping)
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
