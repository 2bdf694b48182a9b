"""The simulated deciding agency's choices: holds and supplement requests are quotas, so
how many there are does not depend on the order the transfers arrive in."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from simulators.agency import AgencySimulator, every

HANDED = datetime(2019, 4, 2, 9, 0)


@dataclass
class RecordingAgency(AgencySimulator):
    """Answers nothing: records the statuses it would publish."""

    pending: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    statuses: list[tuple[str, int]] = field(default_factory=list)

    def later(self, action: Callable[[], Awaitable[None]], delay: float | None = None) -> None:
        self.pending.append(action)

    async def _status(self, unit: str, code: str, status: int, moment: datetime) -> None:
        self.statuses.append((code, status))

    async def settle(self) -> None:
        while self.pending:
            await self.pending.pop(0)()


def _transfer(index: int) -> dict[str, str]:
    return {
        "dossierNo": f"000.00.20.H57-190402-{index:04d}",
        "handedOverAt": HANDED.isoformat(),
        "dueDate": (HANDED + timedelta(days=10)).isoformat(),
        "procedureCode": "1.012753",
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
async def test_holds_and_supplement_requests_do_not_depend_on_arrival_order(seed: int) -> None:
    transfers = [_transfer(i) for i in range(1, 46)]
    random.Random(seed).shuffle(transfers)
    agency = RecordingAgency("amqp://unused", seed=2, supplement_share=0.1, hold_share=0.08)
    for data in transfers:
        agency._transfer("474-PAC", data)
    await agency.settle()
    requested = {code for code, status in agency.statuses if status == 5}
    decided = {code for code, status in agency.statuses if status == 9}
    accepted = [code for code, status in agency.statuses if status == 2]
    assert len(accepted) == 45
    assert len(agency.held) == 3  # every 12.5th of 45 with a due date
    assert len(requested) == 4  # every 10th of the 42 not held
    assert len(decided) == 45 - 3 - 4
    assert not requested & agency.held


def test_every_picks_the_share_spread_out() -> None:
    assert [n for n in range(1, 31) if every(n, 0.1)] == [10, 20, 30]
    assert sum(every(n, 0.25) for n in range(1, 101)) == 25
    assert not any(every(n, 0.0) for n in range(1, 50))
    assert all(every(n, 1.0) for n in range(1, 50))
