"""The hub's per-hop throughput, measured the way the raw relay it is compared with is: a
queue of messages waiting, and the hub taking them one hop each (consume from a quorum
queue, do the work, publish with a confirm to another quorum queue, ack), with nothing else
running on the broker.

The messages are commune receptions (``TiepNhanHoSo``) of dossiers a district-level or
provincial unit decides, so each hop is the hub's fullest: translate, check the sender,
route by content, compute the due date, record inbox claim, dossier and outbox rows in one
guarded write, publish the ``TRANSFER`` to the agency's queue, and hand the two events
(received, transferred) to the event lane, whose batches the projection records meanwhile.
They are published while no worker runs; then one worker starts, and the bench watches the
ingress shards empty and the agencies' queues fill (the transfers stay there, as the raw
relay's output stays in its queue, and are purged afterwards).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aio_pika
from aio_pika.abc import AbstractChannel

from hub.bench.peers import TimedCommune
from hub.bench.procstats import MachineUse, machine_use, sample_all, sample_machine
from hub.bench.queues import queue_totals
from hub.demo.peer_queues import purge_peer_queues
from hub.topology import INGRESS_QUEUES, peer_queue

if TYPE_CHECKING:
    from hub.bench.runner import Bench

POLL_S = 0.05
"""How often the queue depths are read (a passive declare per queue, cheap for the broker)."""


@dataclass(frozen=True)
class HopResult:
    messages: int
    """Receptions waiting when the worker started."""
    hops: int
    """Receptions relayed within the measured window."""
    seconds: float
    cpu_seconds: float
    """The worker's CPU within the window."""
    mean_bytes: int
    machine: MachineUse | None = None

    @property
    def hops_per_s(self) -> float:
        return self.hops / self.seconds if self.seconds > 0 else 0.0


async def _depth(channel: AbstractChannel, queues: list[str]) -> int:
    return (await queue_totals(channel, queues)).messages


async def measure_hops(bench: Bench, count: int, *, timeout_s: float) -> HopResult:
    """Publish ``count`` receptions, start one worker, and time it relaying them."""
    await bench.await_idle_broker()  # no other hub may take the receptions
    await bench.tidy()
    plan = await bench.next_plan(count, handoff_only=True)
    agency_queues = [peer_queue(u.code) for u in plan.agencies]
    await purge_peer_queues(bench.amqp_url, plan.simulated_units)
    communes = TimedCommune(bench.amqp_url)
    await communes.connect([])  # publishes only: nothing answers while the hub relays
    try:
        for start in range(0, count, 100):
            await asyncio.gather(
                *(communes.register(s) for s in plan.dossiers[start : start + 100])
            )
    finally:
        await communes.close()
    mean_bytes = round(communes.counters.published_bytes / max(communes.counters.published, 1))

    connection = await aio_pika.connect(bench.amqp_url)
    hub = bench.workers(1)
    hub.start()
    try:
        async with connection:
            channel = await connection.channel()
            return await _watch(
                bench, hub.processes[0].pid, channel, agency_queues, count, mean_bytes, timeout_s
            )
    finally:
        await asyncio.to_thread(hub.stop)
        await purge_peer_queues(bench.amqp_url, plan.simulated_units)


async def _watch(
    bench: Bench,
    pid: int,
    channel: AbstractChannel,
    agency_queues: list[str],
    count: int,
    mean_bytes: int,
    timeout_s: float,
) -> HopResult:
    """From the first reception the worker takes until every transfer is on an agency's
    queue: the hops in between, the time and the worker's CPU."""
    deadline = time.monotonic() + timeout_s
    while await _depth(channel, list(INGRESS_QUEUES)) >= count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the hub took no reception within {timeout_s:g} s")
        await asyncio.sleep(POLL_S / 5)
    started, cpu_before, machine_before = time.perf_counter(), sample_all([pid]), sample_machine()
    already = await _depth(channel, agency_queues)
    while (relayed := await _depth(channel, agency_queues)) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{relayed} of {count} receptions relayed in {timeout_s:g} s")
        await asyncio.sleep(POLL_S)
    seconds = time.perf_counter() - started
    cpu_after, machine_after = sample_all([pid]), sample_machine()
    bench.progress(f"hops: {count - already} relayed in {seconds:.2f} s")
    return HopResult(
        messages=count,
        hops=count - already,
        seconds=seconds,
        cpu_seconds=cpu_after[0].cpu_seconds - cpu_before[0].cpu_seconds,
        mean_bytes=mean_bytes,
        machine=machine_use(machine_before, machine_after),
    )
