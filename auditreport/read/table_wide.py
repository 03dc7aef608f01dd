"""Wide count tables: agencies down, periods across; total rows, and total or subtotal columns, are checked
against their parts and never counted."""
from __future__ import annotations

import re

from ..errors import InputError, column_letter
from ..model import Finding
from ..periods import Period, PeriodError, parse_period
from .cells import Cell, quote
from .grid import cell_text
from .table_context import TableContext
from .table_header import (PERIOD_HINT, TOTAL_LABEL, column_name, dimension_of, period_or_none, refuse_second,
                           settle_options)
from .table_rows import RowClassifier, blank_label, duplicate_row, rows_below_header
from .table_totals import reconcile_wide


def read_wide(ctx: TableContext) -> None:
    header = [cell_text(cell, period_header=True) for cell in ctx.grid.rows[ctx.header_row - 1]]
    first_period = next(i for i, text in enumerate(header) if i > 0 and period_or_none(text, ctx.fiscal_year_start))
    agency_column, system_column = _label_columns(ctx, header, first_period)
    periods, total_columns = _period_columns(ctx, header, first_period)
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
                           measure="searches", agency=agency, system=system, period=period)
    classifier.finish()
    reconcile_wide(ctx, header, periods, total_columns, data_rows, total_rows)


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
        elif header[index]:
            not_read.append(header[index])
    if "agency" not in label_dims.values() and not header[0] and 0 not in label_dims:
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


def _period_columns(ctx: TableContext, header: list[str],
                    first_period: int) -> tuple[dict[int, Period], dict[int, Period | None]]:
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
    for index, period in list(periods.items()):
        if any(other != index and period.contains(p) and p != period for other, p in periods.items()):
            totals[index] = periods.pop(index)
            ctx.findings.append(Finding(f"row {ctx.header_row}, column {column_name(index, header[index])}",
                                        "subtotal_column", f"column {header[index]!r} covers other columns' periods; "
                                        "it is checked against them as a subtotal, not counted."))
    return periods, totals
