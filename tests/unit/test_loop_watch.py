"""The event-loop watch: a wake-up later than the threshold is a stall, counted and logged
with how late it was; a loop that keeps its timers logs nothing."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest
from structlog.testing import capture_logs

from hub.loop_watch import LoopWatch, lateness


def test_a_wake_up_later_than_the_threshold_is_a_stall() -> None:
    watch = LoopWatch(warn_after_s=0.25)

    assert not watch.observe(0.0)
    assert not watch.observe(0.249)
    assert watch.observe(0.25)
    assert watch.observe(0.9)
    assert not watch.observe(0.1)

    assert (watch.stalls, watch.longest_s) == (2, 0.9)


def test_a_timer_that_fires_a_hair_early_is_not_late() -> None:
    assert lateness(10.0, 9.999) == 0.0
    assert lateness(10.0, 10.3) == pytest.approx(0.3)


@pytest.mark.parametrize(("warn_after_s", "tick_s"), [(0.0, 0.1), (0.25, 0.0), (-1.0, 0.1)])
def test_a_watch_needs_a_positive_threshold_and_tick(warn_after_s: float, tick_s: float) -> None:
    with pytest.raises(ValueError, match="positive threshold and tick"):
        LoopWatch(warn_after_s=warn_after_s, tick_s=tick_s)


async def _watched(
    watch: LoopWatch, meanwhile: float, *, block_s: float
) -> list[dict[str, object]]:
    """Run the watch while the loop is held up for ``block_s`` (0: not at all)."""
    with capture_logs() as logs:
        task = asyncio.create_task(watch.run())
        await asyncio.sleep(0.05)
        if block_s:
            time.sleep(block_s)  # noqa: ASYNC251 - the synchronous stretch under test
        await asyncio.sleep(meanwhile)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return [entry for entry in logs if entry["event"] == "event_loop_stalled"]


async def test_a_loop_held_up_by_a_synchronous_stretch_is_logged_with_how_long() -> None:
    watch = LoopWatch(warn_after_s=0.15, tick_s=0.02)

    stalls = await _watched(watch, 0.1, block_s=0.4)

    assert len(stalls) == 1
    assert stalls[0]["log_level"] == "warning"
    assert 350 <= int(str(stalls[0]["stalled_ms"])) < 1000
    assert stalls[0]["stalls"] == 1
    assert watch.stalls == 1


async def test_a_loop_that_keeps_its_timers_logs_nothing() -> None:
    watch = LoopWatch(warn_after_s=0.15, tick_s=0.02)

    stalls = await _watched(watch, 0.3, block_s=0.0)

    assert stalls == []
    assert watch.stalls == 0
