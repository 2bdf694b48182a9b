"""``hub bench``: the demo's hub workers and simulators, driven for speed instead of show.

One run, against the configured RabbitMQ and a dedicated database ``hub_bench`` on the
configured PostgreSQL server (created and migrated if needed):

1. latency: one worker, dossiers offered at a fixed rate, publish → result notice times;
2. throughput with one worker: dossiers offered as fast as possible, first publish → last
   final state, messages counted, CPU and peak RSS of the worker; three runs (quick: one),
   the median one reported, so that one slow or fast spell of a shared machine does not
   decide the headline;
3. throughput with two workers;
4. hops: receptions waiting on the ingress, relayed by one worker (``hub.bench.hops``);
5. the raw aio-pika relay baseline with the hops' message count and mean message size,
   right after them, then the durable relay (the same, each message recorded in PostgreSQL
   first); phases 4 and 5 three times (quick: once), the pair with the median ratio
   reported, for the same reason as in 2;
6. the same relay paced to that pair's hop rate (what the broker spends per message at it).

Every phase uses a fresh demo day (``next_demo_day``), so dossier codes never repeat.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import asyncpg
import structlog
from pydantic import SecretStr
from rich.console import Console

from adapters.provincial_db.queries import FINAL
from hub.bench.event_tap import EventTap
from hub.bench.hops import HopResult, measure_hops
from hub.bench.peers import Counters, CountingAgency, TimedCommune
from hub.bench.procstats import MachineUse, machine_use, sample_all, sample_machine
from hub.bench.queues import queue_totals
from hub.bench.raw_relay import RelayResult, run_raw_relay
from hub.bench.scheduling import service_policies
from hub.bench.stalls import STALL_WARN_MS, StallLog, Stalls
from hub.bootstrap import migrate_database
from hub.broker_setup import apply_topology
from hub.db.pool import open_pool
from hub.deadlines import next_working_day
from hub.demo.peer_queues import purge_peer_queues
from hub.demo.plan import DemoPlan, build_plan
from hub.demo.runner import next_demo_day
from hub.demo.workers import HubWorkers
from hub.heap import settle_heap
from hub.registry import Registry, load_registry
from hub.settings import Settings
from hub.topology import HUB_CONSUMED_QUEUES, build_topology
from simulators.peer import Delays
from simulators.postal_server import PostalSimConfig, RunningServer, start_postal_server

log = structlog.get_logger(__name__)

T = TypeVar("T")

BENCH_DATABASE = "hub_bench"

COMMUNE_DELAYS = Delays(0.02, 0.2)
AGENCY_DELAYS = Delays(0.05, 0.3)
"""Peers answer in tens of milliseconds (the demo: up to a second). Shorter think times than
this put one dossier's messages so close together that with two workers they can be applied
out of order (the hub orders per dossier within a worker only)."""

POSTAL_TIME_SCALE = 0.00001
"""A postal step of 10-60 simulated minutes takes 6-36 ms."""

POSTAL_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class BenchConfig:
    dossiers: int = 1000
    rate: float = 50.0
    latency_dossiers: int = 1000
    hops: int = 3000
    scale_workers: tuple[int, ...] = (1, 2)
    throughput_runs: int = 3
    """One-worker throughput runs; the run with the median lifecycles/s is the headline."""
    hop_runs: int = 3
    """Hop runs, each followed by a raw relay run and a durable relay run; the hop run and
    raw relay pair with the median ratio is the per-hop headline."""
    phase_timeout_s: float = 300.0
    foreign_wait_s: float = 60.0
    stall_s: float = 40.0

    @classmethod
    def quick(cls, *, dossiers: int | None = None, rate: float = 50.0) -> BenchConfig:
        return cls(
            dossiers=dossiers or 100,
            rate=rate,
            latency_dossiers=max(int(rate * 2), 20),
            hops=300,
            throughput_runs=1,
            hop_runs=1,
            phase_timeout_s=20.0,
            foreign_wait_s=10.0,
            stall_s=6.0,
        )


@dataclass(frozen=True)
class PhaseResult:
    """One drive of the hub: the dossiers offered, how long until all were final, and the
    messages that moved (see docs/performance.md for how each is counted)."""

    workers: int
    dossiers: int
    final: int
    seconds: float
    sim_published: int
    sim_consumed: int
    events: int
    """Events the projection recorded (timeline rows)."""
    event_messages: int
    """Broker messages the events took (batches seen on ``dossier.events``)."""
    postal_commands: int
    published_bytes: int
    not_accepted: int
    cpu_seconds: float
    peak_rss_mb: float
    latencies_ms: list[float] = field(default_factory=list)
    end_to_end_ms: list[float] = field(default_factory=list)
    postal_latencies_ms: list[float] = field(default_factory=list)
    machine: MachineUse | None = None
    """What the whole machine spent from the first publish until every dossier was final:
    the local broker and database, and all cores."""
    bench_cpu_seconds: float | None = None
    """The bench process's CPU in the same window: the simulated peers, the postal
    simulator, the event tap and the completion poll (load, not hub)."""
    loop_stalls: Stalls | None = None
    """The workers' event-loop stalls of ``STALL_WARN_MS`` or more in the same window."""

    @property
    def hub_consumed(self) -> int:
        """Deliveries the hub consumed: every peer message, every batch of events it
        projected and every postal command it carried out."""
        return self.sim_published + self.event_messages + self.postal_commands

    @property
    def messages(self) -> int:
        """Messages that went through the broker: the hub's deliveries plus the ones the
        hub published to peers (transfers and notices)."""
        return self.hub_consumed + self.sim_consumed

    def per_s(self, value: float) -> float:
        return value / self.seconds if self.seconds > 0 else 0.0


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(math.ceil(share * len(ordered)), 1)
    return ordered[rank - 1]


