"""report.xlsx: one sheet per table, for the staff who check and reuse the numbers.

Numbers are stored as numbers (counts as whole numbers, shares as fractions formatted as percent), with
their qualifier in a column of its own; dates as dates; every header row frozen and every column given a
width. Text is always stored as text: a cell that begins with =, +, -, @, a tab or a carriage return is
written as a string with Excel's quote prefix, so that no cell of the report runs as a formula. The file
is the same bytes for the same content (fixed document dates and zip entry times).
"""
from __future__ import annotations

import io
import math
import zipfile
from datetime import date, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from ..tabular import clean, formula_like
from .content import Review, Table

FIXED_TIME = datetime(2000, 1, 1)          # document dates: the content, not the clock, decides the bytes
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SHEET_ORDER = ("at-a-glance", "what-changed", "counts-by-period", "by-reason-category", "reasons-in-period",
               "vague-reasons-by-agency", "agencies", "published-figures", "coverage", "findings", "left-out",
               "method", "queries", "sources")
SHARE_COLUMNS = ("share", "vague_share")
MAX_WIDTH = 60


def _value(value):
    """A cell value openpyxl stores as what it is: int for whole numbers, float, bool, date, or text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool,)):
        return value
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2 ** 53 else value
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, (int, date)):
        return value
    return clean(str(value))


def _sheets(review: Review) -> list[Table]:
    order = {key: index for index, key in enumerate(SHEET_ORDER)}
    tables = sorted(review.tables.values(), key=lambda t: (order.get(t.key, len(order)), t.key))
    return tables


class _Styles:
    """Cells that need a style, made once per workbook (a streaming sheet takes a new cell per value)."""

    def __init__(self, sheet):
        self.sheet = sheet

    def header(self, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=text)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        cell.data_type = "s"
        return cell

    def cell(self, value, share: bool):
        """The value as it is stored: plain numbers and booleans as they are; text always as text, a formula-like
        text with Excel's quote prefix; dates with a date format; shares as percent."""
        if isinstance(value, str):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.data_type = "s"  # never a formula, whatever the text begins with
            if formula_like(value):
                cell.quotePrefix = True
            return cell
        if isinstance(value, date):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.number_format = "yyyy-mm-dd"
            return cell
        if share and isinstance(value, float):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.number_format = "0.0%"
            return cell
        return value


def _widths(data: pd.DataFrame) -> list[float]:
    """Column widths from the longest text in each column (header included), within bounds."""
    widths = []
    for column in data.columns:
        shown = data[column].dropna().astype(str).str.len()
        longest = max(len(str(column)), int(shown.max()) if len(shown) else 0)
        widths.append(max(8, min(MAX_WIDTH, longest + 2)))
    return widths


def _write_sheet(sheet, table: Table, review: Review | None = None) -> None:
    """A streaming sheet: header frozen, widths set, filters on; thousands of rows in a fraction of a second."""
    data = table.data[list(table.sheet_columns)] if table.sheet_columns else table.data
    data = review.published(data) if review is not None else data
    for index, width in enumerate(_widths(data), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    if len(data.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(data.columns))}{max(1, len(data) + 1)}"
    styles = _Styles(sheet)
    sheet.append([styles.header(clean(str(column))) for column in data.columns])
    shares = [column in SHARE_COLUMNS for column in data.columns]
    plain = (int, float, bool)
    for row in data.itertuples(index=False):
        values = [_value(raw) for raw in row]
        sheet.append([value if value is None or (type(value) in plain and not share)
                      or (type(value) is str and not formula_like(value)) else styles.cell(value, share)
                      for value, share in zip(values, shares)])


def _fixed_zip(raw: bytes) -> bytes:
    """The same archive with fixed entry times, so the same workbook is the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def table_workbook(table: pd.DataFrame, title: str = "Table") -> bytes:
    """One table as a one-sheet workbook, written as the report's sheets are (numbers as numbers, text never a
    formula): for the command line's --format xlsx and an answer's to_excel()."""
    review = Review("auditreport", "", "", "", 1, "")
    review.add_table(Table("table", title, table, ()))
    return render_xlsx(review)


def render_xlsx(review: Review) -> bytes:
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "auditreport"
    workbook.properties.title = f"{review.title}: {review.period_label}"[:250]
    workbook.properties.created = workbook.properties.modified = review.as_of or FIXED_TIME
    used: set[str] = set()
    about = []
    for table in _sheets(review):
        name = table.sheet_name
        for bad in "[]:*?/\\":
            name = name.replace(bad, " ")
        base, number = name[:28], 2
        while name.lower() in used:
            name, number = f"{base} {number}", number + 1
        used.add(name.lower())
        _write_sheet(workbook.create_sheet(name), table, review)
        about.append({"sheet": name, "what_it_holds": table.title, "note": table.note})
    if not used:
        workbook.create_sheet("At a glance").append(["No numbers yet."])
    else:  # what each sheet holds, and its note, for whoever opens the workbook cold
        _write_sheet(workbook.create_sheet("About these sheets"),
                     Table("about", "About these sheets", pd.DataFrame(about), ()))
    buffer = io.BytesIO()
    # openpyxl's save() stamps the time as the "modified" date; its writer, used directly, keeps ours
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return _fixed_zip(buffer.getvalue())
