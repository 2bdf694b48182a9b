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


HASH_PLUGIN = "rabbitmq_consistent_hash_exchange"
PLUGIN_PROBE_EXCHANGE = "hub.preflight.hash-probe"


class MissingPlugin(RuntimeError):
    pass


async def _rabbitmq(url: str) -> None:
    connection = await aio_pika.connect(url, timeout=5)
    try:
        channel = await connection.channel()
        # The ingress shards hang off a consistent-hash exchange: a broker without the
        # plugin closes the connection with "unknown exchange type".
        probe = await channel.declare_exchange(
            PLUGIN_PROBE_EXCHANGE, aio_pika.ExchangeType.X_CONSISTENT_HASH, auto_delete=True
        )
        await probe.delete()
    except aio_pika.exceptions.AMQPError as exc:
        if "unknown exchange type" not in str(exc):
            raise
        raise MissingPlugin(
            f"the broker lacks the {HASH_PLUGIN} plugin; enable it with: "
            f"rabbitmq-plugins enable {HASH_PLUGIN}"
        ) from None
    finally:
        if not connection.is_closed:
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
        except MissingPlugin as exc:
            problems.append(f"{name}: {exc}")
        except Exception as exc:
            shown = url.split("@")[-1]
            problems.append(
                f"{name} is not reachable at {shown} ({type(exc).__name__}: {exc}).\n"
                f"  Start it with: {HOW_TO_START[name]}\n"
                f"  or point HUB_{'AMQP' if name == 'RabbitMQ' else 'DATABASE'}_URL at one."
            )
    return problems
