"""A real worker (``hub run`` on the real RabbitMQ and PostgreSQL) whose event loop is held
up logs ``event_loop_stalled`` with how long, and the bench reads it from the worker's log."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from hub.bench.stalls import StallLog, Stalls
from hub.demo.workers import HubWorkers
from hub.settings import Settings
from tests.harness import worker_log

FROZEN_S = 0.6


async def _stalls_within(log: StallLog, timeout_s: float) -> Stalls:
    """The first stalls the log gains within ``timeout_s``, or none."""
    for _ in range(int(timeout_s / 0.1)):
        found = log.read()
        if found.count:
            return found
        await asyncio.sleep(0.1)
    return Stalls()


async def test_a_worker_frozen_for_a_while_logs_how_long_its_loop_was_held_up(
    hub_settings: Settings, tmp_path: Path
) -> None:
    # Given a worker whose watch warns from 200 ms, running and consuming
    log_dir = tmp_path / "logs"
    workers = HubWorkers(
        1,
        {
            "HUB_AMQP_URL": hub_settings.amqp_url.get_secret_value(),
            "HUB_DATABASE_URL": hub_settings.database_url.get_secret_value(),
            "HUB_POSTAL_API_URL": hub_settings.postal_api_url,
            "HUB_LOG_JSON": "true",
            "HUB_LOOP_STALL_WARN_MS": "200",
        },
        log_dir,
    )
    workers.start()
    pid = workers.processes[0].pid
    try:
        await workers.wait_ready(hub_settings.amqp_url.get_secret_value())
        log = StallLog(log_dir)
        log.read()  # whatever start-up logged
        # When its process is frozen (nothing in it runs) for 0.6 s, then let go
        os.kill(pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(FROZEN_S)
        finally:
            os.kill(pid, signal.SIGCONT)
        # Then it logs a stall about that long, which the bench's reader finds
        stalls = await _stalls_within(log, timeout_s=10.0)
        assert stalls.count >= 1, worker_log(log_dir)
        assert 0.8 * FROZEN_S * 1000 <= stalls.longest_ms < 10_000
    finally:
        await asyncio.to_thread(workers.stop)
