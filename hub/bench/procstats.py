"""CPU time and peak resident memory of child processes, read from ``/proc``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcSample:
    cpu_seconds: float
    peak_rss_mb: float


def sample(pid: int) -> ProcSample:
    """User + system CPU seconds so far and the peak RSS (VmHWM) of one process."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # Fields after the command name (which may contain spaces) start at field 3 (state).
    fields = stat.rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])
    peak_kb = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak_kb = int(line.split()[1])
            break
    return ProcSample(cpu_seconds=(utime + stime) / CLOCK_TICKS, peak_rss_mb=peak_kb / 1024)


def sample_all(pids: list[int]) -> list[ProcSample]:
    samples = []
    for pid in pids:
        try:
            samples.append(sample(pid))
        except (FileNotFoundError, ProcessLookupError):
            samples.append(ProcSample(0.0, 0.0))
    return samples
