"""The bench reads each phase's event-loop stalls from the workers' logs: only the lines the
logs gained since the previous read, only ``event_loop_stalled`` entries, across workers."""

from __future__ import annotations

import json
from pathlib import Path

from hub.bench.stalls import StallLog, Stalls
from hub.demo.workers import WORKER_LOG


def _line(event: str, **fields: object) -> bytes:
    return json.dumps({"event": event, "level": "warning", **fields}).encode() + b"\n"


def test_each_read_counts_the_stalls_logged_since_the_previous_one(tmp_path: Path) -> None:
    first, second = (tmp_path / WORKER_LOG.format(index=i) for i in (0, 1))
    first.write_bytes(
        _line("hub_started")
        + _line("event_loop_stalled", stalled_ms=80, stalls=1)
        + b"Traceback (most recent call last): event_loop_stalled is not JSON here\n"
        + _line("delivery_held", stalled_ms=999)
    )
    second.write_bytes(_line("event_loop_stalled", stalled_ms=120, stalls=1))
    log = StallLog(tmp_path)

    assert log.read() == Stalls(count=2, longest_ms=120)
    assert log.read() == Stalls()  # nothing new

    with first.open("ab") as out:
        out.write(_line("event_loop_stalled", stalled_ms=60, stalls=2))
        out.write(_line("event_loop_stalled", stalled_ms=70, stalls=3)[:20])  # being written
    assert log.read() == Stalls(count=1, longest_ms=60)

    with first.open("ab") as out:
        out.write(_line("event_loop_stalled", stalled_ms=70, stalls=3)[20:])
    assert log.read() == Stalls(count=1, longest_ms=70)


def test_no_worker_log_yet_is_no_stall(tmp_path: Path) -> None:
    (tmp_path / "other.log").write_bytes(_line("event_loop_stalled", stalled_ms=500))

    assert StallLog(tmp_path).read() == Stalls()
