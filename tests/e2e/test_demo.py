"""``hub demo`` end to end: simulators, hub workers, RabbitMQ and PostgreSQL, for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import aio_pika
import asyncpg
import pytest

from hub.broker_setup import apply_topology
from hub.demo.plan import choose_communes
from hub.registry import load_registry
from hub.topology import build_topology, peer_queue

FINAL_EVENT = {3: "dossier.refused", 7: "dossier.withdrawn", 10: "dossier.result_returned"}
AFTER_FINAL = {"dossier.rated", "dossier.fee_paid", "postal.status_changed"}
"""What may follow the final status: a rating, postal tracking, and a fee paid when the
result is handed over."""

pytestmark = [pytest.mark.e2e]


LAST_DEMO_DAY_TIMELINES = """
WITH demo_day AS (
    SELECT max(received_at)::date AS day FROM province.dossiers WHERE received_at < '2025-07-01'
)
SELECT d.code, d.status,
       array_agg(t.sequence ORDER BY t.sequence) AS seqs,
       array_agg(t.type ORDER BY t.sequence) AS types
FROM province.dossiers d JOIN province.timeline t ON t.dossier_code = d.code
WHERE d.received_at::date = (SELECT day FROM demo_day)
GROUP BY d.code, d.status
"""


def run_demo(amqp_url: str, database_url: str, dossiers: int) -> tuple[int, dict[str, int]]:
    env = os.environ | {"HUB_AMQP_URL": amqp_url, "HUB_DATABASE_URL": database_url}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hub.cli",
            "demo",
            "--dossiers",
            str(dossiers),
            "--json",
            "--timeout",
            "180",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"demo printed nothing on stdout; stderr:\n{done.stderr[-3000:]}"
    return done.returncode, json.loads(lines[-1])


async def _leave_stale_replies(amqp_url: str, units: list[str]) -> None:
    await apply_topology(amqp_url, build_topology(load_registry().peers()))
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for unit in units:
            body = json.dumps({"LoaiBanTin": "KhongTiepNhan", "MaHoSo": "stale"}).encode()
            await channel.default_exchange.publish(
                aio_pika.Message(body), routing_key=peer_queue(unit)
            )


async def test_every_demo_dossier_reaches_a_final_state_with_its_timeline_in_order(
    amqp_url: str, database_url: str
) -> None:
    # Given the demo's simulators and one hub worker on the real broker and database,
    # and a not-accepted reply an earlier run left on each of three communes' queues
    communes = [u.code for u in choose_communes(load_registry())[:3]]
    await _leave_stale_replies(amqp_url, communes)
    # When it drives 120 dossiers through
    code, summary = run_demo(amqp_url, database_url, 120)
    # Then every one is final, with the shares the demo promises
    assert code == 0, summary
    assert summary["not_accepted"] == 0  # the stale replies were purged, not counted
    assert summary["dossiers"] == 120
    assert summary["final"] == 120
    assert summary["open"] == 0
    assert summary["transferred"] >= 0.3 * 120
    assert summary["returned_by_post"] >= 0.2 * 120
    assert summary["communes"] >= 12
    assert summary["districts"] >= 2
    assert summary["timelines_incomplete"] == 0
    # And the provincial database holds every dossier with a gap-free, ordered timeline
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(LAST_DEMO_DAY_TIMELINES)
    finally:
        await conn.close()
    assert len(rows) == 120
    for row in rows:
        assert row["seqs"] == list(range(1, len(row["seqs"]) + 1)), row["code"]
        assert row["types"][0] == "dossier.received"
        # refused with its reason, withdrawn by the citizen, or the result returned; after
        # that only a rating or the post's tracking of an earlier letter may follow
        closing = FINAL_EVENT[row["status"]]
        last = len(row["types"]) - 1 - row["types"][::-1].index(closing)
        assert set(row["types"][last + 1 :]) <= AFTER_FINAL, row["code"]
    assert summary["refused"] > 0
    assert summary["supplements"] > 0
    assert summary["supplements"] == summary["resubmissions"]
    assert summary["withdrawals"] > 0
    # And some dossiers were linked procedure groups, every part of them settled
    assert summary["linked_groups"] > 0
    assert summary["linked_parts"] >= 2 * summary["linked_groups"]
    assert summary["linked_parts"] == (
        summary["linked_parts_resolved"] + summary["linked_parts_refused"]
    )