def bench_database_url(server_url: str, name: str = BENCH_DATABASE) -> str:
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def ensure_database(server_url: str, name: str = BENCH_DATABASE) -> str:
    conn = await asyncpg.connect(server_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return bench_database_url(server_url, name)


COMPLETION_POLL_S = 0.25
"""How often a phase looks for dossiers that became final. The figures do not depend on it
(a phase's time ends at its last timeline entry), only when the phase notices it is done;
each poll costs PostgreSQL a few milliseconds beside the system measured (every 0.1 s that
was ~1.5 % of the machine's CPU per lifecycle)."""

COUNT_EVENTS = "SELECT count(*) FROM province.timeline WHERE dossier_code = ANY($1::text[])"
LAST_RECORDED = (
    "SELECT extract(epoch FROM max(recorded_at)) FROM province.timeline "
    "WHERE dossier_code = ANY($1::text[])"
)
COUNT_POSTAL_ORDERS = (
    "SELECT count(*) FROM province.postal_orders WHERE dossier_code = ANY($1::text[])"
)


@dataclass
class Bench:
    settings: Settings
    config: BenchConfig
    console: Console
    registry: Registry
    conn: asyncpg.Connection
    postal: RunningServer
    log_dir: Path
    day: date | None = None
    shared_broker: bool = False
    stall_log: StallLog = field(init=False)
    """The workers' event-loop stalls, read per phase from their logs in ``log_dir``."""

    def __post_init__(self) -> None:
        self.stall_log = StallLog(self.log_dir)

    @property
    def amqp_url(self) -> str:
        return self.settings.amqp_url.get_secret_value()

    def progress(self, text: str) -> None:
        self.console.print(f"[bold cyan]bench[/] {text}")

    async def next_plan(self, count: int, *, handoff_only: bool = False) -> DemoPlan:
        """The demo's workload on a fresh day; ``handoff_only``: receptions of dossiers
        another unit decides, and nothing else (the hop phase)."""
        day = await next_demo_day(self.conn)
        if self.day is not None and day <= self.day:
            day = next_working_day(self.day)
        self.day = day
        if handoff_only:
            return build_plan(
                self.registry,
                day=day,
                count=count,
                handoff_share=1.0,
                post_share=0.0,
                late_share=0.0,
                linked_share=0.0,
            )
        return build_plan(self.registry, day=day, count=count)

    def workers(self, count: int) -> HubWorkers:
        env = {
            "HUB_DATABASE_URL": self.settings.database_url.get_secret_value(),
            "HUB_AMQP_URL": self.amqp_url,
            "HUB_POSTAL_API_URL": self.postal.url,
            "HUB_POSTAL_POLL_SECONDS": str(POSTAL_POLL_SECONDS),
            "HUB_LOOP_STALL_WARN_MS": str(STALL_WARN_MS),
            "HUB_LOG_JSON": "true",
            "HUB_LOG_LEVEL": "WARNING",
        }
        return HubWorkers(count, env, self.log_dir)

    async def tidy(self) -> None:
        """Vacuum and analyze the bench database before a phase, as autovacuum would on a
        production server. Without it (the development machine's PostgreSQL runs with
        autovacuum off) every phase inherits the dead rows of all earlier runs and the
        planner works without statistics, so figures would drift from run to run."""
        started = time.monotonic()
        await self.conn.execute("VACUUM (ANALYZE)")
        log.debug("bench_vacuumed", seconds=round(time.monotonic() - started, 2))

    async def drive(self, hub: HubWorkers, count: int, *, rate: float | None) -> PhaseResult:
        await self.tidy()
        plan = await self.next_plan(count)
        codes = [d.code for d in plan.dossiers]
        stale = await purge_peer_queues(self.amqp_url, plan.simulated_units)
        if stale:
            self.progress(f"purged {stale} stale messages from the simulated peers' queues")
        communes = TimedCommune(
            self.amqp_url, delays=COMMUNE_DELAYS, seed=1, units=[u.code for u in plan.communes]
        )
        agencies = CountingAgency(
            self.amqp_url, delays=AGENCY_DELAYS, seed=2, units=[u.code for u in plan.agencies]
        )
        tap = EventTap(self.amqp_url)
        await tap.start()
        settle_heap()  # the simulators allocate per message, as the worker does
        pids = [p.pid for p in hub.processes]
        before, machine_before = sample_all(pids), sample_machine()
        bench_cpu_before = time.process_time()
        self.stall_log.read()  # what the workers logged before this phase is not its own
        await communes.start()
        await agencies.start()
        try:
            started = time.time()
            await _offer(communes, plan, rate)
            final = await self._wait_final(codes, expected=len(codes))
            machine_after = sample_machine()  # before the wait for the last notices below
            bench_cpu = time.process_time() - bench_cpu_before
            stalls = self.stall_log.read()
            last = await self.conn.fetchval(LAST_RECORDED, codes)
            seconds = (float(last) if last is not None else time.time()) - started
            await _settle(lambda: len(communes.result_at) >= _notices_due(plan), 3.0)
        finally:
            await communes.close()
            await agencies.close()
            await tap.close()
        after = sample_all(pids)
        if await hub_consumers(self.amqp_url) > len(HUB_CONSUMED_QUEUES) * hub.count:
            self.shared_broker = True
            self.console.print("[yellow]warning[/]: another hub consumed during this phase")
        return PhaseResult(
            workers=hub.count,
            dossiers=count,
            final=final,
            seconds=max(seconds, 1e-6),
            sim_published=communes.counters.published + agencies.counters.published,
            sim_consumed=communes.counters.consumed + agencies.counters.consumed,
            events=int(await self.conn.fetchval(COUNT_EVENTS, codes)),
            event_messages=tap.messages,
            postal_commands=int(await self.conn.fetchval(COUNT_POSTAL_ORDERS, codes)),
            published_bytes=_bytes(communes.counters, agencies.counters),
            not_accepted=len(communes.rejections) + len(agencies.rejections),
            cpu_seconds=sum(
                a.cpu_seconds - b.cpu_seconds for a, b in zip(after, before, strict=True)
            ),
            peak_rss_mb=max((a.peak_rss_mb for a in after), default=0.0),
            latencies_ms=communes.result_ms(agencies.think_s),
            end_to_end_ms=communes.end_to_end_ms(),
            postal_latencies_ms=communes.postal_ms(),
            machine=machine_use(machine_before, machine_after),
            bench_cpu_seconds=bench_cpu,
            loop_stalls=stalls,
        )

    async def _wait_final(self, codes: list[str], *, expected: int) -> int:
        """Until every dossier is final, the phase times out, or progress stalls (no dossier
        became final for ``stall_s``: the rest are stuck, e.g. on a parked message)."""
        now = time.monotonic()
        deadline, last_final, last_change = now + self.config.phase_timeout_s, -1, now
        tracker = FinalTracker(codes)
        while True:
            final = await tracker.poll(self.conn)
            now = time.monotonic()
            if final != last_final:
                last_final, last_change = final, now
            stalled = now - last_change > self.config.stall_s
            if final >= expected or now > deadline or stalled:
                return final
            await asyncio.sleep(COMPLETION_POLL_S)

    async def await_idle_broker(self) -> None:
        """Wait for other hubs to leave the hub queues; flag the run if one stays."""
        if not await wait_for_idle_broker(self.amqp_url, self.config.foreign_wait_s):
            self.shared_broker = True
            self.console.print(
                "[yellow]warning[/]: another hub is consuming the hub queues on this broker; "
                "it will take some of the bench's messages and the figures are not reliable"
            )

    async def with_workers(self, count: int, action: Callable[[HubWorkers], Any]) -> Any:
        await self.await_idle_broker()
        hub = self.workers(count)
        hub.start()
        try:
            await hub.wait_ready(self.amqp_url)
            return await action(hub)
        finally:
            await asyncio.to_thread(hub.stop)


FINAL_AMONG = """
SELECT code FROM province.dossiers WHERE code = ANY($1::text[]) AND status = ANY($2::smallint[])
"""


class FinalTracker:
    """Which of a phase's dossiers are final in the provincial projection. It runs every
    0.1 s beside the system it measures, so each poll looks up only the dossiers not yet
    seen final, by key."""

    def __init__(self, codes: list[str]) -> None:
        self.pending = set(codes)
        self.final = 0

    async def poll(self, conn: asyncpg.Connection) -> int:
        rows = await conn.fetch(FINAL_AMONG, list(self.pending), FINAL)
        self.pending.difference_update(row["code"] for row in rows)
        self.final += len(rows)
        return self.final


async def hub_consumers(amqp_url: str) -> int:
    """Consumers on the hub's queues right now (0 when no hub runs against this broker)."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        return (await queue_totals(channel, HUB_CONSUMED_QUEUES)).consumers


async def wait_for_idle_broker(amqp_url: str, timeout_s: float) -> bool:
    """Wait until no other hub consumes the hub queues (a demo or a test run on the same
    vhost would share the bench's messages); False if one still does after ``timeout_s``."""
    for _ in range(max(int(timeout_s), 1)):
        if await hub_consumers(amqp_url) == 0:
            return True
        await asyncio.sleep(1.0)
    return False


def _notices_due(plan: DemoPlan) -> int:
    """Dossiers whose commune hears of the result: transferred ones (status 9 notice) and
    the ones it decided itself and returned by post (the final 10 notice)."""
    return sum(1 for d in plan.dossiers if not d.self_decided or d.by_post)


def _bytes(*counters: Counters) -> int:
    return sum(c.published_bytes for c in counters)


async def _offer(communes: TimedCommune, plan: DemoPlan, rate: float | None) -> None:
    """Publish every registration: in confirmed batches as fast as possible, or paced."""
    if rate is None:
        specs = list(plan.dossiers)
        for start in range(0, len(specs), 100):
            await asyncio.gather(*(communes.register(s) for s in specs[start : start + 100]))
        return
    loop = asyncio.get_running_loop()
    began = loop.time()
    pending: set[asyncio.Task[None]] = set()
    for index, spec in enumerate(plan.dossiers):
        delay = began + index / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(communes.register(spec))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)


async def _settle(ready: Callable[[], bool], timeout_s: float) -> None:
    for _ in range(max(int(timeout_s / 0.05), 1)):
        if ready():
            return
        await asyncio.sleep(0.05)


@dataclass(frozen=True)
class HopPair:
    """One hop run and the raw relay run right after it, with the hop run's message count
    and mean size: the two halves of the per-hop ratio, taken as close together as the
    bench can, so that the machine's speed, which drifts within minutes on a shared host,
    moves both alike. The durable relay run follows them."""

    hops: HopResult
    relay: RelayResult
    durable: RelayResult | None = None
    """The durable relay (the raw relay recording each message in PostgreSQL first), right
    after the raw relay."""

    @property
    def ratio(self) -> float:
        raw = self.relay.msgs_per_s
        return self.hops.hops_per_s / raw if raw else 0.0


def _lower_median(items: Sequence[T], key: Callable[[T], float], what: str) -> T:
    """The item with the median ``key`` (of an even number, the lower of the middle two)."""
    if not items:
        raise ValueError(f"no {what}")
    return sorted(items, key=key)[(len(items) - 1) // 2]


def median_pair(pairs: Sequence[HopPair]) -> HopPair:
    """The pair with the median per-hop ratio (of an even number, the lower of the middle
    two), so that every per-hop figure comes from one hop run and its relay."""
    return _lower_median(pairs, lambda pair: pair.ratio, "hop run")


@dataclass(frozen=True)
class BenchResult:
    latency: PhaseResult
    throughput: dict[int, PhaseResult]
    hops: HopResult
    """The median pair's hop run (see ``hop_pairs``)."""
    relay: RelayResult
    """The raw relay at full speed right after that hop run: the baseline."""
    rate: float
    durable_relay: RelayResult | None = None
    """The durable relay right after that raw relay (see :mod:`hub.bench.raw_relay`)."""
    shared_broker: bool = False
    paced_relay: RelayResult | None = None
    """The raw relay paced to the hop phase's rate: what the broker spends per message at
    the rate the hub hops at."""
    main_runs: tuple[PhaseResult, ...] = ()
    """Every one-worker throughput run, in the order run; ``main`` is their median."""
    hop_pairs: tuple[HopPair, ...] = ()
    """Every hop run with its raw relay run, in the order run; ``hops`` and ``relay`` are
    the median pair's."""
    service_policies: dict[str, str | None] = field(default_factory=dict)
    """The scheduling policy of the local broker and database at the start (see
    :mod:`hub.bench.scheduling`); None for a service that does not run here."""

    @property
    def main(self) -> PhaseResult:
        return self.throughput[min(self.throughput)]

    @property
    def runs(self) -> list[PhaseResult]:
        """The one-worker throughput runs (just ``main`` when there was one)."""
        return list(self.main_runs) or [self.main]

    @property
    def phases(self) -> list[PhaseResult]:
        """Every hub phase once: the latency run, every one-worker throughput run and the
        scale-out runs."""
        main = min(self.throughput)
        return [self.latency, *self.runs, *(p for w, p in self.throughput.items() if w != main)]

    @property
    def pairs(self) -> list[HopPair]:
        """The hop runs with their relay runs (just ``hops`` and ``relay`` when there was
        one)."""
        return list(self.hop_pairs) or [HopPair(self.hops, self.relay, self.durable_relay)]

    @property
    def raw_relay_msgs_per_s(self) -> float:
        return self.relay.msgs_per_s

    @property
    def complete(self) -> bool:
        """Every dossier of every phase reached a final state."""
        return all(p.final == p.dossiers for p in self.phases)

    @property
    def ok(self) -> bool:
        """The headline figures are sound: the one-worker runs finished every dossier and the
        baseline ran. (Dossiers the scale-out runs left open are reported, not fatal.)"""
        return (
            self.latency.final == self.latency.dossiers
            and all(run.final == run.dossiers for run in self.runs)
            and all(p.final > 0 for p in self.throughput.values())
            and all(
                pair.hops.hops > 0
                and pair.relay.messages > 0
                and (pair.durable is None or pair.durable.messages > 0)
                for pair in self.pairs
            )
        )

    def as_dict(self) -> dict[str, Any]:
        main = self.main
        deliveries = main.per_s(main.hub_consumed)
        per_hop = self.hops.hops_per_s
        raw = self.raw_relay_msgs_per_s
        lat = self.latency
        runs = [round(run.per_s(run.final), 1) for run in self.runs]
        ratios = [round(pair.ratio, 3) for pair in self.pairs]
        data: dict[str, Any] = {
            "dossiers": main.dossiers,
            "lifecycles_per_s": round(main.per_s(main.final), 1),
            "throughput_runs": len(runs),
            "lifecycles_per_s_runs": runs,
            "lifecycles_per_s_min": min(runs),
            "lifecycles_per_s_max": max(runs),
            "messages_per_s": round(main.per_s(main.messages), 1),
            "hub_per_hop_msgs_per_s": round(per_hop, 1),
            "hop_messages": self.hops.hops,
            "hop_cpu_ms": round(1000 * self.hops.cpu_seconds / max(self.hops.hops, 1), 3),
            **_hop_machine_figures(self.hops),
            **_relay_figures("raw_relay", self.relay),
            "ratio_to_raw_relay": round(per_hop / raw, 3) if raw else 0.0,
            "hop_runs": len(ratios),
            "ratio_to_raw_relay_runs": ratios,
            "ratio_to_raw_relay_min": min(ratios),
            "ratio_to_raw_relay_max": max(ratios),
            "hub_per_hop_msgs_per_s_runs": [round(p.hops.hops_per_s, 1) for p in self.pairs],
            "raw_relay_msgs_per_s_runs": [round(p.relay.msgs_per_s, 1) for p in self.pairs],
            **_durable_figures(self.pairs, self.durable_relay, per_hop),
            **(_relay_figures("paced_relay", self.paced_relay) if self.paced_relay else {}),
            "lifecycle_deliveries_per_s": round(deliveries, 1),
            "lifecycle_ratio_to_raw_relay": round(deliveries / raw, 3) if raw else 0.0,
            "events_per_s": round(main.per_s(main.events), 1),
            "events_per_message": round(main.events / max(main.event_messages, 1), 1),
            "messages": main.messages,
            "hub_consumed": main.hub_consumed,
            "throughput_seconds": round(main.seconds, 2),
            "rate": self.rate,
            "latency_dossiers": lat.dossiers,
            "latency_samples": len(lat.latencies_ms),
            "latency_final": lat.final,
            "p50_ms": round(percentile(lat.latencies_ms, 0.50), 1),
            "p95_ms": round(percentile(lat.latencies_ms, 0.95), 1),
            "p99_ms": round(percentile(lat.latencies_ms, 0.99), 1),
            "e2e_p50_ms": round(percentile(lat.end_to_end_ms, 0.50), 1),
            "e2e_p99_ms": round(percentile(lat.end_to_end_ms, 0.99), 1),
            "postal_p50_ms": round(percentile(lat.postal_latencies_ms, 0.50), 1),
            "postal_p99_ms": round(percentile(lat.postal_latencies_ms, 0.99), 1),
            "mean_ms": round(statistics.fmean(lat.latencies_ms), 1) if lat.latencies_ms else 0.0,
            # how loaded the machine was while the latencies were taken: queueing for the
            # CPU is most of the tail
            "latency_cpu_ms_per_lifecycle": round(1000 * lat.cpu_seconds / max(lat.final, 1), 2),
            **{f"latency_{key}": value for key, value in _machine_figures(lat).items()},
            **{f"latency_{key}": value for key, value in _stall_figures(lat).items()},
            "cpu_seconds": round(main.cpu_seconds, 2),
            "cpu_ms_per_lifecycle": round(1000 * main.cpu_seconds / max(main.final, 1), 2),
            "peak_rss_mb": round(max(p.peak_rss_mb for p in self.phases), 1),
            **_machine_figures(main),
            **_stall_figures(main),
            "not_accepted": sum(p.not_accepted for p in self.phases),
            "broker_sched_policy": self.service_policies.get("broker"),
            "database_sched_policy": self.service_policies.get("database"),
            "shared_broker": self.shared_broker,
            "complete": self.complete,
            "ok": self.ok,
        }
        for workers, phase in sorted(self.throughput.items()):
            data[f"workers_{workers}_lifecycles_per_s"] = round(phase.per_s(phase.final), 1)
            data[f"workers_{workers}_cpu_seconds"] = round(phase.cpu_seconds, 2)
            data[f"workers_{workers}_final"] = phase.final
            data[f"workers_{workers}_not_accepted"] = phase.not_accepted
        return data


async def run_bench(settings: Settings, config: BenchConfig, console: Console) -> BenchResult:
    server_url = settings.database_url.get_secret_value()
    bench_url = await ensure_database(server_url)
    settings = settings.model_copy(update={"database_url": SecretStr(bench_url)})
    registry = load_registry()
    console.print(f"[bold cyan]bench[/] preparing: database {BENCH_DATABASE}, broker topology")
    await migrate_database(settings)
    await apply_topology(settings.amqp_url.get_secret_value(), build_topology(registry.peers()))
    postal = await start_postal_server(
        PostalSimConfig(
            client_id=settings.postal_client_id,
            client_secret=settings.postal_client_secret.get_secret_value(),
            time_scale=POSTAL_TIME_SCALE,
            step_delay_seconds=(600.0, 3600.0),
            delivery_failure_rate=0.1,
            seed=11,
        )
    )
    policies = service_policies()
    conn = await asyncpg.connect(bench_url)
    log_dir = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    bench = Bench(settings, config, console, registry, conn, postal, log_dir)
    try:
        console.print(f"[bold cyan]bench[/] worker logs in {log_dir}")
        throughput: dict[int, PhaseResult] = {}
        main_runs: list[PhaseResult] = []

        async def latency_then_throughput(hub: HubWorkers) -> PhaseResult:
            bench.progress(
                f"latency: {config.latency_dossiers} dossiers at {config.rate:g}/s, 1 worker"
            )
            latency = await bench.drive(hub, config.latency_dossiers, rate=config.rate)
            for run in range(1, config.throughput_runs + 1):
                of = (
                    f", run {run} of {config.throughput_runs}" if config.throughput_runs > 1 else ""
                )
                bench.progress(f"throughput: {config.dossiers} dossiers, 1 worker{of}")
                main_runs.append(await bench.drive(hub, config.dossiers, rate=None))
            throughput[1] = median_run(main_runs)
            return latency

        latency: PhaseResult = await bench.with_workers(1, latency_then_throughput)
        for workers in config.scale_workers:
            if workers in throughput:
                continue
            bench.progress(f"throughput: {config.dossiers} dossiers, {workers} workers")
            throughput[workers] = await bench.with_workers(
                workers, lambda hub: bench.drive(hub, config.dossiers, rate=None)
            )

        async def relay_hops(
            hops: HopResult, rate: float | None, *, record_in: asyncpg.Pool | None = None
        ) -> RelayResult:
            """The raw relay with a hop run's messages, at full speed or at ``rate``; with
            ``record_in``, each message recorded in the bench database first."""
            return await run_raw_relay(
                settings.amqp_url.get_secret_value(),
                count=hops.messages,
                size=hops.mean_bytes,
                prefetch=settings.prefetch,
                rate=rate,
                timeout_s=120.0 + (2 * hops.messages / rate if rate else 0.0),
                record_in=record_in,
            )

        pairs: list[HopPair] = []
        # the durable relay records through a pool like a hub worker's, on the bench database
        relay_pool = await open_pool(settings)
        try:
            for run in range(1, config.hop_runs + 1):
                of = f", run {run} of {config.hop_runs}" if config.hop_runs > 1 else ""
                bench.progress(f"hops: {config.hops} receptions waiting, 1 worker{of}")
                hops = await measure_hops(bench, config.hops, timeout_s=config.phase_timeout_s)
                bench.progress(
                    f"raw relay: {hops.messages} messages of {hops.mean_bytes} bytes{of}"
                )
                relay = await relay_hops(hops, None)
                bench.progress(f"durable relay: the same, each recorded in {BENCH_DATABASE}{of}")
                durable = await relay_hops(hops, None, record_in=relay_pool)
                pairs.append(HopPair(hops, relay, durable))
        finally:
            await relay_pool.close()
        chosen = median_pair(pairs)
        paced: RelayResult | None = None
        if chosen.hops.hops_per_s > 0:
            bench.progress(f"raw relay paced to the hub's {chosen.hops.hops_per_s:.0f} hops/s")
            paced = await relay_hops(chosen.hops, chosen.hops.hops_per_s)
    finally:
        await conn.close()
        await postal.stop()
    return BenchResult(
        latency=latency,
        throughput=throughput,
        hops=chosen.hops,
        relay=chosen.relay,
        durable_relay=chosen.durable,
        paced_relay=paced,
        rate=config.rate,
        shared_broker=bench.shared_broker,
        main_runs=tuple(main_runs),
        hop_pairs=tuple(pairs),
        service_policies=policies,
    )


def median_run(runs: Sequence[PhaseResult]) -> PhaseResult:
    """The run with the median lifecycles/s (of an even number, the slower of the middle
    two), so that all of the headline's figures come from one run."""
    return _lower_median(runs, lambda run: run.per_s(run.final), "throughput run")


def _machine_figures(phase: PhaseResult) -> dict[str, float | None]:
    """Where the machine's CPU went during a phase, per lifecycle: all of it, and the local
    broker's and database's share (None when that service runs elsewhere)."""
    if phase.machine is None:
        return {}
    figures = _per_unit(phase.machine, max(phase.final, 1), "per_lifecycle")
    if phase.bench_cpu_seconds is not None:
        figures["bench_process_cpu_ms_per_lifecycle"] = round(
            1000 * phase.bench_cpu_seconds / max(phase.final, 1), 2
        )
    return {"machine_busy_pct": round(100 * phase.machine.busy_share, 1), **figures}


def _stall_figures(phase: PhaseResult) -> dict[str, int]:
    """The workers' event-loop stalls during a phase (none when they were not read)."""
    if phase.loop_stalls is None:
        return {}
    return {
        "worker_loop_stalls": phase.loop_stalls.count,
        "worker_loop_stall_longest_ms": phase.loop_stalls.longest_ms,
    }


def _relay_figures(name: str, relay: RelayResult) -> dict[str, float | None]:
    """A relay run's rate and cost per message: the client's (this process) and, as for the
    hub's phases, the machine's, the broker's and the database's."""
    messages = max(relay.messages, 1)
    figures: dict[str, float | None] = {
        f"{name}_msgs_per_s": round(relay.msgs_per_s, 1),
        f"{name}_client_cpu_ms_per_msg": round(1000 * relay.client_cpu_seconds / messages, 3),
    }
    if relay.machine is not None:
        for key, value in _per_unit(relay.machine, messages, "per_msg", digits=3).items():
            figures[f"{name}_{key}"] = value
    return figures


def _durable_figures(
    pairs: Sequence[HopPair], durable: RelayResult | None, per_hop: float
) -> dict[str, Any]:
    """The durable relay of the median pair, the per-hop figure as a ratio of it, and every
    pair's durable relay rate (nothing when the bench ran none)."""
    if durable is None:
        return {}
    rate = durable.msgs_per_s
    return {
        **_relay_figures("durable_relay", durable),
        "ratio_to_durable_relay": round(per_hop / rate, 3) if rate else 0.0,
        "durable_relay_msgs_per_s_runs": [
            round(p.durable.msgs_per_s, 1) for p in pairs if p.durable is not None
        ],
    }


def _hop_machine_figures(hops: HopResult) -> dict[str, float | None]:
    """The same for the hop run, per hop."""
    if hops.machine is None:
        return {}
    return _per_unit(hops.machine, max(hops.hops, 1), "per_hop", digits=3)


def _per_unit(
    use: MachineUse, units: int, suffix: str, *, digits: int = 2
) -> dict[str, float | None]:
    def share(seconds: float | None) -> float | None:
        return None if seconds is None else round(1000 * seconds / units, digits)

    return {
        f"machine_cpu_ms_{suffix}": share(use.busy_seconds),
        f"broker_cpu_ms_{suffix}": share(use.services["broker"]),
        f"database_cpu_ms_{suffix}": share(use.services["database"]),
    }
