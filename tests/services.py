"""Find RabbitMQ and PostgreSQL for tests: environment, else local defaults, else
testcontainers (when a Docker engine answers), else fail saying how to start them.
Tests never skip because a service is missing."""

from __future__ import annotations

import os
import socket
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

from hub.preflight import HOW_TO_START as HOW_TO_START_SERVICE

LOCAL_AMQP = "amqp://guest:guest@localhost:5672/"
LOCAL_POSTGRES = "postgresql://postgres@localhost:5432/postgres"

HOW_TO_START = (
    "{name} is not reachable at {url}. Start it (on the development machine: {command}), "
    "set {env} to a reachable URL, or run a Docker engine so testcontainers can start one."
)
START_COMMANDS = HOW_TO_START_SERVICE


def reachable(url: str, timeout: float = 1.0) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "localhost", parts.port or 0), timeout):
            return True
    except OSError:
        return False


def _docker_available() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env().ping()
    except Exception:
        return False
    return True


def resolve(name: str, env: str, default: str, stack: ExitStack) -> str:
    url = os.environ.get(env)
    if url:
        if not reachable(url):
            raise RuntimeError(
                HOW_TO_START.format(name=name, url=url, command=START_COMMANDS[name], env=env)
            )
        return url
    if reachable(default):
        return default
    if _docker_available():
        return _start_container(name, stack)
    raise RuntimeError(
        HOW_TO_START.format(name=name, url=default, command=START_COMMANDS[name], env=env)
    )


ENABLED_PLUGINS = Path(__file__).resolve().parents[1] / "deploy" / "rabbitmq-enabled-plugins"
"""The plugins the hub needs (the consistent-hash exchange of the ingress shards)."""


def _start_container(name: str, stack: ExitStack) -> str:
    if name == "RabbitMQ":
        from testcontainers.rabbitmq import RabbitMqContainer

        container = RabbitMqContainer("rabbitmq:3.13-management").with_volume_mapping(
            str(ENABLED_PLUGINS), "/etc/rabbitmq/enabled_plugins", "ro"
        )
        rabbit = stack.enter_context(container)
        host, port = rabbit.get_container_host_ip(), rabbit.get_exposed_port(5672)
        return f"amqp://guest:guest@{host}:{port}/"
    from testcontainers.postgres import PostgresContainer

    pg = stack.enter_context(PostgresContainer("postgres:16", driver=None))
    return str(pg.get_connection_url())
