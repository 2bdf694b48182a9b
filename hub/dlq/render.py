"""How ``hub dlq`` prints dead letters. Summaries never include bodies (personal data)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
from rich.console import Console
from rich.table import Table

from hub.dlq import store
from hub.dlq.letters import ActionRefused, replay_target

SUMMARY_FIELDS = (
    "id",
    "parked_at",
    "source_queue",
    "original_routing_key",
    "reason_code",
    "attempts",
    "status",
    "replay_count",
)
DETAIL_FIELDS = (
    "id",
    "status",
    "reason_code",
    "reason",
    "source_queue",
    "original_exchange",
    "original_routing_key",
    "original_message_id",
    "parked_message_id",
    "attempts",
    "parked_at",
    "stored_at",
    "replayed_at",
    "replay_count",
    "content_type",
)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def summary(row: asyncpg.Record) -> dict[str, Any]:
    return {name: _plain(row[name]) for name in SUMMARY_FIELDS}


def print_table(rows: Sequence[asyncpg.Record]) -> None:
    table = Table(
        "id", "parked at (UTC)", "source queue", "routing key", "reason", "attempts", "status"
    )
    for row in rows:
        table.add_row(
            str(row["id"]),
            f"{row['parked_at']:%Y-%m-%d %H:%M:%S}",
            row["source_queue"],
            row["original_routing_key"],
            row["reason_code"],
            str(row["attempts"]),
            row["status"] + (f" ×{row['replay_count']}" if row["replay_count"] > 1 else ""),
        )
    Console(width=None if sys.stdout.isatty() else 160).print(table)
    if not rows:
        print("no dead letters match")


def _target(row: asyncpg.Record) -> str:
    try:
        return replay_target(row["source_queue"], row["original_routing_key"]).describe()
    except ActionRefused as exc:
        return f"none ({exc})"


def details(row: asyncpg.Record, trail: Sequence[asyncpg.Record], *, with_body: bool) -> str:
    lines = [f"{name:<21} {_plain(row[name])}" for name in DETAIL_FIELDS]
    lines.append(f"{'replay target':<21} {_target(row)}")
    lines.append(f"{'body size':<21} {len(row['body'])} bytes")
    lines.append("headers:")
    lines.append(json.dumps(store.headers_of(row), ensure_ascii=False, indent=2, sort_keys=True))
    lines.append("audit trail:" if trail else "audit trail: (none)")
    lines += [
        f"  {_plain(t['at'])}  {t['action']:<7} by {t['actor']}  {t['detail']}" for t in trail
    ]
    if with_body:
        lines.append("body:")
        lines.append(bytes(row["body"]).decode("utf-8", errors="backslashreplace"))
    return "\n".join(lines)
