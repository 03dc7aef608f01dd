"""Stated totals against their parts: a total row or column that the rows or columns it sums do not allow is
a finding (the parts are used, never the total), in wide tables and in long ones."""
from __future__ import annotations

from ..model import MEASURES, REPORTED, SUPPRESSED, Finding
from ..periods import Period
from .cells import Cell
from .table_context import TableContext
from .table_header import column_name


def sum_bounds(cells: list[Cell]) -> tuple[float, float | None, bool]:
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


def reconcile(ctx: TableContext, total: Cell, parts: list[Cell], where: str, what: str) -> None:
    """A finding if an exact total is not the sum of its parts (or outside what their bounds allow)."""
    if total.status != REPORTED or total.qualifier != "exact" or not parts:
        return
    low, high, exact = sum_bounds(parts)
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


def reconcile_wide(ctx: TableContext, header: list[str], periods: dict[int, Period],
                   total_columns: dict[int, Period | None], data_rows: list[tuple[int, dict[int, Cell]]],
                   total_rows: list[tuple[int, dict[int, Cell]]], measure_of: dict[int, str]) -> None:
    """Total columns against the periods of their row, total rows against their column, the grand total
    against the total row. A total column covers the periods `within` it (None: every period) of its own
    measure (`measure_of`: each column's): investigations and violations are never added up."""
    def where(row_number: int, column_index: int) -> str:
        return f"row {row_number}, column {column_name(column_index, header[column_index])}"

    def parts_in(cells: dict[int, Cell], within: Period | None, total_column: int) -> list[Cell]:
        return [cells[i] for i, p in periods.items() if i in cells and (within is None or within.contains(p))
                and measure_of[i] == measure_of[total_column]]

    for row_number, cells in data_rows:
        for column_index, within in total_columns.items():
            if column_index in cells:
                reconcile(ctx, cells[column_index], parts_in(cells, within, column_index),
                          where(row_number, column_index),
                          f"The {header[column_index]!r} column")
    for row_number, total_cells in total_rows:
        for column_index in [*periods, *total_columns]:
            if column_index not in total_cells:
                continue
            parts = [cells[column_index] for _, cells in data_rows if column_index in cells]
            what = ("The grand total" if column_index in total_columns
                    else f"The total row for {header[column_index]!r}")
            reconcile(ctx, total_cells[column_index], parts, where(row_number, column_index), what)
        for column_index, within in total_columns.items():
            if column_index in total_cells:
                reconcile(ctx, total_cells[column_index], parts_in(total_cells, within, column_index),
                          where(row_number, column_index), "The grand total, against the total row,")


def reconcile_long(ctx: TableContext, totals: list[tuple[int, str, tuple, Cell]],
                   parts: dict[tuple, list[Cell]]) -> None:
    """Total rows against the rows of their period, system and measure; a total row without a period (the
    grand total) against every row of its system and measure. Keys: (start, end, system, measure, ...)."""
    for row_number, column, key, cell in totals:
        if not MEASURES[key[3]].additive:
            continue
        if key[0] is None:
            cells = [c for k, cs in parts.items() if k[2:4] == key[2:4] for c in cs]
            reconcile(ctx, cell, cells, f"row {row_number}, column {column}", "The grand total")
        else:
            reconcile(ctx, cell, parts.get(key, []), f"row {row_number}, column {column}", "The total row")
