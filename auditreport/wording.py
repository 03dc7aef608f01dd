"""How numbers are said: one place for counts, shares, changes and their qualifiers in words.

The report, the charts, the command line and the notebook all read numbers aloud through these
functions, so a share is never "0%" for a non-zero count nor "100%" for less than all, and a number
that is not exact never looks exact.

>>> count_words(2099), share_words(0.0015), share_words(0.9985), share_words(0.77, exact=False)
('2,099', '<1%', '>99%', 'about 77%')
>>> change_words(0.70), change_words(-0.785), change_words(0.0)
('up 70%', 'down 79%', 'no change')
"""
from __future__ import annotations

import math

MINUS = "\u2212"  # a minus sign, not a hyphen, before a negative change

__all__ = ["change_words", "count_words", "is_known", "percent_words", "qualifier_words", "said", "share_words",
           "signed_count_words", "value_words"]


def is_known(value) -> bool:
    """A number, not None, NaN or pandas' NA."""
    if value is None:
        return False
    try:
        return not math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def count_words(value: float) -> str:
    """A count with thousands separators: 2099 -> '2,099' (never '2099.0')."""
    return f"{value:,.0f}"


def signed_count_words(change: float) -> str:
    """A change in a count with its sign: +52, −13 (a true minus sign), 0."""
    if not change:
        return "0"
    sign = "+" if change > 0 else MINUS
    return f"{sign}{count_words(abs(change))}"


def percent_words(fraction: float) -> str:
    """A fraction as a whole percent that never rounds a part to nothing or to everything.

    0 -> '0%', 0.004 -> '<1%', 0.77 -> '77%', 0.996 -> '>99%', 1 -> '100%'.
    """
    percent = fraction * 100
    if 0 < percent < 1:
        return "<1%"
    if 99 < percent < 100:
        return ">99%"
    return f"{_half_up(percent)}%"


def _half_up(number: float) -> int:
    """Rounded half away from zero, as people round (78.5 -> 79), not to the even neighbour."""
    return int(math.floor(abs(number) + 0.5)) * (1 if number >= 0 else -1)


def share_words(fraction: float, *, exact: bool = True) -> str:
    """A share in words; 'about' when it is not exact."""
    words = percent_words(fraction)
    return words if exact else f"about {words}"


def change_words(ratio: float) -> str:
    """A relative change in words: 0.7 -> 'up 70%', -0.785 -> 'down 79%', 0 -> 'no change'."""
    if not is_known(ratio):
        return "change not known"
    if ratio == 0:
        return "no change"
    words = percent_words(abs(ratio)) if abs(ratio) < 1 else f"{_half_up(abs(ratio) * 100):,}%"
    return f"{'up' if ratio > 0 else 'down'} {words}"


def value_words(row, kind: str = "count") -> str:
    """How a person should read one value of a counts table: never a bare number unless it is exact.

    `row` has value, exact, status, value_low, value_high and estimated (a row of aggregate's tables);
    `kind` is the measure's kind, "count" or "share".
    """
    return said(row, kind)[1]


def qualifier_words(row, kind: str = "count") -> str:
    """The qualifier of a value, for a spreadsheet column beside the number: 'exact', 'at least', 'about',
    'fewer than', 'more than', 'range', 'withheld', 'missing', 'not known' or 'overlapping'."""
    return said(row, kind)[0]


def said(row, kind: str = "count") -> tuple[str, str]:
    """(qualifier, words) of one value; see value_words."""
    value = getattr(row, "value", math.nan)
    value = value if is_known(value) else math.nan
    status = getattr(row, "status", "reported")
    exact = bool(getattr(row, "exact", False)) and not _blank(getattr(row, "exact", False))
    if kind == "share":
        if math.isnan(value):
            return "not known", ("not known" if status in ("reported", "mixed") else status)
        return ("exact", share_words(value)) if exact else ("about", share_words(value, exact=False))
    number = count_words
    if status == "overlapping" and not math.isnan(value):
        return "overlapping", f"{number(value)} (overlapping sources: may count searches twice)"
    low, high = getattr(row, "value_low", math.nan), getattr(row, "value_high", math.nan)
    low = low if is_known(low) else math.nan
    high = high if is_known(high) else math.nan
    estimated = bool(getattr(row, "estimated", False)) and not _blank(getattr(row, "estimated", False))
    if exact and not math.isnan(value):
        return "exact", number(value)
    if status in ("withheld", "missing"):
        return status, status
    if status == "suppressed" and math.isnan(value) and low >= 1 and not math.isnan(high):
        return "suppressed", f"{number(low)}-{number(high)}"   # a small count kept back for privacy: "1-10"
    if math.isnan(value) and not math.isnan(low):
        if not math.isnan(high):
            if low == 0 and status == "suppressed":
                return "fewer than", f"<{number(high + 1)}"
            return "range", f"{number(low)} to {number(high)}"
        return "at least", f"at least {number(low)}"
    if math.isnan(value):
        return "not known", "not known"
    prefix = "about " if estimated else ""
    if not math.isnan(high) and high != value:
        return "range", f"{prefix}{number(low)} to {number(high)}"
    if status == "reported" and not estimated:
        if not math.isnan(low) and low > value:
            return "more than", f"more than {number(value)}"
        if low == value and math.isnan(high):  # known to be at least this, with no upper bound
            return "at least", f"at least {number(value)}"
        return "about", f"about {number(value)}"
    if status != "reported":
        return ("about" if estimated else "at least"), f"{prefix}at least {number(value)}"
    return "about", f"about {number(value)}"


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) == "<NA>"
