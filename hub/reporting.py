"""``hub report``: statistics tables for officials (Vietnamese headings) or JSON."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Any, cast

import asyncpg
from rich.console import Console
from rich.table import Table

from adapters.provincial_db.statistics import GroupBy, Period, StatisticsRow, statistics, total
from hub.settings import Settings

COLUMNS = (
    ("received", "Tiếp nhận"),
    ("online", "Trực tuyến"),
    ("resolved", "Đã giải quyết"),
    ("on_time", "Đúng hạn"),
    ("late", "Quá hạn"),
    ("in_progress", "Đang giải quyết"),
    ("in_progress_within_due", "Còn hạn"),
    ("in_progress_past_due", "Đã quá hạn"),
)


def as_dict(row: StatisticsRow) -> dict[str, Any]:
    return asdict(row) | {"online_share": row.online_share, "on_time_share": row.on_time_share}


async def print_statistics(
    settings: Settings, *, period: str, unit: str | None, by: str, as_json: bool
) -> None:
    parsed = Period.parse(period)
    conn = await asyncpg.connect(settings.database_url.get_secret_value())
    try:
        rows = await statistics(conn, parsed, unit=unit, group_by=cast(GroupBy, by))
    finally:
        await conn.close()
    summary = total(rows)
    if as_json:
        print(
            json.dumps(
                {
                    "period": parsed.label,
                    "unit": unit,
                    "by": by,
                    "rows": [as_dict(r) for r in rows],
                    "total": as_dict(summary),
                },
                ensure_ascii=False,
            )
        )
        return
    table = Table(
        title=f"Thống kê giải quyết hồ sơ — kỳ {parsed.label}"
        + (f" — đơn vị {unit}" if unit else "")
    )
    table.add_column({"unit": "Đơn vị", "district": "Huyện", "field": "Lĩnh vực"}[by])
    for _, heading in COLUMNS:
        table.add_column(heading, justify="right")
    table.add_column("Tỷ lệ đúng hạn", justify="right")
    table.add_column("Tỷ lệ trực tuyến", justify="right")
    for row in [*rows, summary]:
        values = asdict(row)
        table.add_row(
            row.name,
            *(str(values[key]) for key, _ in COLUMNS),
            f"{row.on_time_share:.1%}",
            f"{row.online_share:.1%}",
        )
    Console(width=200 if not sys.stdout.isatty() else None).print(table)
