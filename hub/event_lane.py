"""The relay's lane for events: event rows handed over are sent (by the relay, as batch
messages: :mod:`hub.event_batches`) one round at a time.

A round starts ``linger_s`` after the oldest waiting row was handed over and takes every row
waiting by then, so under load the batches grow by themselves and the broker carries a
message per round instead of one per event. Rows go out in the order they were handed
over. The relay's ``send`` never raises: rows it cannot publish stay in the outbox for the
sweep, as any row does.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

from hub.store.outbox import OutboxMessage

EVENT_LINGER_S = 0.02
"""How long the oldest waiting event waits for others: events feed the provincial
projection, which is off every peer's path, and a round per 20 ms is at most 50 broker
messages a second whatever the load."""


class EventLane:
    def __init__(
        self,
        *,
        send: Callable[[Sequence[OutboxMessage]], Awaitable[None]],
        deferred: Callable[[list[int]], None],
        round_done: Callable[[], None],
        linger_s: float = EVENT_LINGER_S,
    ) -> None:
        self._send = send
        self._deferred = deferred
        self._round_done = round_done
        self._linger_s = linger_s
        self._waiting: list[OutboxMessage] = []
        self._oldest = 0.0
        self._handed = 0
        """Rows handed over so far; with ``_through``, tells a caller when its rows are."""
        self._through = 0
        self._marks: deque[tuple[int, asyncio.Future[None]]] = deque()
        self._task: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """Rows handed over and not yet taken by a round."""
        return len(self._waiting)

    def add(self, rows: Sequence[OutboxMessage]) -> asyncio.Future[None]:
        """Queue ``rows``; the future is done once the round that takes the last of them
        is over (published, or left to the sweep)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        if not self._waiting:
            self._oldest = loop.time()
        self._waiting.extend(rows)
        self._handed += len(rows)
        self._marks.append((self._handed, done))
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run())
        return done

    async def idle(self) -> None:
        """Wait until every row handed over so far has had its round (a round that failed
        has left its rows to the sweep; that is not the caller's error)."""
        while self._task is not None and not self._task.done():
            await asyncio.wait([self._task])

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._waiting:
                await asyncio.sleep(max(self._oldest + self._linger_s - loop.time(), 0.0))
                rows, self._waiting = self._waiting, []
                await self._send(rows)
                self._through += len(rows)
                self._settle_marks()
                self._round_done()
        finally:
            # Cancelled (the worker stopping): whatever was not taken stays for the sweep
            # (a round cut short has released its own rows).
            self._deferred([r.id for r in self._waiting if r.id is not None])
            self._waiting = []
            self._through = self._handed
            self._settle_marks()

    def _settle_marks(self) -> None:
        while self._marks and self._marks[0][0] <= self._through:
            _, done = self._marks.popleft()
            if not done.done():
                done.set_result(None)
