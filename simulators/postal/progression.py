"""Each order moves through the postal statuses on its own, with seeded random delays."""

from __future__ import annotations

import asyncio
import random
from typing import TYPE_CHECKING

from simulators.postal import statuses
from simulators.postal.records import Order

if TYPE_CHECKING:
    from simulators.postal.sim import PostalSim


async def progress(sim: PostalSim, order: Order) -> None:
    """Collect, carry, deliver; a delivery attempt may fail and be retried."""
    config = sim.config
    rng = random.Random(f"{config.seed}:{order.order_number}")
    sender_office = str(order.body["SenderDistrict"])
    receiver_office = str(order.body["ReceiverDistrict"])

    async def step(status_code: str, office: str) -> None:
        low, high = config.step_delay_seconds
        await asyncio.sleep(rng.uniform(low, high) * config.time_scale)
        sim.record(order, status_code, pos_id=office)

    await step(statuses.COLLECTED, sender_office)
    await step(statuses.IN_TRANSIT, sender_office)
    await step(statuses.OUT_FOR_DELIVERY, receiver_office)
    failures = 0
    while failures < config.max_delivery_failures and rng.random() < config.delivery_failure_rate:
        failures += 1
        await step(statuses.DELIVERY_FAILED, receiver_office)
        await step(statuses.OUT_FOR_DELIVERY, receiver_office)
    await step(statuses.DELIVERED, receiver_office)
