"""Several writes sent to PostgreSQL as one statement: one round trip instead of one each.

Each write becomes a data-modifying CTE of a single statement, so they run atomically
with each other (and inside the caller's transaction). They see the same snapshot, so
they must not depend on each other's effects; foreign keys are checked at the end of the
statement, so a dossier and its parts can be written together.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from hub.db import Connection

_PARAMETER = re.compile(r"\$(\d+)")


@dataclass(frozen=True)
class Write:
    """One INSERT/UPDATE/DELETE with its arguments; ``returning`` marks the write whose
    RETURNING rows the combined statement returns (at most one per statement)."""

    sql: str
    args: tuple[Any, ...]
    returning: bool = False


def _shifted(sql: str, arity: int, offset: int) -> str:
    numbers = {int(n) for n in _PARAMETER.findall(sql)}
    if numbers != set(range(1, arity + 1)):
        raise ValueError(f"statement uses parameters {sorted(numbers)} but has {arity} arguments")
    return _PARAMETER.sub(lambda m: f"${int(m.group(1)) + offset}", sql.strip())


@lru_cache(maxsize=64)
def _combined_sql(statements: tuple[tuple[str, int, bool], ...]) -> str:
    ctes: list[str] = []
    offset = 0
    result = "SELECT NULL"
    for index, (sql, arity, returning) in enumerate(statements):
        ctes.append(f"w{index} AS (\n{_shifted(sql, arity, offset)}\n)")
        if returning:
            result = f"SELECT * FROM w{index}"
        offset += arity
    return "WITH " + ",\n".join(ctes) + "\n" + result


def combine(writes: Sequence[Write]) -> tuple[str, list[Any]]:
    """The single statement and its arguments."""
    if sum(w.returning for w in writes) > 1:
        raise ValueError("at most one write may return rows")
    sql = _combined_sql(tuple((w.sql, len(w.args), w.returning) for w in writes))
    return sql, [arg for w in writes for arg in w.args]


async def run(conn: Connection, writes: Sequence[Write]) -> list[Any]:
    """Run ``writes`` in one round trip; the rows of the write marked ``returning``."""
    if not writes:
        return []
    if len(writes) == 1:
        only = writes[0]
        if only.returning:
            return list(await conn.fetch(only.sql, *only.args))
        await conn.execute(only.sql, *only.args)
        return []
    sql, args = combine(writes)
    rows = await conn.fetch(sql, *args)
    return [] if not any(w.returning for w in writes) else list(rows)
