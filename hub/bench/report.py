"""The bench's figures: a table for people (stderr), one JSON object for machines (stdout)."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from hub.bench.runner import BenchResult
from hub.bench.stalls import STALL_WARN_MS

TARGETS: dict[str, tuple[str, float]] = {
    "ratio_to_raw_relay": (">=", 0.6),
    "lifecycles_per_s": (">=", 150.0),
    "p99_ms": ("<=", 200.0),
    "peak_rss_mb": ("<=", 200.0),
}

ROWS = (
    ("lifecycles_per_s", "Lifecycles/s (1 worker, median run)"),
    ("lifecycles_per_s_runs", "  every 1-worker run"),
    ("workers_1_lifecycles_per_s", "  with 1 worker"),
    ("workers_2_lifecycles_per_s", "  with 2 workers"),
    ("messages_per_s", "Broker messages/s (1 worker)"),
    ("hub_per_hop_msgs_per_s", "Hub per-hop msgs/s (receptions waiting, 1 worker)"),
    ("hop_cpu_ms", "  worker CPU ms per hop"),
    ("machine_cpu_ms_per_hop", "  machine CPU ms per hop (every process)"),
    ("broker_cpu_ms_per_hop", "    of which RabbitMQ (when local)"),
    ("database_cpu_ms_per_hop", "    of which PostgreSQL (when local)"),
    ("raw_relay_msgs_per_s", "Raw aio-pika relay msgs/s"),
    ("raw_relay_client_cpu_ms_per_msg", "  relay client CPU ms per message"),
    ("raw_relay_machine_cpu_ms_per_msg", "  machine CPU ms per message"),
    ("raw_relay_broker_cpu_ms_per_msg", "    of which RabbitMQ (when local)"),
    ("durable_relay_msgs_per_s", "Durable relay msgs/s (raw relay + one committed INSERT)"),
    ("durable_relay_client_cpu_ms_per_msg", "  relay client CPU ms per message"),
    ("durable_relay_machine_cpu_ms_per_msg", "  machine CPU ms per message"),
    ("durable_relay_database_cpu_ms_per_msg", "    of which PostgreSQL (when local)"),
    ("paced_relay_msgs_per_s", "Raw relay paced to the hub's hop rate, msgs/s"),
    ("paced_relay_client_cpu_ms_per_msg", "  relay client CPU ms per message"),
    ("paced_relay_broker_cpu_ms_per_msg", "  RabbitMQ CPU ms per message (when local)"),
    ("ratio_to_raw_relay", "Per-hop ÷ raw relay (median pair)"),
    ("ratio_to_raw_relay_runs", "  every hop run ÷ its relay run"),
    ("ratio_to_durable_relay", "Per-hop ÷ durable relay (median pair)"),
    ("durable_relay_msgs_per_s_runs", "  every durable relay run, msgs/s"),
    ("lifecycle_deliveries_per_s", "Hub deliveries/s in the 1-worker throughput run"),
    ("lifecycle_ratio_to_raw_relay", "  ÷ raw relay"),
    ("events_per_s", "Events projected/s (1 worker)"),
    ("events_per_message", "  events per batch message"),
    ("p50_ms", "Hub latency p50 ms (publish → status 9 notice − agency time)"),
    ("p95_ms", "Latency p95 ms"),
    ("p99_ms", "Latency p99 ms"),
    ("e2e_p50_ms", "End-to-end p50 ms (peer think time included)"),
    ("e2e_p99_ms", "End-to-end p99 ms"),
    ("postal_p50_ms", "Postal return p50 ms (commune 9 → final 10 notice)"),
    ("postal_p99_ms", "Postal return p99 ms"),
    ("latency_machine_busy_pct", "Machine busy % of all cores (latency run)"),
    ("latency_machine_cpu_ms_per_lifecycle", "  machine CPU ms per lifecycle (every process)"),
    ("latency_cpu_ms_per_lifecycle", "  of which the worker"),
    ("latency_worker_loop_stalls", f"Worker event-loop stalls ≥ {STALL_WARN_MS} ms (latency run)"),
    ("latency_worker_loop_stall_longest_ms", "  longest stall ms"),
    ("cpu_seconds", "Worker CPU seconds (1-worker throughput run)"),
    ("cpu_ms_per_lifecycle", "  CPU ms per lifecycle"),
    ("machine_busy_pct", "Machine busy % of all cores (1-worker throughput run)"),
    ("machine_cpu_ms_per_lifecycle", "  machine CPU ms per lifecycle (every process)"),
    ("broker_cpu_ms_per_lifecycle", "  of which RabbitMQ (when local)"),
    ("database_cpu_ms_per_lifecycle", "  of which PostgreSQL (when local)"),
    ("bench_process_cpu_ms_per_lifecycle", "  of which the bench process (simulated peers)"),
    ("worker_loop_stalls", f"Worker event-loop stalls ≥ {STALL_WARN_MS} ms (1-worker run)"),
    ("worker_loop_stall_longest_ms", "  longest stall ms"),
    ("peak_rss_mb", "Peak RSS MB per worker"),
    ("not_accepted", "Messages not accepted"),
    ("broker_sched_policy", "RabbitMQ's scheduling policy (when local)"),
    ("database_sched_policy", "PostgreSQL's scheduling policy (when local)"),
)

SERVICE_NAMES = {"broker": "RabbitMQ", "database": "PostgreSQL"}


def verdict(key: str, value: float) -> str:
    if key not in TARGETS:
        return ""
    op, target = TARGETS[key]
    met = value >= target if op == ">=" else value <= target
    mark = "[green]met[/]" if met else "[red]not met[/]"
    return f"{op} {target:g}  {mark}"


def print_report(result: BenchResult, console: Console, *, as_json: bool) -> None:
    data = result.as_dict()
    table = Table(
        title=f"Hub bench: {data['dossiers']} dossiers, latency at {data['rate']:g}/s",
        show_header=True,
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target")
    for key, label in ROWS:
        if key not in data:
            continue
        value = data[key]
        if value is None:  # a service that does not run on this machine
            table.add_row(label, "n/a", "")
        elif isinstance(value, list):
            table.add_row(label, " / ".join(str(v) for v in value), "")
        elif isinstance(value, str):
            table.add_row(label, value, "")
        else:
            table.add_row(label, str(value), verdict(key, float(value)))
    console.print(table)
    for workers, phase in sorted(result.throughput.items()):
        if phase.final < phase.dossiers:
            console.print(
                f"[yellow]{workers} worker(s): {phase.dossiers - phase.final} of "
                f"{phase.dossiers} dossiers still open at the end "
                f"({phase.not_accepted} messages not accepted)[/]"
            )
    if result.latency.final < result.latency.dossiers:
        console.print("[red]the latency run left dossiers open[/]")
    default = [
        SERVICE_NAMES[kind] for kind, policy in result.service_policies.items() if policy == "other"
    ]
    if default:
        verb = "runs" if len(default) == 1 else "run"
        console.print(
            f"[yellow]note[/]: {' and '.join(default)} {verb} with the default scheduling "
            "policy. Where they share a small machine with the hub, `make sched-batch` "
            "(python -m hub.bench.scheduling batch) stops their threads preempting the hub "
            "at every wake-up (a quarter less machine CPU per lifecycle on the development "
            "machine; docs/performance.md)."
        )
    if result.shared_broker:
        console.print("[red]another hub consumed from the same queues: figures unreliable[/]")
    if as_json:
        print(json.dumps(data), flush=True)
