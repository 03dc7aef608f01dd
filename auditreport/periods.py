"""Periods as explicit dates: parse the labels found in records, and lay out reporting calendars.

Every period is [start, end): `end` is the day after the last day, so adjacent periods share a
boundary and lengths are `(end - start).days`. Fiscal years are named by the year they end:
with the US federal start (October), FY2026 runs 2025-10-01 to 2026-10-01.

>>> parse_period("Q3 2019")
Period(start=datetime.date(2019, 7, 1), end=datetime.date(2019, 10, 1), label='Q3 2019', kind='quarter')
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from .errors import UsageError

GRAINS = ("month", "quarter", "year", "fiscal_quarter", "fiscal_year")
REPORTED_GRAIN = "reported"  # each observation in its own period, as the source gave it
ALL_GRAINS = GRAINS + (REPORTED_GRAIN,)
DEFAULT_FISCAL_YEAR_START = 10  # US federal: FY2026 = 1 Oct 2025 - 30 Sep 2026

# English names, written out: the process locale must not change how a label is read or written.
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
MONTH_ABBREVIATIONS = tuple(name[:3] for name in MONTH_NAMES)
_MONTHS: dict[str, int] = {}
for _number, _name in enumerate(MONTH_NAMES, start=1):
    _MONTHS[_name.lower()] = _number
    _MONTHS[_name[:3].lower()] = _number
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    label: str = field(default="", compare=False)
    kind: str = field(default="range", compare=False)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def contains(self, other: "Period") -> bool:
        return self.start <= other.start and other.end <= self.end


class PeriodError(UsageError, ValueError):
    """A label that is not a period we can read: one of the package's errors (exit 2 on the command line), and a
    ValueError for code that only knows that."""


def _quoted(text: str, limit: int = 40) -> str:
    """A label for an error message, cut to `limit` characters: a long cell may hold anything."""
    text = str(text)
    return repr(text if len(text) <= limit else text[:limit - 1] + "\u2026")


def add_months(day: date, months: int) -> date:
    """First-of-month arithmetic: add_months(date(2017, 11, 1), 3) -> date(2018, 2, 1)."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def _year(text: str) -> int:
    value = int(text)
    if len(text) == 2:  # "Jan-17": 00-69 -> 2000s, 70-99 -> 1900s
        value += 2000 if value < 70 else 1900
    if not 1900 <= value <= 2100:
        raise PeriodError(f"year {text} is out of range")
    return value


def _check_fiscal_start(fiscal_year_start: int) -> None:
    if not 1 <= int(fiscal_year_start) <= 12:
        raise PeriodError(f"fiscal year start must be a month number 1-12, not {fiscal_year_start}")


def month_period(year: int, month: int, label: str = "") -> Period:
    start = date(year, month, 1)
    return Period(start, add_months(start, 1), label or f"{year:04d}-{month:02d}", "month")


def quarter_period(year: int, quarter: int, label: str = "") -> Period:
    start = date(year, 3 * (quarter - 1) + 1, 1)
    return Period(start, add_months(start, 3), label or f"{year:04d}-Q{quarter}", "quarter")


def year_period(year: int, label: str = "") -> Period:
    return Period(date(year, 1, 1), date(year + 1, 1, 1), label or f"{year:04d}", "year")


def fiscal_year_period(fiscal_year: int, fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START,
                       label: str = "") -> Period:
    """FY named by the year it ends: FY2026 with an October start is 2025-10-01 .. 2026-10-01."""
    _check_fiscal_start(fiscal_year_start)
    end = date(fiscal_year, fiscal_year_start, 1) if fiscal_year_start != 1 else date(fiscal_year + 1, 1, 1)
    return Period(add_months(end, -12), end, label or f"FY{fiscal_year:04d}", "fiscal_year")


def fiscal_quarter_period(fiscal_year: int, quarter: int,
                          fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START, label: str = "") -> Period:
    year = fiscal_year_period(fiscal_year, fiscal_year_start)
    start = add_months(year.start, 3 * (quarter - 1))
    return Period(start, add_months(start, 3), label or f"FY{fiscal_year:04d}-Q{quarter}", "fiscal_quarter")


def day_period(day: date, label: str = "") -> Period:
    return Period(day, day + timedelta(days=1), label or day.isoformat(), "day")


# -- parsing -----------------------------------------------------------------------------------------
def _clean(text: str) -> str:
    text = str(text).strip().replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text)


