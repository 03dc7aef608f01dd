"""The rows under a count table's header, sorted once for wide and long tables alike: blank, a heading or
a footnote (no counts), a total, a subtotal, a note with counts, or data; and what each reader says of a row.

Only totals and data are read. A row without counts is a section heading when data follow it and a footnote
when none do; a subtotal is a finding; a note with counts, or a row wider than the header, is a problem.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..errors import InputError, column_letter
from ..model import Finding
from .cells import CellError, parse_cell
from .grid import cell_text
from .table_context import TableContext
from .table_header import TOTAL_LABEL, column_name

SUBTOTAL_LABEL = re.compile(r"\bsub-?\s*totals?\b|\btotals?$", re.IGNORECASE)  # "Federal subtotal", "Federal total"
# After the data, a row starting like this is a note, unless its value cells are all counts
FOOTNOTE_START = re.compile(r"^(?:[*\u2020\u2021\u00a7]|[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]|\(\d{1,2}\)|\[\d{1,2}\]"
                            r"|\d{1,2}[.)]?$|\d{1,2}[.)]\s*[^\W\d_]"
                            r"|(?:notes?|sources?|prepared by|data as of)\b)", re.IGNORECASE)
NOTE_LABEL = re.compile(r"^(?:notes?|sources?|prepared by|data as of|excludes?|includes?)\b", re.IGNORECASE)
BLANK_LABEL = {"agency": ("the agency is blank", "Fill in the searching agency, or delete the row."),
               "system": ("the system is blank", "Fill in the system searched.")}


@dataclass(frozen=True)
class Row:
    """One row under the header: its 1-based number, its cells as read and as text."""

    number: int
    cells: list[object]
    texts: list[str]

    def text(self, index: int | None) -> str:
        return self.texts[index] if index is not None and index < len(self.texts) else ""

    def cell(self, index: int) -> object:
        return self.cells[index] if index < len(self.cells) else None


def rows_below_header(ctx: TableContext) -> Iterator[Row]:
    for index in range(ctx.header_row, len(ctx.grid.rows)):
        cells = ctx.grid.rows[index]
        yield Row(index + 1, cells, [cell_text(cell) for cell in cells])


def row_kind(texts: list[str], value_columns: list[int], label: str) -> str:
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
class RowsWithoutCounts:
    """Rows with a label but no counts: section headings when data follow, footnotes at the end."""

    pending: list[int] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)
    notes: list[int] = field(default_factory=list)  # rows that start like a note and have text in value cells

    def add(self, row_number: int, *, note: bool = False) -> None:
        self.pending.append(row_number)
        if note:
            self.notes.append(row_number)

    def data_follows(self, ctx: TableContext) -> None:
        for row_number in self.notes:  # a note with counts below it: a bad row, not a note; never drop it
            ctx.problems.add(row_number, None, "this row starts like a note (*, 1., Source, ...) and its cells are "
                             "not counts, but rows of counts follow it",
                             "Move notes below the table, or correct the counts in this row.")
        self.notes = []
        self.headings.extend(self.pending)
        self.pending = []

    def report(self, ctx: TableContext) -> None:
        if self.headings:
            ctx.findings.append(Finding(_rows_list(self.headings), "rows_without_counts",
                                        f"{len(self.headings)} row(s) with a label but no counts were read as "
                                        "section headings, not agencies; if one is an agency whose numbers were "
                                        "not given, write (no file) in its cells."))
        if self.pending:
            ctx.findings.append(Finding(_rows_text(self.pending), "footnotes_not_read",
                                        f"{len(self.pending)} note line(s) below the table were not read; "
                                        "read them in the source file, they may qualify the numbers."))


@dataclass
class RowClassifier:
    """The one sorter of rows for both readers: `classify` says which rows to read, and sets the others aside
    as headings, footnotes, findings or problems; `finish` raises every problem at once, then reports them."""

    ctx: TableContext
    value_columns: list[int]
    header_width: int
    shares: bool = False  # a note's cells may be shares as well as counts (a table with a share column)
    without_counts: RowsWithoutCounts = field(default_factory=RowsWithoutCounts)
    data_rows: int = 0

    def classify(self, row: Row, label: str, *, counts_due: bool = False) -> str | None:
        """'total' or 'data' for a row to read, None for a row that is not read.

        `label` names the row (its agency, or what stands in for it); `counts_due`: the row names its period,
        so a blank count in it is a missing count, not a heading (long tables).
        """
        kind = row_kind(row.texts, self.value_columns, label)
        if kind == "blank":
            return None
        if kind == "no_counts" and counts_due:
            if self.data_rows and FOOTNOTE_START.match(row.texts[0]):
                # "* Source: DHS, 2011": a note, not a row with a blank count (its text is never an agency)
                self.without_counts.add(row.number)
                return None
            kind = "total" if TOTAL_LABEL.search(label) else "data"  # a blank count is missing
        if kind == "no_counts":
            self.without_counts.add(row.number)
            return None
        if self.data_rows and self._is_note(row):
            self.without_counts.add(row.number, note=True)
            return None
        self.without_counts.data_follows(self.ctx)
        if kind == "subtotal":
            self.ctx.findings.append(Finding(f"row {row.number}", "subtotal_not_counted",
                                             "this row looks like a subtotal; it is not counted as an agency, "
                                             "so its searches are not counted twice."))
            return None
        if NOTE_LABEL.match(label):  # neither an agency nor a note to skip; the message never quotes it
            self.ctx.problems.add(row.number, None, "this row is labelled like a note (Note, Source, Prepared by) "
                                  "but holds counts",
                                  "Move the note below the table, or write the agency's name in its first cell.")
            return None
        if len(row.cells) > self.header_width:
            self.ctx.problems.add(row.number, column_letter(self.header_width + 1),
                                  f"this row has {len(row.cells)} cells but the header (row {self.ctx.header_row}) "
                                  f"has {self.header_width}", "Check for an unquoted comma, such as 1,204 written "
                                  "without quotes, or a row shifted to the right.")
            return None
        self.data_rows += kind == "data"
        return kind

    def _is_note(self, row: Row) -> bool:
        """A row whose first cell starts like a note and whose value cells are not all counts (or shares)."""
        if not row.texts or not FOOTNOTE_START.match(row.texts[0]):
            return False
        decimal_comma = self.ctx.decimal_comma

        def readable(raw: object) -> bool:
            for as_share in (False, True) if self.shares else (False,):
                try:
                    if as_share or not parse_cell(raw, decimal_comma=decimal_comma).is_share:
                        parse_cell(raw, share=as_share, decimal_comma=decimal_comma)
                        return True
                except CellError:
                    continue
            return False

        return not all(readable(row.cell(index)) for index in self.value_columns)

    def finish(self) -> None:
        """After the rows: every problem at once, then a table with no data rows is an error."""
        self.ctx.problems.raise_if_any()
        if not self.data_rows:
            raise InputError(f"the table has a header (row {self.ctx.header_row}) but no data rows",
                             file=self.ctx.grid.file_name, hint="Check that the export includes the agencies' rows.")
        self.without_counts.report(self.ctx)


def blank_label(ctx: TableContext, row: Row, header: list[str], index: int, dimension: str) -> None:
    """The row's agency or system cell is blank where the table names them in a column."""
    message, hint = BLANK_LABEL[dimension]
    ctx.problems.add(row.number, column_name(index, header[index]), message, hint)


def duplicate_row(ctx: TableContext, first_row: dict[tuple, int], series: tuple, row: Row, what: str) -> None:
    """A second row of one series (agency and system; in long tables its period and measure too) is counted,
    and named in a finding."""
    if series in first_row:
        ctx.findings.append(Finding(f"row {row.number}", "duplicate_row",
                                    f"{what} appears again (first in row {first_row[series]}); "
                                    "both rows are counted."))
    first_row.setdefault(series, row.number)


def _rows_text(rows: list[int]) -> str:
    return f"row {rows[0]}" if len(rows) == 1 else f"rows {rows[0]}-{rows[-1]}"


def _rows_list(rows: list[int]) -> str:
    return f"row {rows[0]}" if len(rows) == 1 else "rows " + ", ".join(map(str, rows))
