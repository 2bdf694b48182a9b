"""Check that RabbitMQ and PostgreSQL answer, and say how to start them when they do not."""

from __future__ import annotations

import asyncio

import aio_pika
import asyncpg

from hub.settings import Settings

HOW_TO_START = {
    "RabbitMQ": "rabbitmq-server -detached   (install: apt-get install -y rabbitmq-server)",
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
    "   (install: apt-get install -y postgresql)",
}


async def _rabbitmq(url: str) -> None:
    connection = await aio_pika.connect(url, timeout=5)
    await connection.close()


async def _postgres(url: str) -> None:
    conn = await asyncpg.connect(url, timeout=5)
    await conn.close()


async def check_services(settings: Settings) -> list[str]:
    """Problems found, one line each (empty when both services answer)."""
    problems = []
    checks = (
        ("RabbitMQ", settings.amqp_url.get_secret_value(), _rabbitmq),
        ("PostgreSQL", settings.database_url.get_secret_value(), _postgres),
    )
    for name, url, probe in checks:
        try:
            await asyncio.wait_for(probe(url), timeout=10)
        except Exception as exc:
            shown = url.split("@")[-1]
            problems.append(
                f"{name} is not reachable at {shown} ({type(exc).__name__}: {exc}).\n"
                f"  Start it with: {HOW_TO_START[name]}\n"
                f"  or point HUB_{'AMQP' if name == 'RabbitMQ' else 'DATABASE'}_URL at one."
            )
    return problems
