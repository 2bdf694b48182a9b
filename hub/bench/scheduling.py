"""The Linux scheduling policy of the local RabbitMQ and PostgreSQL: read for the bench's
report, and set by ``python -m hub.bench.scheduling batch`` (``default`` sets it back,
``show`` prints it).

On a small machine that the broker, the database and the hub share, RabbitMQ's scheduler
threads and PostgreSQL's backends wake up several times per message. Under the default
policy (``SCHED_OTHER``) a thread that wakes up may preempt the process that woke it: the
hub worker is switched out in the middle of its work, and each wake-up carries a few
messages' work instead of many. Under ``SCHED_BATCH`` a woken thread does not preempt; it
runs when the running one blocks or its time slice ends (the share of CPU stays the same).
On the development machine that took RabbitMQ's CPU per lifecycle from ~3.3 to ~1.8 ms and
the hub from ~140 to ~180 lifecycles/s (docs/performance-history.md). Durability is untouched: the
same writes and fsyncs happen, only when the threads run changes.

A policy is inherited on fork: PostgreSQL's new backends (forked from the postmaster) take
the postmaster's. A service restarted from a shell starts with the shell's policy again.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from hub.bench.procstats import SERVICE_COMMANDS, read_stat, service_kind

POLICY_NAMES: dict[int, str] = {
    os.SCHED_OTHER: "other",
    os.SCHED_BATCH: "batch",
    os.SCHED_IDLE: "idle",
    os.SCHED_FIFO: "fifo",
    os.SCHED_RR: "rr",
}


def service_tasks(proc: Path = Path("/proc")) -> dict[str, list[int]]:
    """The thread ids of every local service process, by kind (see
    :data:`hub.bench.procstats.SERVICE_COMMANDS`); a kind with no process here is absent."""
    found: dict[str, list[int]] = {}
    for entry in sorted(proc.iterdir(), key=lambda e: e.name):
        if not entry.name.isdigit():
            continue
        stat = read_stat(proc, entry.name)
        kind = service_kind(stat[0]) if stat is not None else None
        if kind is None:
            continue
        try:
            tids = [int(t.name) for t in (entry / "task").iterdir() if t.name.isdigit()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        found.setdefault(kind, []).extend(sorted(tids))
    return found


def policy_of(
    tids: Iterable[int], read: Callable[[int], int] = os.sched_getscheduler
) -> str | None:
    """``"batch"``, ``"other"``… when every thread has that policy, ``"mixed"`` when they
    differ, None when there is no thread (or none left to read)."""
    names = set()
    for tid in tids:
        try:
            names.add(POLICY_NAMES.get(read(tid), "unknown"))
        except (ProcessLookupError, PermissionError):
            continue
    if not names:
        return None
    return names.pop() if len(names) == 1 else "mixed"


def service_policies(proc: Path = Path("/proc")) -> dict[str, str | None]:
    """The policy of each local service, by kind; None for one that does not run here."""
    tasks = service_tasks(proc)
    return {kind: policy_of(tasks.get(kind, [])) for kind in SERVICE_COMMANDS}


def set_policy(tids: Iterable[int], policy: int) -> list[int]:
    """Give every thread ``policy`` (priority 0); the threads that refused (permission).
    A thread that ended meanwhile is skipped."""
    refused = []
    for tid in tids:
        try:
            os.sched_setscheduler(tid, policy, os.sched_param(0))
        except ProcessLookupError:
            continue
        except PermissionError:
            refused.append(tid)
    return refused


COMMANDS: dict[str, int | None] = {"batch": os.SCHED_BATCH, "default": os.SCHED_OTHER, "show": None}


def main(argv: Sequence[str] | None = None, proc: Path = Path("/proc")) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hub.bench.scheduling",
        description="Set or show the scheduling policy of every thread of the local RabbitMQ "
        "(beam.smp) and PostgreSQL processes: 'batch' (SCHED_BATCH: a woken thread does not "
        "preempt the running one), 'default' (SCHED_OTHER), 'show'. Changing another user's "
        "processes needs root.",
    )
    parser.add_argument("command", choices=list(COMMANDS), nargs="?", default="show")
    args = parser.parse_args(argv)
    tasks = service_tasks(proc)
    if not tasks:
        print("no local RabbitMQ (beam.smp) or PostgreSQL (postgres) process", file=sys.stderr)
        return 1
    policy = COMMANDS[args.command]
    failed = False
    for kind in SERVICE_COMMANDS:
        tids = tasks.get(kind, [])
        if policy is not None and tids:
            refused = set_policy(tids, policy)
            if refused:
                failed = True
                print(f"{kind}: {len(refused)} of {len(tids)} threads refused", file=sys.stderr)
        print(f"{kind}: {policy_of(tids) or 'not running here'} ({len(tids)} threads)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
