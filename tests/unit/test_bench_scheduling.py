"""Finding the local services' threads in /proc, and naming their scheduling policy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hub.bench.scheduling import main, policy_of, service_tasks


def _process(proc: Path, pid: int, command: str, threads: list[int]) -> None:
    (proc / str(pid)).mkdir()
    (proc / str(pid) / "stat").write_text(f"{pid} ({command}) S 1 0 0 0 -1 4194560 5 0 0 0\n")
    for tid in threads:
        (proc / str(pid) / "task" / str(tid)).mkdir(parents=True)


def test_the_services_threads_are_found_by_process_name(tmp_path: Path) -> None:
    # Given a /proc with RabbitMQ's VM (three threads), two PostgreSQL processes and others
    _process(tmp_path, 100, "beam.smp", [100, 102, 101])
    _process(tmp_path, 200, "postgres", [200])
    _process(tmp_path, 201, "postgres", [201])
    _process(tmp_path, 300, "python3", [300, 301])
    (tmp_path / "self").mkdir()
    (tmp_path / "stat").write_text("cpu 1 2 3 4\n")

    tasks = service_tasks(tmp_path)

    assert tasks == {"broker": [100, 101, 102], "database": [200, 201]}


def test_a_service_not_running_here_is_absent(tmp_path: Path) -> None:
    _process(tmp_path, 200, "postgres", [200])

    assert service_tasks(tmp_path) == {"database": [200]}


def test_the_policy_is_named_when_every_thread_has_it() -> None:
    policies = {1: os.SCHED_BATCH, 2: os.SCHED_BATCH, 3: os.SCHED_OTHER}

    def read(tid: int) -> int:
        if tid == 4:
            raise ProcessLookupError(tid)  # a thread that ended meanwhile
        return policies[tid]

    assert policy_of([1, 2], read) == "batch"
    assert policy_of([1, 2, 4], read) == "batch"
    assert policy_of([3], read) == "other"
    assert policy_of([1, 3], read) == "mixed"
    assert policy_of([], read) is None
    assert policy_of([4], read) is None


def test_without_a_local_service_the_command_says_so_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _process(tmp_path, 300, "python3", [300])

    assert main(["batch"], proc=tmp_path) == 1
    assert "no local RabbitMQ" in capsys.readouterr().err
