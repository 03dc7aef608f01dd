"""The report's content, built once and then rendered as HTML, PDF, XLSX and CSV.

A `Review` is a title, the period in focus, sections of blocks (paragraphs, at-a-glance facts, views of
tables, charts) and the tables and charts themselves. Renderers walk the same sections in the same
order, so the formats cannot disagree: a number appears in words in HTML and PDF, and as a number with
its qualifier in its own column in XLSX and CSV.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import pandas as pd
from matplotlib.figure import Figure

from .figures import figure_svg


def cell_text(value) -> str:
    """A table cell as text for a reader: unknown is blank (never 'nan' or 'None'), whole numbers with separators."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return str(value)


@dataclass(frozen=True)
class Column:
    """One column as a reader sees it: `key` in the table's data, shown as the words in `words` if given."""

    key: str
    label: str
    kind: str = "text"          # text, count, share, ratio or date: how a spreadsheet stores it
    words: str | None = None    # a column of the same table with the value in words (HTML, PDF)
    width: float = 1.0          # relative width in the PDF


@dataclass
class Table:
    """A table of the report: all its data (XLSX, CSV), and the columns a reader sees (HTML, PDF)."""

    key: str                    # file name (key.csv) and XLSX sheet: never derived from a data value
    title: str
    data: pd.DataFrame
    columns: tuple[Column, ...]
    note: str = ""
    sheet: str = ""             # XLSX sheet name (at most 31 characters); default from the title
    sheet_columns: tuple[str, ...] = ()   # the columns the XLSX sheet keeps, when not all (the CSV has all)

    @property
    def sheet_name(self) -> str:
        return (self.sheet or self.title)[:31]


@dataclass(frozen=True)
class Fact:
    """One at-a-glance number: in words, with what it is and how complete, and the query behind it."""

    key: str                    # stable id ("searches", "federal", ...)
    label: str                  # what is counted, for a board member
    words: str                  # the number as read aloud: "1,116", "at least 1,913", "12%"
    detail: str = ""            # completeness, comparisons, breakdown, in words
    value: float | None = None  # the known number (a share as a fraction), for the spreadsheet
    qualifier: str = "exact"    # exact, at_least, about, withheld, missing, not_known, not_given
    complete: bool | None = None
    query: str = ""             # the call that gives it, e.g. db.counts(by="federal", grain="quarter")
    kind: str = "count"         # "count", or "share" (value is a fraction: 0.12 is 12%)


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = "text"          # text, note or lede


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True)
class Facts:
    """The at-a-glance block of one system."""

    system: str
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class TableView:
    """Rows of a table shown in a section: where each column in `where` equals its value."""

    table: str                  # Table.key
    where: tuple[tuple[str, str], ...] = ()
    title: str = ""
    note: str = ""
    empty: str = "None."


@dataclass
class Chart:
    """A chart: its figure, a text alternative, and the numbers it draws (written as key.csv)."""

    key: str                    # "chart-01-searches-by-level": numbered, never from a data value
    title: str
    alt: str
    figure: Figure
    data: pd.DataFrame
    table: Table | None = None  # the numbers as a reader sees them (a compact view of `data`)
    note: str = ""

    @cached_property
    def svg(self) -> str:
        """The figure as SVG text, drawn once for every format that shows it."""
        return figure_svg(self.figure)


@dataclass(frozen=True)
class ChartRef:
    chart: str                  # Chart.key


@dataclass
class Section:
    id: str
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Review:
    """Everything the report says, in order."""

    title: str
    period_label: str           # "2025-Q3"
    period_words: str           # "1 July to 30 September 2025"
    grain: str
    fiscal_year_start: int
    why: str                    # why this period is in focus
    as_of: datetime | None = None  # when the newest source was ingested: the documents' date (never the clock)
    sections: list[Section] = field(default_factory=list)
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    queries: dict[str, str] = field(default_factory=dict)   # API call -> its SQL
    private_columns: tuple[str, ...] = ()   # data columns never written (bounds and parts of protected counts)

    def published(self, data: pd.DataFrame) -> pd.DataFrame:
        """A table's data as a file may carry it: without the private columns and, when there are any (small
        counts are protected), with shares and ratios in whole percent and p-values to 4 places."""
        if not self.private_columns:
            return data
        data = data.drop(columns=[c for c in self.private_columns if c in data.columns])
        rounded = {c: 2 for c in data.columns if ("share" in c or c.endswith("ratio"))
                   and pd.api.types.is_float_dtype(data[c])}
        rounded |= {c: 4 for c in data.columns if c.startswith("p_value") and pd.api.types.is_float_dtype(data[c])}
        return data.round(rounded) if rounded else data

    def add_table(self, table: Table) -> Table:
        self.tables[table.key] = table
        return table

    def add_chart(self, chart: Chart) -> Chart:
        self.charts[chart.key] = chart
        return chart

    def note_of(self, view: TableView) -> str:
        """What a view says under its title: its own note, or its table's note at the table's first view (once)."""
        if view.note:
            return view.note
        first = next(block for section in self.sections for block in section.blocks
                     if isinstance(block, TableView) and block.table == view.table)
        return self.tables[view.table].note if first is view else ""

    def rows(self, view: TableView) -> pd.DataFrame:
        """The rows of a view's table that it shows."""
        data = self.tables[view.table].data
        for column, value in view.where:
            data = data[data[column] == value]
        return data
