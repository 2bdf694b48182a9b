"""The statistics officials report (received, resolved on time / late, in progress within /
past due, online share), per unit, district or field, over a quarter, half-year or year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

from hub.db import Connection
from schemas import VIETNAM

GroupBy = Literal["unit", "district", "field"]


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime
    end: datetime  # exclusive

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2024``, ``2024H1``/``2024H2``, ``2024Q1``..``2024Q4`` or ``2024-05``."""
        match = re.fullmatch(r"(\d{4})(?:(Q[1-4])|(H[12])|-(0[1-9]|1[0-2]))?", text.strip())
        if match is None:
            raise ValueError(f"period {text!r} is not YYYY, YYYYQn, YYYYHn or YYYY-MM")
        year, quarter, half, month = match.groups()
        first, months = 1, 12
        if quarter:
            first, months = 3 * int(quarter[1]) - 2, 3
        elif half:
            first, months = 6 * int(half[1]) - 5, 6
        elif month:
            first, months = int(month), 1
        start = date(int(year), first, 1)
        end_month = first + months
        end = date(int(year) + (end_month > 12), (end_month - 1) % 12 + 1, 1)
        return cls(text.strip(), _midnight(start), _midnight(end))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), VIETNAM)


@dataclass(frozen=True)
class StatisticsRow:
    group: str
    name: str
    received: int
    online: int
    resolved: int
    on_time: int
    late: int
    in_progress: int
    in_progress_within_due: int
    in_progress_past_due: int

    @property
    def online_share(self) -> float:
        return round(self.online / self.received, 4) if self.received else 0.0

    @property
    def on_time_share(self) -> float:
        return round(self.on_time / self.resolved, 4) if self.resolved else 0.0


_GROUP_COLUMNS: dict[GroupBy, tuple[str, str]] = {
    "unit": ("d.receiving_unit", "coalesce(u.name, d.receiving_unit)"),
    "district": ("coalesce(u.district_code, '-')", "coalesce(du.name, u.district_code, '-')"),
    "field": ("coalesce(p.field, '-')", "coalesce(p.field_name, p.field, '-')"),
}

_STATISTICS = """
SELECT {key} AS grp, {name} AS name,
  count(*) FILTER (WHERE d.received_at >= $1 AND d.received_at < $2) AS received,
  count(*) FILTER (WHERE d.received_at >= $1 AND d.received_at < $2 AND d.channel = 2)
      AS online,
  count(*) FILTER (WHERE d.resolved_at >= $1 AND d.resolved_at < $2) AS resolved,
  count(*) FILTER (WHERE d.resolved_at >= $1 AND d.resolved_at < $2
                   AND (d.due_at IS NULL OR d.resolved_at <= d.due_at)) AS on_time,
  count(*) FILTER (WHERE d.received_at < $2 AND (d.resolved_at IS NULL OR d.resolved_at >= $2)
                   AND NOT (d.status = ANY($3::smallint[]) AND d.status_at < $2)) AS in_progress,
  count(*) FILTER (WHERE d.received_at < $2 AND (d.resolved_at IS NULL OR d.resolved_at >= $2)
                   AND NOT (d.status = ANY($3::smallint[]) AND d.status_at < $2)
                   AND (d.due_at IS NULL OR d.due_at >= $2)) AS within_due
FROM province.dossiers d
LEFT JOIN province.units u ON u.code = d.receiving_unit
LEFT JOIN province.units du ON du.code = u.district_code || '-PAC'
LEFT JOIN province.procedures p ON p.code = d.procedure_code
WHERE ($4::text IS NULL OR d.receiving_unit = $4 OR d.competent_unit = $4
       OR u.district_code = $4)
  AND d.received_at < $2
GROUP BY 1, 2
HAVING count(*) FILTER (WHERE d.received_at >= $1 AND d.received_at < $2) > 0
    OR count(*) FILTER (WHERE d.resolved_at >= $1 AND d.resolved_at < $2) > 0
    OR count(*) FILTER (WHERE d.resolved_at IS NULL OR d.resolved_at >= $2) > 0
ORDER BY 1
"""
STATISTICS_BY = {
    group: _STATISTICS.format(key=k, name=n) for group, (k, n) in _GROUP_COLUMNS.items()
}
"""One statement per grouping; the grouping columns are fixed text, never user input."""

CLOSED_WITHOUT_RESULT = [3, 7, 8]


async def statistics(
    conn: Connection, period: Period, *, unit: str | None = None, group_by: GroupBy = "unit"
) -> list[StatisticsRow]:
    rows = await conn.fetch(
        STATISTICS_BY[group_by], period.start, period.end, CLOSED_WITHOUT_RESULT, unit
    )
    return [
        StatisticsRow(
            group=row["grp"],
            name=row["name"],
            received=row["received"],
            online=row["online"],
            resolved=row["resolved"],
            on_time=row["on_time"],
            late=row["resolved"] - row["on_time"],
            in_progress=row["in_progress"],
            in_progress_within_due=row["within_due"],
            in_progress_past_due=row["in_progress"] - row["within_due"],
        )
        for row in rows
    ]


def total(rows: list[StatisticsRow], label: str = "total") -> StatisticsRow:
    def add(field: str) -> int:
        return sum(int(getattr(r, field)) for r in rows)

    return StatisticsRow(
        label,
        "Tổng cộng",
        add("received"),
        add("online"),
        add("resolved"),
        add("on_time"),
        add("late"),
        add("in_progress"),
        add("in_progress_within_due"),
        add("in_progress_past_due"),
    )
