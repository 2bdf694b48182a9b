"""The workers' event-loop stalls within a phase, read from their logs.

The bench's workers log ``event_loop_stalled`` (:mod:`hub.loop_watch`) whenever their loop
was held up ``STALL_WARN_MS`` or more. A phase's count and longest stall tell whether a
latency tail comes from the worker holding its own loop (a stall as long as the tail) or
from waiting for the machine (no stall, or short ones)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from hub.demo.workers import WORKER_LOG

STALL_WARN_MS = 50
"""The threshold the bench gives its workers: a quarter of the p99 target (200 ms)."""

EVENT = b"event_loop_stalled"


@dataclass(frozen=True)
class Stalls:
    count: int = 0
    longest_ms: int = 0


@dataclass
class StallLog:
    """The stalls the worker logs in ``log_dir`` gained since the previous :meth:`read`
    (the logs are appended to, phase after phase)."""

    log_dir: Path
    _offsets: dict[Path, int] = field(default_factory=dict, init=False)

    def read(self) -> Stalls:
        count, longest = 0, 0
        for path in sorted(self.log_dir.glob(WORKER_LOG.format(index="*"))):
            with path.open("rb") as log:
                log.seek(self._offsets.get(path, 0))
                data = log.read()
            complete = data.rfind(b"\n") + 1  # a line being written is read next time
            self._offsets[path] = self._offsets.get(path, 0) + complete
            for line in data[:complete].splitlines():
                stalled = _stalled_ms(line)
                if stalled is not None:
                    count += 1
                    longest = max(longest, stalled)
        return Stalls(count, longest)


def _stalled_ms(line: bytes) -> int | None:
    """The stall a log line reports, or None for any other line (or one that is not JSON)."""
    if EVENT not in line:
        return None
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    if not isinstance(entry, dict) or entry.get("event") != EVENT.decode():
        return None
    value = entry.get("stalled_ms")
    return int(value) if isinstance(value, int | float) else None
