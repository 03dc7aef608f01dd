"""Count tables (agency x period x count), long or wide, as records requests return them.

Finds the header under title lines, stops at footnotes, recognises total rows and columns (never
agencies or periods) and reconciles them with their parts: a disagreement is a finding. Only known
dimensions are read; every other column is left in the file and named in a finding.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..errors import InputError, UsageError, column_letter
from ..model import (DIMENSIONS, MEASURES, MISSING, OBSERVATION_COLUMN_NAMES, QUALIFIERS, REPORTED,
                     SUPPRESSED, WITHHELD, Finding)
from ..periods import DEFAULT_FISCAL_YEAR_START, Period, PeriodError, parse_period
from ..rules import ReasonRules, load_reason_rules
from .cells import Cell, CellError, parse_cell, quote
from .grid import Grid, cell_text, read_grid
from .problems import ProblemList

HEADER_SEARCH_ROWS = 40
PERIOD_HINT = "Write periods like 2017-01, Jan-17, Jan 2017, Q3 2019, FY2019, 2018 or Aug 2010 - Feb 2011."
TOTAL_LABEL = re.compile(r"^(grand\s+)?totals?\b|^sum\b|^all agencies$|^all$", re.IGNORECASE)
SUBTOTAL_LABEL = re.compile(r"\bsub-?\s*totals?\b|\btotals?$", re.IGNORECASE)  # "Federal subtotal", "Federal total"

LONG_ALIASES: dict[str, tuple[str, ...]] = {
    "period": ("period", "month", "date", "quarter", "year", "fiscal year", "fy", "time period", "date range",
               "reporting period", "time frame", "timeframe"),
    "period_start": ("period start", "period_start", "start", "start date", "from", "begin"),
    "period_end": ("period end", "period_end", "end", "end date", "to", "through"),
    "measure": ("measure",),
    "citation": ("citation", "published in", "published by"),  # not "reference": it can hold case numbers
    "searches": ("searches", "count", "queries", "number of searches", "number of queries", "total searches",
                 "search count", "query count", "value", "searches run", "inquiries", "lookups"),
    "share_of_searches": ("share", "percent", "percentage", "share of searches", "% of searches", "%",
                          "share_of_searches"),
}
FISCAL_YEAR_HEADERS = ("fiscal year", "fy")  # a bare 2017 under these is FY2017
PERIOD_PARTS = ("year", "month", "quarter")  # Year + Month (or Quarter) columns make one period
# A first cell that describes the period of a preamble line ("Date Range,1/1/2017,3/31/2017"), never a header
PERIOD_LABELS = ("date range", "period", "reporting period", "time frame", "timeframe", "time period", "dates",
                 "from", "as of", "period covered", "date")
# After the data, a row starting like this is a note, unless its value cells are all counts
FOOTNOTE_START = re.compile(r"^(?:[*\u2020\u2021\u00a7]|[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]|\(\d{1,2}\)|\[\d{1,2}\]"
                            r"|\d{1,2}[.)]?$|\d{1,2}[.)]\s*[^\W\d_]"
                            r"|(?:notes?|sources?|prepared by|data as of)\b)", re.IGNORECASE)
NOTE_LABEL = re.compile(r"^(?:notes?|sources?|prepared by|data as of|excludes?|includes?)\b", re.IGNORECASE)
MEASURE_WORDS = {"searches": "searches", "count": "searches", "queries": "searches", "lookups": "searches",
                 "share": "share_of_searches", "share of searches": "share_of_searches",
                 "share_of_searches": "share_of_searches", "percent": "share_of_searches"}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[_:#]+", " ", text.lower())).strip()


def _dimension_of(header: str) -> str | None:
    name = _norm(header)
    for dimension in DIMENSIONS.values():
        if dimension.header_aliases and (name in dimension.header_aliases or name == dimension.name):
            return dimension.name
    return None


def _long_role(header: str) -> str | None:
    name = _norm(header)
    for role, aliases in LONG_ALIASES.items():
        if name in aliases:
            return role
    return _dimension_of(header)


@dataclass
class TableRead:
    """What a reader hands to the store: observations (model columns) and findings, nothing else."""

    grid: Grid
    reader: str
    observations: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    rows_read: int = 0


@dataclass
class _Context:
    grid: Grid
    header_row: int  # 1-based
    system: str | None
    agency: str | None
    fiscal_year_start: int
    problems: ProblemList
    findings: list[Finding] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)
    blank_cells: list[str] = field(default_factory=list)
    rules: ReasonRules | None = None  # a reason column's text is sorted by these, and never kept
    reasons_sorted: int = 0

    def reason_category(self, text: str) -> str | None:
        """A category of the reason rules for a reason or category cell: its text is never stored."""
        if not text:
            return None
        self.reasons_sorted += 1
        rules = self.rules or load_reason_rules(None)
        named = text.strip().lower()
        return named if named in rules.categories else rules.classify(text)

    @property
    def decimal_comma(self) -> bool:
        """Semicolon-delimited files are written where '.' separates thousands and ',' marks decimals."""
        return self.grid.delimiter == ";"


def _column_name(index: int, header: str) -> str:
    return f'{column_letter(index + 1)} "{header}"' if header else column_letter(index + 1)


def _period_or_none(text: str, fiscal_year_start: int) -> Period | None:
    if not text or TOTAL_LABEL.search(text):
        return None
    try:
        return parse_period(text, fiscal_year_start=fiscal_year_start)
    except PeriodError:
        return None


def _find_header(grid: Grid, fiscal_year_start: int) -> tuple[int, str]:
    """The header row: a wide header (periods across) followed by rows of its width, or a long header.

    A preamble line such as "Date Range,1/1/2017,3/31/2017" names periods too: rows whose first cell
    describes the period are skipped, and a wide header with rows of its width below it is preferred.
    """
    first_wide = None
    for index, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        texts = [cell_text(cell, period_header=True) for cell in row]
        if sum(1 for text in texts if text) < 2:
            continue
        if _norm(texts[0]) not in PERIOD_LABELS:
            periods = sum(1 for text in texts[1:] if _period_or_none(text, fiscal_year_start))
            names_a_dimension = any(_dimension_of(text) for text in texts)  # "#,Agency,Jan-17" too
            if periods >= 2 or (periods == 1 and names_a_dimension):
                following = next((other for other in grid.rows[index + 1:] if other), [])
                if len(following) == len(row):
                    return index, "wide"
                first_wide = index if first_wide is None else first_wide
                continue
        roles = {_long_role(text) for text in texts if text}
        has_value = roles & {"searches", "share_of_searches"}
        has_period = "period" in roles or {"period_start", "period_end"} <= roles
        if has_value and has_period:
            return index, "long"
    if first_wide is not None:
        return first_wide, "wide"
    raise InputError(f"no table header was found in the first {HEADER_SEARCH_ROWS} rows", file=grid.file_name,
                     hint="A count table needs either periods as column headers (Jan-17, 2017-01, Q3 2019, "
                          "FY2019) or columns named agency, period and searches.")


def _row_kind(texts: list[str], value_columns: list[int], label: str) -> str:
    """'blank', 'no_counts' (a heading or a footnote: decided by what follows), 'total', 'subtotal' or 'data'."""
    if not any(texts):
        return "blank"
    if not any(i < len(texts) and texts[i] for i in value_columns):
        return "no_counts"
    if TOTAL_LABEL.search(label):
        return "total"
    if SUBTOTAL_LABEL.search(label):
        return "subtotal"
    return "data"


@dataclass
class _RowsWithoutCounts:
    """Rows with a label but no counts: section headings when data follow, footnotes at the end."""

    pending: list[int] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)
    notes: list[int] = field(default_factory=list)  # rows that start like a note and have text in value cells

    def add(self, row_number: int, *, note: bool = False) -> None:
        self.pending.append(row_number)
        if note:
            self.notes.append(row_number)

    def data_follows(self, ctx: "_Context") -> None:
        for row_number in self.notes:  # a note with counts below it: a bad row, not a note; never drop it
            ctx.problems.add(row_number, None, "this row starts like a note (*, 1., Source, ...) and its cells are "
                             "not counts, but rows of counts follow it",
                             "Move notes below the table, or correct the counts in this row.")
        self.notes = []
        self.headings.extend(self.pending)
        self.pending = []

    def report(self, ctx: "_Context") -> None:
        if self.headings:
            ctx.findings.append(Finding(_rows_list(self.headings), "rows_without_counts",
                                        f"{len(self.headings)} row(s) with a label but no counts were read as "
                                        "section headings, not agencies; if one is an agency whose numbers were "
                                        "not given, write (no file) in its cells."))
        if self.pending:
            ctx.findings.append(Finding(_rows_text(self.pending), "footnotes_not_read",
                                        f"{len(self.pending)} note line(s) below the table were not read; "
                                        "read them in the source file, they may qualify the numbers."))


def _is_note(ctx: _Context, texts: list[str], raw_row: list[object], value_columns: list[int], *,
             shares: bool = False) -> bool:
    """After the data, a row whose first cell starts like a note and whose value cells are not all counts
    (or shares, where the table has them)."""
    if not texts or not FOOTNOTE_START.match(texts[0]):
        return False

    def readable(raw: object) -> bool:
        for as_share in (False, True) if shares else (False,):
            try:
                if as_share or not parse_cell(raw, decimal_comma=ctx.decimal_comma).is_share:
                    parse_cell(raw, share=as_share, decimal_comma=ctx.decimal_comma)
                    return True
            except CellError:
                continue
        return False

    return not all(readable(raw_row[index] if index < len(raw_row) else None) for index in value_columns)


def _read_cell(ctx: _Context, raw: object, row: int, column: str, *, share: bool = False,
               percent: bool | None = None) -> Cell | None:
    try:
        cell = parse_cell(raw, share=share, percent=percent, decimal_comma=ctx.decimal_comma)
    except CellError as error:
        ctx.problems.add(row, column, str(error), error.hint)
        return None
    if cell.is_share and not share:
        ctx.problems.add(row, column, f"{quote(cell.mark)} is a share, not a count",
                         "Put shares in a column named share, or in a row whose measure is share_of_searches.")
        return None
    if cell.status == MISSING and not cell.mark:
        ctx.blank_cells.append(f"row {row}, column {column}")
    return cell


def _record(ctx: _Context, cell: Cell, *, row: int, column: str, measure: str, agency: str | None,
            system: str | None, period: Period, extra: dict | None = None) -> None:
    record = {
        "row_number": row, "column_name": column, "measure": measure, "agency": agency, "system": system,
        "reason_category": None, "query_type": None, "on_behalf_of": None,
        "period_start": period.start, "period_end": period.end, "period_label": period.label,
        "status": cell.status, "value": cell.value, "value_low": cell.low, "value_high": cell.high,
        "qualifier": cell.qualifier if cell.status == REPORTED else "exact",
        "cell_text": cell.mark if cell.status != REPORTED or cell.qualifier != "exact" or cell.is_share else None,
        "citation": None,
    }
    record.update(extra or {})
    ctx.records.append(record)


# -- reconciliation -----------------------------------------------------------------------------------
def _sum_bounds(cells: list[Cell]) -> tuple[float, float | None, bool]:
    """Lowest and highest sum the parts allow, and whether the sum is exactly known."""
    low, high, exact = 0.0, 0.0, True
    for cell in cells:
        if cell.status == REPORTED and cell.qualifier == "exact":
            low += cell.value
            if high is not None:
                high += cell.value
            continue
        exact = False
        if cell.status == REPORTED:
            low += cell.low if cell.low is not None else 0.0
            high = None if high is None or cell.high is None else high + cell.high
        elif cell.status == SUPPRESSED:
            low += cell.low or 0.0
            high = None if high is None or cell.high is None else high + cell.high
        else:  # withheld or missing: anything from 0 up
            high = None
    return low, high, exact


def _reconcile(ctx: _Context, total: Cell, parts: list[Cell], where: str, what: str) -> None:
    if total.status != REPORTED or total.qualifier != "exact" or not parts:
        return
    low, high, exact = _sum_bounds(parts)
    shown = f"{total.value:,.0f}"
    if exact and total.value != low:
        ctx.findings.append(Finding(where, "total_mismatch",
                                    f"{what} says {shown} but its parts add up to {low:,.0f} "
                                    f"(difference {total.value - low:+,.0f}); the parts are used, not the total."))
    elif not exact and (total.value < low or (high is not None and total.value > high)):
        allowed = f"{low:,.0f} to {high:,.0f}" if high is not None else f"at least {low:,.0f}"
        ctx.findings.append(Finding(where, "total_mismatch",
                                    f"{what} says {shown} but its parts allow only {allowed}; "
                                    "the parts are used, not the total."))


# -- wide tables: periods as columns --------------------------------------------------------------------
def _read_wide(ctx: _Context) -> None:
    grid, header_index = ctx.grid, ctx.header_row - 1
    header = [cell_text(cell, period_header=True) for cell in grid.rows[header_index]]
    first_period = next(i for i, text in enumerate(header) if i > 0 and _period_or_none(text, ctx.fiscal_year_start))
    label_dims: dict[int, str] = {}
    not_read: list[str] = []
    for index in range(first_period):  # a label column is read only when its header names it
        dimension = _dimension_of(header[index])
        if dimension in ("agency", "system"):
            _refuse_second(ctx, header, label_dims, index, dimension)
            label_dims[index] = dimension
        elif header[index]:
            not_read.append(header[index])
    if "agency" not in label_dims.values() and not header[0] and 0 not in label_dims:
        label_dims[0] = "agency"  # an unnamed first column is the agencies, as most tables print them
    agency_column = next((i for i, d in label_dims.items() if d == "agency"), None)
    system_column = next((i for i, d in label_dims.items() if d == "system"), None)
    if agency_column is None and not ctx.agency:
        first_unread = next((i for i in range(first_period) if i not in label_dims), 0)
        raise InputError(f"no column of the header (row {ctx.header_row}) names the searching agency: column "
                         f"{_column_name(first_unread, header[first_unread])} is not an agency column, so it is "
                         "not read", file=grid.file_name, row=ctx.header_row,
                         column=_column_name(first_unread, header[first_unread]),
                         hint="Name the agency column 'Agency', or pass --agency for a one-agency table.")
    if agency_column is not None and ctx.agency:
        raise UsageError(f"this table names agencies in column {column_letter(agency_column + 1)}, "
                         "so --agency does not apply", file=grid.file_name, hint="Leave out --agency.")
    if system_column is None and not ctx.system:
        raise UsageError("the table does not say which system was searched", file=grid.file_name,
                         hint='Pass --system NAME, e.g. --system "Regional COPLINK".')

    periods: dict[int, Period] = {}
    totals: dict[int, Period | None] = {}
    seen: dict[tuple, int] = {}
    for index in range(first_period, len(header)):
        text = header[index]
        column = _column_name(index, text)
        if TOTAL_LABEL.search(text) or re.search(r"\btotals?\b", text, re.IGNORECASE):
            inner = re.sub(r"\b(grand|totals?|sum|ytd)\b", " ", text, flags=re.IGNORECASE).strip(" -:")
            totals[index] = _period_or_none(inner, ctx.fiscal_year_start) if inner else None
            continue
        if not text:
            if any(index < len(row) and cell_text(row[index]) for row in grid.rows[header_index + 1:]):
                ctx.problems.add(ctx.header_row, column, "this column has values but no period in its header",
                                 PERIOD_HINT)
            continue
        try:
            period = parse_period(text, fiscal_year_start=ctx.fiscal_year_start)
        except PeriodError as error:
            ctx.problems.add(ctx.header_row, column, f"unknown period label: {error}",
                             PERIOD_HINT + " If this column is not a period, delete it.")
            continue
        key = (period.start, period.end)
        if key in seen:
            ctx.problems.add(ctx.header_row, column,
                             f"period {quote(text)} appears twice (also column {column_letter(seen[key] + 1)})",
                             "Keep one column per period.")
            continue
        seen[key] = index
        periods[index] = period
    if not_read:
        ctx.findings.append(Finding(f"row {ctx.header_row}", "columns_not_read",
                                    "columns not read (not a known dimension): " + ", ".join(not_read)))
    for index, period in list(periods.items()):  # "Q1 2017" among monthly columns is their subtotal
        if any(other != index and period.contains(p) and p != period for other, p in periods.items()):
            totals[index] = periods.pop(index)
            ctx.findings.append(Finding(f"row {ctx.header_row}, column {_column_name(index, header[index])}",
                                        "subtotal_column", f"column {header[index]!r} covers other columns' periods; "
                                        "it is checked against them as a subtotal, not counted."))

    value_columns = list(periods) + list(totals)
    without_counts = _RowsWithoutCounts()
    row_cells: list[tuple[int, dict[int, Cell]]] = []
    total_rows: list[tuple[int, dict[int, Cell]]] = []
    agencies_seen: dict[tuple, int] = {}
    for index in range(header_index + 1, len(grid.rows)):
        raw_row = grid.rows[index]
        row_number = index + 1
        texts = [cell_text(cell) for cell in raw_row]
        label = texts[agency_column] if agency_column is not None and agency_column < len(texts) else ""
        kind = _row_kind(texts, value_columns, label or (texts[0] if texts else ""))
        if kind == "blank":
            continue
        if kind == "no_counts":
            without_counts.add(row_number)
            continue
        if row_cells and _is_note(ctx, texts, raw_row, value_columns):
            without_counts.add(row_number, note=True)
            continue
        without_counts.data_follows(ctx)
        if kind == "subtotal":
            _subtotal_finding(ctx, row_number, label or texts[0])
            continue
        if _note_with_counts(ctx, row_number, label or texts[0]):
            continue
        if len(raw_row) > len(header):
            ctx.problems.add(row_number, column_letter(len(header) + 1),
                             f"this row has {len(raw_row)} cells but the header (row {ctx.header_row}) has "
                             f"{len(header)}", "Check for an unquoted comma, such as 1,204 written without "
                             "quotes, or a row shifted to the right.")
            continue
        system = ctx.system
        if system_column is not None:
            system = texts[system_column] if system_column < len(texts) else ""
            if not system and kind == "data":
                ctx.problems.add(row_number, _column_name(system_column, header[system_column]),
                                 "the system is blank", "Fill in the system searched.")
                continue
        if kind == "data" and agency_column is not None and not label:
            ctx.problems.add(row_number, _column_name(agency_column, header[agency_column]),
                             "this row has counts but no agency name", "Fill in the agency, or delete the row.")
            continue
        agency = label if agency_column is not None else ctx.agency
        cells: dict[int, Cell] = {}
        for column_index in value_columns:
            raw = raw_row[column_index] if column_index < len(raw_row) else None
            cell = _read_cell(ctx, raw, row_number, _column_name(column_index, header[column_index]))
            if cell is not None:
                cells[column_index] = cell
        if kind == "total":
            total_rows.append((row_number, cells))
            continue
        key = (agency, system)
        if key in agencies_seen:
            ctx.findings.append(Finding(f"row {row_number}", "duplicate_row",
                                        f"{agency!r} appears again (first in row {agencies_seen[key]}); "
                                        "both rows are counted."))
        agencies_seen[key] = row_number
        row_cells.append((row_number, cells))
        for column_index, period in periods.items():
            if column_index in cells:
                _record(ctx, cells[column_index], row=row_number,
                        column=_column_name(column_index, header[column_index]), measure="searches",
                        agency=agency, system=system, period=period)
    _finish_rows(ctx, bool(row_cells), without_counts)

    def parts_in(cells: dict[int, Cell], within: Period | None) -> list[Cell]:
        return [cells[i] for i, p in periods.items() if i in cells and (within is None or within.contains(p))]

    for row_number, cells in row_cells:  # total columns against their rows
        for column_index, within in totals.items():
            if column_index in cells:
                _reconcile(ctx, cells[column_index], parts_in(cells, within),
                           f"row {row_number}, column {_column_name(column_index, header[column_index])}",
                           f"The {header[column_index]!r} column")
    for row_number, total_cells in total_rows:  # total rows against their columns
        for column_index in value_columns:
            if column_index not in total_cells:
                continue
            parts = [cells[column_index] for _, cells in row_cells if column_index in cells]
            what = "The grand total" if column_index in totals else f"The total row for {header[column_index]!r}"
            _reconcile(ctx, total_cells[column_index], parts,
                       f"row {row_number}, column {_column_name(column_index, header[column_index])}", what)
        for column_index, within in totals.items():  # grand total against the total row
            if column_index in total_cells:
                _reconcile(ctx, total_cells[column_index], parts_in(total_cells, within),
                           f"row {row_number}, column {_column_name(column_index, header[column_index])}",
                           "The grand total, against the total row,")


def _refuse_second(ctx: _Context, header: list[str], seen: dict[int, str], index: int, role: str) -> None:
    """Two columns for one dimension or measure: which one is meant cannot be guessed."""
    first = next((i for i, r in seen.items() if r == role), None)
    if first is None:
        return
    what = {"agency": "the agency", "system": "the system", "searches": "the number of searches",
            "share_of_searches": "the share of searches"}.get(role, role)
    raise InputError(f"two columns hold {what}: {_column_name(first, header[first])} and "
                     f"{_column_name(index, header[index])}", file=ctx.grid.file_name, row=ctx.header_row,
                     column=_column_name(index, header[index]),
                     hint="Keep one of them and delete or rename the other"
                          + (", so no search is counted twice." if role in MEASURES else "."))


def _finish_rows(ctx: _Context, any_data: bool, without_counts: "_RowsWithoutCounts") -> None:
    """After the rows: every problem at once, then a table with no data rows is an error."""
    ctx.problems.raise_if_any()
    if not any_data:
        raise InputError(f"the table has a header (row {ctx.header_row}) but no data rows", file=ctx.grid.file_name,
                         hint="Check that the export includes the agencies' rows.")
    without_counts.report(ctx)


def _note_with_counts(ctx: _Context, row_number: int, label: str) -> bool:
    """A row labelled like a note ("Note: excludes searches by ...") that holds counts is neither an agency nor
    a note to skip: the ingest stops at it, and the message never quotes it."""
    if not NOTE_LABEL.match(label):
        return False
    ctx.problems.add(row_number, None, "this row is labelled like a note (Note, Source, Prepared by) but holds "
                     "counts", "Move the note below the table, or write the agency's name in its first cell.")
    return True


def _subtotal_finding(ctx: _Context, row_number: int, label: str) -> None:
    ctx.findings.append(Finding(f"row {row_number}", "subtotal_not_counted",
                                "this row looks like a subtotal; it is not counted as an agency, "
                                "so its searches are not counted twice."))


def _rows_text(rows: list[int]) -> str:
    return f"row {rows[0]}" if len(rows) == 1 else f"rows {rows[0]}-{rows[-1]}"


def _rows_list(rows: list[int]) -> str:
    return f"row {rows[0]}" if len(rows) == 1 else "rows " + ", ".join(map(str, rows))


# -- long tables: one row per agency and period -----------------------------------------------------------
def _read_long(ctx: _Context) -> None:
    grid, header_index = ctx.grid, ctx.header_row - 1
    header = [cell_text(cell) for cell in grid.rows[header_index]]
    names = [_norm(text) for text in header]
    # Year + Month (or Quarter) columns: one period from both, not a whole year per row
    parts_of_period = {name: names.index(name) for name in PERIOD_PARTS if name in names}
    if "year" not in parts_of_period or len(parts_of_period) < 2:
        parts_of_period = {}
    elif {"month", "quarter"} <= set(parts_of_period):
        del parts_of_period["quarter"]  # months are finer; the quarter column is not read
    roles: dict[str, int] = {}
    value_columns: dict[int, str] = {}
    not_read: list[str] = []
    for index, text in enumerate(header):
        if index in parts_of_period.values():
            roles.setdefault("period", index)
            continue
        role = _long_role(text) if text else None
        if role in MEASURES:
            _refuse_second(ctx, header, value_columns, index, role)
            value_columns[index] = role
        elif role in ("agency", "system"):
            _refuse_second(ctx, header, {i: r for r, i in roles.items()}, index, role)
            roles[role] = index
        elif role and role not in roles:
            roles[role] = index
        elif text:
            not_read.append(text)
    fiscal_years = "period" in roles and not parts_of_period and names[roles["period"]] in FISCAL_YEAR_HEADERS
    if "agency" in roles and ctx.agency:
        raise UsageError(f"this table names agencies in column {column_letter(roles['agency'] + 1)}, "
                         "so --agency does not apply", file=grid.file_name, hint="Leave out --agency.")
    if "system" not in roles and not ctx.system:
        raise UsageError("the table does not say which system was searched", file=grid.file_name,
                         hint='Pass --system NAME, or add a "system" column.')
    if not_read:
        ctx.findings.append(Finding(f"row {ctx.header_row}", "columns_not_read",
                                    "columns not read (not a known dimension): " + ", ".join(not_read)))

    def text_at(texts: list[str], role: str) -> str:
        index = roles.get(role)
        return texts[index] if index is not None and index < len(texts) else ""

    def measure_of(texts: list[str]) -> str | None:
        word = _norm(text_at(texts, "measure"))
        return MEASURE_WORDS.get(word) or (word if word in MEASURES else None)

    def period_text(texts: list[str]) -> str:
        return "".join(texts[i] for i in parts_of_period.values() if i < len(texts)) or \
            text_at(texts, "period") or text_at(texts, "period_start") or text_at(texts, "period_end")

    percent_columns = _percent_columns(ctx, value_columns, measure_of if "measure" in roles else None)
    any_shares = "measure" in roles or "share_of_searches" in value_columns.values()
    without_counts = _RowsWithoutCounts()
    totals: list[tuple[int, str, tuple, Cell]] = []  # (row, column, key, cell) of long-table total rows
    parts: dict[tuple, list[Cell]] = {}
    first_row: dict[tuple, int] = {}
    data_rows = 0
    for index in range(header_index + 1, len(grid.rows)):
        raw_row, row_number = grid.rows[index], index + 1
        texts = [cell_text(cell) for cell in raw_row]
        kind = _row_kind(texts, list(value_columns), text_at(texts, "agency"))
        if kind == "blank":
            continue
        if data_rows and kind != "no_counts" and _is_note(ctx, texts, raw_row, list(value_columns),
                                                          shares=any_shares):
            without_counts.add(row_number, note=True)
            continue
        if kind == "no_counts" and period_text(texts):
            if data_rows and FOOTNOTE_START.match(texts[0]):
                # "* Source: DHS, 2011": a note, not a row with a blank count (its text is never an agency)
                without_counts.add(row_number)
                continue
            kind = "total" if TOTAL_LABEL.search(text_at(texts, "agency")) else "data"  # a blank count is missing
        if kind == "no_counts":
            without_counts.add(row_number)
            continue
        without_counts.data_follows(ctx)
        if kind == "subtotal":
            _subtotal_finding(ctx, row_number, text_at(texts, "agency"))
            continue
        if _note_with_counts(ctx, row_number, text_at(texts, "agency")):
            continue
        if len(raw_row) > len(header):
            ctx.problems.add(row_number, column_letter(len(header) + 1),
                             f"this row has {len(raw_row)} cells but the header (row {ctx.header_row}) has "
                             f"{len(header)}", "Check for an unquoted comma or a shifted row.")
            continue
        data_rows += kind == "data"
        grand_total = kind == "total" and not period_text(texts)  # no period: the total of every row
        period = None if grand_total else _long_period(ctx, texts, roles, header, row_number, parts_of_period,
                                                      fiscal_years)
        agency = text_at(texts, "agency") or ctx.agency
        system = text_at(texts, "system") or ctx.system
        if "agency" in roles and not agency:
            ctx.problems.add(row_number, _column_name(roles["agency"], header[roles["agency"]]),
                             "the agency is blank", "Fill in the searching agency, or delete the row.")
        if not system:
            ctx.problems.add(row_number, _column_name(roles["system"], header[roles["system"]]),
                             "the system is blank", "Fill in the system searched.")
        row_measure = None
        if "measure" in roles:
            row_measure = measure_of(texts)
            if row_measure is None:
                ctx.problems.add(row_number, _column_name(roles["measure"], header[roles["measure"]]),
                                 f"unknown measure {quote(text_at(texts, 'measure'))}",
                                 f"Use one of: {', '.join(MEASURES)}.")
                continue
        extra = {"citation": text_at(texts, "citation") or None,
                 "reason_category": ctx.reason_category(text_at(texts, "reason_category")),
                 "query_type": text_at(texts, "query_type") or None}
        for column_index, column_measure in value_columns.items():
            measure = row_measure or column_measure
            raw = raw_row[column_index] if column_index < len(raw_row) else None
            column = _column_name(column_index, header[column_index])
            cell = _read_cell(ctx, raw, row_number, column, share=MEASURES[measure].kind == "share",
                              percent=percent_columns.get(column_index))
            if cell is None or (period is None and not grand_total) or (system is None):
                continue
            if grand_total:
                totals.append((row_number, column, (None, None, system, measure), cell))
                continue
            key = (period.start, period.end, system, measure, extra["reason_category"], extra["query_type"])
            if kind == "total":  # a stated total of the rows of its period: reconciled, never an agency
                totals.append((row_number, column, key, cell))
                continue
            series = (agency, *key)
            if series in first_row:
                ctx.findings.append(Finding(f"row {row_number}", "duplicate_row",
                                            f"{agency!r} for {period.label} appears again (first in row "
                                            f"{first_row[series]}); both rows are counted."))
            first_row.setdefault(series, row_number)
            parts.setdefault(key, []).append(cell)
            _record(ctx, cell, row=row_number, column=column, measure=measure, agency=agency,
                    system=system, period=period, extra=extra)
    _finish_rows(ctx, bool(data_rows), without_counts)
    for row_number, column, key, cell in totals:
        if not MEASURES[key[3]].additive:
            continue
        if key[0] is None:  # the grand total: every row of its system and measure
            cells = [c for k, cs in parts.items() if k[2:4] == key[2:4] for c in cs]
            _reconcile(ctx, cell, cells, f"row {row_number}, column {column}", "The grand total")
        else:
            _reconcile(ctx, cell, parts.get(key, []), f"row {row_number}, column {column}", "The total row")


def _percent_columns(ctx: _Context, value_columns: dict[int, str], measure_of) -> dict[int, bool]:
    """Share columns written as percents or fractions, decided per column: 1 among 77 and 40 is 1%."""
    percent: dict[int, bool] = {}
    for column_index, column_measure in value_columns.items():
        for raw_row in ctx.grid.rows[ctx.header_row:]:
            texts = [cell_text(cell) for cell in raw_row]
            measure = (measure_of(texts) if measure_of else None) or column_measure
            if MEASURES[measure].kind != "share" or column_index >= len(raw_row):
                continue
            percent.setdefault(column_index, False)
            raw = raw_row[column_index]
            text = cell_text(raw).replace(",", ".") if ctx.decimal_comma else cell_text(raw)
            if re.search(r"%|percent|per cent|pct", text, re.IGNORECASE):
                percent[column_index] = True
                continue
            try:
                percent[column_index] |= float(text) > 1
            except ValueError:
                pass
    return percent


def _long_period(ctx: _Context, texts: list[str], roles: dict[str, int], header: list[str], row_number: int,
                 parts_of_period: dict[str, int] | None = None, fiscal_years: bool = False) -> Period | None:
    def at(role: str) -> str:
        index = roles.get(role)
        return texts[index] if index is not None and index < len(texts) else ""

    def part(name: str) -> str:
        index = (parts_of_period or {}).get(name)
        return texts[index] if index is not None and index < len(texts) else ""

    try:
        if parts_of_period:
            year, month, quarter = part("year"), part("month"), part("quarter")
            if not year or not (month or quarter):
                raise PeriodError("the year or the month is blank" if "month" in parts_of_period
                                  else "the year or the quarter is blank")
            if not re.fullmatch(r"\d{4}", year):
                raise PeriodError(f"{quote(year)} is not a year")
            if "month" in parts_of_period:
                label = f"{year}-{int(month):02d}" if month.isdigit() else f"{month} {year}"
            else:
                label = f"Q{quarter} {year}" if quarter.isdigit() else f"{quarter} {year}"
            return parse_period(label, fiscal_year_start=ctx.fiscal_year_start)
        if "period" in roles:
            text = at("period")
            if fiscal_years and re.fullmatch(r"\d{4}|\d{2}", text):  # "2017" under "Fiscal year" is FY2017
                text = f"FY{text}"
            return parse_period(text, fiscal_year_start=ctx.fiscal_year_start)
        start = parse_period(at("period_start"), fiscal_year_start=ctx.fiscal_year_start)
        end = parse_period(at("period_end"), fiscal_year_start=ctx.fiscal_year_start)  # end column: last day
        if end.end <= start.start:
            raise PeriodError(f"{quote(at('period_end'))} is before {quote(at('period_start'))}")
        return Period(start.start, end.end, f"{at('period_start')} - {at('period_end')}", "range")
    except PeriodError as error:
        role = "period" if "period" in roles else "period_start"
        ctx.problems.add(row_number, _column_name(roles[role], header[roles[role]]),
                         f"unknown period label: {error}", PERIOD_HINT)
        return None


def read_count_table(path, *, sheet: str | None = None, system: str | None = None, agency: str | None = None,
                     fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START, include_hidden: bool = False,
                     reason_rules: ReasonRules | None = None) -> TableRead:
    """Read a count table (CSV or XLSX, long or wide) into observations and findings.

    Hidden sheets, rows and columns of a workbook are not read unless `include_hidden`; a finding says so.

    >>> read = read_count_table("sample_logs/dhs-2011-search-share.csv")  # doctest: +SKIP
    """
    grid = read_grid(path, sheet=sheet, include_hidden=include_hidden)
    header_index, layout = _find_header(grid, fiscal_year_start)
    ctx = _Context(grid, header_index + 1, system, agency, fiscal_year_start, ProblemList(grid.file_name))
    ctx.findings.extend(grid.findings)  # hidden sheets, rows or columns: left out, or read as asked
    ctx.rules = reason_rules
    (_read_wide if layout == "wide" else _read_long)(ctx)
    if ctx.reasons_sorted:
        ctx.findings.append(Finding("file", "reason_categories",
                                    f"The reason or category text of {ctx.reasons_sorted} row(s) was sorted into the "
                                    "categories of the reason rules; the text itself is not kept."))
    if ctx.blank_cells:
        ctx.findings.append(Finding(ctx.blank_cells[0], "blank_cells",
                                    f"{len(ctx.blank_cells)} cell(s) were blank where a count was due "
                                    f"(first: {ctx.blank_cells[0]}); they are kept as missing, not zero."))
    missing_marked = [r for r in ctx.records if r["status"] == MISSING and r["cell_text"]]
    withheld = [r for r in ctx.records if r["status"] == WITHHELD]
    suppressed = [r for r in ctx.records if r["status"] == SUPPRESSED]
    for records, kind, words in ((missing_marked, "missing_cells", "marked as not available (kept as missing)"),
                                 (withheld, "withheld_cells", "withheld (redacted); sums that include them are "
                                                              "shown as lower bounds"),
                                 (suppressed, "suppressed_cells", "suppressed (only a range is known)")):
        if records:
            first = records[0]
            ctx.findings.append(Finding(f"row {first['row_number']}, column {first['column_name']}", kind,
                                        f"{len(records)} cell(s) {words}, e.g. {first['cell_text']!r} for "
                                        f"{first['agency'] or 'the agency'} in {first['period_label']}."))
    frame = pd.DataFrame(ctx.records, columns=[c for c in OBSERVATION_COLUMN_NAMES if c != "source_id"])
    assert set(frame["qualifier"]) <= set(QUALIFIERS)
    return TableRead(grid, f"count-table-{layout}", frame, ctx.findings,
                     rows_read=len({r["row_number"] for r in ctx.records}))
