"""Event rows become batch messages whose body is the events' own JSON, and a batch body
reads back into its events, each checked on its own."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import uuid4

import pytest

from hub import event_batches
from hub.errors import InvalidJson, SchemaInvalid
from hub.event_batches import (
    EVENT_COUNT_HEADER,
    batch_messages,
    is_batch,
    read_batch,
    split_events,
)
from hub.store.outbox import OutboxMessage
from hub.topology import EVENT_BATCH_KEY, EVENTS_EXCHANGE, OUTBOUND_EXCHANGE
from schemas import (
    EVENT_BATCH_TYPE,
    VIETNAM,
    CanonicalMessage,
    DossierAccepted,
    EventBatch,
    new_envelope,
)

CODE = "000.01.31.H57-190415-0001"


def accepted(sequence: int) -> CanonicalMessage:
    return new_envelope(
        DossierAccepted(unit="19744"),
        sender="19744",
        recipient="hub",
        dossier_code=CODE,
        occurred_at=datetime(2019, 4, 15, 9, sequence, tzinfo=VIETNAM),
        sequence=sequence,
    )


def event_row(message: CanonicalMessage, row_id: int) -> OutboxMessage:
    body = message.model_dump_json().encode()
    return OutboxMessage(message.message_id, EVENTS_EXCHANGE, message.type, body, {}, row_id)


def notice_row(row_id: int) -> OutboxMessage:
    return OutboxMessage(uuid4(), OUTBOUND_EXCHANGE, "19744", b"{}", {}, row_id)


def test_events_are_split_from_the_other_rows_keeping_their_order() -> None:
    rows = [event_row(accepted(1), 1), notice_row(2), event_row(accepted(2), 3), notice_row(4)]

    events, others = split_events(rows)

    assert [r.id for r in events] == [1, 3]
    assert [r.id for r in others] == [2, 4]


def test_a_batch_carries_the_events_in_order_and_reads_back_into_them() -> None:
    messages = [accepted(s) for s in (1, 2, 3)]
    rows = [event_row(m, i) for i, m in enumerate(messages)]

    [(batch, carried)] = batch_messages(rows)

    assert carried == rows
    assert (batch.exchange, batch.routing_key) == (EVENTS_EXCHANGE, EVENT_BATCH_KEY)
    assert batch.headers["x-message-type"] == EVENT_BATCH_TYPE
    assert batch.headers[EVENT_COUNT_HEADER] == 3
    assert is_batch(batch.headers)
    assert [item.message for item in read_batch(batch.body)] == messages
    assert EventBatch.model_validate_json(batch.body).events == messages  # the published schema


def test_batches_are_cut_by_event_count_and_by_size(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [event_row(accepted(s), s) for s in range(1, 8)]
    monkeypatch.setattr(event_batches, "MAX_BATCH_EVENTS", 3)
    assert [[r.id for r in carried] for _, carried in batch_messages(rows)] == [
        [1, 2, 3],
        [4, 5, 6],
        [7],
    ]

    monkeypatch.setattr(event_batches, "MAX_BATCH_EVENTS", 500)
    monkeypatch.setattr(event_batches, "MAX_BATCH_BYTES", 2 * len(rows[0].body) + 5)
    sizes = [len(carried) for _, carried in batch_messages(rows)]
    assert sizes == [2, 2, 2, 1]


def test_one_unusable_event_is_told_apart_from_its_neighbours() -> None:
    good = accepted(1)
    body = (
        b'{"events":['
        + good.model_dump_json().encode()
        + b',{"type":"dossier.accepted","message_id":"m-1","extra":true}]}'
    )

    first, second = read_batch(body)

    assert first.message == good
    assert first.error is None
    assert second.message is None
    assert isinstance(second.error, SchemaInvalid)
    assert (second.event_type, second.message_id) == ("dossier.accepted", "m-1")
    assert json.loads(second.body) == {
        "type": "dossier.accepted",
        "message_id": "m-1",
        "extra": True,
    }


def test_an_event_of_a_valid_batch_is_set_aside_as_it_came() -> None:
    messages = [accepted(s) for s in (1, 2)]
    [(batch, _)] = batch_messages([event_row(m, i) for i, m in enumerate(messages)])

    items = read_batch(batch.body)

    assert [item.error for item in items] == [None, None]
    sent = json.loads(batch.body)["events"]
    assert [json.loads(item.body) for item in items] == sent
    assert [(item.event_type, item.message_id) for item in items] == [
        (m.type, str(m.message_id)) for m in messages
    ]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{not json", InvalidJson),
        (b'{"events": []}', SchemaInvalid),
        (b'[{"type": "dossier.accepted"}]', SchemaInvalid),
    ],
)
def test_a_body_that_is_not_a_batch_is_refused_whole(body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        read_batch(body)


def test_a_single_event_is_not_taken_for_a_batch() -> None:
    assert not is_batch({"x-message-type": "dossier.accepted"})
    assert not is_batch(None)
