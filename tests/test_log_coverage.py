"""Which days a log records in full: gaps and partial days by one stated rule, quiet days left alone."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditreport.read.log_coverage import THRESHOLD, covered_days, poisson_cdf

START = date(2025, 7, 1)


def days(counts: list[int]) -> list[tuple[date, int]]:
    """Searches per day from START; zero days are left out, as a log leaves them out."""
    return [(START + timedelta(days=i), n) for i, n in enumerate(counts) if n]


def kinds(coverage) -> list[tuple[str, str]]:
    return [(f.kind, f.location) for f in coverage.findings]


def test_a_week_without_searches_at_forty_a_day_is_a_gap():
    coverage = covered_days(days([40] * 20 + [0] * 7 + [40] * 20))
    assert ("coverage_gap", "2025-07-21 to 2025-07-27") in kinds(coverage)
    assert coverage.intervals == [(START, date(2025, 7, 21)), (date(2025, 7, 28), date(2025, 8, 17))]


def test_a_quiet_sunday_of_a_small_agency_is_no_gap():
    coverage = covered_days(days(([1, 2, 1, 2, 1, 1, 0] * 6)[:-1] + [1]))
    assert not [k for k, _ in kinds(coverage) if k == "coverage_gap"]
    assert coverage.intervals == [(START, START + timedelta(days=42))]
    assert ("quiet_days", "2025-07-01 to 2025-08-11") in kinds(coverage)


def test_a_first_day_far_below_the_rate_is_partial_and_left_out():
    coverage = covered_days(days([3] + [40] * 30))
    assert ("partial_day", "2025-07-01") in kinds(coverage)
    assert coverage.intervals == [(date(2025, 7, 2), date(2025, 8, 1))]


def test_first_and_last_days_in_line_with_the_rate_are_whole():
    coverage = covered_days(days([38] + [40] * 30 + [41]))
    assert coverage.intervals == [(START, date(2025, 8, 2))] and not coverage.findings


def test_a_stated_complete_log_covers_every_day_and_says_so():
    coverage = covered_days(days([3] + [40] * 10 + [0] * 5 + [40] * 10), complete=True)
    assert coverage.intervals == [(START, date(2025, 7, 27))]
    assert kinds(coverage) == [("stated_complete", "2025-07-01 to 2025-07-26")]


def test_a_one_day_log_covers_its_day_as_nothing_around_it_says_otherwise():
    coverage = covered_days([(START, 2)])
    assert coverage.intervals == [(START, START + timedelta(days=1))] and not coverage.findings


@pytest.mark.parametrize("count,rate", [(0, 2.0), (3, 40.0), (10, 10.0), (0, 900.0), (250, 300.0)])
def test_poisson_cdf_agrees_with_scipy(count, rate):
    from scipy.stats import poisson
    assert poisson_cdf(count, rate) == pytest.approx(poisson.cdf(count, rate), rel=1e-9, abs=1e-300)


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=80))
def test_coverage_is_inside_the_log_and_every_left_out_day_has_a_finding(counts):
    if not any(counts):
        return
    coverage = covered_days(days(counts))
    first = START + timedelta(days=next(i for i, n in enumerate(counts) if n))
    last = START + timedelta(days=max(i for i, n in enumerate(counts) if n))
    covered = {start + timedelta(days=k) for start, end in coverage.intervals for k in range((end - start).days)}
    assert all(first <= day <= last for day in covered)
    explained = {f.location for f in coverage.findings if f.kind in ("coverage_gap", "partial_day")}
    left_out = [first + timedelta(days=k) for k in range((last - first).days + 1)
                if first + timedelta(days=k) not in covered]
    for day in left_out:  # each day left out lies in a gap or is a partial day named by a finding
        assert any(location == day.isoformat() or (" to " in location and
                   location.split(" to ")[0] <= day.isoformat() <= location.split(" to ")[1])
                   for location in explained), day
    assert THRESHOLD == 0.001
