"""Micro-batching of concurrently handled deliveries (``hub.batching``)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from hub.batching import MicroBatcher


class Bad(Exception):
    pass


async def test_items_submitted_together_are_handled_in_one_batch() -> None:
    calls: list[list[int]] = []

    async def handle(items: Sequence[int]) -> None:
        calls.append(list(items))

    batcher = MicroBatcher(handle)
    await asyncio.gather(*(batcher.submit(i) for i in range(5)))

    assert calls == [[0, 1, 2, 3, 4]]


async def test_batches_are_capped() -> None:
    calls: list[list[int]] = []

    async def handle(items: Sequence[int]) -> None:
        calls.append(list(items))

    batcher = MicroBatcher(handle, max_batch=2)
    await asyncio.gather(*(batcher.submit(i) for i in range(5)))

    assert calls == [[0, 1], [2, 3], [4]]


async def test_a_failing_item_fails_alone_and_its_neighbours_succeed() -> None:
    handled: list[int] = []

    async def handle(items: Sequence[int]) -> None:
        if 3 in items:
            raise Bad("3 is bad")
        handled.extend(items)

    batcher = MicroBatcher(handle)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(5)), return_exceptions=True)

    assert [type(r) for r in results] == [type(None)] * 3 + [Bad] + [type(None)]
    assert sorted(handled) == [0, 1, 2, 4]


async def test_a_later_submit_starts_a_new_batch() -> None:
    calls: list[list[int]] = []

    async def handle(items: Sequence[int]) -> None:
        calls.append(list(items))

    batcher = MicroBatcher(handle)
    await batcher.submit(1)
    await batcher.submit(2)

    assert calls == [[1], [2]]


async def test_a_single_failing_item_raises_its_error() -> None:
    async def handle(items: Sequence[int]) -> None:
        raise Bad("no")

    with pytest.raises(Bad):
        await MicroBatcher(handle).submit(1)


async def test_items_arriving_while_a_batch_runs_wait_for_the_next_one() -> None:
    calls: list[list[int]] = []
    release = asyncio.Event()

    async def handle(items: Sequence[int]) -> None:
        calls.append(list(items))
        if items[0] == 0:
            await release.wait()

    batcher = MicroBatcher(handle, max_in_flight=1)
    first = asyncio.create_task(batcher.submit(0))
    await asyncio.sleep(0.01)  # the first batch is running
    later = [asyncio.create_task(batcher.submit(i)) for i in (1, 2, 3)]
    await asyncio.sleep(0.01)
    assert calls == [[0]]  # nothing else started meanwhile
    release.set()
    await asyncio.gather(first, *later)

    assert calls == [[0], [1, 2, 3]]


async def test_a_linger_gathers_items_submitted_a_little_apart() -> None:
    calls: list[list[int]] = []

    async def handle(items: Sequence[int]) -> None:
        calls.append(list(items))

    batcher = MicroBatcher(handle, linger_s=0.05)

    async def submit_after(item: int, delay: float) -> None:
        await asyncio.sleep(delay)
        await batcher.submit(item)

    await asyncio.gather(submit_after(0, 0), submit_after(1, 0.01), submit_after(2, 0.02))

    assert calls == [[0, 1, 2]]


async def test_items_submitted_at_once_get_their_own_errors_back() -> None:
    calls: list[list[int]] = []

    async def handle(items: Sequence[int]) -> None:
        calls.append(list(items))
        if 3 in items:
            raise Bad("3 is bad")

    batcher = MicroBatcher(handle, max_batch=4)
    errors = await batcher.submit_many(range(6))

    assert [type(e) for e in errors] == [type(None)] * 3 + [Bad] + [type(None)] * 2
    assert calls[0] == [0, 1, 2, 3]  # one batch up to the cap, then each alone after it failed
    assert await batcher.submit_many([]) == []


async def test_a_cancelled_batch_cancels_the_items_submitted_at_once() -> None:
    async def handle(items: Sequence[int]) -> None:
        raise asyncio.CancelledError

    batcher = MicroBatcher(handle)
    with pytest.raises(asyncio.CancelledError):
        await batcher.submit_many([1, 2])
