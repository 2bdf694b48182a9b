"""Writes combined into one statement: parameters renumbered, one result at most."""

from __future__ import annotations

import pytest

from hub.store.statements import Write, combine


def test_parameters_are_renumbered_in_order() -> None:
    sql, args = combine(
        [
            Write("INSERT INTO a (x, y) VALUES ($1, $2)", (1, 2)),
            Write("INSERT INTO b (z) VALUES ($1) RETURNING id", (3,), returning=True),
            Write("UPDATE c SET v = $2 WHERE k = $1", ("k", "v")),
        ]
    )
    assert args == [1, 2, 3, "k", "v"]
    assert "w0 AS (\nINSERT INTO a (x, y) VALUES ($1, $2)\n)" in sql
    assert "w1 AS (\nINSERT INTO b (z) VALUES ($3) RETURNING id\n)" in sql
    assert "w2 AS (\nUPDATE c SET v = $5 WHERE k = $4\n)" in sql
    assert sql.endswith("SELECT * FROM w1")


def test_without_a_returning_write_it_selects_nothing_useful() -> None:
    sql, _ = combine([Write("DELETE FROM a WHERE k = $1", (1,))])
    assert sql.endswith("SELECT NULL")


def test_two_returning_writes_are_refused() -> None:
    with pytest.raises(ValueError, match="at most one"):
        combine(
            [
                Write("INSERT INTO a VALUES ($1) RETURNING 1", (1,), returning=True),
                Write("INSERT INTO b VALUES ($1) RETURNING 1", (1,), returning=True),
            ]
        )


def test_arguments_must_match_the_parameters() -> None:
    with pytest.raises(ValueError, match="parameters"):
        combine([Write("INSERT INTO a VALUES ($1, $2)", (1,)), Write("SELECT $1", (1,))])
