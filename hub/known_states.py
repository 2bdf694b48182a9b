"""The dossier states this process wrote last, so the next message of a dossier can be
decided without reading it back first.

A dossier's messages mostly arrive on the same ingress shard, held by the same worker,
one after another; the state that worker wrote for the previous message is what the next
one is decided from, unless another writer (the deadline scan, the postal tracker,
another worker) changed it meanwhile. Each entry keeps the row version (``xmin``) its
write returned, and the write of the next decision is guarded by that version
(:func:`hub.store.state.version_guard`): a stale entry writes nothing, is forgotten, and
the message is decided again on a fresh read. So an entry can only save a round trip,
never change an outcome. Bounded: the least recently used entries go first.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from datetime import UTC, datetime

from hub.lifecycle_model import DossierState

DEFAULT_CAPACITY = 2048


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


def as_stored(state: DossierState) -> DossierState:
    """``state`` as reading it back would give it: PostgreSQL returns ``timestamptz``
    columns in UTC (the dossier itself is stored as JSON and keeps its offsets)."""
    return replace(
        state,
        due_at=_utc(state.due_at),
        warned_due_at=_utc(state.warned_due_at),
        overdue_due_at=_utc(state.overdue_due_at),
        parts=tuple(replace(p, due_at=_utc(p.due_at)) for p in state.parts),
    )


class KnownStates:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._entries: OrderedDict[str, tuple[DossierState, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, code: str) -> tuple[DossierState, int] | None:
        """The state last written for ``code`` and its row version, if still known."""
        entry = self._entries.get(code)
        if entry is not None:
            self._entries.move_to_end(code)
        return entry

    def remember(self, state: DossierState, version: int) -> None:
        self._entries[state.code] = (as_stored(state), version)
        self._entries.move_to_end(state.code)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def forget(self, code: str) -> None:
        self._entries.pop(code, None)
