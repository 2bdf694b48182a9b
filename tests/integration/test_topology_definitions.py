"""``hub topology`` prints definitions RabbitMQ accepts, and importing them recreates the
topology. (Imported into the existing vhost: creating and deleting whole vhosts of ~200
quorum queues is slow enough on one node to stall the broker.)"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile

import aio_pika
import pytest

from hub.broker_setup import apply_topology
from hub.registry import load_registry
from hub.topology import build_topology, peer_queue, retry_queue

pytestmark = [pytest.mark.integration]

REMOVED = (peer_queue("483-BHXH"), retry_queue("hub.postal.orders", 30_000))


def rabbitmqctl(*args: str) -> str:
    binary = shutil.which("rabbitmqctl")
    if binary is None:
        pytest.fail(
            "rabbitmqctl is needed to import definitions (apt-get install "
            "rabbitmq-server); the test does not skip"
        )
    done = subprocess.run([binary, *args], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def queue_exists(connection: aio_pika.abc.AbstractConnection, name: str) -> bool:
    channel = await connection.channel()
    try:
        await channel.declare_queue(name, passive=True)
    except aio_pika.exceptions.ChannelClosed:
        return False
    await channel.close()
    return True


async def test_imported_definitions_recreate_deleted_queues_bindings_and_peer_users(
    amqp_url: str,
) -> None:
    topology = build_topology(load_registry().peers())
    await apply_topology(amqp_url, topology)
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        # Given two queues of the topology deleted from the broker
        channel = await connection.channel()
        for name in REMOVED:
            await channel.queue_delete(name)
        assert not await queue_exists(connection, REMOVED[0])
        # When the printed definitions are imported (the broker node reads the file itself)
        printed = subprocess.run(  # noqa: ASYNC221 - a short CLI call
            [sys.executable, "-m", "hub.cli", "topology"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        definitions = json.loads(printed)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            handle.write(printed)
        os.chmod(handle.name, 0o644)
        try:
            rabbitmqctl("import_definitions", handle.name)
        finally:
            os.unlink(handle.name)
        # Then the queues come back (the import is asynchronous) ...
        for _ in range(120):
            if all([await queue_exists(connection, name) for name in REMOVED]):
                break
            await asyncio.sleep(0.5)
        else:
            raise AssertionError(f"{REMOVED} were not recreated by the import")
        # ... with the very arguments the hub declares (a redeclare would fail otherwise)
        channel = await connection.channel()
        for queue in topology.queues:
            await channel.declare_queue(queue.name, durable=True, arguments=queue.arguments)
    listed = rabbitmqctl(
        "list_bindings",
        "-q",
        "--formatter",
        "json",
        "source_name",
        "destination_name",
        "routing_key",
    )
    bindings = {
        (b["source_name"], b["destination_name"], b["routing_key"])
        for b in json.loads(listed)
        if b["source_name"]
    }
    assert {(b.exchange, b.queue, b.routing_key) for b in topology.bindings} <= bindings
    # And each unit has its own user, allowed to publish only under its own unit code
    assert {"hub", "unit-19744", "unit-474-PAC"} <= {u["name"] for u in definitions["users"]}
    topic = json.loads(rabbitmqctl("list_topic_permissions", "-q", "--formatter", "json"))
    mine = next(p for p in topic if p["user"] == "unit-19744")
    assert mine["exchange"] == "dossier.in"
    assert mine["write"] == "^commune[.]19744[.][a-z_]+$"
