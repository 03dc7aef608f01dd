"""Long count tables: one row per agency and period (Year + Month columns count as one period), with a
searches or share column, or a measure column naming what each row counts; total rows are checked, never
counted."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import MEASURES
from ..periods import Period, PeriodError, parse_period
from .cells import Cell, quote
from .grid import cell_text
from .table_context import TableContext
from .table_header import (FISCAL_YEAR_HEADERS, PERIOD_HINT, PERIOD_PARTS, column_name, long_role, norm,
                           refuse_second, settle_options)
from .table_rows import Row, RowClassifier, blank_label, duplicate_row, rows_below_header
from .table_totals import reconcile_long

# The words of a measure column's cells: a measure's name or header words ("Investigations", "Violations")
MEASURE_WORDS = {word: m.name for m in MEASURES.values() for word in (*m.header_words, m.name, m.name.replace("_", " "))
                 if word not in ("value", "%")}


@dataclass
class LongColumns:
    """What the columns of a long header hold: a role each (agency, period, measure, ...), the value columns
    with their measure, and Year + Month (or Quarter) columns that together make the period."""

    header: list[str]
    roles: dict[str, int]
    values: dict[int, str]
    period_parts: dict[str, int]
    fiscal_years: bool  # a bare 2017 in the period column is FY2017

    def text(self, row: Row, role: str) -> str:
        return row.text(self.roles.get(role))

    def name(self, role: str) -> str:
        return column_name(self.roles[role], self.header[self.roles[role]])

    def measure_of(self, row: Row) -> str | None:
        word = norm(self.text(row, "measure"))
        return MEASURE_WORDS.get(word) or (word if word in MEASURES else None)

    def period_text(self, row: Row) -> str:
        return "".join(row.text(i) for i in self.period_parts.values()) or \
            self.text(row, "period") or self.text(row, "period_start") or self.text(row, "period_end")


@dataclass
class _Sums:
    """The rows read so far, by series, and the total rows to check against them."""

    totals: list[tuple[int, str, tuple, Cell]] = field(default_factory=list)  # (row, column, key, cell)
    parts: dict[tuple, list[Cell]] = field(default_factory=dict)
    first_row: dict[tuple, int] = field(default_factory=dict)


def read_long(ctx: TableContext) -> None:
    columns = long_columns(ctx)
    percent = _percent_columns(ctx, columns)
    shares = "measure" in columns.roles or "share_of_searches" in columns.values.values()
    classifier = RowClassifier(ctx, list(columns.values), len(columns.header), shares=shares)
    sums = _Sums()
    for row in rows_below_header(ctx):
        kind = classifier.classify(row, columns.text(row, "agency"), counts_due=bool(columns.period_text(row)))
        if kind is not None:
            _read_row(ctx, columns, row, kind, percent, sums)
    classifier.finish()
    reconcile_long(ctx, sums.totals, sums.parts)


def long_columns(ctx: TableContext) -> LongColumns:
    """The role of each column of the header; two columns for one role, or options that do not fit, stop here."""
    header = [cell_text(cell) for cell in ctx.grid.rows[ctx.header_row - 1]]
    names = [norm(text) for text in header]
    # Year + Month (or Quarter) columns: one period from both, not a whole year per row
    period_parts = {name: names.index(name) for name in PERIOD_PARTS if name in names}
    if "year" not in period_parts or len(period_parts) < 2:
        period_parts = {}
    elif {"month", "quarter"} <= set(period_parts):
        del period_parts["quarter"]  # months are finer; the quarter column is not read
    roles: dict[str, int] = {}
    values: dict[int, str] = {}
    not_read: list[str] = []
    for index, text in enumerate(header):
        if index in period_parts.values():
            roles.setdefault("period", index)
            continue
        role = long_role(text) if text else None
        if role in MEASURES:
            refuse_second(ctx, header, values, index, role)
            values[index] = role
        elif role in ("agency", "system"):
            refuse_second(ctx, header, {i: r for r, i in roles.items()}, index, role)
            roles[role] = index
        elif role and role not in roles:
            roles[role] = index
        elif text:
            not_read.append(text)
    fiscal_years = "period" in roles and not period_parts and names[roles["period"]] in FISCAL_YEAR_HEADERS
    settle_options(ctx, roles.get("agency"), roles.get("system"), not_read)
    return LongColumns(header, roles, values, period_parts, fiscal_years)


def _read_row(ctx: TableContext, columns: LongColumns, row: Row, kind: str, percent: dict[int, bool],
              sums: _Sums) -> None:
    """The counts of one total or data row; a total row without a period is the grand total."""
    grand_total = kind == "total" and not columns.period_text(row)
    period = None if grand_total else _long_period(ctx, columns, row)
    agency = columns.text(row, "agency") or ctx.agency
    system = columns.text(row, "system") or ctx.system
    if "agency" in columns.roles and not agency:
        blank_label(ctx, row, columns.header, columns.roles["agency"], "agency")
    if not system:
        blank_label(ctx, row, columns.header, columns.roles["system"], "system")
    row_measure = None
    if "measure" in columns.roles:
        row_measure = columns.measure_of(row)
        if row_measure is None:
            ctx.problems.add(row.number, columns.name("measure"),
                             f"unknown measure {quote(columns.text(row, 'measure'))}",
                             f"Use one of: {', '.join(MEASURES)}.")
            return
    extra = {"citation": columns.text(row, "citation") or None,
             "reason_category": ctx.reason_category(columns.text(row, "reason_category")),
             "query_type": columns.text(row, "query_type") or None}
    for column_index, column_measure in columns.values.items():
        measure = row_measure or column_measure
        column = column_name(column_index, columns.header[column_index])
        cell = ctx.read_cell(row.cell(column_index), row.number, column, share=MEASURES[measure].kind == "share",
                             percent=percent.get(column_index))
        if cell is None or (period is None and not grand_total) or (system is None):
            continue
        if grand_total:
            sums.totals.append((row.number, column, (None, None, system, measure), cell))
            continue
        key = (period.start, period.end, system, measure, extra["reason_category"], extra["query_type"])
        if kind == "total":  # a stated total of the rows of its period: reconciled, never an agency
            sums.totals.append((row.number, column, key, cell))
            continue
        duplicate_row(ctx, sums.first_row, (agency, *key), row, f"{agency!r} for {period.label}")
        sums.parts.setdefault(key, []).append(cell)
        ctx.record(cell, row=row.number, column=column, measure=measure, agency=agency, system=system,
                   period=period, extra=extra)


def _percent_columns(ctx: TableContext, columns: LongColumns) -> dict[int, bool]:
    """Share columns written as percents or fractions, decided per column: 1 among 77 and 40 is 1%."""
    percent: dict[int, bool] = {}
    for column_index, column_measure in columns.values.items():
        for row in rows_below_header(ctx):
            measure = columns.measure_of(row) or column_measure
            if MEASURES[measure].kind != "share" or column_index >= len(row.cells):
                continue
            percent.setdefault(column_index, False)
            text = row.text(column_index).replace(",", ".") if ctx.decimal_comma else row.text(column_index)
            if re.search(r"%|percent|per cent|pct", text, re.IGNORECASE):
                percent[column_index] = True
                continue
            try:
                percent[column_index] |= float(text) > 1
            except ValueError:
                pass
    return percent


def _long_period(ctx: TableContext, columns: LongColumns, row: Row) -> Period | None:
    """The row's period, from its period column, its Year + Month (or Quarter) columns, or start and end."""
    try:
        if columns.period_parts:
            return _period_of_parts(ctx, columns, row)
        if "period" in columns.roles:
            text = columns.text(row, "period")
            if columns.fiscal_years and re.fullmatch(r"\d{4}|\d{2}", text):  # "2017" under "Fiscal year": FY2017
                text = f"FY{text}"
            return parse_period(text, fiscal_year_start=ctx.fiscal_year_start)
        start_text, end_text = columns.text(row, "period_start"), columns.text(row, "period_end")
        start = parse_period(start_text, fiscal_year_start=ctx.fiscal_year_start)
        end = parse_period(end_text, fiscal_year_start=ctx.fiscal_year_start)  # end column: last day
        if end.end <= start.start:
            raise PeriodError(f"{quote(end_text)} is before {quote(start_text)}")
        return Period(start.start, end.end, f"{start_text} - {end_text}", "range")
    except PeriodError as error:
        ctx.problems.add(row.number, columns.name("period" if "period" in columns.roles else "period_start"),
                         f"unknown period label: {error}", PERIOD_HINT)
        return None


def _period_of_parts(ctx: TableContext, columns: LongColumns, row: Row) -> Period:
    parts = columns.period_parts
    year, month, quarter = (row.text(parts.get(name)) for name in PERIOD_PARTS)
    if not year or not (month or quarter):
        raise PeriodError("the year or the month is blank" if "month" in parts else "the year or the quarter is blank")
    if not re.fullmatch(r"\d{4}", year):
        raise PeriodError(f"{quote(year)} is not a year")
    if "month" in parts:
        label = f"{year}-{int(month):02d}" if month.isdigit() else f"{month} {year}"
    else:
        label = f"Q{quarter} {year}" if quarter.isdigit() else f"{quarter} {year}"
    return parse_period(label, fiscal_year_start=ctx.fiscal_year_start)
