"""The demo's simulators with stopwatches and counters; their behaviour is unchanged."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from simulators.agency import AgencySimulator
from simulators.commune import CommuneSimulator, DossierSpec

RESULT_STATUSES = (9, 10)


@dataclass
class Counters:
    """Messages a simulator published (and their bytes) and messages it consumed."""

    published: int = 0
    published_bytes: int = 0
    consumed: int = 0


@dataclass
class TimedCommune(CommuneSimulator):
    """Remembers when each dossier was published and when its first result notice
    (``ThongBaoHoSo`` with ``TrangThai`` 9, or the final 10) came back."""

    counters: Counters = field(default_factory=Counters)
    sent_at: dict[str, float] = field(default_factory=dict)
    resolved_at: dict[str, float] = field(default_factory=dict)
    result_at: dict[str, tuple[float, int]] = field(default_factory=dict)

    async def register(self, spec: DossierSpec) -> None:
        self.sent_at[spec.code] = time.perf_counter()
        await super().register(spec)

    def published(self, routing_key: str, body: bytes, data: dict[str, Any] | None) -> None:
        self.counters.published += 1
        self.counters.published_bytes += len(body)
        if data is not None and routing_key.endswith(".trangthai") and data.get("TrangThai") == 9:
            self.resolved_at[str(data.get("MaHoSo", ""))] = time.perf_counter()

    async def on_message(self, unit: str, data: dict[str, Any]) -> None:
        now = time.perf_counter()
        self.counters.consumed += 1
        code = str(data.get("MaHoSo", ""))
        status = int(data.get("TrangThai", 0) or 0)
        if status in RESULT_STATUSES and code in self.sent_at and code not in self.result_at:
            self.result_at[code] = (now, status)
        await super().on_message(unit, data)

    def end_to_end_ms(self) -> list[float]:
        """Registration publish to first result notice, peers' think time included."""
        return [(at - self.sent_at[code]) * 1000.0 for code, (at, _) in self.result_at.items()]

    def result_ms(self, think_s: dict[str, float]) -> list[float]:
        """Status 9 notices of transferred dossiers: publish to notice minus the time the
        deciding agency sat on the dossier, i.e. the hub's two passes and four broker hops."""
        return [
            (at - self.sent_at[code] - think_s[code]) * 1000.0
            for code, (at, seen) in self.result_at.items()
            if seen == 9 and code in think_s
        ]

    def postal_ms(self) -> list[float]:
        """Final 10 notices of dossiers the commune decided itself and returned by post: from
        the commune's status 9 publish (postal order, courier steps, tracking poll)."""
        return [
            (at - self.resolved_at[code]) * 1000.0
            for code, (at, seen) in self.result_at.items()
            if seen == 10 and code in self.resolved_at
        ]


@dataclass
class CountingAgency(AgencySimulator):
    """Also remembers how long it sat on each transferred dossier (its think time), from
    the TRANSFER's arrival to the publish of its decision (status 9)."""

    counters: Counters = field(default_factory=Counters)
    transfer_at: dict[str, float] = field(default_factory=dict)
    think_s: dict[str, float] = field(default_factory=dict)

    def published(self, routing_key: str, body: bytes, data: dict[str, Any] | None) -> None:
        self.counters.published += 1
        self.counters.published_bytes += len(body)
        if data is None or data.get("statusCode") != 9:
            return
        code = str(data.get("dossierNo", ""))
        if code in self.transfer_at:
            self.think_s[code] = time.perf_counter() - self.transfer_at[code]

    async def on_message(self, unit: str, data: dict[str, Any]) -> None:
        self.counters.consumed += 1
        if data.get("messageType") == "TRANSFER":
            self.transfer_at.setdefault(str(data.get("dossierNo", "")), time.perf_counter())
        await super().on_message(unit, data)
