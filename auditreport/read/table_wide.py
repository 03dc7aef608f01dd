"""Wide count tables: agencies down, periods across; total rows, and total or subtotal columns, are checked
against their parts and never counted.

What the numbers count is named by header words (model.MEASURES): a column header beside its period ("2019
investigations"), else the first header cell ("Misuse investigations") or the title above the header ("CLETS
misuse investigations by agency and year"), else searches. Columns of two measures are never added together."""
from __future__ import annotations

import re

from ..errors import InputError, column_letter
from ..model import Finding
from ..periods import Period, PeriodError, parse_period
from .cells import Cell, quote
from .grid import cell_text
from .table_context import TableContext
from .table_header import (PERIOD_HINT, TOTAL_LABEL, column_name, dimension_of, measures_named, period_or_none,
                           refuse_second, settle_options, split_measure)
from .table_rows import RowClassifier, blank_label, duplicate_row, rows_below_header
from .table_totals import reconcile_wide


def read_wide(ctx: TableContext) -> None:
    header = [cell_text(cell, period_header=True) for cell in ctx.grid.rows[ctx.header_row - 1]]
    first_period = next(i for i, text in enumerate(header) if i > 0 and period_or_none(text, ctx.fiscal_year_start))
    agency_column, system_column = _label_columns(ctx, header, first_period)
    measure_of = _column_measures(ctx, header, first_period)
    periods, total_columns = _period_columns(ctx, header, first_period, measure_of)
    value_columns = list(periods) + list(total_columns)
    classifier = RowClassifier(ctx, value_columns, len(header))
    data_rows: list[tuple[int, dict[int, Cell]]] = []
    total_rows: list[tuple[int, dict[int, Cell]]] = []
    first_row: dict[tuple, int] = {}
    for row in rows_below_header(ctx):
        label = row.text(agency_column)
        kind = classifier.classify(row, label or row.text(0))
        if kind is None:
            continue
        system = ctx.system
        if system_column is not None:
            system = row.text(system_column)
            if not system and kind == "data":
                blank_label(ctx, row, header, system_column, "system")
                continue
        if kind == "data" and agency_column is not None and not label:
            blank_label(ctx, row, header, agency_column, "agency")
            continue
        agency = label if agency_column is not None else ctx.agency
        cells: dict[int, Cell] = {}
        for column_index in value_columns:
            cell = ctx.read_cell(row.cell(column_index), row.number, column_name(column_index, header[column_index]))
            if cell is not None:
                cells[column_index] = cell
        if kind == "total":
            total_rows.append((row.number, cells))
            continue
        duplicate_row(ctx, first_row, (agency, system), row, f"{agency!r}")
        data_rows.append((row.number, cells))
        for column_index, period in periods.items():
            if column_index in cells:
                ctx.record(cells[column_index], row=row.number, column=column_name(column_index, header[column_index]),
                           measure=measure_of[column_index], agency=agency, system=system, period=period)
    classifier.finish()
    reconcile_wide(ctx, header, periods, total_columns, data_rows, total_rows, measure_of)


def _column_measures(ctx: TableContext, header: list[str], first_period: int) -> dict[int, str]:
    """The measure of each column right of the labels: its own words ("2019 violations"), else the table's."""
    own = {index: split_measure(header[index])[0] for index in range(first_period, len(header))}
    for index, measure in own.items():
        if measure is None and (TOTAL_LABEL.search(header[index]) or re.search(r"\btotals?\b", header[index], re.I)):
            named = measures_named(header[index])  # "Total investigations"
            own[index] = next(iter(named)) if len(named) == 1 else own[index]
    if all(own.values()):
        return own  # type: ignore[return-value]
    table_measure = _table_measure(ctx, header)
    return {index: measure or table_measure for index, measure in own.items()}


def _table_measure(ctx: TableContext, header: list[str]) -> str:
    """The measure the first header cell or the title lines name; searches when they name none."""
    title = " ".join(cell_text(cell) for row in ctx.grid.rows[:ctx.header_row - 1] for cell in row)
    for words, where in ((header[0], f"the first header cell (row {ctx.header_row}, column A)"),
                         (title, "the title above the header")):
        named = measures_named(words)
        if len(named) == 1:
            return named.pop()
        if len(named) > 1:
            raise InputError(f"{where} names {len(named)} measures ({', '.join(sorted(named))}), so what the "
                             "numbers count cannot be told", file=ctx.grid.file_name, row=ctx.header_row,
                             hint="Name the measure beside each period (2019 investigations, 2019 violations), "
                                  "or give each measure a table of its own.")
    return "searches"


