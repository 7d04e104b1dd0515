"""Business days: weekdays that are not US federal holidays (5 U.S.C. 6103),
the calendar on which a notice to a subject falls due."""

from __future__ import annotations

import calendar
from datetime import MAXYEAR, date, timedelta
from functools import cache

_MONDAY, _THURSDAY = calendar.MONDAY, calendar.THURSDAY
# Juneteenth became a federal holiday in 2021; the others are older than any
# record the switch could hold.
JUNETEENTH_SINCE = 2021


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    """A holiday on a Saturday is kept the Friday before, on a Sunday the Monday after."""
    if day.weekday() == calendar.SATURDAY:
        return day - timedelta(days=1)
    if day.weekday() == calendar.SUNDAY:
        return day + timedelta(days=1)
    return day


@cache
def federal_holidays(year: int) -> frozenset[date]:
    """The days federal offices close in `year`, as observed.

    New Year's Day of the next year is among them when it falls on a
    Saturday: it is then kept on 31 December.
    """
    fixed = [date(year, 1, 1), date(year, 7, 4), date(year, 11, 11), date(year, 12, 25)]
    if year >= JUNETEENTH_SINCE:
        fixed.append(date(year, 6, 19))
    by_rule = [
        _nth_weekday(year, 1, _MONDAY, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, _MONDAY, 3),  # Washington's Birthday
        _last_weekday(year, 5, _MONDAY),  # Memorial Day
        _nth_weekday(year, 9, _MONDAY, 1),  # Labor Day
        _nth_weekday(year, 10, _MONDAY, 2),  # Columbus Day
        _nth_weekday(year, 11, _THURSDAY, 4),  # Thanksgiving Day
    ]
    days = {_observed(day) for day in fixed} | set(by_rule)
    if year < MAXYEAR and date(year + 1, 1, 1).weekday() == calendar.SATURDAY:
        days.add(date(year, 12, 31))
    # A Saturday 1 January is kept in the year before, not this one.
    return frozenset(day for day in days if day.year == year)


def is_business_day(day: date) -> bool:
    return day.weekday() < calendar.SATURDAY and day not in federal_holidays(day.year)


def business_days_after(start: date, n: int) -> date:
    """The n-th business day after `start` (n ≥ 1), `start` itself not counted."""
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    day = start
    while n:
        day += timedelta(days=1)
        if is_business_day(day):
            n -= 1
    return day
