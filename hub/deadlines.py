"""Due dates in working days (Mon-Fri minus Vietnamese public holidays). Pure functions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache

import holidays

from hub.registry.model import Processing
from schemas import VIETNAM

SAME_DAY_CUTOFF = time(11, 0)
SAME_DAY_DUE = time(16, 30)
NEXT_DAY_DUE = time(11, 0)
END_OF_DAY = time(17, 0)


@cache
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due_at(processing: Processing, received_at: datetime) -> datetime:
    """When the result is due for a dossier accepted at ``received_at``."""
    local = received_at.astimezone(VIETNAM)
    day = local.date()
    if processing.kind == "same_day":
        if is_working_day(day) and local.time() < SAME_DAY_CUTOFF:
            return datetime.combine(day, SAME_DAY_DUE, VIETNAM)
        return datetime.combine(next_working_day(day), NEXT_DAY_DUE, VIETNAM)
    for _ in range(max(processing.days, 1)):
        day = next_working_day(day)
    return datetime.combine(day, END_OF_DAY, VIETNAM)
