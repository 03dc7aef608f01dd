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
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from .content import Review, Table

FIXED_TIME = datetime(2000, 1, 1)          # document dates: the content, not the clock, decides the bytes
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_ORDER = ("at-a-glance", "what-changed", "counts-by-period", "by-reason-category", "reasons-in-period",
               "vague-reasons-by-agency", "agencies", "published-figures", "coverage", "findings", "left-out",
               "method", "queries", "sources")
SHARE_COLUMNS = ("share", "vague_share", "federal_share")
MAX_WIDTH = 60


def safe_text(text: str) -> str:
    """Text that a spreadsheet might read as a formula, prefixed with an apostrophe (CSV); unchanged otherwise."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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
    return str(value)


def _sheets(review: Review) -> list[Table]:
    order = {key: index for index, key in enumerate(SHEET_ORDER)}
    tables = sorted(review.tables.values(), key=lambda t: (order.get(t.key, len(order)), t.key))
    return tables


def _write_sheet(sheet, table: Table) -> None:
    data = table.data
    header_font, fill = Font(bold=True), PatternFill("solid", fgColor="F2F2F2")
    widths = []
    for index, column in enumerate(data.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=str(column))
        cell.font, cell.fill = header_font, fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        widths.append(len(str(column)))
    for row_number, row in enumerate(data.itertuples(index=False), start=2):
        for index, raw in enumerate(row, start=1):
            value = _value(raw)
            cell = sheet.cell(row=row_number, column=index)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text begins with
                if value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, float) and data.columns[index - 1] in SHARE_COLUMNS:
                cell.number_format = "0.0%"
            elif isinstance(value, int) and not isinstance(value, bool):
                cell.number_format = "#,##0"
            shown = len(str(value)) if value is not None else 0
            widths[index - 1] = max(widths[index - 1], min(shown, MAX_WIDTH))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(8, min(MAX_WIDTH, width + 2))
    sheet.freeze_panes = "A2"
    if len(data.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(data.columns))}{max(1, len(data) + 1)}"


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


def render_xlsx(review: Review) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "auditreport"
    workbook.properties.title = f"{review.title}: {review.period_label}"[:250]
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    used: set[str] = set()
    for table in _sheets(review):
        name = table.sheet_name
        for bad in "[]:*?/\\":
            name = name.replace(bad, " ")
        base, number = name[:28], 2
        while name.lower() in used:
            name, number = f"{base} {number}", number + 1
        used.add(name.lower())
        _write_sheet(workbook.create_sheet(name), table)
    if not used:
        workbook.create_sheet("At a glance").cell(row=1, column=1, value="No numbers yet.")
    buffer = io.BytesIO()
    # openpyxl's save() stamps the time as the "modified" date; its writer, used directly, keeps ours
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return _fixed_zip(buffer.getvalue())
