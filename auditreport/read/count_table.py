"""Count tables (agency x period x count), long or wide, as records requests return them.

Finds the header under title lines, stops at footnotes, recognises total rows and columns (never
agencies or periods) and reconciles them with their parts: a disagreement is a finding. Only known
dimensions are read; every other column is left in the file and named in a finding.

The read goes one way, each module importing only those before it: table_context (what one read carries)
-> table_header (which row, which columns) -> table_rows (which kind each row is) -> table_totals (totals
against their parts) -> table_wide or table_long -> here (what is said of the whole table; observations).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..model import MISSING, OBSERVATION_COLUMN_NAMES, QUALIFIERS, SUPPRESSED, WITHHELD, Finding
from ..errors import InputError
from ..periods import DEFAULT_FISCAL_YEAR_START
from ..screen import label_problem
from ..rules import ReasonRules
from .grid import Grid, read_grid
from .problems import ProblemList
from .table_context import TableContext as _Context
from .table_header import find_header
from .table_long import read_long
from .table_wide import read_wide


@dataclass
class TableRead:
    """What a reader hands to the store: observations (model columns) and findings, nothing else."""

    grid: Grid
    reader: str
    observations: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    rows_read: int = 0


def read_count_table(path, *, sheet: str | None = None, system: str | None = None, agency: str | None = None,
                     fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START, include_hidden: bool = False,
                     reason_rules: ReasonRules | None = None) -> TableRead:
    """Read a count table (CSV or XLSX, long or wide) into observations and findings.

    Hidden sheets, rows and columns of a workbook are not read unless `include_hidden`; a finding says so.

    >>> read = read_count_table("sample_logs/dhs-2011-search-share.csv")  # doctest: +SKIP
    """
    grid = read_grid(path, sheet=sheet, include_hidden=include_hidden)
    try:
        header_index, layout = find_header(grid, fiscal_year_start)
    except InputError:
        if sheet is not None or not grid.sheet:  # a CSV, or the sheet the user named: say so, as it is
            raise
        grid, header_index, layout = _another_sheet(path, grid, include_hidden, fiscal_year_start)
    ctx = _Context(grid, header_index + 1, system, agency, fiscal_year_start, ProblemList(grid.file_name))
    ctx.findings.extend(grid.findings)  # hidden sheets, rows or columns: left out, or read as asked
    ctx.rules = reason_rules
    (read_wide if layout == "wide" else read_long)(ctx)
    _table_findings(ctx)
    frame = pd.DataFrame(ctx.records, columns=[c for c in OBSERVATION_COLUMN_NAMES if c != "source_id"])
    assert set(frame["qualifier"]) <= set(QUALIFIERS)
    return TableRead(grid, f"count-table-{layout}", frame, ctx.findings,
                     rows_read=len({r["row_number"] for r in ctx.records}))


def _another_sheet(path, first: Grid, include_hidden: bool, fiscal_year_start: int) -> tuple[Grid, int, str]:
    """A workbook whose first sheet holds no table (a cover page of notes): the first other sheet that holds one,
    with a finding naming it; else an error listing the sheets."""
    from .grid import sheet_names

    names = sheet_names(path, include_hidden=include_hidden)
    for name in names:
        grid = read_grid(path, sheet=name, include_hidden=include_hidden)
        if grid.sheet == first.sheet:
            continue
        try:
            header_index, layout = find_header(grid, fiscal_year_start)
        except InputError:
            continue
        grid.findings.append(Finding(f"sheet {grid.sheet}", "sheet_chosen",
                                     f"The table was read from the sheet {grid.sheet!r}: the first sheet "
                                     f"({first.sheet!r}) holds no table. Name another with --sheet."))
        return grid, header_index, layout
    shown = ", ".join(repr(name) for name in names if not label_problem(name)) or "(names withheld)"
    raise InputError(f"no table header was found in any sheet of this workbook (sheets: {shown})",
                     file=first.file_name, hint="A count table needs either periods as column headers (Jan-17, "
                     "2017-01, Q3 2019, FY2019) or columns named agency, period and searches; name the sheet that "
                     "holds it with --sheet.")


def _table_findings(ctx: _Context) -> None:
    """What is said once of the whole table: reasons sorted, blank cells, cells missing, withheld or suppressed."""
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
