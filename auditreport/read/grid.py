"""Any table file -> a grid of cells (rows of values), with the file's identity.

CSV in UTF-8, UTF-8 with BOM or cp1252 (the Windows default many agencies export in), any of the
usual delimiters; XLSX by sheet (the active visible one unless asked; hidden sheets, rows and
columns only when asked, with a finding either way). Binary garbage and empty files get a clear
error here, before any table logic runs.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..errors import InputError, column_letter
from ..model import Finding
from ..screen import label_problem

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
    findings: list[Finding] = field(default_factory=list)  # hidden sheets, rows and columns: left out or read


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
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    if _UTF8_SEQUENCE.search(data):  # UTF-8 here, another encoding there: each line in its own, never mojibake
        return "".join(_decode_line(line) for line in data.splitlines(keepends=True)), MIXED
    for encoding in ("cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputError("the text encoding could not be read", file=file_name, hint=TEXT_FILE_HINT)


MIXED = "mixed (utf-8 and cp1252 lines)"
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def _read_csv(path: Path, data: bytes) -> tuple[list[list[object]], str, str]:
    text, encoding = decode_text(data, path.name)
    delimiter = _delimiter(text[:16384])
    _refuse_unclosed_quote(text, delimiter, path.name)
    limit = csv.field_size_limit()
    try:  # a cell up to the whole file is split here, so that a long one is refused with its row and column
        csv.field_size_limit(max(limit, len(text) + 1))
        rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as error:  # csv's messages describe the problem, never the file's content
        raise InputError(f"the CSV could not be split into cells ({error})", file=path.name,
                         hint="Check for an unclosed quote; re-export the table as CSV.") from None
    finally:
        csv.field_size_limit(limit)
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


def _xlsx_cell(value: object, number_format: str = "") -> object:
    """A cell's value; a date shown without its day (format "mmm-yy": "Jan-17") is the month it shows."""
    if isinstance(value, datetime):
        shown = re.sub(r'"[^"]*"|\[[^\]]*\]', "", number_format.lower())  # quoted text and [colours] aside
        if "m" in shown and "d" not in shown and "h" not in shown and "s" not in shown:
            return f"{value:%Y-%m}"
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


HIDDEN_HINT = "Unhide them if they belong to the table, or read them as asked with --include-hidden."


def _visible(worksheet) -> bool:
    return getattr(worksheet, "sheet_state", "visible") == "visible"


def _named(name: str) -> str:
    """A sheet name as a message may quote it, or words that do not quote it when it fails the privacy screen."""
    return "the sheet asked for" if label_problem(name) else f"the sheet {name!r}"


def _sheet_list(worksheets: list) -> str:
    """The sheets a person may ask for: names that pass the screen (hidden ones marked), the others counted."""
    names = [worksheet.title + ("" if _visible(worksheet) else " (hidden)") for worksheet in worksheets
             if not label_problem(worksheet.title)]
    withheld = len(worksheets) - len(names)
    if withheld:
        names.append(f"{withheld} sheet(s) whose name is withheld (it looks personal)")
    return ", ".join(names)


def _choose_sheet(workbook, sheet: str | None, file_name: str, include_hidden: bool):
    """The sheet asked for (exact name first, then ignoring case); else the active sheet, or the first visible one."""
    worksheets = list(workbook.worksheets)  # chart sheets hold no cells
    if not worksheets:
        raise InputError("this XLSX workbook has no sheets", file=file_name, hint=XLSX_HINT)
    if sheet is None:
        active = workbook.active
        if any(active is worksheet for worksheet in worksheets) and _visible(active):
            return active
        visible = [worksheet for worksheet in worksheets if _visible(worksheet)]
        if visible:
            return visible[0]
        if include_hidden:
            return worksheets[0]
        raise InputError("every sheet of this XLSX workbook is hidden, so none is read", file=file_name,
                         hint="Unhide the sheet that holds the table, or read it as asked with --include-hidden "
                              "and --sheet.")
    matches = ([worksheet for worksheet in worksheets if worksheet.title == sheet]
               or [worksheet for worksheet in worksheets if worksheet.title.casefold() == sheet.casefold()])
    if not matches:
        where = "there is no sheet by the name given" if label_problem(sheet) else f"there is no sheet named {sheet!r}"
        raise InputError(where, file=file_name, hint=f"Sheets in this workbook: {_sheet_list(worksheets)}.")
    worksheet = matches[0]
    if not _visible(worksheet) and not include_hidden:
        raise InputError(f"{_named(sheet)} is hidden, so it is not read", file=file_name,
                         hint="Read it only if it holds the table: add --include-hidden.")
    return worksheet