def _label_columns(ctx: TableContext, header: list[str], first_period: int) -> tuple[int | None, int | None]:
    """The agency and system columns left of the periods; a label column is read only when its header names it
    (an unnamed first column is the agencies, as most tables print them)."""
    label_dims: dict[int, str] = {}
    not_read: list[str] = []
    for index in range(first_period):
        dimension = dimension_of(header[index])
        if dimension in ("agency", "system"):
            refuse_second(ctx, header, label_dims, index, dimension)
            label_dims[index] = dimension
        elif header[index] and not (index == 0 and measures_named(header[0])):
            not_read.append(header[index])
    # an unnamed first column, or one headed by the measure ("Misuse investigations"), holds the agencies
    if "agency" not in label_dims.values() and (not header[0] or measures_named(header[0])) and 0 not in label_dims:
        label_dims[0] = "agency"
    agency_column = next((i for i, d in label_dims.items() if d == "agency"), None)
    system_column = next((i for i, d in label_dims.items() if d == "system"), None)
    if agency_column is None and not ctx.agency:
        first_unread = next((i for i in range(first_period) if i not in label_dims), 0)
        raise InputError(f"no column of the header (row {ctx.header_row}) names the searching agency: column "
                         f"{column_name(first_unread, header[first_unread])} is not an agency column, so it is "
                         "not read", file=ctx.grid.file_name, row=ctx.header_row,
                         column=column_name(first_unread, header[first_unread]),
                         hint="Name the agency column 'Agency', or pass --agency for a one-agency table.")
    settle_options(ctx, agency_column, system_column, not_read)
    return agency_column, system_column


def _period_columns(ctx: TableContext, header: list[str], first_period: int,
                    measure_of: dict[int, str]) -> tuple[dict[int, Period], dict[int, Period | None]]:
    """The period of each column right of the labels, and the total columns with the periods they cover
    (None: all of them). A column covering other columns' periods ("Q1 2017" among months) is a subtotal."""
    periods: dict[int, Period] = {}
    totals: dict[int, Period | None] = {}
    seen: dict[tuple, int] = {}
    for index in range(first_period, len(header)):
        text = header[index]
        column = column_name(index, text)
        if TOTAL_LABEL.search(text) or re.search(r"\btotals?\b", text, re.IGNORECASE):
            inner = re.sub(r"\b(grand|totals?|sum|ytd)\b", " ", text, flags=re.IGNORECASE).strip(" -:")
            totals[index] = period_or_none(inner, ctx.fiscal_year_start) if inner else None
            continue
        if not text:
            if any(index < len(row) and cell_text(row[index]) for row in ctx.grid.rows[ctx.header_row:]):
                ctx.problems.add(ctx.header_row, column, "this column has values but no period in its header",
                                 PERIOD_HINT)
            continue
        try:
            period = parse_period(split_measure(text)[1], fiscal_year_start=ctx.fiscal_year_start)
        except PeriodError as error:
            ctx.problems.add(ctx.header_row, column, f"unknown period label: {error}",
                             PERIOD_HINT + " If this column is not a period, delete it.")
            continue
        key = (measure_of[index], period.start, period.end)
        if key in seen:
            ctx.problems.add(ctx.header_row, column,
                             f"period {quote(text)} appears twice (also column {column_letter(seen[key] + 1)})",
                             "Keep one column per period.")
            continue
        seen[key] = index
        periods[index] = period
    for index, period in list(periods.items()):
        if any(other != index and measure_of[other] == measure_of[index] and period.contains(p) and p != period
               for other, p in periods.items()):
            totals[index] = periods.pop(index)
            ctx.findings.append(Finding(f"row {ctx.header_row}, column {column_name(index, header[index])}",
                                        "subtotal_column", f"column {header[index]!r} covers other columns' periods; "
                                        "it is checked against them as a subtotal, not counted."))
    return periods, totals
