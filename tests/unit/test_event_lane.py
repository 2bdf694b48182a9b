"""The relay's event lane: event rows handed over close together go out as one batch
message, in order; a round that cannot be published leaves its rows to the sweep."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from uuid import uuid4

import pytest

from hub.event_batches import read_batch
from hub.event_lane import EventLane
from hub.store.outbox import OutboxMessage
from hub.topology import EVENTS_EXCHANGE

LINGER_S = 0.05


def rows(*ids: int) -> list[OutboxMessage]:
    return [
        OutboxMessage(uuid4(), EVENTS_EXCHANGE, "dossier.accepted", f'{{"n":{i}}}'.encode(), {}, i)
        for i in ids
    ]


class Lane:
    """An event lane over a recording publisher, with what it reported."""

    def __init__(self, *, fail: bool = False, gate: asyncio.Event | None = None) -> None:
        self.sent: list[OutboxMessage] = []
        self.published: list[int] = []
        self.deferred: list[int] = []
        self.rounds = 0
        self.fail = fail
        self.gate = gate
        self.lane = EventLane(
            publish=self.publish,
            published=self.published.extend,
            deferred=self.deferred.extend,
            round_done=self.round_done,
            linger_s=LINGER_S,
        )

    async def publish(self, messages: Sequence[OutboxMessage]) -> None:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise ConnectionError("broker away")
        self.sent.extend(messages)

    def round_done(self) -> None:
        self.rounds += 1

    def events_sent(self) -> list[list[bytes]]:
        return [[item.body for item in read_batch(m.body)] for m in self.sent]


async def test_rows_handed_over_within_the_linger_go_out_as_one_message_in_order() -> None:
    lane = Lane()

    first = lane.lane.add(rows(1, 2))
    await asyncio.sleep(LINGER_S / 5)
    second = lane.lane.add(rows(3))
    await asyncio.gather(first, second)

    assert lane.events_sent() == [[b'{"n": 1}', b'{"n": 2}', b'{"n": 3}']]
    assert lane.published == [1, 2, 3]
    assert lane.rounds == 1
    assert lane.lane.waiting == 0


async def test_rows_handed_over_during_a_round_go_in_the_next_one() -> None:
    gate = asyncio.Event()
    lane = Lane(gate=gate)
    first = lane.lane.add(rows(1))
    await asyncio.sleep(LINGER_S * 2)  # the first round is publishing, held at the gate

    second = lane.lane.add(rows(2, 3))
    assert lane.lane.waiting == 2
    gate.set()
    await first
    assert not second.done()  # its rows were not in that round
    await second

    assert lane.events_sent() == [[b'{"n": 1}'], [b'{"n": 2}', b'{"n": 3}']]
    assert lane.published == [1, 2, 3]


async def test_a_round_the_broker_refuses_leaves_its_rows_to_the_sweep() -> None:
    lane = Lane(fail=True)

    await lane.lane.add(rows(1, 2))  # never raises: the rows are committed already

    assert lane.published == []
    assert lane.deferred == [1, 2]


async def test_idle_waits_for_every_row_handed_over() -> None:
    lane = Lane()
    lane.lane.add(rows(1))
    lane.lane.add(rows(2))

    await lane.lane.idle()

    assert lane.published == [1, 2]


async def test_rows_not_yet_published_when_the_worker_stops_are_left_to_the_sweep() -> None:
    lane = Lane(gate=asyncio.Event())  # a publish that never confirms
    done = lane.lane.add(rows(1, 2))
    await asyncio.sleep(LINGER_S * 2)
    lane.lane.add(rows(3))
    task = lane.lane._task
    assert task is not None

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert sorted(lane.deferred) == [1, 2, 3]
    assert done.done()
