"""Period labels become explicit [start, end) dates; reporting calendars partition time."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditreport.periods import (DEFAULT_FISCAL_YEAR_START, GRAINS, Period, PeriodError, add_months, bucket_of,
                                 calendar, describe, fiscal_quarter_period, fiscal_year_period, parse_period,
                                 previous_bucket, year_before)

D = date


# -- every label form the readers meet ----------------------------------------------------------------
@pytest.mark.parametrize("label, start, end, kind", [
    # the forms named in the issue
    ("Jan-17", D(2017, 1, 1), D(2017, 2, 1), "month"),
    ("2017-01", D(2017, 1, 1), D(2017, 2, 1), "month"),
    ("Jan 2017", D(2017, 1, 1), D(2017, 2, 1), "month"),
    ("Q3 2019", D(2019, 7, 1), D(2019, 10, 1), "quarter"),
    ("FY2019", D(2018, 10, 1), D(2019, 10, 1), "fiscal_year"),
    ("2018", D(2018, 1, 1), D(2019, 1, 1), "year"),
    ("Aug 2010 - Feb 2011", D(2010, 8, 1), D(2011, 3, 1), "range"),
    ("April 28 - May 30, 2025", D(2025, 4, 28), D(2025, 5, 31), "range"),
    # months, written every way the patterns allow
    ("January 2017", D(2017, 1, 1), D(2017, 2, 1), "month"),
    ("jan-17", D(2017, 1, 1), D(2017, 2, 1), "month"),
    ("JAN-17", D(2017, 1, 1), D(2017, 2, 1), "month"),
    ("Jan '17", D(2017, 1, 1), D(2017, 2, 1), "month"),
    ("Jan. 2017", D(2017, 1, 1), D(2017, 2, 1), "month"),
    ("Jan2017", D(2017, 1, 1), D(2017, 2, 1), "month"),
    ("Sept 2017", D(2017, 9, 1), D(2017, 10, 1), "month"),
    ("Dec-99", D(1999, 12, 1), D(2000, 1, 1), "month"),  # two-digit years 70-99 are 19xx
    ("2017/01", D(2017, 1, 1), D(2017, 2, 1), "month"),
    ("01/2017", D(2017, 1, 1), D(2017, 2, 1), "month"),
    ("2017-Jan", D(2017, 1, 1), D(2017, 2, 1), "month"),
    ("2017 December", D(2017, 12, 1), D(2018, 1, 1), "month"),
    # days
    ("2019-03-15", D(2019, 3, 15), D(2019, 3, 16), "day"),
    ("03/15/2019", D(2019, 3, 15), D(2019, 3, 16), "day"),
    ("March 15, 2019", D(2019, 3, 15), D(2019, 3, 16), "day"),
    ("March 15th 2019", D(2019, 3, 15), D(2019, 3, 16), "day"),
    ("15 March 2019", D(2019, 3, 15), D(2019, 3, 16), "day"),
    # calendar quarters
    ("Q3-2019", D(2019, 7, 1), D(2019, 10, 1), "quarter"),
    ("Q3 19", D(2019, 7, 1), D(2019, 10, 1), "quarter"),
    ("Q3 '19", D(2019, 7, 1), D(2019, 10, 1), "quarter"),
    ("Q4 CY2019", D(2019, 10, 1), D(2020, 1, 1), "quarter"),
    ("2019-Q3", D(2019, 7, 1), D(2019, 10, 1), "quarter"),
    ("2019 Q3", D(2019, 7, 1), D(2019, 10, 1), "quarter"),
    # fiscal quarters and years (US federal start: October)
    ("Q1 FY2019", D(2018, 10, 1), D(2019, 1, 1), "fiscal_quarter"),
    ("FY2019 Q1", D(2018, 10, 1), D(2019, 1, 1), "fiscal_quarter"),
    ("FY2018-Q1", D(2017, 10, 1), D(2018, 1, 1), "fiscal_quarter"),
    ("FY19 Q4", D(2019, 7, 1), D(2019, 10, 1), "fiscal_quarter"),
    ("FY19", D(2018, 10, 1), D(2019, 10, 1), "fiscal_year"),
    ("FY 2019", D(2018, 10, 1), D(2019, 10, 1), "fiscal_year"),
    ("FY2018-19", D(2018, 10, 1), D(2019, 10, 1), "fiscal_year"),
    ("FY 2018/2019", D(2018, 10, 1), D(2019, 10, 1), "fiscal_year"),
    ("CY2018", D(2018, 1, 1), D(2019, 1, 1), "year"),
    # ranges
    ("Jun 2024 - May 2025", D(2024, 6, 1), D(2025, 6, 1), "range"),
    ("Jun 2024 \u2013 May 2025", D(2024, 6, 1), D(2025, 6, 1), "range"),  # en dash, as PDFs print it
    ("Dec 2024 - Oct 2025", D(2024, 12, 1), D(2025, 11, 1), "range"),
    ("Jan 2017 to Mar 2017", D(2017, 1, 1), D(2017, 4, 1), "range"),
    ("Jan 2017 through Mar 2017", D(2017, 1, 1), D(2017, 4, 1), "range"),
    ("Nov 28 - Jan 5, 2025", D(2024, 11, 28), D(2025, 1, 6), "range"),  # left side in the year before
    ("June - August 2019", D(2019, 6, 1), D(2019, 9, 1), "range"),
    ("2017 - 2018", D(2017, 1, 1), D(2019, 1, 1), "range"),
    ("FY2019 - FY2020", D(2018, 10, 1), D(2020, 10, 1), "range"),
    ("2019-01-01 - 2019-06-30", D(2019, 1, 1), D(2019, 7, 1), "range"),
])
def test_label_forms(label, start, end, kind):
    period = parse_period(label)
    assert (period.start, period.end, period.kind) == (start, end, kind)
    assert period.label == label


def test_module_docstring_examples():
    assert parse_period("Q3 2019") == Period(D(2019, 7, 1), D(2019, 10, 1))
    assert parse_period("April 28 - May 30, 2025").end == D(2025, 5, 31)


def test_surrounding_and_inner_whitespace_is_ignored():
    assert parse_period("  Jan\u00a0 2017 ") == Period(D(2017, 1, 1), D(2017, 2, 1))


def test_period_days_and_contains():
    quarter = parse_period("Q1 2017")
    assert quarter.days == 90
    assert quarter.contains(parse_period("Feb-17"))
    assert quarter.contains(quarter)
    assert not quarter.contains(parse_period("Mar 2017 - Apr 2017"))


def test_equality_ignores_label_and_kind():
    assert parse_period("Jan-17") == parse_period("2017-01") == parse_period("January 2017")


# -- fiscal years ----------------------------------------------------------------------------------------
def test_default_fiscal_year_start_is_us_federal_october():
    assert DEFAULT_FISCAL_YEAR_START == 10
    fy = parse_period("FY2026")
    assert (fy.start, fy.end) == (D(2025, 10, 1), D(2026, 10, 1))


def test_fiscal_year_with_july_start():
    fy = parse_period("FY2026", fiscal_year_start=7)
    assert (fy.start, fy.end) == (D(2025, 7, 1), D(2026, 7, 1))
    assert fiscal_year_period(2026, 7) == fy


def test_fiscal_year_with_january_start_is_the_calendar_year_it_ends_in():
    fy = fiscal_year_period(2026, 1)
    assert (fy.start, fy.end) == (D(2026, 1, 1), D(2027, 1, 1))


def test_fiscal_quarter_with_july_start():
    q = parse_period("FY2026 Q2", fiscal_year_start=7)
    assert (q.start, q.end) == (D(2025, 10, 1), D(2026, 1, 1))


@pytest.mark.parametrize("start", [0, 13, -1])
def test_fiscal_year_start_must_be_a_month(start):
    with pytest.raises(PeriodError, match=f"fiscal year start must be a month number 1-12, not {start}"):
        parse_period("FY2019", fiscal_year_start=start)


# -- bad labels ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("label, message", [
    ("Foo-17", "'Foo-17' is not a period label"),
    ("", "the period is blank"),
    ("   ", "the period is blank"),
    ("Jan 17", "'Jan 17' has no year"),  # a day of January, not 2017
    ("Q5 2019", "'Q5 2019' is not a period label"),
    ("2019-13", "'2019-13' is not a real date (month must be in 1..12)"),
    ("Feb 30 2019", "'Feb 30 2019' is not a real date (day is out of range for month)"),
    ("1899", "year 1899 is out of range"),
    ("FY2018-20", "'FY2018-20' does not name one fiscal year"),
    ("Mar 2017 - Jan 2017", "'Mar 2017 - Jan 2017' ends before it starts"),
    ("Total", "'Total' is not a period label"),
    ("n/a", "'n/a' is not a period label"),
])
def test_bad_labels_raise_period_error(label, message):
    with pytest.raises(PeriodError) as raised:
        parse_period(label)
    assert str(raised.value) == message


def test_period_error_is_a_value_error():
    assert issubclass(PeriodError, ValueError)


# -- buckets -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("grain, label, start, end", [
    ("month", "2017-11", D(2017, 11, 1), D(2017, 12, 1)),
    ("quarter", "2017-Q4", D(2017, 10, 1), D(2018, 1, 1)),
    ("year", "2017", D(2017, 1, 1), D(2018, 1, 1)),
    ("fiscal_quarter", "FY2018-Q1", D(2017, 10, 1), D(2018, 1, 1)),
    ("fiscal_year", "FY2018", D(2017, 10, 1), D(2018, 10, 1)),
])
def test_bucket_labels(grain, label, start, end):
    bucket = bucket_of(D(2017, 11, 5), grain)
    assert (bucket.label, bucket.start, bucket.end, bucket.kind) == (label, start, end, grain)


def test_bucket_label_for_calendar_quarter_three():
    assert bucket_of(D(2017, 8, 15), "quarter").label == "2017-Q3"
    assert bucket_of(D(2017, 1, 31), "month").label == "2017-01"


def test_fiscal_buckets_with_july_start():
    assert bucket_of(D(2025, 7, 1), "fiscal_year", 7).label == "FY2026"
    assert bucket_of(D(2025, 6, 30), "fiscal_year", 7).label == "FY2025"
    assert bucket_of(D(2025, 11, 5), "fiscal_quarter", 7).label == "FY2026-Q2"


def test_unknown_grain():
    with pytest.raises(PeriodError, match="unknown grain 'week'; use one of month, quarter, year, "
                                          "fiscal_quarter, fiscal_year"):
        bucket_of(D(2017, 1, 1), "week")


def test_calendar_covers_first_to_last_exclusive():
    quarters = calendar("quarter", D(2017, 2, 1), D(2018, 1, 1))
    assert [q.label for q in quarters] == ["2017-Q1", "2017-Q2", "2017-Q3", "2017-Q4"]
    assert calendar("month", D(2017, 1, 1), D(2017, 1, 1)) == []
    assert [b.label for b in calendar("fiscal_year", D(2017, 1, 1), D(2019, 1, 1))] == [
        "FY2017", "FY2018", "FY2019"]


def test_previous_and_year_before():
    q = bucket_of(D(2018, 2, 1), "quarter")
    assert previous_bucket(q, "quarter").label == "2017-Q4"
    assert year_before(q, "quarter").label == "2017-Q1"
    fq = bucket_of(D(2017, 10, 1), "fiscal_quarter")
    assert previous_bucket(fq, "fiscal_quarter").label == "FY2017-Q4"
    assert year_before(fq, "fiscal_quarter").label == "FY2017-Q1"


def test_add_months_crosses_years():
    assert add_months(D(2017, 11, 1), 3) == D(2018, 2, 1)
    assert add_months(D(2017, 1, 1), -1) == D(2016, 12, 1)


def test_describe_for_a_board():
    assert describe(parse_period("Aug 2010 - Feb 2011")) == "Aug 2010 - Feb 2011"
    assert describe(parse_period("April 28 - May 30, 2025")) == "Apr 28, 2025 - May 30, 2025"
    assert describe(bucket_of(D(2017, 8, 1), "quarter")) == "2017-Q3"


# -- properties -----------------------------------------------------------------------------------------------
days = st.dates(min_value=D(1990, 1, 1), max_value=D(2060, 12, 31))
fiscal_starts = st.integers(min_value=1, max_value=12)
grains = st.sampled_from(GRAINS)


@settings(max_examples=200, deadline=None)
@given(day=days, grain=grains, fiscal_year_start=fiscal_starts)
def test_every_day_lies_in_exactly_one_bucket(day, grain, fiscal_year_start):
    bucket = bucket_of(day, grain, fiscal_year_start)
    assert bucket.start <= day < bucket.end
    # the neighbouring buckets do not hold it
    before = bucket_of(bucket.start - timedelta(days=1), grain, fiscal_year_start)
    after = bucket_of(bucket.end, grain, fiscal_year_start)
    assert before.end == bucket.start and after.start == bucket.end
    assert not before.start <= day < before.end and not after.start <= day < after.end
    # and every day of the bucket maps back to it
    assert bucket_of(bucket.start, grain, fiscal_year_start) == bucket
    assert bucket_of(bucket.end - timedelta(days=1), grain, fiscal_year_start) == bucket


@settings(max_examples=100, deadline=None)
@given(first=days, length=st.integers(min_value=1, max_value=1500), grain=grains, fiscal_year_start=fiscal_starts)
def test_calendar_buckets_are_contiguous_and_cover_the_range(first, length, grain, fiscal_year_start):
    last = first + timedelta(days=length)
    buckets = calendar(grain, first, last, fiscal_year_start)
    assert buckets[0].start <= first < buckets[0].end
    assert buckets[-1].start < last <= buckets[-1].end
    for earlier, later in zip(buckets, buckets[1:]):
        assert earlier.end == later.start  # no gap, no overlap
        assert earlier.start < later.start
    assert len({b.label for b in buckets}) == len(buckets)


@settings(max_examples=100, deadline=None)
@given(day=days, grain=grains, fiscal_year_start=fiscal_starts)
def test_a_bucket_contains_its_own_start(day, grain, fiscal_year_start):
    bucket = bucket_of(day, grain, fiscal_year_start)
    assert bucket_of(bucket.start, grain, fiscal_year_start) == bucket
    assert bucket.contains(bucket)


@settings(max_examples=100, deadline=None)
@given(fiscal_year=st.integers(min_value=1950, max_value=2090), fiscal_year_start=fiscal_starts)
def test_fiscal_quarters_partition_their_fiscal_year(fiscal_year, fiscal_year_start):
    year = fiscal_year_period(fiscal_year, fiscal_year_start)
    quarters = [fiscal_quarter_period(fiscal_year, q, fiscal_year_start) for q in (1, 2, 3, 4)]
    assert quarters[0].start == year.start and quarters[-1].end == year.end
    for earlier, later in zip(quarters, quarters[1:]):
        assert earlier.end == later.start
    assert sum(q.days for q in quarters) == year.days
    for number, quarter in enumerate(quarters, start=1):
        assert bucket_of(quarter.start, "fiscal_quarter", fiscal_year_start).label == f"FY{fiscal_year}-Q{number}"
        assert bucket_of(quarter.start, "fiscal_year", fiscal_year_start) == year


@settings(max_examples=100, deadline=None)
@given(day=days, fiscal_year_start=fiscal_starts)
def test_fiscal_year_is_named_by_the_year_it_ends(day, fiscal_year_start):
    bucket = bucket_of(day, "fiscal_year", fiscal_year_start)
    assert bucket.label == f"FY{(bucket.end - timedelta(days=1)).year}"
    assert bucket.days in (365, 366)


@settings(max_examples=100, deadline=None)
@given(year=st.integers(min_value=1970, max_value=2069), month=st.integers(min_value=1, max_value=12))
def test_month_labels_round_trip(year, month):
    start = D(year, month, 1)
    for label in (f"{start:%b-%y}", f"{start:%Y-%m}", f"{start:%b %Y}", f"{start:%B %Y}"):
        period = parse_period(label)
        assert period.start == start and period.end == add_months(start, 1)


@settings(max_examples=100, deadline=None)
@given(day=days, grain=grains, fiscal_year_start=fiscal_starts)
def test_bucket_labels_parse_back_to_the_bucket(day, grain, fiscal_year_start):
    bucket = bucket_of(day, grain, fiscal_year_start)
    assert parse_period(bucket.label, fiscal_year_start=fiscal_year_start) == bucket


@settings(max_examples=100, deadline=None)
@given(start=days, length=st.integers(min_value=1, max_value=800))
def test_described_ranges_parse_back(start, length):
    period = Period(start, start + timedelta(days=length), kind="range")
    assert parse_period(describe(period)) == period


def test_a_decimal_number_is_not_a_month():
    # regression: an XLSX float header 2017.1 was read as January 2017
    for label in ("2017.1", "2017.12", "2017.01"):
        with pytest.raises(PeriodError):
            parse_period(label)


def test_month_names_do_not_depend_on_the_locale():
    import locale
    from auditreport import periods

    assert periods.MONTH_NAMES[0] == "January" and periods.MONTH_ABBREVIATIONS[8] == "Sep"
    source = Path(periods.__file__).read_text(encoding="utf-8")
    assert "calendar.month" not in source and "%b" not in source  # both follow LC_TIME
    before = locale.setlocale(locale.LC_TIME)
    try:
        for name in ("de_DE.UTF-8", "fr_FR.UTF-8"):
            try:
                locale.setlocale(locale.LC_TIME, name)
            except locale.Error:
                continue
            assert describe(parse_period("Aug 2010 - Mar 2011")) == "Aug 2010 - Mar 2011"
    finally:
        locale.setlocale(locale.LC_TIME, before)


def test_a_period_error_is_one_of_the_packages_errors():
    import pytest

    from auditreport.errors import AuditReportError

    with pytest.raises(AuditReportError):
        parse_period("Jonuary 2017")
