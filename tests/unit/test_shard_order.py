"""An ingress shard's deliveries, each on a task of its own (as aio-pika runs them), are
settled one at a time in the order they arrived; one that cannot be settled is held in
place, and the ones behind it wait."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, cast

import pytest
from aio_pika.abc import AbstractIncomingMessage
from aio_pika.exceptions import ChannelInvalidStateError
from structlog.testing import capture_logs

from hub import shard_order
from hub.shard_order import InOrder


class FakeChannel:
    closed = False


@dataclass
class Delivery:
    """The two things InOrder reads from an aio-pika delivery."""

    delivery_tag: int
    on: FakeChannel

    @property
    def channel(self) -> FakeChannel:
        if self.on.closed:
            raise ChannelInvalidStateError("closed")
        return self.on


def raw(delivery: Delivery) -> AbstractIncomingMessage:
    return cast(AbstractIncomingMessage, delivery)


async def run_all(in_order: InOrder, deliveries: list[Delivery]) -> None:
    """Start one task per delivery, in order, as aio-pika does, and wait for them all."""
    tasks = [asyncio.create_task(in_order(raw(d))) for d in deliveries]
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=5)


async def test_deliveries_are_settled_one_at_a_time_in_arrival_order() -> None:
    trace: list[str] = []

    async def settle(message: AbstractIncomingMessage) -> bool:
        tag = message.delivery_tag
        trace.append(f"start {tag}")
        await asyncio.sleep(0.03 if tag == 1 else 0.0)  # the first takes longest
        trace.append(f"end {tag}")
        return True

    channel = FakeChannel()
    await run_all(InOrder("hub.ingress.00", settle), [Delivery(t, channel) for t in (1, 2, 3)])

    assert trace == ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]


async def test_a_delivery_not_settled_is_held_and_the_next_waits_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shard_order, "HOLD_PAUSE_S", (0.01,))
    outcomes = {1: [False, False, True], 2: [True]}
    calls: list[int] = []

    async def settle(message: AbstractIncomingMessage) -> bool:
        tag = message.delivery_tag or 0
        calls.append(tag)
        return outcomes[tag].pop(0)

    channel = FakeChannel()
    with capture_logs() as logs:
        await run_all(
            InOrder("hub.ingress.00", settle), [Delivery(1, channel), Delivery(2, channel)]
        )

    assert calls == [1, 1, 1, 2]
    held = [e for e in logs if e["event"] == "delivery_held"]
    assert [e["attempt"] for e in held] == [1, 2]


async def test_a_delivery_whose_channel_closed_is_left_to_the_broker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shard_order, "HOLD_PAUSE_S", (0.01,))
    channel = FakeChannel()
    calls: list[int] = []

    async def settle(message: AbstractIncomingMessage) -> bool:
        calls.append(message.delivery_tag or 0)
        channel.closed = True  # the connection drops while the first one is handled
        return False

    await run_all(InOrder("hub.ingress.00", settle), [Delivery(1, channel), Delivery(2, channel)])

    # The first is not retried on a closed channel, nor is the second handled: the broker
    # gives both back, in order, and delivers them again on the new channel.
    assert calls == [1]


async def test_deliveries_that_arrive_out_of_order_are_reported() -> None:
    seen: list[Any] = []

    async def settle(message: AbstractIncomingMessage) -> bool:
        seen.append(message.delivery_tag)
        return True

    in_order = InOrder("hub.ingress.03", settle)
    channel, reopened = FakeChannel(), FakeChannel()
    with capture_logs() as logs:
        for delivery in (Delivery(2, channel), Delivery(1, channel), Delivery(1, reopened)):
            await in_order(raw(delivery))

    assert seen == [2, 1, 1]
    reported = [e for e in logs if e["event"] == "delivery_out_of_order"]
    assert [(e["queue"], e["tag"], e["after"]) for e in reported] == [("hub.ingress.03", 1, 2)]
