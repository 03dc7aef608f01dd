"""One cell of a count table -> (status, value, bounds, qualifier), honestly.

Blank and "(no file)" are missing (never zero); "(b)(7)(E)" is withheld; "<10" is suppressed with
bounds; "more than 4,000" is reported but not exact; "77 percent" is a share, not a count.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

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
                  "unknown", "?", "(not reported)", "did not report", "(did not report)", "no report",
                  "not reporting", "no report received", "did not respond", "no response", "nr"}
# Only the redaction marks agencies print, never free text: a cell such as "Exempt - <a name>" is not a mark.
_FOIA_CODE = r"\(b\)\s*\(\d\)(?:\s*\([a-f]\))?|b\s?\d\s?[a-f]?|\d\s*\([a-f]\)"
_PRA_CODE = (r"(?:(?:cal\.?\s*)?gov(?:ernment|\.|t\.?)?\s*code|gc|§|sec(?:tion|\.)?)\s*(?:§\s*)?"
             r"\d{4}(?:\.\d{1,3})?(?:\s*\([a-z0-9]{1,3}\))*")
_WITHHELD = re.compile(
    rf"^(?:\(b\)\s*\(\d\)(?:\s*\([a-f]\))?(?:\s*(?:[,;&]|and)?\s*))+$"
    rf"|^b\d[a-f]?$"
    rf"|^(?:\[?(?:redacted|withheld)\]?|\((?:redacted|withheld)\))$"
    rf"|^\*{{3,}}$|^[\u2588\u25a0x]+$"
    rf"|^exempt(?:ion)?(?:\s*[-:\u2013]?\s*(?:under\s+)?(?:{_FOIA_CODE}|{_PRA_CODE}))?$"
    rf"|^(?:{_PRA_CODE})$",
    re.IGNORECASE)
MAX_MARK = 40  # a mark is short; longer text is never stored or quoted
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
LARGEST_COUNT = 2 ** 53  # a DOUBLE holds every whole number up to here exactly


# Words a count, share or period cell may hold; a cell with any other word is never quoted (it may be a name)
_QUOTABLE_WORDS = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
    r"september|october|november|december|q[1-4]|fy|h[12]|to|through|thru|about|approximately|nearly|over|under|"
    r"more|than|fewer|less|at|least|most|percent|per|cent|pct|thousands?|millions?|hundreds?|n/?a|none|total|inf|nan)\b",
    re.IGNORECASE)


def quote(text: object, limit: int = MAX_MARK) -> str:
    """A cell value for an error message, only when it is a number, mark or period with no other words.

    Any other text is described, never quoted: the message names the row and column, and the value may be
    personal (a name typed where a count was due).

    >>> quote("1.234"), quote("Jan-17"), quote("Exempt - Officer Smith")
    ("'1.234'", "'Jan-17'", 'the text of the cell')
    """
    text = str(text)
    if len(text) > limit or re.search(r"[^\W\d_]", _QUOTABLE_WORDS.sub("", text)):
        return "the text of the cell"
    return repr(text)


def _too_large(text: str) -> CellError:
    return CellError(f"{quote(text)} is too large to be a count of searches", COUNT_HINT)


def _share(value: float, text: str, percent: bool | None) -> Cell:
    """A bare number in a share column: a percent when the column is (`percent`), else a fraction 0-1.

    `percent=None` decides for this cell alone (above 1 is a percent); readers decide per column, so that
    1 among 77 and 40 is 1%, not 100%.
    """
    if percent is None:
        percent = value > 1
    share = value / 100 if percent else value
    if not (math.isfinite(share) and 0 <= share <= 1):
        raise CellError(f"{quote(text)} is not a share between 0 and 100 percent", SHARE_HINT)
    return Cell(REPORTED, share, is_share=True)


def _number(whole: str, fraction: str | None) -> float:
    digits = re.sub(r"[,\u202f\u00a0 ]", "", whole)
    if len(digits) > 30:  # float() would give inf or lose digits; _whole says what it is
        return math.inf
    return float(f"{digits}.{fraction}" if fraction else digits)


def _whole(value: float, text: str) -> float:
    if value == math.inf and re.fullmatch(r"[\d,\u202f\u00a0 ]+", text):
        raise _too_large(text)
    if not math.isfinite(value) or value != int(value):
        raise CellError(f"{quote(text)} is not a whole number of searches", COUNT_HINT)
    if value > LARGEST_COUNT:
        raise _too_large(text)
    return value


_AMBIGUOUS_DOT = re.compile(r"(?<![\d.,])(\d{1,3})\.(\d{3})(?![\d.,])")


def _decimal_comma(text: str) -> str:
    """Numbers written with '.' for thousands and ',' for decimals (semicolon files) -> '1,234.5' form."""
    def fix(match: re.Match) -> str:
        token = match.group(0)
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", token):
            return token.replace(".", "").replace(",", ".")
        if re.fullmatch(r"\d+,(?:\d{1,2}|\d{4,})", token):
            return token.replace(",", ".")
        return token
    return re.sub(r"\d[\d.,]*\d|\d", fix, text)


def parse_cell(raw: object, *, share: bool = False, percent: bool | None = None,
               decimal_comma: bool = False) -> Cell:
    """Read one count-table cell. `share=True` reads it as a share (0-1, or a percent when `percent`).

    `decimal_comma` (semicolon-delimited files): '.' separates thousands and ',' marks decimals. Otherwise
    '1.000' could be either and is refused. The mark kept is only ever a known mark or a short numeric
    expression, never free text.
    """
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return Cell(MISSING)
    if isinstance(raw, bool):
        raise CellError(f"{quote(raw)} is not a count", COUNT_HINT)
    if isinstance(raw, (int, float)):  # numbers from spreadsheets
        if share:
            return _share(float(raw), str(raw), percent)
        if raw < 0:
            raise CellError(f"{raw:g} is negative; a count of searches cannot be", COUNT_HINT)
        if isinstance(raw, int) and raw > LARGEST_COUNT:
            raise _too_large(str(raw))
        return Cell(REPORTED, _whole(float(raw), str(raw)))
    printed = re.sub(r"\s+", " ", str(raw).replace("\u00a0", " ")).strip()
    text = _decimal_comma(printed) if decimal_comma else printed
    try:
        cell = _parse_text(text, share, percent)
    except CellError as error:
        if text != printed:  # quote the cell as printed, not as rewritten
            raise CellError(str(error).replace(quote(text), quote(printed)), error.hint) from None
        raise
    if cell.mark is not None:
        cell = replace(cell, mark=printed)
        if len(printed) > MAX_MARK:
            raise CellError(f"{quote(printed)} is not a count", COUNT_HINT)
    return cell


def _parse_text(text: str, share: bool, percent: bool | None) -> Cell:
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
            raise CellError(f"{quote(text)} is more than 100 percent", "Check the share as published.")
        return Cell(REPORTED, value, qualifier=qualifier, is_share=True, mark=text)
    if share:
        try:
            value = float(text)
        except ValueError:
            raise CellError(f"{quote(text)} is not a share", SHARE_HINT) from None
        return _share(value, text, percent)
    if re.fullmatch(r"-\s*\d[\d,]*(\.\d+)?|\(\d[\d,]*\)", text):
        raise CellError(f"{quote(text)} is negative; a count of searches cannot be", COUNT_HINT)
    if ambiguous := _AMBIGUOUS_DOT.search(text):
        whole, part = ambiguous.groups()
        thousands, decimal = int(whole + part), float(f"{whole}.{part}")
        raise CellError(f"{quote(text)} could be {thousands:,} or {decimal:g}; write {thousands} or {thousands:,}",
                        "A count of searches is a whole number; write it without a decimal point.")
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
        raise CellError(f"{quote(text)} is not a whole number of searches", COUNT_HINT)
    raise CellError(f"{quote(text)} is not a count", COUNT_HINT)
