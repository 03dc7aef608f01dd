"""One read of a count table: its grid, header row and options, what it has found so far, and how a cell
of the table becomes an observation of the read (or a problem, if it cannot be read)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import MISSING, REPORTED, Finding
from ..periods import Period
from ..rules import ReasonRules, load_reason_rules
from .cells import Cell, CellError, parse_cell, quote
from .grid import Grid
from .problems import ProblemList


@dataclass
class TableContext:
    """What a read carries from the header to the last row: problems, findings and the records kept."""

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

    def read_cell(self, raw: object, row: int, column: str, *, share: bool = False,
                  percent: bool | None = None) -> Cell | None:
        """The cell as a count (or a share, where one is due); None, and a problem, if it is neither."""
        try:
            cell = parse_cell(raw, share=share, percent=percent, decimal_comma=self.decimal_comma)
        except CellError as error:
            self.problems.add(row, column, str(error), error.hint)
            return None
        if cell.is_share and not share:
            self.problems.add(row, column, f"{quote(cell.mark)} is a share, not a count",
                              "Put shares in a column named share, or in a row whose measure is share_of_searches.")
            return None
        if cell.status == MISSING and not cell.mark:
            self.blank_cells.append(f"row {row}, column {column}")
        return cell

    def record(self, cell: Cell, *, row: int, column: str, measure: str, agency: str | None, system: str | None,
               period: Period, extra: dict | None = None) -> None:
        """Keep the cell as an observation (model columns; the text of a cell only where it qualifies it)."""
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
        self.records.append(record)
