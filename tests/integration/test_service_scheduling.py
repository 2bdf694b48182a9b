"""``python -m hub.bench.scheduling`` on the real local RabbitMQ and PostgreSQL: it sets the
policy of every thread, PostgreSQL's new backends inherit it, it sets it back, and the
tests' own restarts (``tests.service_control``) keep it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import asyncpg
import pytest

from hub.bench.scheduling import POLICY_NAMES, main, service_policies, service_tasks, set_policy
from tests import service_control

BY_NAME = {name: policy for policy, name in POLICY_NAMES.items()}


@pytest.fixture
def restore_policies() -> Iterator[dict[str, str | None]]:
    """Put each service back as it was (the suite may run with either policy)."""
    before = service_policies()
    yield before
    tasks = service_tasks()
    for kind, policy in before.items():
        if policy in BY_NAME:
            set_policy(tasks.get(kind, []), BY_NAME[policy])


async def test_batch_then_default_on_the_local_services(
    database_url: str, amqp_url: str, restore_policies: dict[str, str | None]
) -> None:
    # Given RabbitMQ and PostgreSQL running on this machine (the suite's own services)
    assert restore_policies["broker"] is not None, "RabbitMQ (beam.smp) does not run here"
    assert restore_policies["database"] is not None, "PostgreSQL does not run here"

    # When every thread of both is set to SCHED_BATCH
    assert main(["batch"]) == 0

    # Then both report it, and a connection opened afterwards has a backend that inherited it
    assert service_policies() == {"broker": "batch", "database": "batch"}
    conn = await asyncpg.connect(database_url)
    try:
        backend = await conn.fetchval("SELECT pg_backend_pid()")
        assert os.sched_getscheduler(backend) == os.SCHED_BATCH
    finally:
        await conn.close()

    # And 'default' sets them back to SCHED_OTHER
    assert main(["default"]) == 0
    assert service_policies() == {"broker": "other", "database": "other"}


async def test_a_database_restarted_by_the_tests_comes_back_with_its_policy(
    database_url: str, amqp_url: str, restore_policies: dict[str, str | None]
) -> None:
    reason = service_control.cannot_control(amqp_url, database_url)
    if reason is not None:
        pytest.skip(f"cannot restart the services: {reason}")
    # Given PostgreSQL on SCHED_BATCH
    assert main(["batch"]) == 0

    # When a test restarts it (as the recovery and chaos tests do)
    service_control.restart_postgresql(down_s=0.5)

    # Then the new postmaster and its backends run on SCHED_BATCH again
    assert service_policies()["database"] == "batch"
    conn = await asyncpg.connect(database_url)
    try:
        assert os.sched_getscheduler(await conn.fetchval("SELECT pg_backend_pid()")) == (
            os.SCHED_BATCH
        )
    finally:
        await conn.close()
