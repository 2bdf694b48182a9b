"""Paper hand-off after 15:00 (Decree 61/2018 Art.18): when a dossier reaches the unit that
decides it, and the deciding unit's due date counted from then. Named cases around the
30/4–1/5 holidays of 2019 (Monday 29/4 swapped off, Saturday 4/5 worked)."""

from __future__ import annotations

from datetime import datetime

import pytest

from hub.handoff import due_for, handed_over_at, is_paper
from hub.registry import Processing
from schemas import VIETNAM, Applicant, Channel, Dossier

FIVE_DAYS = Processing(kind="working_days", days=5)
SAME_DAY = Processing(kind="same_day", days=0)


def vn(month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(2019, month, day, hour, minute, tzinfo=VIETNAM)


def dossier(received_at: datetime, channel: Channel = Channel.IN_PERSON) -> Dossier:
    return Dossier(
        code="000.01.31.H57-190426-0001",
        procedure_code="1.012753",
        receiving_unit="19744",
        channel=channel,
        received_at=received_at,
        applicant=Applicant(full_name="Nguyễn Văn An", id_number="046190000123", address="Huế"),
    )


def test_only_dossiers_received_at_the_counter_travel_on_paper() -> None:
    assert [is_paper(c) for c in Channel] == [True, False, False]


def test_paper_received_at_14_59_on_the_friday_before_the_holidays_goes_the_same_afternoon() -> (
    None
):
    assert handed_over_at(dossier(vn(4, 26, 14, 59))) == vn(4, 26, 14, 59)


def test_paper_received_at_15_00_sharp_still_goes_the_same_day() -> None:
    assert handed_over_at(dossier(vn(4, 26, 15, 0))) == vn(4, 26, 15, 0)


def test_paper_received_at_15_01_on_the_friday_before_the_holidays_goes_on_2_may_at_opening() -> (
    None
):
    assert handed_over_at(dossier(vn(4, 26, 15, 1))) == vn(5, 2, 7, 30)


def test_paper_received_on_an_ordinary_wednesday_after_15_00_goes_on_thursday_at_opening() -> None:
    assert handed_over_at(dossier(vn(4, 17, 16, 45))) == vn(4, 18, 7, 30)


def test_paper_received_on_the_swapped_working_saturday_after_15_00_goes_on_monday() -> None:
    assert handed_over_at(dossier(vn(5, 4, 15, 30))) == vn(5, 6, 7, 30)


def test_paper_received_on_a_holiday_goes_at_the_next_working_days_opening() -> None:
    assert handed_over_at(dossier(vn(4, 30, 9, 0))) == vn(5, 2, 7, 30)


@pytest.mark.parametrize("channel", [Channel.ONLINE, Channel.POSTAL])
def test_online_and_postal_dossiers_are_handed_over_at_once_even_after_15_00(
    channel: Channel,
) -> None:
    assert handed_over_at(dossier(vn(4, 26, 15, 1), channel)) == vn(4, 26, 15, 1)


def test_the_deciding_units_five_days_count_from_the_day_after_a_14_59_hand_off() -> None:
    # 2/5, 3/5, 4/5 (swapped Saturday), 6/5, 7/5
    assert due_for(FIVE_DAYS, dossier(vn(4, 26, 14, 59)), transferred=True) == vn(5, 7, 17, 0)


def test_a_15_01_reception_gives_the_deciding_unit_its_five_days_from_the_day_after_2_may() -> None:
    # handed over 2/5 at 07:30; 3/5, 4/5, 6/5, 7/5, 8/5
    assert due_for(FIVE_DAYS, dossier(vn(4, 26, 15, 1)), transferred=True) == vn(5, 8, 17, 0)


def test_a_dossier_the_receiving_unit_decides_counts_from_the_reception() -> None:
    assert due_for(FIVE_DAYS, dossier(vn(4, 26, 15, 1)), transferred=False) == vn(5, 7, 17, 0)


def test_an_online_dossier_transferred_after_15_00_counts_from_the_reception() -> None:
    online = dossier(vn(4, 26, 15, 1), Channel.ONLINE)
    assert due_for(FIVE_DAYS, online, transferred=True) == vn(5, 7, 17, 0)


def test_a_same_day_procedure_handed_over_at_opening_is_due_that_afternoon() -> None:
    assert due_for(SAME_DAY, dossier(vn(4, 26, 15, 1)), transferred=True) == vn(5, 2, 16, 30)
