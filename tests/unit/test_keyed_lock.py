"""Per-key FIFO locks (``hub.keyed_lock``)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from hub.keyed_lock import KeyedLocks


async def settle() -> None:
    """Let every ready task run until it blocks."""
    for _ in range(10):
        await asyncio.sleep(0)


async def test_holders_of_the_same_key_run_one_at_a_time_in_arrival_order() -> None:
    # Given many tasks queuing for the same dossier, in a known order
    locks = KeyedLocks()
    order: list[int] = []
    inside = 0
    most_inside = 0

    async def apply(n: int) -> None:
        nonlocal inside, most_inside
        async with locks.hold("dossier-1"):
            inside += 1
            most_inside = max(most_inside, inside)
            await asyncio.sleep(0)
            order.append(n)
            inside -= 1

    tasks = []
    for n in range(10):
        tasks.append(asyncio.create_task(apply(n)))
        await asyncio.sleep(0)

    # When they all finish
    await asyncio.gather(*tasks)

    # Then they ran one at a time, first come first served
    assert order == list(range(10))
    assert most_inside == 1


async def test_holders_of_different_keys_run_concurrently() -> None:
    locks = KeyedLocks()
    both_inside = asyncio.Event()
    entered: set[str] = set()

    async def apply(key: str) -> None:
        async with locks.hold(key):
            entered.add(key)
            if len(entered) == 2:
                both_inside.set()
            await both_inside.wait()

    await asyncio.wait_for(asyncio.gather(apply("dossier-1"), apply("dossier-2")), timeout=1)

    assert entered == {"dossier-1", "dossier-2"}


async def test_a_second_holder_of_the_same_key_waits_until_the_first_releases() -> None:
    # Given a holder of dossier-1
    locks = KeyedLocks()
    release = asyncio.Event()
    second_entered = asyncio.Event()

    async def first() -> None:
        async with locks.hold("dossier-1"):
            await release.wait()

    async def second() -> None:
        async with locks.hold("dossier-1"):
            second_entered.set()

    first_task = asyncio.create_task(first())
    await settle()
    second_task = asyncio.create_task(second())
    await settle()

    # Then the second waits, and both are counted under the one key
    assert not second_entered.is_set()
    assert len(locks) == 1

    # When the first releases, Then the second enters
    release.set()
    await asyncio.wait_for(asyncio.gather(first_task, second_task), timeout=1)
    assert second_entered.is_set()


async def test_the_map_is_empty_once_every_holder_is_done() -> None:
    locks = KeyedLocks()

    async def apply(key: str) -> None:
        async with locks.hold(key):
            await asyncio.sleep(0)

    await asyncio.gather(*(apply(f"dossier-{n % 3}") for n in range(12)))

    assert len(locks) == 0


async def test_the_map_is_empty_after_a_holder_raises() -> None:
    locks = KeyedLocks()

    with pytest.raises(RuntimeError):
        async with locks.hold("dossier-1"):
            raise RuntimeError("boom")

    assert len(locks) == 0
    async with locks.hold("dossier-1"):
        assert len(locks) == 1


async def test_a_waiter_cancelled_while_queued_leaves_no_trace_and_blocks_nobody() -> None:
    # Given a holder and a queued waiter on the same key
    locks = KeyedLocks()
    release = asyncio.Event()

    async def hold_until_released() -> None:
        async with locks.hold("dossier-1"):
            await release.wait()

    async def wait_forever() -> None:
        async with locks.hold("dossier-1"):
            pass

    holder = asyncio.create_task(hold_until_released())
    await settle()
    waiter = asyncio.create_task(wait_forever())
    await settle()

    # When the waiter is cancelled and the holder releases
    waiter.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiter
    release.set()
    await asyncio.wait_for(holder, timeout=1)

    # Then the key is gone and can be taken again at once
    assert len(locks) == 0
    async with asyncio.timeout(1), locks.hold("dossier-1"):
        pass
