"""Hub worker processes for the demo and the tests: ``hub run`` as a child process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import aio_pika

from hub.errors import RunStopped
from hub.topology import HUB_CONSUMED_QUEUES, INGRESS_QUEUES

WORKER_LOG = "hub-worker-{index}.log"
"""The file in ``log_dir`` that worker ``index`` writes its output to, appended to start
after start (:mod:`hub.bench.stalls` reads every worker's with ``index="*"``)."""


class WorkerExited(RunStopped):
    """A hub worker process a run depends on exited (its log says why)."""


@dataclass
class HubWorkers:
    count: int
    env: dict[str, str]
    log_dir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for index in range(self.count):
            self.start_one(index)

    def start_one(self, index: int) -> subprocess.Popen[bytes]:
        log = (self.log_dir / WORKER_LOG.format(index=index)).open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "run"],
            env=os.environ
            | {"HUB_WORKER_INDEX": str(index), "HUB_WORKER_COUNT": str(self.count)}
            | self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if index < len(self.processes):
            self.processes[index] = process
        else:
            self.processes.append(process)
        return process

    async def wait_ready(self, amqp_url: str, timeout_s: float = 90.0) -> None:
        """Until every hub queue has a consumer per worker (or a worker died); an ingress
        shard needs one (its other consumers stand by, single active consumer)."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            while True:
                for process in self.processes:
                    if process.poll() is not None:
                        raise WorkerExited(
                            f"hub worker exited with {process.returncode}; see {self.log_dir}"
                        )
                ready = True
                for name in HUB_CONSUMED_QUEUES:
                    queue = await channel.declare_queue(name, passive=True)
                    result = queue.declaration_result
                    count = (result.consumer_count or 0) if result else 0
                    ready &= count >= (1 if name in INGRESS_QUEUES else self.count)
                if ready:
                    return
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(
                        f"hub workers not consuming after {timeout_s}s; see {self.log_dir}"
                    )
                await asyncio.sleep(0.3)

    def stop(self, timeout_s: float = 20.0) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
