"""Run the deadline scan: load candidate dossiers, decide with :mod:`hub.overdue`, record
each warning through :func:`hub.service.process` (inbox, state and outbox in one
transaction) and publish it. Several workers may scan at once: each warning has a
deterministic message id, so the inbox keeps it to one."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

import asyncpg
import structlog

from hub.clock import Clock, SystemClock
from hub.overdue import DeadlineAction, deadline_actions
from hub.registry import Registry
from hub.relay import OutboxRelay
from hub.service import process
from hub.settings import Settings
from hub.store.state import deadline_candidates
from schemas import HUB_UNIT, CanonicalMessage, new_envelope

log = structlog.get_logger(__name__)


class HasSettings(Protocol):
    settings: Settings
    registry: Registry


WARNING_HORIZON = timedelta(days=15)
"""How far ahead a due date may lie and still be one working day away (Tết closes ~9 days)."""
BATCH = 500


def warning_id(action: DeadlineAction) -> UUID:
    return uuid5(
        NAMESPACE_URL, f"hub:{action.kind}/{action.dossier_code}/{action.due_at.isoformat()}"
    )


def warning_message(action: DeadlineAction, now: datetime) -> CanonicalMessage:
    return new_envelope(
        action.event(),
        sender=HUB_UNIT,
        recipient=HUB_UNIT,
        dossier_code=action.dossier_code,
        occurred_at=now,
        message_id=warning_id(action),
    )


@dataclass
class OverdueScanner:
    pool: asyncpg.Pool
    registry: Registry
    clock: Clock
    relay: OutboxRelay | None = None
    interval_s: float = 60.0
    lookback: timedelta = timedelta(days=30)
    """Dossiers due longer ago than this are left alone (bounds the scan)."""

    async def scan_once(self, now: datetime | None = None) -> Counter[str]:
        """Raise every warning due at ``now`` (default: the clock); count them by kind."""
        moment = now or self.clock.now()
        done: Counter[str] = Counter()
        while True:
            states = await deadline_candidates(
                self.pool,
                due_after=moment - self.lookback,
                due_before=moment + WARNING_HORIZON,
                limit=BATCH,
            )
            recorded = 0
            for action in deadline_actions(states, moment):
                rows = await process(self.pool, self.registry, warning_message(action, moment))
                if rows:
                    recorded += 1
                    done[action.kind] += 1
                    if self.relay is not None:
                        await self.relay.hand_over(rows)
            if len(states) < BATCH or recorded == 0:
                break
        if self.relay is not None:
            await self.relay.settled()  # published before the scan returns (and the CLI exits)
        if done:
            log.info("deadline_scan_done", due_soon=done["due_soon"], overdue=done["overdue"])
        return done

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.scan_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("deadline_scan_failed", error=type(exc).__name__)


def overdue_scanner(runtime: HasSettings, pool: asyncpg.Pool, relay: OutboxRelay) -> OverdueScanner:
    """The periodic scan a worker runs, on the system clock, as configured."""
    settings = runtime.settings
    return OverdueScanner(
        pool=pool,
        registry=runtime.registry,
        clock=SystemClock(),
        relay=relay,
        interval_s=settings.overdue_scan_seconds,
        lookback=timedelta(days=settings.overdue_lookback_days),
    )
