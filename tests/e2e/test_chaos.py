"""Chaos: dossiers flow through the demo topology with two hub workers while workers are
killed (SIGKILL) and RabbitMQ and PostgreSQL are restarted. Afterwards every dossier must
have reached exactly one final state, nothing may be duplicated, and every message the
peers got confirmed must be processed or parked with a reason.

``pytest -m chaos`` runs the full form (2,000 dossiers, several kills); the plain suite
(``make test``) runs a bounded form. ``CHAOS_DOSSIERS`` overrides the size. The last line
printed is one JSON object with the counts."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from adapters.provincial_db import demo_summary
from adapters.provincial_db.queries import FINAL
from hub.bootstrap import migrate_database
from hub.broker_setup import apply_topology
from hub.demo.plan import build_plan
from hub.demo.runner import next_demo_day
from hub.demo.workers import HubWorkers
from hub.registry import load_registry
from hub.settings import Settings
from hub.topology import build_topology
from simulators.agency import AgencySimulator
from simulators.commune import CommuneSimulator
from simulators.peer import Delays, message_id_of
from simulators.postal_server import PostalSimConfig, start_postal_server
from tests import service_control
from tests.chaos_report import CHAOS_COUNTS
from tests.harness import worker_log

pytestmark = [pytest.mark.e2e, pytest.mark.chaos]

ONCE_PER_DOSSIER = (
    "dossier.received",
    "dossier.transferred",
    "dossier.accepted",
    "dossier.result_issued",
    "dossier.result_returned",
    "dossier.refused",
    "dossier.withdrawn",
    "dossier.processing_stopped",
)
FINAL_EVENTS = (
    "dossier.result_returned",
    "dossier.refused",
    "dossier.withdrawn",
    "dossier.processing_stopped",
)


@dataclass(frozen=True)
class ChaosPlan:
    dossiers: int
    rate_per_s: float
    kills: int
    timeout_s: float


FULL = ChaosPlan(dossiers=2000, rate_per_s=40, kills=4, timeout_s=900)
BOUNDED = ChaosPlan(dossiers=200, rate_per_s=40, kills=1, timeout_s=300)


def chaos_plan(config: pytest.Config) -> ChaosPlan:
    chosen = FULL if "chaos" in str(config.getoption("markexpr") or "") else BOUNDED
    if size := os.environ.get("CHAOS_DOSSIERS"):
        chosen = ChaosPlan(int(size), chosen.rate_per_s, chosen.kills, chosen.timeout_s)
    return chosen


async def with_db(db_url: str, query: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
    """Run ``query`` on a fresh connection, waiting out a database restart."""
    for _ in range(120):
        try:
            conn = await asyncpg.connect(db_url, timeout=5)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            await asyncio.sleep(0.5)
            continue
        try:
            return await query(conn)
        finally:
            await conn.close()
    raise RuntimeError("the database did not come back")


@dataclass
class Chaos:
    """Kills workers and restarts services, logging what it did and when."""

    workers: HubWorkers
    started: float
    events: list[str]

    def note(self, what: str) -> None:
        line = f"{time.monotonic() - self.started:6.1f}s {what}"
        self.events.append(line)
        print(line, flush=True)

    async def kill_worker(self, index: int) -> None:
        process = self.workers.processes[index]
        process.send_signal(signal.SIGKILL)
        await asyncio.to_thread(process.wait)
        self.note(f"SIGKILL worker {index} (pid {process.pid})")
        await asyncio.sleep(1.0)
        self.workers.start_one(index)
        self.note(f"worker {index} restarted (pid {self.workers.processes[index].pid})")

    async def restart_rabbitmq(self) -> None:
        self.note("stopping RabbitMQ")
        away = await asyncio.to_thread(service_control.restart_rabbitmq)
        self.note(f"RabbitMQ back after {away:.1f}s")

    async def restart_postgresql(self) -> None:
        self.note("stopping PostgreSQL")
        away = await asyncio.to_thread(service_control.restart_postgresql)
        self.note(f"PostgreSQL back after {away:.1f}s")

    async def run(self, plan: ChaosPlan) -> None:
        """Spread over the registration window: kills, one RabbitMQ and one PostgreSQL
        restart."""
        window = max(plan.dossiers / plan.rate_per_s, 8.0)
        steps: list[tuple[float, Callable[[], Awaitable[None]]]] = []
        for k in range(plan.kills):
            steps.append((window * (0.1 + 0.8 * k / max(plan.kills, 1)), self._killer(k % 2)))
        steps.append((window * 0.3, self.restart_rabbitmq))
        steps.append((window * 0.6, self.restart_postgresql))
        for at, action in sorted(steps, key=lambda s: s[0]):
            delay = self.started + at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await action()

    def _killer(self, index: int) -> Callable[[], Awaitable[None]]:
        return lambda: self.kill_worker(index)


async def register_all(communes: CommuneSimulator, specs: Any, rate_per_s: float) -> None:
    started = time.monotonic()
    for index, spec in enumerate(specs):
        await communes.register(spec)
        ahead = started + (index + 1) / rate_per_s - time.monotonic()
        if ahead > 0:
            await asyncio.sleep(ahead)


COUNT_REPEATS = """
-- once per dossier, or once per part of a linked group (a part's own events name it; its
-- hand-off names the part's unit)
SELECT coalesce(sum(n - 1), 0) FROM (
    SELECT count(*) AS n FROM province.timeline
    WHERE dossier_code = ANY($1::text[]) AND type = ANY($2::text[])
    GROUP BY dossier_code, type, coalesce(payload->>'part', payload->>'to_unit')
    HAVING count(*) > 1
) repeats
"""
COUNT_POSTAL_REPEATS = """
SELECT coalesce(sum(n - 1), 0) FROM (
    SELECT count(*) AS n FROM province.postal_orders WHERE dossier_code = ANY($1::text[])
    GROUP BY dossier_code HAVING count(*) > 1
) repeats
"""
COUNT_MULTIPLE_FINALS = """
SELECT count(*) FROM (
    SELECT dossier_code FROM province.timeline
    WHERE dossier_code = ANY($1::text[]) AND type = ANY($2::text[])
      AND payload->>'part' IS NULL  -- a linked group's part may be refused; the dossier goes on
    GROUP BY dossier_code HAVING count(*) > 1
) twice
"""


async def tally(
    conn: asyncpg.Connection, codes: list[str], confirmed: list[str], first_letter: int
) -> tuple[dict[str, int], list[str]]:
    """The counts, and the confirmed message ids neither processed nor parked."""
    summary = await demo_summary(conn, codes)
    repeats = int(await conn.fetchval(COUNT_REPEATS, codes, list(ONCE_PER_DOSSIER)))
    postal_repeats = int(await conn.fetchval(COUNT_POSTAL_REPEATS, codes))
    multiple_finals = int(await conn.fetchval(COUNT_MULTIPLE_FINALS, codes, list(FINAL_EVENTS)))
    letters = await conn.fetch(
        "SELECT body, reason_code FROM hub.dead_letters WHERE id > $1", first_letter
    )
    parked_ids = {message_id_of(bytes(r["body"])) for r in letters}
    processed = {
        str(r["message_id"])
        for r in await conn.fetch(
            "SELECT message_id FROM hub.inbox WHERE message_id = ANY($1::uuid[])", confirmed
        )
    }
    unaccounted = [m for m in confirmed if m not in processed and m not in parked_ids]
    parked_text = b"".join(bytes(r["body"]) for r in letters)
    open_codes = await conn.fetch(
        "SELECT code FROM province.dossiers WHERE code = ANY($1::text[]) AND NOT status = ANY($2)",
        codes,
        FINAL,
    )
    missing = len(codes) - summary.dossiers
    stuck = [r["code"] for r in open_codes if r["code"].encode() not in parked_text]
    return {
        "dossiers": len(codes),
        "registered": summary.dossiers,
        "final": summary.final,
        "duplicates": repeats + postal_repeats + multiple_finals,
        "lost": len(unaccounted) + missing + len(stuck),
        "parked": len(letters),
        "confirmed_messages": len(confirmed),
    }, unaccounted


@pytest.mark.timeout(1500)  # the full form: 2,000 dossiers and several restarts
async def test_chaos_every_dossier_final_once_nothing_lost(
    request: pytest.FixtureRequest, amqp_url: str, database_url: str, tmp_path: Path
) -> None:
    reason = service_control.cannot_control(amqp_url, database_url)
    if reason is not None:
        pytest.skip(f"cannot restart the services: {reason}")
    plan = chaos_plan(request.config)
    registry = load_registry()
    postal = await start_postal_server(PostalSimConfig(time_scale=0.0002, seed=3))
    settings = Settings(amqp_url=amqp_url, database_url=database_url, postal_api_url=postal.url)
    await migrate_database(settings)
    await apply_topology(amqp_url, build_topology(registry.peers()))
    day = await with_db(database_url, next_demo_day)
    first_letter = await with_db(
        database_url, lambda c: c.fetchval("SELECT coalesce(max(id), 0) FROM hub.dead_letters")
    )
    demo = build_plan(registry, day=day, count=plan.dossiers)
    codes = [d.code for d in demo.dossiers]
    workers = HubWorkers(
        2,
        {
            "HUB_AMQP_URL": amqp_url,
            "HUB_DATABASE_URL": database_url,
            "HUB_POSTAL_API_URL": postal.url,
            "HUB_POSTAL_POLL_SECONDS": "0.5",
            "HUB_LOG_JSON": "true",
            "HUB_LOG_LEVEL": "INFO",
        },
        tmp_path / "logs",
    )
    communes = CommuneSimulator(
        amqp_url, delays=Delays(0.05, 0.5), seed=1, units=[u.code for u in demo.communes]
    )
    agencies = AgencySimulator(
        amqp_url,
        delays=Delays(0.1, 0.8),
        seed=2,
        refuse_share=0.05,
        units=[u.code for u in demo.agencies],
    )
    counts: dict[str, int] = {}
    chaos = Chaos(workers, time.monotonic(), [])
    try:
        workers.start()
        await workers.wait_ready(amqp_url)
        await communes.start()
        await agencies.start()
        chaos.started = time.monotonic()
        await asyncio.gather(
            register_all(communes, demo.dossiers, plan.rate_per_s), chaos.run(plan)
        )
        chaos.note(f"all {plan.dossiers} dossiers registered; waiting for final states")
        deadline = time.monotonic() + plan.timeout_s
        while time.monotonic() < deadline:
            summary = await with_db(database_url, lambda c: demo_summary(c, codes))
            if summary.final >= len(codes):
                break
            await asyncio.sleep(1.0)
        await asyncio.sleep(2.0)  # late duplicates, if any, would land now
        confirmed = [*communes.confirmed_ids, *agencies.confirmed_ids]
        bodies = communes.confirmed_bodies | agencies.confirmed_bodies
        counts, unaccounted = await with_db(
            database_url, lambda c: tally(c, codes, confirmed, int(first_letter))
        )
        chaos.note(f"settled: {counts}")
        for message_id in unaccounted[:10]:
            print("neither processed nor parked:", bodies[message_id][:400].decode())
    finally:
        await communes.close()
        await agencies.close()
        await asyncio.to_thread(workers.stop)
        await postal.stop()
        await asyncio.to_thread(service_control.start_rabbitmq)
        await asyncio.to_thread(service_control.start_postgresql)
        if not counts or counts["lost"] or counts["duplicates"]:
            print(worker_log(tmp_path / "logs"))
    request.config.stash[CHAOS_COUNTS] = counts
    print(json.dumps(counts))
    assert counts["lost"] == 0, counts
    assert counts["duplicates"] == 0, counts
    assert counts["final"] == counts["dossiers"] == counts["registered"], counts
