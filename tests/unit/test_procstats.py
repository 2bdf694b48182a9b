"""The bench's reading of ``/proc``: CPU of the local broker and database by process name,
the whole machine's busy time, and the difference between two samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.bench import procstats
from hub.bench.procstats import CLOCK_TICKS, machine_use, sample_machine


def _process(proc: Path, pid: int, name: str, utime: int, stime: int, cutime: int = 0) -> None:
    # Fields after the name: state, then 10 others, then utime stime cutime cstime, then more.
    after_name = ["S", *["0"] * 10, str(utime), str(stime), str(cutime), "0", *["0"] * 6]
    (proc / str(pid)).mkdir(parents=True, exist_ok=True)
    (proc / str(pid) / "stat").write_text(f"{pid} ({name}) {' '.join(after_name)}\n")


def _machine(proc: Path, busy: int, idle: int) -> None:
    # cpu user nice system idle iowait irq softirq steal guest guest_nice
    (proc / "stat").write_text(f"cpu {busy} 0 0 {idle} 5 0 0 0 0 0\ncpu0 1 2 3\n")


def test_services_are_counted_by_process_name_with_their_reaped_children(
    tmp_path: Path,
) -> None:
    _process(tmp_path, 10, "beam.smp", 300, 100)
    _process(tmp_path, 20, "postgres", 50, 50, cutime=100)  # a closed connection's time
    _process(tmp_path, 21, "postgres", 40, 10)
    _process(tmp_path, 30, "python", 999, 999)
    (tmp_path / "self").mkdir()
    _machine(tmp_path, busy=1000, idle=4000)

    sample = sample_machine(tmp_path)

    assert sample.services == {
        "broker": pytest.approx(400 / CLOCK_TICKS),
        "database": pytest.approx(250 / CLOCK_TICKS),
    }
    assert sample.busy_seconds == pytest.approx(1000 / CLOCK_TICKS)


def test_the_use_between_two_samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(procstats.os, "cpu_count", lambda: 2)
    _process(tmp_path, 10, "beam.smp", 300, 100)
    _machine(tmp_path, busy=1000, idle=4000)
    before = sample_machine(tmp_path)
    _process(tmp_path, 10, "beam.smp", 300 + CLOCK_TICKS, 100)
    _machine(tmp_path, busy=1000 + 2 * CLOCK_TICKS, idle=4000)
    after = sample_machine(tmp_path)
    after = type(after)(after.services, after.busy_seconds, before.at + 4.0)

    use = machine_use(before, after)

    assert use.services == {"broker": pytest.approx(1.0), "database": None}
    assert use.busy_seconds == pytest.approx(2.0)
    assert use.busy_share == pytest.approx(0.25)  # 2 busy seconds of 2 cores x 4 s
