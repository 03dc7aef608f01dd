"""The header of a count table: which row it is (under any title lines), wide or long, what its columns name,
and what it settles before a row is read (one column per dimension or measure; --agency and --system)."""
from __future__ import annotations

import re

from ..errors import InputError, UsageError, column_letter
from ..model import DIMENSIONS, MEASURES, Finding
from ..periods import Period, PeriodError, parse_period
from .grid import Grid, cell_text
from .table_context import TableContext

HEADER_SEARCH_ROWS = 40
PERIOD_HINT = "Write periods like 2017-01, Jan-17, Jan 2017, Q3 2019, FY2019, 2018 or Aug 2010 - Feb 2011."
TOTAL_LABEL = re.compile(r"^(grand\s+)?totals?\b|^sum\b|^all agencies$|^all$", re.IGNORECASE)

LONG_ALIASES: dict[str, tuple[str, ...]] = {
    "period": ("period", "month", "date", "quarter", "year", "fiscal year", "fy", "time period", "date range",
               "reporting period", "time frame", "timeframe"),
    "period_start": ("period start", "period_start", "start", "start date", "from", "begin"),
    "period_end": ("period end", "period_end", "end", "end date", "to", "through"),
    "measure": ("measure",),
    "citation": ("citation", "published in", "published by"),  # not "reference": it can hold case numbers
    # a value column is named by its measure's header words (model.MEASURES): "Searches", "Investigations", ...
    **{m.name: (*m.header_words, m.name) for m in MEASURES.values() if m.header_words},
}
# Words too general to name a measure beside a period or in a title ("Count", "Value", "%")
GENERAL_WORDS = ("count", "value", "%", "share", "percent", "percentage")
# (word, measure) of count measures, longest first, so "misuse investigations" is found before "investigations"
COUNT_WORDS = sorted(((word, m.name) for m in MEASURES.values() if m.kind == "count"
                      for word in (*m.header_words, m.name.replace("_", " ")) if word not in GENERAL_WORDS),
                     key=lambda pair: (-len(pair[0]), pair[0]))
