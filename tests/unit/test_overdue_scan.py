"""The deadline scan (`hub.overdue`): a pure function of dossier states and the clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from hub.clock import FixedClock
from hub.deadlines import warning_at
from hub.lifecycle import DossierState
from hub.overdue import deadline_actions
from hub.registry import Registry, load_registry
from schemas import VIETNAM, DossierStatus
from tests.unit.test_lifecycle import make_dossier, registered

LAND = "1.012753"
DUE = datetime(2019, 5, 20, 17, 0, tzinfo=VIETNAM)  # a Monday


@pytest.fixture(scope="module")
def state() -> DossierState:
    registry: Registry = load_registry()
    return replace(registered(registry, make_dossier(procedure=LAND)), due_at=DUE)


def test_the_warning_time_is_one_working_day_before_across_a_weekend() -> None:
    assert warning_at(DUE) == datetime(2019, 5, 17, 17, 0, tzinfo=VIETNAM)


def test_the_warning_time_skips_the_reunification_day_holidays() -> None:
    # due Thursday 2 May 2019: 30 April and 1 May are public holidays, and Monday 29 April
    # was swapped off (worked on Saturday 4 May), so the last working day is Friday 26 April
    assert warning_at(datetime(2019, 5, 2, 17, 0, tzinfo=VIETNAM)) == datetime(
        2019, 4, 26, 17, 0, tzinfo=VIETNAM
    )


def test_nothing_happens_before_the_last_working_day(state: DossierState) -> None:
    clock = FixedClock(datetime(2019, 5, 17, 16, 59, tzinfo=VIETNAM))

    assert deadline_actions([state], clock.now()) == []


def test_one_working_day_before_the_due_date_the_dossier_is_due_soon(state: DossierState) -> None:
    clock = FixedClock(datetime(2019, 5, 17, 17, 0, tzinfo=VIETNAM))

    [action] = deadline_actions([state], clock.now())

    assert (action.kind, action.due_at, action.deciding_unit) == ("due_soon", DUE, "474-PAC")


def test_a_dossier_already_warned_about_this_due_date_is_not_warned_again(
    state: DossierState,
) -> None:
    clock = FixedClock(datetime(2019, 5, 18, 9, 0, tzinfo=VIETNAM))

    assert deadline_actions([replace(state, warned_due_at=DUE)], clock.now()) == []


def test_a_new_due_date_after_an_apology_is_warned_about_again(state: DossierState) -> None:
    later = DUE + timedelta(days=7)
    clock = FixedClock(warning_at(later))

    [action] = deadline_actions([replace(state, warned_due_at=DUE, due_at=later)], clock.now())

    assert (action.kind, action.due_at) == ("due_soon", later)


def test_past_the_due_date_the_dossier_is_flagged_once(state: DossierState) -> None:
    clock = FixedClock(DUE)
    [action] = deadline_actions([state], clock.now())
    clock.advance(timedelta(days=3))

    assert action.kind == "overdue"
    assert deadline_actions([replace(state, overdue_due_at=DUE)], clock.now()) == []


@pytest.mark.parametrize(
    "status",
    [
        DossierStatus.SUPPLEMENT_REQUESTED,
        DossierStatus.RESOLVED,
        DossierStatus.RESULT_RETURNED,
        DossierStatus.WITHDRAWN,
        DossierStatus.PROCESSING_STOPPED,
        DossierStatus.NOT_ACCEPTED,
    ],
)
def test_dossiers_resolved_closed_or_waiting_for_a_supplement_are_left_alone(
    state: DossierState, status: DossierStatus
) -> None:
    clock = FixedClock(DUE + timedelta(days=1))

    assert deadline_actions([replace(state, status=status)], clock.now()) == []
