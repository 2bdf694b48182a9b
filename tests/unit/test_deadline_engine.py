"""Properties of the deadline engine and the cases officials check by hand."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.deadlines import (
    add_working_days,
    due_at,
    handoff_at,
    is_working_day,
    rules_for,
    working_days_between,
)
from hub.registry.model import Processing
from schemas import VIETNAM

SAME_DAY = Processing(kind="same_day")
receptions = st.datetimes(
    min_value=datetime(2018, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(VIETNAM)
)
processings = st.one_of(
    st.just(SAME_DAY), st.integers(1, 30).map(lambda n: Processing(kind="working_days", days=n))
)


def vn(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VIETNAM)  # type: ignore[misc]


@settings(max_examples=300, deadline=None)
@given(processings, receptions)
def test_the_due_date_is_a_working_day_never_before_reception(
    processing: Processing, received: datetime
) -> None:
    due = due_at(processing, received)
    assert is_working_day(due.date())
    assert due > received


@settings(max_examples=300, deadline=None)
@given(processings, receptions, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)))
def test_a_later_reception_is_never_due_earlier(
    processing: Processing, received: datetime, later_by: timedelta
) -> None:
    assert due_at(processing, received) <= due_at(processing, received + later_by)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 30), receptions)
def test_exactly_n_working_days_are_counted_and_holidays_never_are(
    days: int, received: datetime
) -> None:
    due = due_at(Processing(kind="working_days", days=days), received)
    assert working_days_between(received.date(), due.date()) == days


def test_same_day_cutoff_is_eleven_o_clock() -> None:
    assert due_at(SAME_DAY, vn(2019, 4, 17, 10, 59)) == vn(2019, 4, 17, 16, 30)
    assert due_at(SAME_DAY, vn(2019, 4, 17, 11, 0)) == vn(2019, 4, 18, 11, 0)


def test_the_cutoff_is_read_in_vietnam_time() -> None:
    # 03:30 UTC is 10:30 in Huế: before the cut-off
    assert due_at(SAME_DAY, datetime(2019, 4, 17, 3, 30, tzinfo=UTC)) == vn(2019, 4, 17, 16, 30)


def test_a_same_day_dossier_received_before_tet_is_due_after_it() -> None:
    # Friday 2019-02-01 afternoon; Tết holidays Mon 4 .. Fri 8 February
    assert due_at(SAME_DAY, vn(2019, 2, 1, 14, 0)) == vn(2019, 2, 11, 11, 0)


def test_national_day_2024_takes_two_days_off() -> None:
    # Friday 2024-08-30 + 1 working day: Mon 2 and Tue 3 September are off
    assert due_at(Processing(kind="working_days", days=1), vn(2024, 8, 30, 9, 0)) == vn(
        2024, 9, 4, 17, 0
    )


def test_a_swapped_saturday_is_a_working_day() -> None:
    assert is_working_day(date(2019, 5, 4))
    assert not is_working_day(date(2019, 4, 29))
    assert add_working_days(date(2019, 5, 3), 1) == date(2019, 5, 4)


def test_paper_dossiers_after_three_pm_are_handed_over_the_next_working_day() -> None:
    assert handoff_at(vn(2019, 4, 17, 15, 0), paper=True) == vn(2019, 4, 17, 15, 0)
    assert handoff_at(vn(2019, 4, 17, 15, 1), paper=True) == vn(2019, 4, 18, 7, 30)
    assert handoff_at(vn(2019, 4, 26, 16, 0), paper=True) == vn(2019, 5, 2, 7, 30)
    assert handoff_at(vn(2019, 4, 17, 15, 1), paper=False) == vn(2019, 4, 17, 15, 1)


def test_rules_are_chosen_by_reception_date() -> None:
    assert rules_for(vn(2025, 6, 30, 23, 0)).name == "three-tier-2017"
    assert rules_for(vn(2025, 7, 1, 0, 0)).name == "two-tier-2025"


def test_supplement_restarts_the_count_from_the_complete_dossier() -> None:
    ten_days = Processing(kind="working_days", days=10)
    first = due_at(ten_days, vn(2019, 4, 1, 9, 0))
    restarted = due_at(ten_days, vn(2019, 4, 5, 9, 0))  # complete dossier arrived on 5 April
    assert working_days_between(date(2019, 4, 5), restarted.date()) == 10
    assert restarted > first


def test_the_due_date_command_prints_iso_in_vietnam_time() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hub.cli",
            "due-date",
            "--procedure",
            "1.001193",
            "--received",
            "2019-04-26T10:59",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "2019-04-26T16:30:00+07:00"
