"""The bench's hop phase leaves nothing behind when it fails, and refuses to measure an
ingress that is not empty (real RabbitMQ; a stand-in process plays the hub worker)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import aio_pika
import pytest

from hub.bench.hops import HopPhaseError, _purge_after_failure, measure_hops
from hub.bench.queues import queue_totals
from hub.broker_setup import apply_topology
from hub.demo.peer_queues import purge_queues
from hub.demo.plan import DemoPlan, build_plan
from hub.demo.workers import HubWorkers, WorkerExited
from hub.registry import load_registry
from hub.topology import INGRESS_QUEUES, build_topology, ingress_shard

pytestmark = pytest.mark.integration

RECEPTIONS = 20


@dataclass
class StandInWorkers(HubWorkers):
    """Starts ``command`` instead of ``hub run``."""

    command: list[str] = field(default_factory=list)

    def start_one(self, index: int) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(self.command)
        self.processes.append(process)
        return process


@dataclass
class StandInBench:
    """What the hop phase uses of ``hub.bench.runner.Bench``, with a stand-in worker."""

    amqp_url: str
    log_dir: Path
    worker_command: list[str]
    said: list[str] = field(default_factory=list)

    def progress(self, text: str) -> None:
        self.said.append(text)

    async def await_idle_broker(self) -> None:
        return None

    async def tidy(self) -> None:
        return None

    async def next_plan(self, count: int, *, handoff_only: bool = False) -> DemoPlan:
        return build_plan(
            load_registry(),
            day=date(2026, 3, 2),
            count=count,
            handoff_share=1.0,
            post_share=0.0,
            late_share=0.0,
            linked_share=0.0,
        )

    def workers(self, count: int) -> HubWorkers:
        return StandInWorkers(count, {}, self.log_dir, command=self.worker_command)


async def _ingress_depth(channel: aio_pika.abc.AbstractChannel) -> int:
    return (await queue_totals(channel, INGRESS_QUEUES)).messages


@pytest.fixture
async def channel(amqp_url: str):  # type: ignore[no-untyped-def]
    await apply_topology(amqp_url, build_topology(load_registry().peers()))
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        await purge_queues(amqp_url, INGRESS_QUEUES)  # whatever an earlier test left there
        yield await connection.channel()


async def test_a_worker_that_takes_nothing_times_out_and_the_receptions_are_purged(
    amqp_url: str, channel: aio_pika.abc.AbstractChannel, tmp_path: Path
) -> None:
    # Given a "worker" that consumes nothing
    bench = StandInBench(amqp_url, tmp_path, [sys.executable, "-c", "import time; time.sleep(60)"])
    # When the hop phase runs out of time
    with pytest.raises(TimeoutError, match="took no reception"):
        await measure_hops(bench, RECEPTIONS, timeout_s=1.5)
    # Then its receptions are not left on the ingress for the next hub to take
    assert await _ingress_depth(channel) == 0
    assert f"purged {RECEPTIONS} receptions" in bench.said[-1]


async def test_a_worker_that_dies_fails_the_phase_at_once(
    amqp_url: str, channel: aio_pika.abc.AbstractChannel, tmp_path: Path
) -> None:
    # Given a "worker" that exits at start-up
    bench = StandInBench(amqp_url, tmp_path, [sys.executable, "-c", "raise SystemExit(3)"])
    # When the hop phase runs (with far more time than the test takes)
    with pytest.raises(WorkerExited, match=f"exited with 3.*{tmp_path}"):
        await measure_hops(bench, RECEPTIONS, timeout_s=120.0)
    # Then it says so instead of waiting for the timeout, and purges what it published
    assert await _ingress_depth(channel) == 0


async def test_an_ingress_that_is_not_empty_is_refused_and_left_alone(
    amqp_url: str, channel: aio_pika.abc.AbstractChannel, tmp_path: Path
) -> None:
    # Given a message of someone else's waiting on an ingress shard
    await channel.default_exchange.publish(
        aio_pika.Message(b'{"not": "the bench\'s"}'), routing_key=ingress_shard(3)
    )
    bench = StandInBench(amqp_url, tmp_path, [sys.executable, "-c", "raise SystemExit(0)"])
    # When the hop phase starts
    with pytest.raises(HopPhaseError, match="1 messages already wait on the ingress"):
        await measure_hops(bench, RECEPTIONS, timeout_s=5.0)
    # Then it publishes nothing and leaves that message where it was
    assert await _ingress_depth(channel) == 1


async def test_a_purge_that_fails_too_does_not_hide_why_the_phase_failed(tmp_path: Path) -> None:
    # Given a broker that is not there (nothing listens on port 1)
    bench = StandInBench("amqp://guest:guest@127.0.0.1:1/", tmp_path, [])
    # When the failed phase's clean-up cannot purge
    await _purge_after_failure(bench)
    # Then it says so and raises nothing (the phase's own error is the one reported)
    assert "could not purge the ingress" in bench.said[-1]