FISCAL_YEAR_HEADERS = ("fiscal year", "fy")  # a bare 2017 under these is FY2017
PERIOD_PARTS = ("year", "month", "quarter")  # Year + Month (or Quarter) columns make one period
# A first cell that describes the period of a preamble line ("Date Range,1/1/2017,3/31/2017"), never a header
PERIOD_LABELS = ("date range", "period", "reporting period", "time frame", "timeframe", "time period", "dates",
                 "from", "as of", "period covered", "date")


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[_:#]+", " ", text.lower())).strip()


def dimension_of(header: str) -> str | None:
    name = norm(header)
    for dimension in DIMENSIONS.values():
        if dimension.header_aliases and (name in dimension.header_aliases or name == dimension.name):
            return dimension.name
    return None


def long_role(header: str) -> str | None:
    name = norm(header)
    for role, aliases in LONG_ALIASES.items():
        if name in aliases:
            return role
    return dimension_of(header)


def split_measure(text: str) -> tuple[str | None, str]:
    """A wide column header that names its measure beside its period: "2019 investigations" ->
    ("misuse_investigations", "2019"); a header without measure words -> (None, header)."""
    for word, name in COUNT_WORDS:
        pattern = re.escape(word)
        match = (re.fullmatch(rf"(.*?\S)[\s:,(-]+{pattern}\)?", text.strip(), re.IGNORECASE)
                 or re.fullmatch(rf"{pattern}[\s:,(-]+(\S.*?)\)?", text.strip(), re.IGNORECASE))
        if match:
            return name, match.group(1).strip()
    return None, text


def measures_named(text: str) -> set[str]:
    """The count measures other than searches that a title or first header cell names in its words
    ("CLETS misuse investigations by agency" -> {"misuse_investigations"})."""
    found: set[str] = set()
    lowered = " ".join(text.lower().replace("_", " ").split())
    for word, name in COUNT_WORDS:
        if name != "searches" and re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", lowered):
            found.add(name)
            lowered = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", " ", lowered)
    return found


def column_name(index: int, header: str) -> str:
    return f'{column_letter(index + 1)} "{header}"' if header else column_letter(index + 1)


def period_or_none(text: str, fiscal_year_start: int) -> Period | None:
    if not text or TOTAL_LABEL.search(text):
        return None
    text = split_measure(text)[1]
    try:
        return parse_period(text, fiscal_year_start=fiscal_year_start)
    except PeriodError:
        return None


def find_header(grid: Grid, fiscal_year_start: int) -> tuple[int, str]:
    """The header row: a wide header (periods across) followed by rows of its width, or a long header.

    A preamble line such as "Date Range,1/1/2017,3/31/2017" names periods too: rows whose first cell
    describes the period are skipped, and a wide header with rows of its width below it is preferred.
    """
    first_wide = None
    for index, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        texts = [cell_text(cell, period_header=True) for cell in row]
        if sum(1 for text in texts if text) < 2:
            continue
        if norm(texts[0]) not in PERIOD_LABELS:
            periods = sum(1 for text in texts[1:] if period_or_none(text, fiscal_year_start))
            names_a_dimension = any(dimension_of(text) for text in texts)  # "#,Agency,Jan-17" too
            if periods >= 2 or (periods == 1 and names_a_dimension):
                following = next((other for other in grid.rows[index + 1:] if other), [])
                if len(following) == len(row):
                    return index, "wide"
                first_wide = index if first_wide is None else first_wide
                continue
        roles = {long_role(text) for text in texts if text}
        has_value = roles & set(MEASURES)
        has_period = "period" in roles or {"period_start", "period_end"} <= roles
        if has_value and has_period:
            return index, "long"
    if first_wide is not None:
        return first_wide, "wide"
    raise InputError(f"no table header was found in the first {HEADER_SEARCH_ROWS} rows", file=grid.file_name,
                     hint="A count table needs either periods as column headers (Jan-17, 2017-01, Q3 2019, "
                          "FY2019) or columns named agency, period and searches.")


def refuse_second(ctx: TableContext, header: list[str], seen: dict[int, str], index: int, role: str) -> None:
    """Two columns for one dimension or measure: which one is meant cannot be guessed."""
    first = next((i for i, r in seen.items() if r == role), None)
    if first is None:
        return
    what = {"agency": "the agency", "system": "the system", "searches": "the number of searches",
            "share_of_searches": "the share of searches"}.get(role) or \
        (f"the number of {MEASURES[role].unit} ({role})" if role in MEASURES else role)
    raise InputError(f"two columns hold {what}: {column_name(first, header[first])} and "
                     f"{column_name(index, header[index])}", file=ctx.grid.file_name, row=ctx.header_row,
                     column=column_name(index, header[index]),
                     hint="Keep one of them and delete or rename the other"
                          + (", so no search is counted twice." if role in MEASURES else "."))


def settle_options(ctx: TableContext, agency_column: int | None, system_column: int | None,
                   not_read: list[str]) -> None:
    """--agency only where the table names no agencies, --system where it names no system; then the header's
    columns that are not read, as a finding."""
    if agency_column is not None and ctx.agency:
        raise UsageError(f"this table names agencies in column {column_letter(agency_column + 1)}, "
                         "so --agency does not apply", file=ctx.grid.file_name, hint="Leave out --agency.")
    if system_column is None and not ctx.system:
        raise UsageError("the table does not say which system was searched", file=ctx.grid.file_name,
                         hint='Pass --system NAME, e.g. --system "Regional COPLINK", or add a "system" column.')
    if not_read:
        ctx.findings.append(Finding(f"row {ctx.header_row}", "columns_not_read",
                                    "columns not read (not a known dimension): " + ", ".join(not_read)))
