"""Stop and start the local RabbitMQ and PostgreSQL with the commands DEVELOPERS.md gives
(``rabbitmq-server -detached``, ``pg_ctlcluster --skip-systemctl-redirect <version> main
start``), for the recovery and chaos tests. Every restart leaves the service running, with
the scheduling policy it had when it was stopped (``python -m hub.bench.scheduling``)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

from hub.bench.scheduling import service_policies

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
AMQP_PORT = 5672


_stopped_with: dict[str, str | None] = {}
"""The scheduling policy of each service (by kind) when a test last stopped it."""


def _remember_policy(kind: str) -> None:
    _stopped_with[kind] = service_policies().get(kind)


def _with_policy(kind: str, command: list[str]) -> list[str]:
    """``command`` under ``chrt --batch`` when the service ran so before it was stopped (a
    restart from here would otherwise bring it back with the test's default policy)."""
    if _stopped_with.pop(kind, None) == "batch" and shutil.which("chrt") is not None:
        return ["chrt", "--batch", "0", *command]
    return command


def _as_root(command: list[str]) -> list[str]:
    if os.geteuid() == 0 or shutil.which("sudo") is None:
        return command
    return ["sudo", "-n", *command]


def _run(command: list[str], *, check: bool = True, timeout: float = 120) -> int:
    result = subprocess.run(
        _as_root(command), capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()[-500:]}")
    return result.returncode


def cannot_control(amqp_url: str, database_url: str) -> str | None:
    """Why this machine's services cannot be restarted by the tests, or None."""
    for tool in ("rabbitmqctl", "rabbitmq-server", "pg_ctlcluster", "pg_isready"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed here"
    for url in (amqp_url, database_url):
        if urlsplit(url).hostname not in LOCAL_HOSTS:
            return f"{urlsplit(url).hostname} is not this machine"
    if not Path("/etc/postgresql").is_dir():
        return "no PostgreSQL cluster under /etc/postgresql"
    return None


def _postgres_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[0]


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def rabbitmq_up() -> bool:
    node_up = _run(["rabbitmqctl", "-q", "await_startup", "--timeout", "5"], check=False) == 0
    return node_up and _accepts(AMQP_PORT)


def start_rabbitmq(timeout_s: float = 180) -> None:
    """``rabbitmq-server -detached`` unless it runs, then wait until it serves AMQP."""
    if rabbitmq_up():
        return
    _run(_with_policy("broker", ["rabbitmq-server", "-detached"]), check=False)
    deadline = time.monotonic() + timeout_s
    while not rabbitmq_up():
        if time.monotonic() > deadline:
            raise RuntimeError(f"RabbitMQ did not start within {timeout_s}s")
        time.sleep(1)


def restart_rabbitmq() -> float:
    """Stop the node, wait until it is gone, start it again; the seconds it was away."""
    started = time.monotonic()
    try:
        _remember_policy("broker")
        _run(["rabbitmqctl", "stop"], check=False)
        deadline = time.monotonic() + 60
        while _accepts(AMQP_PORT) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        start_rabbitmq()
    return time.monotonic() - started


def postgres_up() -> bool:
    return subprocess.run(["pg_isready", "-h", "localhost", "-q"], check=False).returncode == 0


def start_postgresql(timeout_s: float = 60) -> None:
    if not postgres_up():
        _run(
            _with_policy(
                "database",
                [
                    "pg_ctlcluster",
                    "--skip-systemctl-redirect",
                    _postgres_version(),
                    "main",
                    "start",
                ],
            ),
            check=False,
        )
    deadline = time.monotonic() + timeout_s
    while not postgres_up():
        if time.monotonic() > deadline:
            raise RuntimeError(f"PostgreSQL did not start within {timeout_s}s")
        time.sleep(0.5)


def stop_postgresql() -> None:
    """Stop the cluster in fast mode: open sessions are cut, as in a crash of the server."""
    version = _postgres_version()
    _remember_policy("database")
    _run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop", "-m", "fast"],
        check=False,
    )


def restart_postgresql(down_s: float = 2.0) -> float:
    """Stop the cluster, stay down a moment, start it again; the seconds it was away."""
    started = time.monotonic()
    try:
        stop_postgresql()
        time.sleep(down_s)
    finally:
        start_postgresql()
    return time.monotonic() - started
