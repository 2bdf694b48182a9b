"""The per-process memory of dossier states last written: bounded, least recently used
first out, and holding states as reading them back would give them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hub.known_states import KnownStates, as_stored
from hub.lifecycle import DossierState
from hub.registry import Registry, load_registry
from tests.unit.test_lifecycle import make_dossier, registered

VIETNAM = timezone(timedelta(hours=7))


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def _state(registry: Registry) -> DossierState:
    return registered(registry, make_dossier())


def test_the_least_recently_used_entry_goes_first(registry: Registry) -> None:
    known = KnownStates(capacity=2)
    a, b, c = (_state(registry) for _ in range(3))
    known.remember(a, 1)
    known.remember(b, 2)
    assert known.get(a.code) is not None  # a is now the most recently used
    known.remember(c, 3)
    assert len(known) == 2
    assert known.get(b.code) is None
    assert known.get(a.code) == (as_stored(a), 1)
    assert known.get(c.code) == (as_stored(c), 3)


def test_forget_drops_an_entry(registry: Registry) -> None:
    known = KnownStates()
    state = _state(registry)
    known.remember(state, 7)
    known.forget(state.code)
    known.forget(state.code)  # forgetting twice is harmless
    assert known.get(state.code) is None


def test_times_are_held_in_utc_as_the_database_returns_them(registry: Registry) -> None:
    due = datetime(2026, 11, 23, 17, 0, tzinfo=VIETNAM)
    stored = as_stored(replace(_state(registry), due_at=due, warned_due_at=due))
    assert stored.due_at == due
    assert stored.due_at is not None
    assert stored.due_at.tzinfo is UTC
    assert stored.warned_due_at is not None
    assert stored.warned_due_at.utcoffset() == timedelta(0)
    assert stored.overdue_due_at is None


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="capacity"):
        KnownStates(capacity=0)
