"""``hub demo``: the simulators and the hub, against the configured broker and database."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import asyncpg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from adapters.provincial_db import demo_summary
from adapters.provincial_db.queries import incomplete_timelines, last_received_before
from hub.bootstrap import migrate_database
from hub.broker_setup import apply_topology
from hub.deadlines import next_working_day
from hub.demo.lifecycle import lifecycle_counts, run_deadline_scans
from hub.demo.linked import linked_counts
from hub.demo.peer_queues import purge_peer_queues
from hub.demo.plan import DemoPlan, build_plan
from hub.demo.workers import HubWorkers
from hub.registry import load_registry
from hub.settings import Settings
from hub.topology import build_topology
from schemas import VIETNAM
from simulators.agency import AgencySimulator
from simulators.commune import CommuneSimulator
from simulators.peer import Delays
from simulators.postal_server import PostalSimConfig, start_postal_server

FIRST_DEMO_DAY = date(2019, 4, 1)
STALL_S = 4.0
"""Seconds without a dossier reaching a final state before the deadline scans run."""
LAST_SEED_ERA_DAY = date(2025, 6, 30)


@dataclass(frozen=True)
class DemoResult:
    dossiers: int
    communes: int
    districts: int
    received: int
    final: int
    open: int
    transferred: int
    resolved: int
    on_time: int
    late: int
    returned_in_person: int
    returned_by_post: int
    still_open: int
    refused: int
    supplements: int
    resubmissions: int
    withdrawals: int
    due_soon_warnings: int
    overdue_flagged: int
    apologies: int
    fees_paid: int
    ratings: int
    linked_groups: int
    linked_groups_complete: int
    linked_groups_with_refusal: int
    linked_parts: int
    linked_parts_resolved: int
    linked_parts_refused: int
    timelines_incomplete: int
    not_accepted: int
    seconds: float

    @property
    def ok(self) -> bool:
        return self.final == self.dossiers and self.timelines_incomplete == 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def next_demo_day(conn: asyncpg.Connection) -> date:
    """A seed-era working day no earlier demo used, so dossier codes never collide."""
    limit = datetime.combine(LAST_SEED_ERA_DAY, datetime.max.time(), VIETNAM)
    last = await last_received_before(conn, limit)
    if last is None:
        return FIRST_DEMO_DAY
    day = next_working_day(last.astimezone(VIETNAM).date())
    if day > LAST_SEED_ERA_DAY:
        raise RuntimeError("every seed-era demo day is used; drop the demo database to rerun")
    return day


async def run_demo(
    settings: Settings,
    *,
    dossiers: int,
    workers: int,
    timeout_s: float,
    console: Console,
    log_dir: Path | None = None,
) -> DemoResult:
    amqp_url = settings.amqp_url.get_secret_value()
    db_url = settings.database_url.get_secret_value()
    registry = load_registry()
    console.print("[bold]Preparing[/]: migrations, registry sync, broker topology")
    await migrate_database(settings)
    await apply_topology(amqp_url, build_topology(registry.peers()))
    conn = await asyncpg.connect(db_url)
    try:
        plan = build_plan(registry, day=await next_demo_day(conn), count=dossiers)
        stale = await purge_peer_queues(amqp_url, plan.simulated_units)
        if stale:
            console.print(
                f"[bold]Purged[/] {stale} stale message(s) from the simulated peers' queues "
                "(left by an earlier run or a test)"
            )
        postal = await start_postal_server(
            PostalSimConfig(
                client_id=settings.postal_client_id,
                client_secret=settings.postal_client_secret.get_secret_value(),
                time_scale=0.0003,
                step_delay_seconds=(600.0, 3600.0),
                delivery_failure_rate=0.1,
                seed=11,
            )
        )
        log_dir = log_dir or Path(tempfile.mkdtemp(prefix="hub-demo-"))
        hub = HubWorkers(
            workers,
            {"HUB_POSTAL_API_URL": postal.url, "HUB_LOG_JSON": "true", "HUB_LOG_LEVEL": "WARNING"},
            log_dir,
        )
        communes = CommuneSimulator(
            amqp_url, delays=Delays(0.05, 0.6), seed=1, units=[u.code for u in plan.communes]
        )
        agencies = AgencySimulator(
            amqp_url,
            delays=Delays(0.1, 1.0),
            seed=2,
            refuse_share=0.05,
            supplement_share=0.1,
            hold_share=0.08,
            group_refuse_share=0.25,
            units=[u.code for u in plan.agencies],
        )
        try:
            console.print(
                f"[bold]Starting[/] {workers} hub worker(s) (logs in {log_dir}), "
                f"postal service at {postal.url}"
            )
            hub.start()
            await hub.wait_ready(amqp_url)
            await communes.start()
            await agencies.start()
            started = asyncio.get_running_loop().time()
            result = await _drive(
                conn, plan, communes, console, timeout_s, lambda: _deadlines(settings, conn, plan)
            )
            elapsed = asyncio.get_running_loop().time() - started
        finally:
            await communes.close()
            await agencies.close()
            await asyncio.to_thread(hub.stop)
            await postal.stop()
        codes = [d.code for d in plan.dossiers]
        summary = await demo_summary(conn, codes)
        return DemoResult(
            dossiers=summary.dossiers,
            communes=len(plan.communes),
            districts=len({u.district_code for u in plan.communes}),
            received=result,
            final=summary.final,
            open=summary.open,
            transferred=summary.transferred,
            resolved=summary.resolved,
            on_time=summary.on_time,
            late=summary.late,
            returned_in_person=summary.returned_in_person,
            returned_by_post=summary.returned_by_post,
            still_open=summary.still_open,
            refused=summary.refused,
            **await lifecycle_counts(conn, codes),
            **await linked_counts(conn, codes),
            timelines_incomplete=await incomplete_timelines(conn, codes),
            not_accepted=len(communes.rejections) + len(agencies.rejections),
            seconds=round(elapsed, 1),
        )
    finally:
        await conn.close()


async def _deadlines(settings: Settings, conn: asyncpg.Connection, plan: DemoPlan) -> None:
    await run_deadline_scans(settings, conn, [d.code for d in plan.dossiers])


async def _drive(
    conn: asyncpg.Connection,
    plan: DemoPlan,
    communes: CommuneSimulator,
    console: Console,
    timeout_s: float,
    on_stall: Callable[[], Awaitable[None]],
) -> int:
    """Register every dossier, then follow progress until all are final or time is up.
    When progress stalls (dossiers the agencies left for the deadline warnings), run the
    deadline scans once."""
    codes = [d.code for d in plan.dossiers]
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        sent = progress.add_task("registered", total=len(codes), detail="")
        done = progress.add_task("final", total=len(codes), detail="")
        for index, spec in enumerate(plan.dossiers, start=1):
            await communes.register(spec)
            progress.update(sent, completed=index)
            if index % 50 == 0:
                await asyncio.sleep(0.1)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        last_final, last_change, scanned = -1, loop.time(), False
        while True:
            summary = await demo_summary(conn, codes)
            progress.update(
                done,
                completed=summary.final,
                detail=(
                    f"received {summary.dossiers} · transferred {summary.transferred} · "
                    f"resolved {summary.resolved} · by post {summary.returned_by_post}"
                ),
            )
            if summary.final >= len(codes) or loop.time() > deadline:
                return summary.dossiers
            if summary.final != last_final:
                last_final, last_change = summary.final, loop.time()
            elif not scanned and loop.time() - last_change > STALL_S:
                progress.update(done, detail="deadline scans (simulated clock)")
                await on_stall()
                scanned = True
            await asyncio.sleep(0.5)