_SINGLE_PATTERNS: list[tuple[str, str]] = [
    ("iso_day", r"(?P<year>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    ("us_day", r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<year>\d{4})"),
    ("iso_month", r"(?P<year>\d{4})[-/](?P<m>\d{1,2})"),  # not '.': 2017.1 is a number, not a month
    ("month_slash_year", r"(?P<m>\d{1,2})/(?P<year>\d{4})"),
    ("name_day_year", _MONTH + r" (?P<d>\d{1,2})(?:st|nd|rd|th)?,? (?P<year>\d{4})"),
    ("day_name_year", r"(?P<d>\d{1,2}) " + _MONTH + r",? (?P<year>\d{4})"),
    ("name_year", _MONTH + r"[ \-]?(?P<year>\d{4})"),
    ("name_year", _MONTH + r"(?:-|[ \-]?')(?P<year>\d{2})"),  # "Jan-17", "Jan '17"; not "Jan 17" (a day)
    ("year_name", r"(?P<year>\d{4})[ \-]" + _MONTH),
    ("name_day", _MONTH + r" (?P<d>\d{1,2})(?:st|nd|rd|th)?"),
    ("name", _MONTH),
    ("fiscal_quarter", r"(?:q(?P<q>[1-4]) ?-? ?fy ?(?P<year>\d{4}|\d{2})"
                       r"|fy ?(?P<year2>\d{4}|\d{2}) ?-? ?q(?P<q2>[1-4]))"),
    ("quarter", r"(?:q(?P<q>[1-4])[ \-/]?(?:cy ?)?(?P<year>\d{4}|'?\d{2})"
                r"|(?:cy ?)?(?P<year2>\d{4}) ?-? ?q(?P<q2>[1-4]))"),
    ("fiscal_year_span", r"fy ?(?P<y1>\d{4})[-/](?P<y2>\d{4}|\d{2})"),
    ("fiscal_year", r"fy ?(?P<year>\d{4}|\d{2})"),
    ("year", r"(?:cy ?)?(?P<year>\d{4})"),
]
_SINGLE = [(kind, re.compile(pattern + r"$", re.IGNORECASE)) for kind, pattern in _SINGLE_PATTERNS]