def _true(flag: str | None) -> bool:
    return flag is not None and flag.strip().lower() in ("1", "true")


def _hidden_rows_and_columns(data: bytes, worksheet, file_name: str) -> tuple[set[int], list[tuple[int, int]]]:
    """Hidden row numbers and (first, last) hidden column ranges, 1-based, from one streaming pass over the
    sheet's XML (openpyxl's read-only sheets do not say which rows are hidden); memory stays flat."""
    path = getattr(worksheet, "_worksheet_path", None)
    if not path:  # an openpyxl that no longer says where the sheet is: refuse rather than read hidden rows
        raise InputError("the hidden rows of this XLSX sheet could not be found", file=file_name, hint=XLSX_HINT)
    from lxml import etree

    rows: set[int] = set()
    columns: list[tuple[int, int]] = []
    row_number = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(path) as handle:
            for _, element in etree.iterparse(handle, events=("end",), tag=("{*}row", "{*}col"),
                                              resolve_entities=False, no_network=True):
                parent = element.getparent()
                within = etree.QName(parent).localname if parent is not None else ""
                if within == "sheetData":
                    row_number = int(element.get("r") or row_number + 1)
                    if _true(element.get("hidden")):
                        rows.add(row_number)
                elif within == "cols" and _true(element.get("hidden")):
                    first = int(element.get("min") or 1)
                    columns.append((first, int(element.get("max") or first)))
                element.clear()  # the row is done: drop its cells, and the rows before it
                while element.getprevious() is not None:
                    del parent[0]
    except Exception as error:  # zipfile, XML and number errors alike; they never quote the sheet's cells
        raise InputError(f"this XLSX workbook could not be read ({type(error).__name__})", file=file_name,
                         hint=XLSX_HINT) from None
    return rows, columns


