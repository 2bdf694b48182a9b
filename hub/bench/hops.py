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
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import aio_pika
from aio_pika.abc import AbstractChannel

from hub.bench.peers import TimedCommune
from hub.bench.procstats import MachineUse, machine_use, sample_all, sample_machine
from hub.bench.queues import queue_totals
from hub.demo.peer_queues import purge_peer_queues, purge_queues
from hub.demo.plan import DemoPlan
from hub.demo.workers import HubWorkers, WorkerExited
from hub.errors import RunStopped
from hub.topology import INGRESS_QUEUES, peer_queue


class HopBench(Protocol):
    """What the hop phase needs of the bench (``hub.bench.runner.Bench``)."""

    @property
    def amqp_url(self) -> str: ...

    @property
    def log_dir(self) -> Path: ...

    def progress(self, text: str) -> None: ...

    async def await_idle_broker(self) -> None: ...

    async def tidy(self) -> None: ...

    async def next_plan(self, count: int, *, handoff_only: bool = False) -> DemoPlan: ...

    def workers(self, count: int) -> HubWorkers: ...


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


class HopPhaseError(RunStopped):
    """The hop phase cannot measure: the ingress is not empty."""


async def _ingress_depth(amqp_url: str) -> int:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        return await _depth(await connection.channel(), list(INGRESS_QUEUES))


async def measure_hops(bench: HopBench, count: int, *, timeout_s: float) -> HopResult:
    """Publish ``count`` receptions, start one worker, and time it relaying them.

    The ingress must be empty when the phase starts (else the count would be wrong and
    someone else's messages would be relayed as the bench's). If the phase fails (the worker
    died or timed out), the receptions it left are purged from the ingress once the worker is
    stopped: otherwise the next hub to start here would take them as real work."""
    await bench.await_idle_broker()  # no other hub may take the receptions
    waiting = await _ingress_depth(bench.amqp_url)
    if waiting:
        raise HopPhaseError(
            f"{waiting} messages already wait on the ingress shards; the hop phase needs them "
            "empty (the bench must have the broker to itself): let a hub worker (hub run) "
            "take them, then run the bench again"
        )
    await bench.tidy()
    plan = await bench.next_plan(count, handoff_only=True)
    agency_queues = [peer_queue(u.code) for u in plan.agencies]
    await purge_peer_queues(bench.amqp_url, plan.simulated_units)
    communes = TimedCommune(bench.amqp_url)
    await communes.connect([])  # publishes only: nothing answers while the hub relays
    hub = bench.workers(1)
    failed = True
    try:
        try:
            for start in range(0, count, 100):
                await asyncio.gather(
                    *(communes.register(s) for s in plan.dossiers[start : start + 100])
                )
        finally:
            await communes.close()
        mean_bytes = round(communes.counters.published_bytes / max(communes.counters.published, 1))
        hub.start()
        connection = await aio_pika.connect(bench.amqp_url)
        async with connection:
            channel = await connection.channel()
            result = await _watch(
                bench, hub.processes[0], channel, agency_queues, count, mean_bytes, timeout_s
            )
        failed = False
        return result
    finally:
        await asyncio.to_thread(hub.stop)
        if failed:
            await _purge_after_failure(bench)
        await purge_peer_queues(bench.amqp_url, plan.simulated_units)


async def _purge_after_failure(bench: HopBench) -> None:
    """Purge the ingress after a failed phase, without hiding why it failed when the
    broker is not there either."""
    try:
        purged = await purge_queues(bench.amqp_url, INGRESS_QUEUES)
    except Exception as exc:  # the phase's own error is the one to report
        bench.progress(
            f"hops: failed; could not purge the ingress ({type(exc).__name__}): "
            "its receptions are still there"
        )
        return
    bench.progress(f"hops: failed; purged {purged} receptions left on the ingress")


async def _watch(
    bench: HopBench,
    worker: subprocess.Popen[bytes],
    channel: AbstractChannel,
    agency_queues: list[str],
    count: int,
    mean_bytes: int,
    timeout_s: float,
) -> HopResult:
    """From the first reception the worker takes until every transfer is on an agency's
    queue: the hops in between, the time and the worker's CPU."""
    deadline = time.monotonic() + timeout_s
    pid = worker.pid
    while await _depth(channel, list(INGRESS_QUEUES)) >= count:
        _check_alive(worker, bench)
        if time.monotonic() > deadline:
            raise TimeoutError(f"the hub took no reception within {timeout_s:g} s")
        await asyncio.sleep(POLL_S / 5)
    started, cpu_before, machine_before = time.perf_counter(), sample_all([pid]), sample_machine()
    already = await _depth(channel, agency_queues)
    while (relayed := await _depth(channel, agency_queues)) < count:
        _check_alive(worker, bench)
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


def _check_alive(worker: subprocess.Popen[bytes], bench: HopBench) -> None:
    if worker.poll() is not None:
        raise WorkerExited(
            f"the hub worker exited with {worker.returncode} during the hop phase; "
            f"its log is in {bench.log_dir}"
        )
