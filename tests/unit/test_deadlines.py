"""Due dates in working days (``hub.deadlines``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub import deadlines
from hub.deadlines import due_at, is_working_day, next_working_day
from hub.registry import Processing
from schemas import VIETNAM

SAME_DAY = Processing(kind="same_day")


def working_days(days: int) -> Processing:
    return Processing(kind="working_days", days=days)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


# Same-day procedures


def test_a_same_day_dossier_received_before_eleven_is_due_at_half_past_four() -> None:
    assert due_at(SAME_DAY, vn(2019, 4, 17, 10, 59)) == vn(2019, 4, 17, 16, 30)


@pytest.mark.parametrize("minute", [0, 1])
def test_a_same_day_dossier_received_from_eleven_is_due_at_eleven_the_next_working_day(
    minute: int,
) -> None:
    assert due_at(SAME_DAY, vn(2019, 4, 17, 11, minute)) == vn(2019, 4, 18, 11, 0)


def test_a_same_day_dossier_received_on_friday_afternoon_is_due_on_monday_at_eleven() -> None:
    assert due_at(SAME_DAY, vn(2019, 4, 19, 15, 0)) == vn(2019, 4, 22, 11, 0)


def test_a_same_day_dossier_received_on_a_saturday_morning_is_due_on_monday_at_eleven() -> None:
    assert due_at(SAME_DAY, vn(2019, 4, 20, 8, 0)) == vn(2019, 4, 22, 11, 0)


def test_a_same_day_dossier_received_on_a_holiday_morning_waits_for_the_next_working_day() -> None:
    # 2019-04-30 Reunification Day and 2019-05-01 Labour Day
    assert due_at(SAME_DAY, vn(2019, 4, 30, 8, 0)) == vn(2019, 5, 2, 11, 0)


def test_a_dossier_received_before_tet_is_due_after_the_tet_holidays() -> None:
    # Given Friday 2019-02-01 afternoon; Tết runs Monday 4 to Friday 8 February
    received = vn(2019, 2, 1, 14, 0)

    # Then the next working day is Monday 11 February
    assert due_at(SAME_DAY, received) == vn(2019, 2, 11, 11, 0)


def test_the_cutoff_is_judged_in_vietnam_time() -> None:
    # 03:30 UTC is 10:30 in Huế, before the cutoff
    received = datetime(2019, 4, 17, 3, 30, tzinfo=UTC)

    assert due_at(SAME_DAY, received) == vn(2019, 4, 17, 16, 30)


def test_a_utc_time_on_the_previous_calendar_day_counts_from_the_vietnam_date() -> None:
    # Sunday 2019-04-21 23:30 UTC is Monday 06:30 in Huế
    received = datetime(2019, 4, 21, 23, 30, tzinfo=UTC)

    assert due_at(SAME_DAY, received) == vn(2019, 4, 22, 16, 30)


# Working-day procedures


def test_n_working_days_from_a_monday_end_that_week_at_five_in_the_afternoon() -> None:
    # Monday 2019-04-22 + 3 working days: Tue 23, Wed 24, Thu 25
    assert due_at(working_days(3), vn(2019, 4, 22, 9, 0)) == vn(2019, 4, 25, 17, 0)


def test_working_days_skip_the_weekend() -> None:
    # Thursday 2019-04-18 + 3 working days: Fri 19, Mon 22, Tue 23
    assert due_at(working_days(3), vn(2019, 4, 18, 9, 0)) == vn(2019, 4, 23, 17, 0)


def test_working_days_skip_the_reunification_and_labour_day_holidays() -> None:
    # Given Friday 2019-04-26; Mon 29 (substituted day off), Tue 30 April, Wed 1 May are off,
    # and Saturday 4 May was worked in exchange for Monday 29 April
    received = vn(2019, 4, 26, 9, 0)

    # Then 3 working days are Thu 2, Fri 3 and the swapped Saturday 4 May
    assert due_at(working_days(3), received) == vn(2019, 5, 4, 17, 0)
    # and 4 working days end on Monday 6 May
    assert due_at(working_days(4), received) == vn(2019, 5, 6, 17, 0)


def test_working_days_skip_tet() -> None:
    # Thursday 2019-01-31 + 5 working days: Fri 1 Feb, then Tết until Sun 10, Mon 11 .. Thu 14
    assert due_at(working_days(5), vn(2019, 1, 31, 9, 0)) == vn(2019, 2, 14, 17, 0)


def test_working_days_cross_the_new_year() -> None:
    # Monday 2018-12-31 + 1 working day: 1 January is a holiday, so Wednesday 2 January
    assert due_at(working_days(1), vn(2018, 12, 31, 9, 0)) == vn(2019, 1, 2, 17, 0)


def test_zero_working_days_still_gives_one_working_day() -> None:
    assert due_at(working_days(0), vn(2019, 4, 17, 9, 0)) == vn(2019, 4, 18, 17, 0)


@pytest.mark.parametrize(
    "day",
    [
        date(2019, 2, 4),
        date(2019, 2, 5),
        date(2019, 2, 8),
        date(2019, 4, 30),
        date(2019, 5, 1),
        date(2019, 9, 2),
        date(2019, 4, 20),
        date(2019, 4, 21),
    ],
)
def test_holidays_and_weekends_are_not_working_days(day: date) -> None:
    assert not is_working_day(day)


def test_next_working_day_is_strictly_after_the_given_day() -> None:
    assert next_working_day(date(2019, 4, 17)) == date(2019, 4, 18)
    assert next_working_day(date(2019, 4, 19)) == date(2019, 4, 22)


# Properties

RECEIVED = st.datetimes(
    min_value=datetime(2018, 1, 1),
    max_value=datetime(2024, 12, 31, 23, 59),
    timezones=st.just(VIETNAM),
)
PROCESSING = st.just(SAME_DAY) | st.builds(working_days, st.integers(min_value=0, max_value=30))


@given(received=RECEIVED, processing=PROCESSING)
def test_the_due_date_is_always_a_working_day_after_reception(
    received: datetime, processing: Processing
) -> None:
    due = due_at(processing, received)

    assert is_working_day(due.date())
    assert due > received
    assert due.tzinfo is VIETNAM


@given(received=RECEIVED, days=st.integers(min_value=1, max_value=30))
def test_n_working_days_are_exactly_n_working_days_after_the_reception_day(
    received: datetime, days: int
) -> None:
    due = due_at(working_days(days), received).date()
    between = (received.date() + timedelta(d) for d in range(1, (due - received.date()).days + 1))

    assert sum(is_working_day(d) for d in between) == days


@given(received=RECEIVED, days=st.integers(min_value=0, max_value=29))
def test_one_more_working_day_never_makes_the_due_date_earlier(
    received: datetime, days: int
) -> None:
    assert due_at(working_days(days), received) <= due_at(working_days(days + 1), received)


def test_preload_loads_the_holiday_calendar_before_any_message() -> None:
    deadlines._calendar.cache_clear()
    deadlines.is_working_day.cache_clear()
    deadlines.preload()
    assert deadlines._calendar.cache_info().currsize == 1
    assert not deadlines.is_working_day(date(date.today().year, 1, 1))  # New Year's Day
    assert deadlines._calendar.cache_info().hits == 1  # answered from the preloaded year