def _parse_single(text: str, fiscal_year_start: int, default_year: int | None = None) -> Period:
    """One period; day or month names without a year take `default_year` (used inside ranges)."""
    for kind, pattern in _SINGLE:
        match = pattern.match(text)
        if not match:
            continue
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        try:
            if kind in ("iso_day", "us_day"):
                return day_period(date(_year(groups["year"]), int(groups["m"]), int(groups["d"])), text)
            if kind in ("iso_month", "month_slash_year"):
                return month_period(_year(groups["year"]), int(groups["m"]), text)
            if kind in ("name_day_year", "day_name_year"):
                return day_period(date(_year(groups["year"]), _MONTHS[groups["month"].lower()],
                                       int(groups["d"])), text)
            if kind == "name_year":
                return month_period(_year(groups["year"]), _MONTHS[groups["month"].lower()], text)
            if kind == "year_name":
                return month_period(_year(groups["year"]), _MONTHS[groups["month"].lower()], text)
            if kind in ("name_day", "name"):
                if default_year is None:
                    raise PeriodError(f"{_quoted(text)} has no year")
                month = _MONTHS[groups["month"].lower()]
                if kind == "name":
                    return month_period(default_year, month, text)
                return day_period(date(default_year, month, int(groups["d"])), text)
            if kind == "fiscal_quarter":
                year = _year(groups.get("year") or groups["year2"])
                return fiscal_quarter_period(year, int(groups.get("q") or groups["q2"]), fiscal_year_start, text)
            if kind == "quarter":
                year = _year((groups.get("year") or groups["year2"]).lstrip("'"))
                return quarter_period(year, int(groups.get("q") or groups["q2"]), text)
            if kind == "fiscal_year_span":  # "FY2018-19": the fiscal year ending in 2019
                first, second = _year(groups["y1"]), groups["y2"]
                last = _year(second) if len(second) == 4 else (first // 100) * 100 + int(second)
                if last != first + 1:
                    raise PeriodError(f"{_quoted(text)} does not name one fiscal year")
                return fiscal_year_period(last, fiscal_year_start, text)
            if kind == "fiscal_year":
                return fiscal_year_period(_year(groups["year"]), fiscal_year_start, text)
            if kind == "year":
                return year_period(_year(groups["year"]), text)
        except PeriodError:
            raise
        except ValueError as error:  # date() out of range, bad month number
            raise PeriodError(f"{_quoted(text)} is not a real date ({error})") from None
    raise PeriodError(f"{_quoted(text)} is not a period label")


_RANGE = re.compile(r"^(?P<left>.+?)\s*(?:\s-\s|-(?=\s*[A-Za-z])|\bto\b|\bthrough\b|\bthru\b|\buntil\b)"
                    r"\s*(?P<right>.+)$",
                    re.IGNORECASE)


def parse_period(text: str, *, fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START) -> Period:
    """Parse a period label into explicit dates; raise PeriodError saying what was not understood.

    >>> parse_period("April 28 - May 30, 2025").end
    datetime.date(2025, 5, 31)
    """
    _check_fiscal_start(fiscal_year_start)
    cleaned = _clean(text)
    if not cleaned:
        raise PeriodError("the period is blank")
    try:
        return _parse_single(cleaned, fiscal_year_start)
    except PeriodError as single_error:
        match = _RANGE.match(cleaned)
        if not match:
            raise single_error from None
    left_text, right_text = match.group("left").strip(" ,"), match.group("right").strip(" ,")
    right = _parse_single(right_text, fiscal_year_start)
    try:
        left = _parse_single(left_text, fiscal_year_start)
    except PeriodError:
        left = _parse_single(left_text, fiscal_year_start, default_year=right.start.year)
        if left.start > right.start:  # "Nov 28 - Jan 5, 2025": the left side is in the year before
            left = _parse_single(left_text, fiscal_year_start, default_year=right.start.year - 1)
    if left.start >= right.end:
        raise PeriodError(f"{_quoted(text)} ends before it starts")
    return Period(left.start, right.end, text.strip(), "range")


# -- reporting calendars -----------------------------------------------------------------------------
def bucket_of(day: date, grain: str, fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START) -> Period:
    """The reporting bucket of `grain` that holds `day`."""
    _check_fiscal_start(fiscal_year_start)
    if grain == "month":
        return month_period(day.year, day.month)
    if grain == "quarter":
        return quarter_period(day.year, (day.month - 1) // 3 + 1)
    if grain == "year":
        return year_period(day.year)
    if grain in ("fiscal_year", "fiscal_quarter"):
        offset = (day.month - fiscal_year_start) % 12
        year_start = add_months(date(day.year, day.month, 1), -offset)
        fiscal_year = (add_months(year_start, 12) - timedelta(days=1)).year
        if grain == "fiscal_year":
            return fiscal_year_period(fiscal_year, fiscal_year_start)
        return fiscal_quarter_period(fiscal_year, offset // 3 + 1, fiscal_year_start)
    raise PeriodError(f"unknown grain {grain!r}; use one of {', '.join(GRAINS)}")


def calendar(grain: str, first: date, last: date,
             fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START) -> list[Period]:
    """Consecutive buckets of `grain` from the one holding `first` to the one holding `last - 1 day`."""
    buckets: list[Period] = []
    if last <= first:
        return buckets
    bucket = bucket_of(first, grain, fiscal_year_start)
    while bucket.start < last:
        buckets.append(bucket)
        bucket = bucket_of(bucket.end, grain, fiscal_year_start)
    return buckets


def previous_bucket(bucket: Period, grain: str, fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START) -> Period:
    return bucket_of(bucket.start - timedelta(days=1), grain, fiscal_year_start)


def year_before(bucket: Period, grain: str, fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START) -> Period:
    return bucket_of(add_months(bucket.start, -12), grain, fiscal_year_start)


def bucket_named(label: str, grain: str | None = None,
                 fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START) -> tuple[Period, str]:
    """The reporting bucket a label names, and its grain: '2025-Q3' is a quarter, 'FY2026-Q1' a fiscal
    quarter, '2025-11' a month, 'FY2025' a fiscal year, '2025' a year.

    >>> period, grain = bucket_named("FY2026-Q1")
    >>> period.start, period.end, grain
    (datetime.date(2025, 10, 1), datetime.date(2026, 1, 1), 'fiscal_quarter')
    """
    period = parse_period(label, fiscal_year_start=fiscal_year_start)
    named = period.kind if period.kind in GRAINS else None
    if named is None:
        raise PeriodError(f"{_quoted(label)} is not a month, quarter, year, fiscal quarter or fiscal year")
    if grain is not None and grain != named:
        # a calendar label read at a fiscal grain is fine when the bucket is the same (FY with a January start)
        bucket = bucket_of(period.start, grain, fiscal_year_start)
        if (bucket.start, bucket.end) != (period.start, period.end):
            raise PeriodError(f"{_quoted(label)} names a {named.replace('_', ' ')}, not a {grain.replace('_', ' ')}")
        return bucket, grain
    return bucket_of(period.start, named, fiscal_year_start), named


def long_words(period: Period) -> str:
    """'1 July to 30 September 2025', for a reader who does not know what 2025-Q3 or FY2026-Q1 means."""
    last = period.end - timedelta(days=1)
    first = f"{period.start.day} {MONTH_NAMES[period.start.month - 1]}"
    if period.start.year != last.year:
        first += f" {period.start.year}"
    return f"{first} to {last.day} {MONTH_NAMES[last.month - 1]} {last.year}"


def describe(period: Period) -> str:
    """Plain words for a board: 'Aug 2010 - Feb 2011', 'Apr 28 - May 30, 2025', '2017-Q3'."""
    if period.kind != "range":
        return period.label
    last = period.end - timedelta(days=1)
    first_month, last_month = MONTH_ABBREVIATIONS[period.start.month - 1], MONTH_ABBREVIATIONS[last.month - 1]
    if period.start.day == 1 and period.end.day == 1:
        return f"{first_month} {period.start.year} - {last_month} {last.year}"
    return f"{first_month} {period.start.day:02d}, {period.start.year} - {last_month} {last.day:02d}, {last.year}"
