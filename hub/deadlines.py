"""Due dates in working days. Pure functions over a rule set chosen by reception date.

Working days are Monday to Friday minus Vietnamese public holidays (lunar ones included),
plus the Saturdays the government swaps in as working days — all from the ``holidays``
package (country VN), never a hand-written calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

import holidays

from hub.registry.model import Processing
from schemas import VIETNAM


@dataclass(frozen=True)
class RuleSet:
    """The deadline rules in force for dossiers received from ``effective_from``."""

    name: str
    legal_basis: str
    effective_from: date
    effective_to: date | None
    same_day_cutoff: time = time(11, 0)
    same_day_due: time = time(16, 30)
    next_day_due: time = time(11, 0)
    end_of_day: time = time(17, 0)
    paper_handoff_cutoff: time = time(15, 0)
    office_opens: time = time(7, 30)

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


RULE_SETS: tuple[RuleSet, ...] = (
    RuleSet(
        name="three-tier-2017",
        legal_basis="Decision 2651/QĐ-UBND (Thừa Thiên Huế, 2017); Decree 61/2018/NĐ-CP",
        effective_from=date(2017, 11, 9),
        effective_to=date(2025, 6, 30),
    ),
    RuleSet(
        name="two-tier-2025",
        legal_basis="Decree 118/2025/NĐ-CP; Circular 03/2025/TT-VPCP (same-day cut-offs kept "
        "from Decision 2651 until the province issues new ones)",
        effective_from=date(2025, 7, 1),
        effective_to=None,
    ),
)


def rules_for(moment: datetime) -> RuleSet:
    day = moment.astimezone(VIETNAM).date()
    for rules in RULE_SETS:
        if rules.covers(day):
            return rules
    return RULE_SETS[0]  # before the seed era: the oldest rules we know


@cache
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


def preload() -> None:
    """Load the holiday calendar now rather than on the first message: the ``holidays``
    package imports its country data on first use (~0.3 s, during which the worker's event
    loop does nothing else); each further year then takes well under a millisecond."""
    _calendar(date.today().year)


@cache
def is_working_day(day: date) -> bool:
    """Cached: every due date walks day by day through the calendar, per message."""
    return bool(_calendar(day.year).is_working_day(day))


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself is never counted)."""
    for _ in range(count):
        day = next_working_day(day)
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days in ``(start, end]``."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def due_at(processing: Processing, received_at: datetime) -> datetime:
    """When the result is due for a dossier accepted (complete) at ``received_at``.

    Same-day procedures: received on a working day before the cut-off (11:00) → 16:30 that
    day; otherwise 11:00 the next working day. N working days: counted from the next
    working day, due at the end of the N-th. A supplement restarts the count: call this
    again with the time the complete dossier arrived.
    """
    rules = rules_for(received_at)
    local = received_at.astimezone(VIETNAM)
    day = local.date()
    if processing.kind == "same_day":
        if is_working_day(day) and local.time() < rules.same_day_cutoff:
            return datetime.combine(day, rules.same_day_due, VIETNAM)
        return datetime.combine(next_working_day(day), rules.next_day_due, VIETNAM)
    return datetime.combine(
        add_working_days(day, max(processing.days, 1)), rules.end_of_day, VIETNAM
    )


def handoff_at(received_at: datetime, *, paper: bool) -> datetime:
    """When a dossier is handed to the competent unit: paper dossiers received after 15:00
    (or on a day off) go at the opening of the next working day (Decree 61/2018 Art.18);
    electronic ones at once."""
    rules = rules_for(received_at)
    local = received_at.astimezone(VIETNAM)
    if not paper:
        return local
    if is_working_day(local.date()) and local.time() <= rules.paper_handoff_cutoff:
        return local
    return datetime.combine(next_working_day(local.date()), rules.office_opens, VIETNAM)


def previous_working_day(day: date) -> date:
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def warning_at(due: datetime) -> datetime:
    """One working day before ``due``: the same time on the previous working day."""
    local = due.astimezone(VIETNAM)
    return datetime.combine(previous_working_day(local.date()), local.timetz())
