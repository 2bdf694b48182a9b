"""CPU time and peak resident memory of child processes, read from ``/proc``."""

from __future__ import annotations

import os
import time
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


SERVICE_COMMANDS: dict[str, tuple[str, ...]] = {
    "broker": ("beam.smp",),
    "database": ("postgres",),
}
"""The process names of the services a bench run shares the machine with (RabbitMQ runs
in the Erlang VM, PostgreSQL as a postmaster and one process per connection)."""


def read_stat(proc: Path, pid: str) -> tuple[str, list[str]] | None:
    """The command name of a process and the fields of its ``stat`` after the name (field 3,
    the state, first); None when the process is gone or hidden."""
    try:
        stat = (proc / pid / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return stat[stat.index("(") + 1 : stat.rindex(")")], stat.rsplit(")", 1)[1].split()


def service_kind(command: str) -> str | None:
    """The kind of local service a process of this name belongs to, if any."""
    return next((kind for kind, names in SERVICE_COMMANDS.items() if command in names), None)


def _ticks(proc: Path, pid: str) -> tuple[str, int] | None:
    """The command name and the CPU ticks of a process and of its reaped children (so a
    database connection that closed during the run still counts, in its postmaster)."""
    found = read_stat(proc, pid)
    if found is None:
        return None
    name, fields = found
    return name, sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime


@dataclass(frozen=True)
class MachineSample:
    """CPU seconds so far of the local services by kind (absent when none runs here), of
    the whole machine (busy, all cores), and when the sample was taken."""

    services: dict[str, float]
    busy_seconds: float
    at: float


def sample_machine(proc: Path = Path("/proc")) -> MachineSample:
    """What the machine spent so far: by local service (see :data:`SERVICE_COMMANDS`) and in
    all (``/proc/stat``: every state but idle and iowait)."""
    services: dict[str, float] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        found = _ticks(proc, entry.name)
        if found is None:
            continue
        kind = service_kind(found[0])
        if kind is not None:
            services[kind] = services.get(kind, 0.0) + found[1] / CLOCK_TICKS
    cpu = (proc / "stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(v) for v in cpu[:8]]  # user nice system idle iowait irq softirq steal
    busy = sum(ticks) - ticks[3] - ticks[4]
    return MachineSample(services, busy / CLOCK_TICKS, time.monotonic())


@dataclass(frozen=True)
class MachineUse:
    """What the machine spent between two samples."""

    services: dict[str, float | None]
    """CPU seconds by service kind; None when it does not run on this machine."""
    busy_seconds: float
    wall_seconds: float
    cores: int

    @property
    def busy_share(self) -> float:
        """Share of all cores busy (1.0: every core all the time)."""
        capacity = self.wall_seconds * self.cores
        return self.busy_seconds / capacity if capacity > 0 else 0.0


def machine_use(before: MachineSample, after: MachineSample) -> MachineUse:
    services: dict[str, float | None] = {
        kind: (
            max(after.services[kind] - before.services.get(kind, 0.0), 0.0)
            if kind in after.services
            else None
        )
        for kind in SERVICE_COMMANDS
    }
    return MachineUse(
        services=services,
        busy_seconds=max(after.busy_seconds - before.busy_seconds, 0.0),
        wall_seconds=max(after.at - before.at, 0.0),
        cores=os.cpu_count() or 1,
    )
