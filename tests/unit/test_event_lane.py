"""The relay's event lane: event rows handed over close together go out in one round, in
order; rows handed over during a round wait for the next; a worker stopping leaves what was
not sent to the sweep."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from uuid import uuid4

import pytest

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
    """An event lane whose rounds are recorded (``gate``: each round waits for it, a
    broker slow to confirm)."""

    def __init__(self, *, gate: asyncio.Event | None = None) -> None:
        self.rounds: list[list[int | None]] = []
        self.deferred: list[int] = []
        self.done_rounds = 0
        self.gate = gate
        self.lane = EventLane(
            send=self.send,
            deferred=self.deferred.extend,
            round_done=self.round_done,
            linger_s=LINGER_S,
        )

    async def send(self, sent: Sequence[OutboxMessage]) -> None:
        if self.gate is not None:
            await self.gate.wait()
        self.rounds.append([r.id for r in sent])

    def round_done(self) -> None:
        self.done_rounds += 1


async def test_rows_handed_over_within_the_linger_go_out_in_one_round_in_order() -> None:
    lane = Lane()

    first = lane.lane.add(rows(1, 2))
    await asyncio.sleep(LINGER_S / 5)
    second = lane.lane.add(rows(3))
    await asyncio.gather(first, second)

    assert lane.rounds == [[1, 2, 3]]
    assert lane.done_rounds == 1
    assert lane.lane.waiting == 0


async def test_rows_handed_over_during_a_round_go_in_the_next_one() -> None:
    gate = asyncio.Event()
    lane = Lane(gate=gate)
    first = lane.lane.add(rows(1))
    await asyncio.sleep(LINGER_S * 2)  # the first round is sending, held at the gate

    second = lane.lane.add(rows(2, 3))
    assert lane.lane.waiting == 2
    gate.set()
    await first
    assert not second.done()  # its rows were not in that round
    await second

    assert lane.rounds == [[1], [2, 3]]


async def test_idle_waits_for_every_row_handed_over() -> None:
    lane = Lane()
    lane.lane.add(rows(1))
    lane.lane.add(rows(2))

    await lane.lane.idle()

    assert lane.rounds == [[1, 2]]


async def test_rows_not_yet_sent_when_the_worker_stops_are_left_to_the_sweep() -> None:
    lane = Lane(gate=asyncio.Event())  # a round that never ends
    done = lane.lane.add(rows(1, 2))
    await asyncio.sleep(LINGER_S * 2)
    lane.lane.add(rows(3))
    task = lane.lane._task
    assert task is not None

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert lane.deferred == [3]  # rows 1 and 2 were the relay's round to release
    assert done.done()