def _has_value(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _spans(numbers: list[int], name=str, most: int = 12) -> str:
    """4, 5, 6, 9 -> '4-6, 9' (with names: C-E, H); past `most` spans, how many more."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    text = ", ".join(name(a) if a == b else f"{name(a)}-{name(b)}" for a, b in spans[:most])
    return text + (f" and {len(spans) - most} more span(s)" if len(spans) > most else "")


def _hidden_content(rows: list[list[object]], hidden_rows: set[int], hidden_columns: list[tuple[int, int]],
                    include_hidden: bool) -> list[Finding]:
    """Leave hidden rows and columns out (rows stay in place, empty, so row numbers keep their meaning), or read
    them as asked; either way a finding names the rows and columns that hold cells, never what they hold."""
    full_rows = [number for number in sorted(hidden_rows)
                 if number <= len(rows) and any(_has_value(value) for value in rows[number - 1])]
    full_columns: set[int] = set()
    for row in rows:
        for first, last in hidden_columns:
            full_columns.update(index + 1 for index in range(first - 1, min(last, len(row)))
                                if _has_value(row[index]))
    if not full_rows and not full_columns:
        return []
    places, counts = [], []
    if full_rows:
        places.append(("row " if len(full_rows) == 1 else "rows ") + _spans(full_rows))
        counts.append(f"{len(full_rows)} hidden row(s)")
    if full_columns:
        places.append(("column " if len(full_columns) == 1 else "columns ") + _spans(sorted(full_columns),
                                                                                   column_letter))
        counts.append(f"{len(full_columns)} hidden column(s)")
    where, what = "; ".join(places), " and ".join(counts)
    if include_hidden:
        return [Finding(where, "hidden_content_read", f"{what} with cells in them were read, as asked "
                                                      "(--include-hidden).")]
    for number in full_rows:
        rows[number - 1] = []
    for row in rows:
        for index in full_columns:
            if index <= len(row):
                row[index - 1] = None
    return [Finding(where, "hidden_content_skipped",
                    f"{what} with cells in them were not read; their cells are left out. {HIDDEN_HINT}")]


# Bounds no real release reaches (a 50 MB workbook of 300,000 rows is about 10 x compressed, 400 MB inside)
MAX_UNCOMPRESSED = 2 * 1024 ** 3  # bytes of XML inside the workbook, all parts together
MAX_RATIO = 200                   # uncompressed / compressed size of one part larger than RATIO_FROM
RATIO_FROM = 16 * 1024 ** 2
MAX_CELLS = 30_000_000            # rows x columns of the sheet read (its stated dimension, then as read)
BOUNDS_HINT = "Open it in a spreadsheet program, delete what is not the table and save it again, or export CSV."


def _refuse_bombs(data: bytes | Path, file_name: str, *, max_uncompressed: int = MAX_UNCOMPRESSED) -> None:
    """A workbook (its bytes, or its path) is checked before it is parsed: its size inside, each part's compression
    ratio. An audit log's sheets are streamed, so its reader allows more inside (`max_uncompressed`)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return  # not a zip: openpyxl's own error names it
    inside = sum(part.file_size for part in parts)
    if inside > max_uncompressed:
        raise InputError(f"this XLSX workbook holds {inside / 1024 ** 3:.1f} GB of data inside, more than any "
                         "release auditreport reads", file=file_name, hint=BOUNDS_HINT)
    for part in parts:
        if part.file_size > RATIO_FROM and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise InputError("this XLSX workbook is compressed far more than a real table can be (a part of it "
                             f"expands {part.file_size // max(part.compress_size, 1):,} times)", file=file_name,
                             hint=BOUNDS_HINT)


def _refuse_too_many_cells(worksheet, file_name: str) -> None:
    try:
        rows, columns = worksheet.max_row or 0, worksheet.max_column or 0
    except Exception:  # noqa: BLE001 - a sheet without a stated dimension: bounded while it is read
        return
    if rows * columns > MAX_CELLS:
        raise InputError(f"the sheet spans {rows:,} rows and {columns:,} columns, more than a table of counts "
                         "can", file=file_name, hint=BOUNDS_HINT)


def _bounded_rows(worksheet, file_name: str) -> list[list[object]]:
    rows, cells, dated = [], 0, False
    for row in worksheet.iter_rows(values_only=True):
        cells += len(row)
        if cells > MAX_CELLS:
            raise InputError(f"the sheet holds more than {MAX_CELLS:,} cells, more than a table of counts can",
                             file=file_name, row=len(rows) + 1, hint=BOUNDS_HINT)
        dated = dated or any(isinstance(value, datetime) for value in row)
        rows.append(list(row))
    if dated:  # how each date is shown ("Jan-17": a month) takes the cells' formats: read them only then
        for index, row in enumerate(worksheet.iter_rows()):
            rows[index] = [_xlsx_cell(cell.value, getattr(cell, "number_format", "") or "") for cell in row]
    else:
        rows = [[_xlsx_cell(value) for value in row] for row in rows]
    return rows


def _read_xlsx(path: Path, data: bytes, sheet: str | None,
               include_hidden: bool) -> tuple[list[list[object]], str, list[Finding]]:
    """The chosen sheet's rows, the name it may be stored under and what was left out of it (or read as asked)."""
    _refuse_bombs(data, path.name)
    workbook = _open_workbook(data, path.name, data_only=True)
    try:
        worksheet = _choose_sheet(workbook, sheet, path.name, include_hidden)
        _refuse_too_many_cells(worksheet, path.name)
        title = worksheet.title
        position = workbook.sheetnames.index(title) + 1
        hidden_sheets = sum(not _visible(other) for other in workbook.worksheets if other is not worksheet)
        read_hidden_sheet = not _visible(worksheet)
        hidden_rows, hidden_columns = _hidden_rows_and_columns(data, worksheet, path.name)
        try:
            rows = _bounded_rows(worksheet, path.name)
        except InputError:
            raise
        except Exception as error:
            raise InputError(f"this XLSX workbook could not be read ({type(error).__name__})", file=path.name,
                             hint=XLSX_HINT) from None
    finally:
        workbook.close()
    findings = _hidden_content(rows, hidden_rows, hidden_columns, include_hidden)
    if read_hidden_sheet:
        findings.insert(0, Finding("sheet", "hidden_content_read", "the sheet read is hidden in the workbook; it "
                                                                   "was read, as asked (--include-hidden)."))
    if hidden_sheets:
        findings.append(Finding("workbook", "hidden_content_skipped",
                                f"{hidden_sheets} other sheet(s) of this workbook are hidden; they were not read."))
    skip_rows = set() if include_hidden else hidden_rows
    skip_columns = [] if include_hidden else hidden_columns
    _refuse_formulas_without_values(data, path.name, title, rows, skip_rows, skip_columns)
    return rows, (f"sheet {position}" if label_problem(title) else title), findings


def _refuse_formulas_without_values(data: bytes, file_name: str, title: str, rows: list[list[object]],
                                    skip_rows: set[int], skip_columns: list[tuple[int, int]]) -> None:
    """A formula whose result was never saved (a workbook written by a script) reads as blank: refuse it.
    Hidden rows and columns left out (`skip_rows`, `skip_columns`) are not read, so they are not checked."""
    if not any(value is None for row in rows for value in row):
        return
    workbook = _open_workbook(data, file_name, data_only=False)
    try:
        for row_index, row in enumerate(workbook[title].iter_rows()):
            if row_index + 1 in skip_rows:
                continue
            for column_index, cell in enumerate(row):
                if getattr(cell, "data_type", None) != "f" or any(
                        first <= column_index + 1 <= last for first, last in skip_columns):
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


def sheet_names(path: str | Path, *, include_hidden: bool = False) -> list[str]:
    """The names of a workbook's sheets that may be read (visible ones, unless `include_hidden`), in order; [] for
    a file that is not a workbook. Names are for asking read_grid, never for a message (they are not screened)."""
    path = Path(path)
    data = path.read_bytes()
    if data[:4] != b"PK\x03\x04":
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        workbook = _open_workbook(data, path.name, data_only=True)
        try:
            return [w.title for w in workbook.worksheets if include_hidden or _visible(w)]
        finally:
            workbook.close()


def read_grid(path: str | Path, *, sheet: str | None = None, include_hidden: bool = False) -> Grid:
    """Read a CSV or XLSX file into a Grid; every failure is an InputError naming the file.

    XLSX: the sheet asked for, else the active sheet (or the first visible one). Hidden sheets, rows and columns
    are not read unless `include_hidden`; `grid.findings` says what was left out, or read as asked. A sheet name
    that fails the privacy screen is kept as "sheet N" (its place in the workbook).
    """
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
        with warnings.catch_warnings():  # openpyxl's own notes ("no default style") are not the user's business
            warnings.simplefilter("ignore", UserWarning)
            rows, sheet_name, findings = _read_xlsx(path, data, sheet, include_hidden)
        grid = Grid(path.name, sha256, size, rows, sheet=sheet_name, findings=findings)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix == ".xls":
        raise InputError("this is an old-style .xls workbook", file=path.name,
                         hint="Open it in a spreadsheet program and save it as .xlsx or CSV.")
    else:
        if sheet is not None:
            raise InputError("--sheet only applies to XLSX workbooks", file=path.name,
                             hint="Leave out --sheet for CSV files.")
        rows, encoding, delimiter = _read_csv(path, data)
        grid = Grid(path.name, sha256, size, rows, encoding=encoding, delimiter=delimiter)
        if encoding == MIXED:
            grid.findings.append(Finding("file", "mixed_encoding",
                                         "Some lines are UTF-8 and others another encoding (Windows cp1252); each "
                                         "line was read in its own, so names such as Café read as written. Check "
                                         "the agency names once."))
    grid.rows = [_trim(row) for row in grid.rows]
    _refuse_long_cells(grid)
    return grid


LONGEST_CELL = 10_000  # characters: no label, count or note of a count table is longer


def _refuse_long_cells(grid: Grid) -> None:
    for row_number, row in enumerate(grid.rows, start=1):
        for column, cell in enumerate(row, start=1):
            if isinstance(cell, str) and len(cell) > LONGEST_CELL:
                raise InputError(f"this cell holds {len(cell):,} characters; no cell of a table of counts is that "
                                 "long", file=grid.file_name, row=row_number, column=column_letter(column),
                                 hint="Check the cell (an unclosed quote joins cells together) and export again.")


def _trim(row: list[object]) -> list[object]:
    """Strip text and drop trailing empty cells (exporters pad rows with them)."""
    cells = [cell.replace("\ufeff", "").strip() if isinstance(cell, str) else cell for cell in row]  # mid-file BOMs
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
