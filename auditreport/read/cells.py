"""One cell of a count table -> (status, value, bounds, qualifier), honestly.

Blank and "(no file)" are missing (never zero); "(b)(7)(E)" is withheld; "<10" is suppressed with
bounds; "more than 4,000" is reported but not exact; "77 percent" is a share, not a count.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..model import MISSING, REPORTED, SUPPRESSED, WITHHELD


@dataclass(frozen=True)
class Cell:
    status: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    qualifier: str = "exact"
    is_share: bool = False
    mark: str | None = None  # the text as printed, when it was not a plain number


class CellError(ValueError):
    """A cell that is not a count; the message says what it is and the hint what to write."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


COUNT_HINT = ("Write a whole number, leave the cell blank if no value was given, "
              "or copy a mark such as (b)(7)(E) or <10 as printed.")

_MISSING_MARKS = {"", "(no file)", "no file", "n/a", "na", "n.a.", "-", "--", "\u2014", "\u2013",
                  "not available", "no data", "unavailable", "not reported", "(no data)", "none provided",
                  "unknown", "?"}
_WITHHELD = re.compile(r"^(\(b\)\s*\(\d\)(\s*\([a-f]\))?[\s,;&]*)+$|^b\d[a-f]?$|^\[?redacted\]?$|^withheld$"
                       r"|^\*{3}$|^[\u2588\u25a0x]+$|^exempt(ion)?\b.*$", re.IGNORECASE)
_NUMBER = r"(\d{1,3}(?:[,\u202f\u00a0 ]\d{3})+|\d+)(?:\.(\d+))?"
_SUPPRESSED = [
    (re.compile(rf"^(?:<|fewer than |less than )\s*{_NUMBER}$", re.I), lambda n: (0.0, n - 1)),
    (re.compile(rf"^(?:<=|\u2264|at most |no more than )\s*{_NUMBER}$", re.I), lambda n: (0.0, n)),
]
_RANGE = re.compile(rf"^{_NUMBER}\s*(?:-|\u2013|to)\s*{_NUMBER}$", re.I)
_QUALIFIED = [
    (re.compile(rf"^(?:more than|over|>)\s*{_NUMBER}(?:\s*(million|thousand))?\+?$", re.I), "more_than"),
    (re.compile(rf"^{_NUMBER}(?:\s*(million|thousand))?\s*\+$", re.I), "at_least"),
    (re.compile(rf"^(?:at least|>=|\u2265)\s*{_NUMBER}(?:\s*(million|thousand))?$", re.I), "at_least"),
    (re.compile(rf"^(?:about|approximately|approx\.?|around|roughly|nearly|almost|~|ca\.?)\s*{_NUMBER}"
                rf"(?:\s*(million|thousand))?$", re.I), "about"),
]
_MAGNITUDES = {  # "thousands": only a range is known
    "dozens": (24.0, 143.0), "hundreds": (200.0, 999.0), "thousands": (1000.0, 999_999.0),
    "tens of thousands": (10_000.0, 99_999.0), "hundreds of thousands": (100_000.0, 999_999.0),
    "millions": (1_000_000.0, None),
}
_SHARE = re.compile(rf"^(?:(about|approximately|nearly|more than|over)\s+)?{_NUMBER}\s*(%|percent|per cent|pct)$", re.I)
_SCALE = {"thousand": 1_000, "million": 1_000_000}


SHARE_HINT = "Write a share as 77%, 77 percent or 0.77, between 0 and 100 percent."


def _share(value: float, text: str) -> Cell:
    """A bare number in a share column: 0-1 as a fraction, above 1 as a percent, never outside 0-100%."""
    share = value / 100 if value > 1 else value
    if not (math.isfinite(share) and 0 <= share <= 1):
        raise CellError(f"{text!r} is not a share between 0 and 100 percent", SHARE_HINT)
    return Cell(REPORTED, share, is_share=True)


def _number(whole: str, fraction: str | None) -> float:
    digits = re.sub(r"[,\u202f\u00a0 ]", "", whole)
    return float(f"{digits}.{fraction}" if fraction else digits)


def _whole(value: float, text: str) -> float:
    if not math.isfinite(value) or value != int(value):
        raise CellError(f"{text!r} is not a whole number of searches", COUNT_HINT)
    return value


def parse_cell(raw: object, *, share: bool = False) -> Cell:
    """Read one count-table cell. `share=True` reads it as a share (0-1 or a percent)."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return Cell(MISSING)
    if isinstance(raw, bool):
        raise CellError(f"{raw!r} is not a count", COUNT_HINT)
    if isinstance(raw, (int, float)):  # numbers from spreadsheets
        if share:
            return _share(float(raw), str(raw))
        if raw < 0:
            raise CellError(f"{raw:g} is negative; a count of searches cannot be", COUNT_HINT)
        return Cell(REPORTED, _whole(float(raw), str(raw)))
    text = re.sub(r"\s+", " ", str(raw).replace("\u00a0", " ")).strip()
    lowered = text.lower()
    if lowered in _MISSING_MARKS:
        return Cell(MISSING, mark=text or None)
    if _WITHHELD.match(text):
        return Cell(WITHHELD, mark=text)
    if match := _SHARE.match(text):
        words, whole, fraction, _ = match.groups()
        qualifier = {"about": "about", "approximately": "about", "nearly": "about",
                     "more than": "more_than", "over": "more_than"}.get((words or "").lower(), "exact")
        value = _number(whole, fraction) / 100
        if value > 1:
            raise CellError(f"{text!r} is more than 100 percent", "Check the share as published.")
        return Cell(REPORTED, value, qualifier=qualifier, is_share=True, mark=text)
    if share:
        try:
            value = float(text)
        except ValueError:
            raise CellError(f"{text!r} is not a share", SHARE_HINT) from None
        return _share(value, text)
    if re.fullmatch(r"-\s*\d[\d,]*(\.\d+)?|\(\d[\d,]*\)", text):
        raise CellError(f"{text!r} is negative; a count of searches cannot be", COUNT_HINT)
    if match := re.fullmatch(_NUMBER, text):
        return Cell(REPORTED, _whole(_number(*match.groups()), text))
    for pattern, bounds in _SUPPRESSED:
        if match := pattern.match(text):
            number = _whole(_number(*match.groups()), text)
            low, high = bounds(number)
            return Cell(SUPPRESSED, None, low, high, mark=text)
    if match := _RANGE.match(text):
        low = _whole(_number(match.group(1), match.group(2)), text)
        high = _whole(_number(match.group(3), match.group(4)), text)
        if low <= high:
            return Cell(SUPPRESSED, None, low, high, mark=text)
    for pattern, qualifier in _QUALIFIED:
        if match := pattern.match(text):
            whole, fraction, scale = match.groups()
            value = _whole(_number(whole, fraction) * _SCALE.get((scale or "").lower(), 1), text)
            low = value + 1 if qualifier == "more_than" else value if qualifier == "at_least" else None
            return Cell(REPORTED, value, low, None, qualifier=qualifier, mark=text)
    if lowered in _MAGNITUDES:
        low, high = _MAGNITUDES[lowered]
        return Cell(REPORTED, None, low, high, qualifier="order_of_magnitude", mark=text)
    if re.fullmatch(r"\d+\.\d+", text):
        raise CellError(f"{text!r} is not a whole number of searches", COUNT_HINT)
    raise CellError(f"{text!r} is not a count", COUNT_HINT)
