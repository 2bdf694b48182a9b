"""Warn when the worker's event loop was held up.

Every consumer, the outbox relay and the trackers of a worker share one event loop, so a
callback that runs long (a large synchronous batch, a blocking call that slipped in, a long
garbage collection) delays every dossier in flight at once. The watch wakes every
``TICK_S`` and logs ``event_loop_stalled`` when it woke later than ``warn_after_s`` past its
time: that much, at least, every message waiting in the worker waited too.

A stall says nothing about why; ``py-spy dump --pid <worker>`` while it recurs, or ``py-spy
record``, does (docs/operations.md, "A held-up event loop"). A machine that is busy with
other processes delays the watch too: compare with the machine's load before blaming the
worker's code.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog

log = structlog.get_logger(__name__)

TICK_S = 0.1
"""How often the watch wakes: ten times a second costs the worker nothing measurable."""


def lateness(due: float, woke: float) -> float:
    """How long after ``due`` the watch woke (never negative: a timer may fire a hair early)."""
    return max(woke - due, 0.0)


@dataclass
class LoopWatch:
    """Log every wake-up at least ``warn_after_s`` late, with how late and how many so far."""

    warn_after_s: float
    tick_s: float = TICK_S
    stalls: int = 0
    longest_s: float = 0.0

    def __post_init__(self) -> None:
        if self.warn_after_s <= 0 or self.tick_s <= 0:
            raise ValueError("the watch needs a positive threshold and tick")

    def observe(self, late_s: float) -> bool:
        """Count a wake-up ``late_s`` late; True when it is a stall worth a warning."""
        if late_s < self.warn_after_s:
            return False
        self.stalls += 1
        self.longest_s = max(self.longest_s, late_s)
        return True

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self.tick_s
            await asyncio.sleep(self.tick_s)
            late = lateness(due, loop.time())
            if self.observe(late):
                log.warning(
                    "event_loop_stalled",
                    stalled_ms=round(late * 1000),
                    stalls=self.stalls,
                    longest_ms=round(self.longest_s * 1000),
                )
