"""Several writes sent to PostgreSQL as one statement: one round trip instead of one each.

Each write becomes a data-modifying CTE of a single statement, so they run atomically
with each other (and inside the caller's transaction, if any). They see the same
snapshot, so they must not depend on each other's effects; foreign keys are checked at
the end of the statement, so a dossier and its parts can be written together.

A *guarded* statement makes every write conditional on its first one, the guard (say,
"update the dossier row if it is still at the version read"): writes that carry the
:data:`GUARDED` marker in their condition apply only if the guard returned a row, so the
statement applies all of its writes or none. The guard returns one row with a ``version``
column (the row version it left), which the caller gets back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from hub.db import Connection

GUARDED = "__guarded__"
"""Marker for a write's condition: the guard's outcome in a guarded statement, else true."""

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


@lru_cache(maxsize=128)
def _combined_sql(statements: tuple[tuple[str, int, bool], ...], guarded: bool) -> str:
    condition = "EXISTS (SELECT FROM w0)" if guarded else "true"
    ctes: list[str] = []
    offset = 0
    returning: str | None = None
    for index, (sql, arity, returns) in enumerate(statements):
        body = _shifted(sql, arity, offset).replace(GUARDED, condition)
        ctes.append(f"w{index} AS (\n{body}\n)")
        if returns:
            returning = f"w{index}"
        offset += arity
    if guarded:
        applied = (
            "(SELECT EXISTS (SELECT FROM w0) AS applied,"
            " (SELECT version FROM w0 LIMIT 1) AS version) AS g"
        )
        result = (
            f"SELECT g.applied, g.version, r.* FROM {applied} LEFT JOIN {returning} AS r ON true"
            if returning
            else f"SELECT g.applied, g.version FROM {applied}"
        )
    else:
        result = f"SELECT * FROM {returning}" if returning else "SELECT NULL"
    return "WITH " + ",\n".join(ctes) + "\n" + result


def combine(writes: Sequence[Write], *, guarded: bool = False) -> tuple[str, list[Any]]:
    """The single statement and its arguments; ``guarded``: the first write is the guard."""
    if sum(w.returning for w in writes) > 1:
        raise ValueError("at most one write may return rows")
    if guarded and (not writes or writes[0].returning):
        raise ValueError("a guarded statement starts with its guard, which returns no result")
    sql = _combined_sql(tuple((w.sql, len(w.args), w.returning) for w in writes), guarded)
    return sql, [arg for w in writes for arg in w.args]


async def run(conn: Connection, writes: Sequence[Write]) -> list[Any]:
    """Run ``writes`` in one round trip; the rows of the write marked ``returning``."""
    if not writes:
        return []
    sql, args = combine(writes)
    rows = await conn.fetch(sql, *args)
    return list(rows) if any(w.returning for w in writes) else []


@dataclass(frozen=True)
class Applied:
    """A guarded statement that applied: the version its guard returned, and the rows of
    the write marked ``returning``."""

    version: Any
    rows: list[Any]


async def run_guarded(conn: Connection, guard: Write, writes: Sequence[Write]) -> Applied | None:
    """Run ``guard`` and ``writes`` in one round trip, the writes only if the guard returned
    a row; None when the guard failed (and nothing was written)."""
    sql, args = combine([guard, *writes], guarded=True)
    rows = await conn.fetch(sql, *args)
    if not rows or not rows[0]["applied"]:
        return None
    version = rows[0]["version"]
    if not any(w.returning for w in writes):
        return Applied(version, [])
    # The LEFT JOIN yields one row of NULLs when the returning write returned nothing.
    returned = [
        row
        for row in rows
        if any(v is not None for k, v in row.items() if k not in ("applied", "version"))
    ]
    return Applied(version, returned)
