"""Any table file -> a grid of cells (rows of values), with the file's identity.

CSV in UTF-8, UTF-8 with BOM or cp1252 (the Windows default many agencies export in), any of the
usual delimiters; XLSX by sheet. Binary garbage and empty files get a clear error here, before any
table logic runs.
"""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..errors import InputError, column_letter

TEXT_FILE_HINT = "Export the table as CSV (UTF-8) or XLSX and ingest that file."


@dataclass
class Grid:
    file_name: str
    sha256: str
    size_bytes: int
    rows: list[list[object]]  # rows[i] is spreadsheet row i + 1; cells are str, int, float, date or None
    sheet: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)


def file_identity(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest(), path.stat().st_size


def decode_text(data: bytes, file_name: str) -> tuple[str, str]:
    """Bytes -> text and the encoding used; refuse binary files."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a byte-order mark (Excel's "Unicode text")
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputError("the text encoding could not be read (a UTF-16 file with invalid bytes)",
                             file=file_name, hint=TEXT_FILE_HINT) from None
    sample = data[:65536]
    control = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    if b"\x00" in sample or (sample and control / len(sample) > 0.05):
        raise InputError("this is not a text table (it looks like a binary file)", file=file_name,
                         hint=TEXT_FILE_HINT)
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" and not data.startswith(
                b"\xef\xbb\xbf") else encoding
        except UnicodeDecodeError:
            continue
    raise InputError("the text encoding could not be read", file=file_name, hint=TEXT_FILE_HINT)


def _read_csv(path: Path, data: bytes) -> tuple[list[list[object]], str, str]:
    text, encoding = decode_text(data, path.name)
    delimiter = _delimiter(text[:16384])
    _refuse_unclosed_quote(text, delimiter, path.name)
    try:
        rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as error:  # csv's messages describe the problem, never the file's content
        raise InputError(f"the CSV could not be split into cells ({error})", file=path.name,
                         hint="Check for an unclosed quote; re-export the table as CSV.") from None
    return rows, encoding, delimiter


def _refuse_unclosed_quote(text: str, delimiter: str, file_name: str) -> None:
    """A quote never closed swallows the rest of the file into one cell: name its row, never its text."""
    rows = 0
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            rows += 1
    except csv.Error as error:
        if "unexpected end of data" not in str(error):
            return  # strict mode's other complaints (a quote inside a cell) are read leniently
        raise InputError(f"row {rows + 1} opens a quote (\") that is never closed, so the rest of the file "
                         "would be one cell", file=file_name,
                         hint="Close the quote in that row, or re-export the table as CSV.") from None


def _delimiter(sample: str) -> str:
    """The delimiter that splits the most lines into the same number (>1) of cells; title lines have one."""
    def score(delimiter: str) -> int:
        try:
            widths = [len(row) for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if row]
        except csv.Error:
            return 0
        widths = [width for width in widths[:-1] if width > 1]  # the last line may be cut off
        return max((widths.count(width) for width in set(widths)), default=0)

    return max(",;\t|", key=lambda delimiter: (score(delimiter), delimiter == ","))


def _xlsx_cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.date()
    return value


XLSX_HINT = "Open it in a spreadsheet program and save it again as .xlsx, or export CSV."


def _open_workbook(data: bytes, file_name: str, *, data_only: bool):
    import openpyxl

    try:  # from bytes, so the file's name (.csv, no suffix) does not matter
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as error:  # openpyxl, zipfile and XML errors alike: the workbook cannot be read
        raise InputError(f"this XLSX workbook could not be opened ({type(error).__name__})", file=file_name,
                         hint=XLSX_HINT) from None


def _read_xlsx(path: Path, data: bytes, sheet: str | None) -> tuple[list[list[object]], str]:
    workbook = _open_workbook(data, path.name, data_only=True)
    try:
        if sheet is None:
            if not workbook.worksheets:
                raise InputError("this XLSX workbook has no sheets", file=path.name, hint=XLSX_HINT)
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise InputError(f"there is no sheet named {sheet!r}", file=path.name,
                             hint=f"Sheets in this workbook: {', '.join(workbook.sheetnames)}.")
        title = worksheet.title
        try:
            rows = [[_xlsx_cell(value) for value in row] for row in worksheet.iter_rows(values_only=True)]
        except Exception as error:
            raise InputError(f"this XLSX workbook could not be read ({type(error).__name__})", file=path.name,
                             hint=XLSX_HINT) from None
    finally:
        workbook.close()
    _refuse_formulas_without_values(data, path.name, title, rows)
    return rows, title


def _refuse_formulas_without_values(data: bytes, file_name: str, title: str, rows: list[list[object]]) -> None:
    """A formula whose result was never saved (a workbook written by a script) reads as blank: refuse it."""
    if not any(value is None for row in rows for value in row):
        return
    workbook = _open_workbook(data, file_name, data_only=False)
    try:
        for row_index, row in enumerate(workbook[title].iter_rows()):
            for column_index, cell in enumerate(row):
                if getattr(cell, "data_type", None) != "f":
                    continue
                values = rows[row_index] if row_index < len(rows) else []
                if column_index >= len(values) or values[column_index] is None:
                    raise InputError("this cell holds a formula whose result was never saved, so it would read "
                                     "as blank", file=file_name, row=row_index + 1,
                                     column=column_letter(column_index + 1),
                                     hint="Open the file in a spreadsheet program and save it, so the computed "
                                          "values are stored.")
    except InputError:
        raise
    except Exception as error:
        raise InputError(f"this XLSX workbook could not be read ({type(error).__name__})", file=file_name,
                         hint=XLSX_HINT) from None
    finally:
        workbook.close()


def read_grid(path: str | Path, *, sheet: str | None = None) -> Grid:
    """Read a CSV or XLSX file into a Grid; every failure is an InputError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", file=str(path), hint="Check the path and try again.")
    sha256, size = file_identity(path)
    data = path.read_bytes()
    if not data.strip():
        raise InputError("the file is empty", file=path.name,
                         hint="Check that the records request returned data, and export the table again.")
    suffix = path.suffix.lower()
    if data[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        rows, sheet_name = _read_xlsx(path, data, sheet)
        grid = Grid(path.name, sha256, size, rows, sheet=sheet_name)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix == ".xls":
        raise InputError("this is an old-style .xls workbook", file=path.name,
                         hint="Open it in a spreadsheet program and save it as .xlsx or CSV.")
    else:
        if sheet is not None:
            raise InputError("--sheet only applies to XLSX workbooks", file=path.name,
                             hint="Leave out --sheet for CSV files.")
        rows, encoding, delimiter = _read_csv(path, data)
        grid = Grid(path.name, sha256, size, rows, encoding=encoding, delimiter=delimiter)
    grid.rows = [_trim(row) for row in grid.rows]
    return grid


def _trim(row: list[object]) -> list[object]:
    """Strip text and drop trailing empty cells (exporters pad rows with them)."""
    cells = [cell.strip() if isinstance(cell, str) else cell for cell in row]
    while cells and (cells[-1] is None or cells[-1] == ""):
        cells.pop()
    return cells


def cell_text(cell: object, *, period_header: bool = False) -> str:
    """A cell as text; dates as ISO days.

    `period_header`: a date on the 1st in a wide table's header is the month it starts (Excel turns "Jan-17"
    into 2017-01-01); anywhere else a date is that day.
    """
    if cell is None:
        return ""
    if isinstance(cell, date):
        return f"{cell:%Y-%m}" if period_header and cell.day == 1 else cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()
