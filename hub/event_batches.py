"""Event rows into batch messages, and batch messages back into events (the wire format is
:mod:`schemas.batch`).

A batch's body is the events' own JSON, joined as they sit in the outbox, so building one
costs no serialisation. Reading one checks each event on its own, so that a consumer can set
aside the one event it cannot use and keep the others.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from pydantic import ValidationError

from adapters.native import validation_failed
from hub.errors import InvalidJson, PermanentError, SchemaInvalid
from hub.rendering import JSON
from hub.store.outbox import OutboxMessage
from hub.topology import EVENT_BATCH_KEY, EVENTS_EXCHANGE
from schemas import EVENT_BATCH_TYPE, CanonicalMessage, EventBatch

MAX_BATCH_EVENTS = 500
MAX_BATCH_BYTES = 512 * 1024
"""A batch message carries at most this many events and (unless one event alone is
bigger) this many bytes of them; more go in further messages."""

EVENT_COUNT_HEADER = "x-event-count"

Batch = tuple[OutboxMessage, list[OutboxMessage]]
"""A batch message and the event rows it carries."""


def is_event(row: OutboxMessage) -> bool:
    return row.exchange == EVENTS_EXCHANGE


def split_events(
    rows: Sequence[OutboxMessage],
) -> tuple[list[OutboxMessage], list[OutboxMessage]]:
    """``(events, the rest)``, each in the order given."""
    events = [r for r in rows if is_event(r)]
    if not events:
        return [], list(rows)
    return events, [r for r in rows if not is_event(r)]


def _chunks(rows: Sequence[OutboxMessage]) -> Iterator[list[OutboxMessage]]:
    chunk: list[OutboxMessage] = []
    size = 0
    for row in rows:
        if chunk and (len(chunk) >= MAX_BATCH_EVENTS or size + len(row.body) > MAX_BATCH_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(row)
        size += len(row.body) + 1
    if chunk:
        yield chunk


def batch_body(bodies: Sequence[bytes]) -> bytes:
    return b'{"events":[' + b",".join(bodies) + b"]}"


def batch_messages(rows: Sequence[OutboxMessage]) -> list[Batch]:
    """Event rows as batch messages on ``dossier.events``, each with the rows it carries,
    in the order given."""
    return [
        (
            OutboxMessage(
                uuid4(),
                EVENTS_EXCHANGE,
                EVENT_BATCH_KEY,
                batch_body([r.body for r in chunk]),
                {
                    "content-type": JSON,
                    "x-message-type": EVENT_BATCH_TYPE,
                    EVENT_COUNT_HEADER: len(chunk),
                },
            ),
            chunk,
        )
        for chunk in _chunks(rows)
    ]


def is_batch(headers: dict[str, Any] | None) -> bool:
    """Whether a delivery on the events' route is a batch (a single event, as a parked one
    replayed, is not)."""
    return (headers or {}).get("x-message-type") == EVENT_BATCH_TYPE


class _Events:
    """A batch body's events as plain JSON values, parsed only when first asked for: a
    batch that validates whole needs them only to set one of its events aside."""

    __slots__ = ("_body", "_values")

    def __init__(self, body: bytes, values: list[Any] | None = None) -> None:
        self._body = body
        self._values = values

    def __getitem__(self, index: int) -> Any:
        if self._values is None:
            self._values = json.loads(self._body)["events"]
        return self._values[index]


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One event of a batch: the event, or why it cannot be used."""

    source: _Events
    index: int
    message: CanonicalMessage | None = None
    error: PermanentError | None = None

    @property
    def value(self) -> Any:
        """The event as it came, a plain JSON value."""
        return self.source[self.index]

    @property
    def body(self) -> bytes:
        """The event's JSON on its own (to set it aside)."""
        return json.dumps(self.value, ensure_ascii=False).encode()

    @property
    def event_type(self) -> str:
        if self.message is not None:
            return self.message.type
        kind = self.value.get("type") if isinstance(self.value, dict) else None
        return kind if isinstance(kind, str) else "unknown"

    @property
    def message_id(self) -> str:
        if self.message is not None:
            return str(self.message.message_id)
        found = self.value.get("message_id") if isinstance(self.value, dict) else None
        return str(found)[:100] if found is not None else ""


def read_batch(body: bytes) -> list[BatchItem]:
    """The events of a batch body, each checked on its own. Raises when the body is not a
    batch at all (then nothing in it can be told apart).

    A batch whose events are all valid (nearly every one) is validated whole, in one pass
    over its JSON; otherwise each event is parsed and checked on its own, so that the ones
    that cannot be used are told apart from the others.
    """
    try:
        events = EventBatch.model_validate_json(body).events
    except ValidationError:
        return _read_each(body)
    source = _Events(body)
    return [BatchItem(source, index, message=event) for index, event in enumerate(events)]


def _read_each(body: bytes) -> list[BatchItem]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidJson("event batch: body is not valid JSON") from None
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list) or not events:
        raise SchemaInvalid("event batch: expected an object with a non-empty list 'events'")
    source = _Events(body, events)
    return [_item(source, index, value) for index, value in enumerate(events)]


def _item(source: _Events, index: int, value: Any) -> BatchItem:
    try:
        return BatchItem(source, index, message=CanonicalMessage.model_validate(value))
    except ValidationError as exc:
        return BatchItem(source, index, error=validation_failed(exc))
