"""``hub bench --quick`` end to end: it runs against the real broker and database and reports
every figure. Speed is the machine's business, so no figure is compared with a target here."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.e2e]

REQUIRED = (
    "dossiers",
    "lifecycles_per_s",
    "messages_per_s",
    "events_per_s",
    "events_per_message",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "hub_per_hop_msgs_per_s",
    "hop_cpu_ms",
    "raw_relay_msgs_per_s",
    "ratio_to_raw_relay",
    "raw_relay_client_cpu_ms_per_msg",
    "durable_relay_msgs_per_s",
    "durable_relay_client_cpu_ms_per_msg",
    "ratio_to_durable_relay",
    "paced_relay_msgs_per_s",
    "paced_relay_client_cpu_ms_per_msg",
    "bench_process_cpu_ms_per_lifecycle",
    "lifecycle_deliveries_per_s",
    "lifecycle_ratio_to_raw_relay",
    "cpu_seconds",
    "peak_rss_mb",
    "workers_1_lifecycles_per_s",
    "workers_2_lifecycles_per_s",
)


def test_quick_bench_reports_every_figure(amqp_url: str, database_url: str) -> None:
    # Given the real broker and database server (the bench makes its own hub_bench database)
    env = os.environ | {"HUB_AMQP_URL": amqp_url, "HUB_DATABASE_URL": database_url}
    # When the quick bench runs
    done = subprocess.run(
        [sys.executable, "-m", "hub.cli", "bench", "--quick", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    # Then it exits 0 and its last stdout line is one JSON object with every figure positive
    lines = done.stdout.strip().splitlines()
    assert lines, f"bench printed nothing on stdout; stderr:\n{done.stderr[-3000:]}"
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(lines[-1])
    for key in REQUIRED:
        value = figures.get(key)
        assert isinstance(value, int | float), (key, value)
        assert value > 0, (key, value)
    # And where the machine's CPU went: all of it, and the broker's and database's share
    # (null only when that service runs on another machine)
    assert 0 < figures["machine_busy_pct"] <= 100
    assert figures["machine_cpu_ms_per_lifecycle"] > figures["cpu_ms_per_lifecycle"]
    for key in ("broker_cpu_ms_per_lifecycle", "database_cpu_ms_per_lifecycle"):
        assert key in figures, key
        assert figures[key] is None or figures[key] > 0, (key, figures[key])
    # And the quick bench makes one one-worker throughput run, which is the headline
    assert figures["throughput_runs"] == 1
    assert figures["lifecycles_per_s_runs"] == [figures["lifecycles_per_s"]]
    # And the workers' event-loop stalls of the latency and the throughput run, counted
    for key in ("worker_loop_stalls", "latency_worker_loop_stalls"):
        assert isinstance(figures[key], int), (key, figures[key])
        assert figures[key] >= 0, (key, figures[key])
    # And one hop run with its relay run, whose ratio is the headline
    assert figures["hop_runs"] == 1
    assert figures["ratio_to_raw_relay_runs"] == [figures["ratio_to_raw_relay"]]
    # with its durable relay run, the second baseline
    assert figures["durable_relay_msgs_per_s_runs"] == [figures["durable_relay_msgs_per_s"]]
