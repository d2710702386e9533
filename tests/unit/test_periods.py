from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.reporting.store.periods import (
    Bucket,
    NoEarlierPeriod,
    a_year_earlier,
    cover,
    previous_period,
    spans_a_month,
    split,
)

days = st.dates(min_value=date(2018, 1, 1), max_value=date(2030, 12, 31))


def expand(bucket: Bucket) -> set[date]:
    if bucket.grain == "d":
        return {date.fromisoformat(bucket.label)}
    if bucket.grain == "m":
        first = date.fromisoformat(bucket.label + "-01")
        return {
            first + timedelta(days=i) for i in range(31) if (first + timedelta(days=i)).month == first.month
        }
    year = int(bucket.label)
    return {
        date(year, 1, 1) + timedelta(days=i) for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
    }


@given(days, days)
def test_cover_is_exactly_the_period_without_overlap(a: date, b: date) -> None:
    start, end = min(a, b), max(a, b)
    covered: list[date] = [d for bucket in cover(start, end) for d in expand(bucket)]
    assert len(covered) == len(set(covered)) == (end - start).days + 1
    assert min(covered) == start
    assert max(covered) == end


def test_cover_uses_years_and_months_where_whole() -> None:
    grains = [b.grain for b in cover(date(2022, 12, 30), date(2024, 2, 2))]
    assert grains == ["d", "d", "y", "m", "d", "d"]


def test_weeks_start_on_monday_and_are_clipped_to_the_period() -> None:
    weeks = split(date(2023, 3, 1), date(2023, 3, 15), "week")  # 1 March 2023 is a Wednesday
    assert weeks == [
        (date(2023, 3, 1), date(2023, 3, 5)),
        (date(2023, 3, 6), date(2023, 3, 12)),
        (date(2023, 3, 13), date(2023, 3, 15)),
    ]


def test_months_are_clipped_to_the_period() -> None:
    assert split(date(2023, 1, 20), date(2023, 3, 5), "month") == [
        (date(2023, 1, 20), date(2023, 1, 31)),
        (date(2023, 2, 1), date(2023, 2, 28)),
        (date(2023, 3, 1), date(2023, 3, 5)),
    ]


def test_the_previous_period_has_the_same_length_and_ends_the_day_before() -> None:
    assert previous_period(date(2023, 3, 1), date(2023, 3, 31)) == (date(2023, 1, 29), date(2023, 2, 28))
    assert previous_period(date(2024, 1, 1), date(2024, 1, 1)) == (date(2023, 12, 31), date(2023, 12, 31))


def test_a_year_earlier_keeps_the_dates_and_folds_29_february() -> None:
    assert a_year_earlier(date(2022, 10, 17), date(2023, 3, 24)) == (date(2021, 10, 17), date(2022, 3, 24))
    assert a_year_earlier(date(2024, 2, 1), date(2024, 2, 29)) == (date(2023, 2, 1), date(2023, 2, 28))


@given(st.dates(min_value=date(9990, 1, 1)), st.dates(min_value=date(9990, 1, 1)))
def test_cover_and_split_reach_9999_12_31_without_overflow(a: date, b: date) -> None:
    start, end = min(a, b), max(a, b)
    assert {d for bucket in cover(start, end) for d in expand(bucket)} == {
        start + timedelta(days=i) for i in range((end - start).days + 1)
    }
    for interval in ("day", "week", "month"):
        ranges = split(start, end, interval)
        assert ranges[0][0] == start and ranges[-1][1] == end
        assert all(later[0] - earlier[1] == timedelta(days=1) for earlier, later in pairwise(ranges))


def test_the_last_iso_week_of_9999_is_clipped_to_its_last_day() -> None:
    assert split(date(9999, 12, 20), date.max, "week") == [
        (date(9999, 12, 20), date(9999, 12, 26)),
        (date(9999, 12, 27), date(9999, 12, 31)),
    ]
    assert cover(date(9999, 1, 1), date.max) == [Bucket("y", "9999")]


def test_no_period_is_compared_before_year_1() -> None:
    assert previous_period(date(1, 1, 2), date(1, 1, 2)) == (date.min, date.min)
    with pytest.raises(NoEarlierPeriod):
        previous_period(date.min, date(1, 1, 5))
    with pytest.raises(NoEarlierPeriod):
        a_year_earlier(date(1, 3, 1), date(1, 3, 2))


def test_a_month_is_at_least_as_long_as_the_month_a_period_starts_in() -> None:
    assert spans_a_month(date(2024, 2, 1), date(2024, 2, 29))
    assert not spans_a_month(date(2024, 3, 1), date(2024, 3, 30))
    assert spans_a_month(date(2024, 1, 15), date(2024, 2, 14))
    assert spans_a_month(date(9999, 12, 1), date.max)
