"""business_days_after: weekends and US federal holidays (as observed) skipped."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import switch.notices
from switch.notices import business_days_after, federal_holidays, is_business_day

fast = settings(max_examples=300, deadline=None)

# OPM's published tables of federal holidays, as observed.
OPM: dict[int, set[str]] = {
    2020: {"01-01", "01-20", "02-17", "05-25", "07-03", "09-07", "10-12", "11-11", "11-26",
           "12-25"},
    2021: {"01-01", "01-18", "02-15", "05-31", "06-18", "07-05", "09-06", "10-11", "11-11",
           "11-25", "12-24", "12-31"},
    2022: {"01-17", "02-21", "05-30", "06-20", "07-04", "09-05", "10-10", "11-11", "11-24",
           "12-26"},
    2023: {"01-02", "01-16", "02-20", "05-29", "06-19", "07-04", "09-04", "10-09", "11-10",
           "11-23", "12-25"},
    2026: {"01-01", "01-19", "02-16", "05-25", "06-19", "07-03", "09-07", "10-12", "11-11",
           "11-26", "12-25"},
    2027: {"01-01", "01-18", "02-15", "05-31", "06-18", "07-05", "09-06", "10-11", "11-11",
           "11-25", "12-24", "12-31"},
}  # fmt: skip


def test_all_is_sorted_and_honest() -> None:
    # "@py_*" names are pytest's: it rewrites the package that ships a pytest11 plugin.
    exported = switch.notices.__all__
    assert exported == sorted(exported)
    public = {
        n for n in vars(switch.notices) if not n.startswith(("_", "@")) and n != "annotations"
    }
    assert set(exported) == public


@pytest.mark.parametrize("year", sorted(OPM))
def test_holidays_match_the_published_tables(year: int) -> None:
    assert federal_holidays(year) == {date.fromisoformat(f"{year}-{d}") for d in OPM[year]}


def test_a_friday_plus_three_is_the_wednesday() -> None:
    assert business_days_after(date(2026, 3, 6), 3) == date(2026, 3, 11)


def test_weekend_starts_count_from_monday() -> None:
    assert business_days_after(date(2026, 3, 7), 1) == date(2026, 3, 9)
    assert business_days_after(date(2026, 3, 8), 3) == date(2026, 3, 11)


def test_over_thanksgiving() -> None:
    # Thursday 26 November 2026 is Thanksgiving; the Friday after is a workday.
    assert business_days_after(date(2026, 11, 25), 1) == date(2026, 11, 27)
    assert business_days_after(date(2026, 11, 25), 3) == date(2026, 12, 1)


def test_over_christmas_observed_on_a_friday() -> None:
    # 25 December 2021 was a Saturday, kept on Friday the 24th; New Year's Day
    # 2022, also a Saturday, was kept on Friday 31 December.
    assert business_days_after(date(2021, 12, 23), 1) == date(2021, 12, 27)
    assert business_days_after(date(2021, 12, 23), 5) == date(2022, 1, 3)


def test_over_christmas_observed_on_a_monday() -> None:
    # 25 December 2022 was a Sunday, kept on Monday the 26th.
    assert business_days_after(date(2022, 12, 23), 1) == date(2022, 12, 27)


def test_independence_day_observed_on_a_friday() -> None:
    assert business_days_after(date(2026, 7, 2), 1) == date(2026, 7, 6)


def test_juneteenth_only_from_2021() -> None:
    assert is_business_day(date(2020, 6, 19))
    assert not is_business_day(date(2025, 6, 19))


@pytest.mark.parametrize("n", [0, -1])
def test_n_must_be_positive(n: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        business_days_after(date(2026, 3, 6), n)


def test_the_last_year_has_holidays_too() -> None:
    assert date(9999, 12, 24) in federal_holidays(9999)  # a Friday, Christmas on Saturday


@fast
@given(
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 1)), n=st.integers(1, 30)
)
def test_the_result_is_the_nth_business_day_after_start(start: date, n: int) -> None:
    end = business_days_after(start, n)
    assert end > start
    assert end.weekday() < 5
    assert end not in federal_holidays(end.year)
    between = [start + timedelta(days=d) for d in range(1, (end - start).days + 1)]
    working = [d for d in between if d.weekday() < 5 and d not in federal_holidays(d.year)]
    assert len(working) == n
    # Days off come at most three in a row (a weekend and an observed holiday).
    assert (end - start).days <= 4 * n


@fast
@given(year=st.integers(1990, 2200))
def test_every_year_has_its_holidays_on_weekdays(year: int) -> None:
    days = federal_holidays(year)
    assert all(d.year == year and d.weekday() < 5 for d in days)
    # Ten or eleven rules; a Saturday New Year's Day moves to the year before.
    expected = 11 if year >= 2021 else 10
    new_years_moved = date(year, 1, 1).weekday() == 5
    new_years_gained = date(year + 1, 1, 1).weekday() == 5
    assert len(days) == expected - new_years_moved + new_years_gained
