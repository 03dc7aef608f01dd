"""Audit logs released as XLSX workbooks (one sheet per month): the sheets read as one log, one source.

Every visible sheet is read (hidden ones only with `include_hidden`), or the sheets asked for. Each sheet is
streamed from its XML with lxml, a row at a time (memory stays flat whatever the workbook's size), and only the
cells of the mapped columns, found in each sheet by header name, are written into one CSV with one layout for
all sheets and the sheet's number as a last column. That CSV lives in a private folder (spill.py) only while the
CSV pipeline (audit_log.py) reads it, so every check a CSV log gets (times, repeated header rows, blank times,
reasons, users, coverage) is the same. Cells of other columns (names, plates, case numbers) are parsed by lxml
and dropped with their row: they are never written anywhere.

Sheets may differ (a column added or dropped in mid-year, a header label retyped or left blank): columns are
matched by name, a sheet that lacks a mapped column has blank cells there, and findings say which sheets differ,
quoting header names only (never one that looks personal, unless the mapping names it).

>>> read_workbook_log("network-audit-2025.xlsx", profile="flock-network-audit",
...                   sheets=["Jan 2025", "Feb 2025"])  # doctest: +SKIP
"""
from __future__ import annotations

import csv
import warnings
import zipfile
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from ..errors import AuditReportError, InputError, column_letter
from ..model import Finding
from ..screen import label_problem
from .grid import XLSX_HINT, _refuse_bombs, _sheet_list, _visible, file_identity
from .mapping import Mapping, header_key, looks_personal, resolve_mapping
from .spill import spill_folder

SHEET_COLUMN = "auditreport sheet"  # the CSV's last column: the number of the sheet a row comes from
HEADER_ROWS_SEARCHED = 10           # rows with cells above a sheet's header (a title) that are passed over
MAX_UNCOMPRESSED = 64 * 1024 ** 3   # a log's sheets stream, so only the compression ratio bounds a workbook
LONGEST_SOURCE_SHEET = 200          # characters of sheet names kept with the source; past that, a count


def is_workbook(path: Path) -> bool:
    """An XLSX workbook (a zip file, whatever its name), or a file named as one."""
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError:
        return False
    return magic == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm")


@dataclass
class SheetLayout:
    """One sheet read: its names, where its header is, and where the mapped columns stand in it."""

    number: int                 # 1-based, among the sheets read
    title: str                  # as in the workbook (never in a message unless it passes the screen)
    shown: str                  # as messages and the source may quote it ("sheet 3" when the name fails the screen)
    path: str                   # the sheet's part inside the zip file
    header_row: int = 0         # 1-based row of the header; 0 for a sheet without cells
    labels: list[str] = field(default_factory=list)          # header labels as written (cleaned), '' when blank
    positions: dict[str, int] = field(default_factory=dict)  # dimension -> 0-based column
    hidden_columns: set[int] = field(default_factory=set)    # 0-based

    @property
    def keys(self) -> list[str]:
        return [header_key(label) for label in self.labels]


@dataclass
class WorkbookCsv:
    """The sheets' mapped cells written as one CSV: the layouts, and where each CSV record came from."""

    sheets: list[SheetLayout]
    dimensions: list[str]               # the CSV's columns before SHEET_COLUMN, in mapping order
    findings: list[Finding]
    # flat runs (first CSV record, sheet number, first sheet row): records of a run come from consecutive rows
    runs: array = field(default_factory=lambda: array("q"))
    hidden_rows: dict[int, int] = field(default_factory=dict)  # sheet number -> hidden rows with cells left out

    def locate(self, record: int) -> tuple[SheetLayout, int] | None:
        """The sheet and sheet row of a CSV record (2 is the first after the header)."""
        starts = self.runs[0::3]
        index = bisect_right(starts, record) - 1
        if index < 0:
            return None
        first, sheet, row = self.runs[3 * index: 3 * index + 3]
        return self.sheets[sheet - 1], row + record - first


# -- the read ------------------------------------------------------------------------------------------------
def read_workbook_log(path: str | Path, *, sheets=None, include_hidden: bool = False, profile: str | None = None,
                      mapping: str | Path | Mapping | None = None, **keywords):
    """Read the sheets of a workbook audit log as one log (audit_log.read_audit_log's keywords apply)."""
    from .audit_log import LogFile, read_audit_log  # the CSV pipeline; it hands workbooks to this module

    path = Path(path)
    log_mapping = resolve_mapping(profile, mapping)
    file_name = path.name
    sha256, size_bytes = file_identity(path)
    with spill_folder() as folder:  # the CSV holds reasons and agency names: private, removed after the read
        csv_path = Path(folder) / "log.csv"
        written = write_workbook_csv(path, log_mapping, _asked(sheets), include_hidden, csv_path)
        with_sheet = replace(log_mapping, columns={**{d: log_mapping.columns[d] for d in written.dimensions},
                                                   "sheet": SHEET_COLUMN})
        try:
            read = read_audit_log(csv_path, mapping=with_sheet, **keywords)
        except AuditReportError as error:  # named after the CSV: placed in the workbook instead
            raise _relocated(error, written, file_name, csv_path.name) from None
    read.grid = LogFile(file_name, sha256, size_bytes, sheet=_source_sheet([s.shown for s in written.sheets]))
    per_sheet = {number: (searches, first, last) for number, searches, first, last in read.sheet_days}
    sheet_findings = []
    for sheet in written.sheets:
        searches, first, last = per_sheet.get(sheet.number, (0, None, None))
        window = f", {first:%Y-%m-%d} to {last:%Y-%m-%d}" if first else ""
        sheet_findings.append(Finding(f"sheet {sheet.shown!r}", "sheet_read",
                                      f"sheet {sheet.shown!r}: {searches:,} search(es){window}."))
    time_zones = [finding for finding in read.findings if finding.kind == "time_zones"]
    others = [finding for finding in read.findings if finding.kind != "time_zones"]
    read.findings = time_zones + written.findings + sheet_findings + others
    read.options = {**read.options, "include_hidden": include_hidden or None}
    return read


def _asked(sheets) -> list[str]:
    if sheets is None:
        return []
    if isinstance(sheets, str):
        return [sheets]
    return [str(sheet) for sheet in sheets]


def _source_sheet(shown: list[str]) -> str:
    """The sheets read, as the source records them: their names, or how many when the names are long."""
    names = ", ".join(shown)
    if len(names) <= LONGEST_SOURCE_SHEET:
        return names
    return f"{len(shown)} sheets, {shown[0]} to {shown[-1]}"


def _relocated(error: AuditReportError, written: WorkbookCsv, file_name: str, csv_name: str) -> AuditReportError:
    """An error of the CSV pipeline, placed in the workbook: its file, sheet, row and column."""
    file = file_name if error.file in (None, csv_name) else error.file
    row, column = error.row, error.column
    if row is not None:
        found = written.locate(row)
        if found is not None:
            sheet, row = found
            file = f"{file_name}, sheet {sheet.shown!r}"
            if column:
                key = header_key(column.strip('"'))
                for index, label in enumerate(sheet.labels):
                    if label and header_key(label) == key:
                        column = f'{column_letter(index + 1)} "{label}"'
                        break
    return type(error)(error.message, file=file, row=row, column=column, hint=error.hint)


# -- the workbook -> one CSV of mapped cells -----------------------------------------------------------------
def write_workbook_csv(path: Path, mapping: Mapping, asked: list[str], include_hidden: bool,
                       out: Path) -> WorkbookCsv:
    """Stream the sheets' mapped cells into `out` (CSV, one header, the sheet number last)."""
    file_name = path.name
    _refuse_bombs(path, file_name, max_uncompressed=MAX_UNCOMPRESSED)
    book = _open(path)
    chosen, findings = _choose_sheets(book.sheets, asked, include_hidden, file_name)
    cells = _Cells(book.shared_strings, book.date_styles, book.epoch, mapping)
    titles = [sheet.title for sheet in book.sheets]
    layouts = [SheetLayout(0, sheet.title, _shown(sheet.title, titles), sheet.path) for sheet in chosen]
    try:
        with zipfile.ZipFile(path) as archive:
            for layout in layouts:
                _read_header(archive, layout, cells, mapping, include_hidden, file_name)
            read = [layout for layout in layouts if layout.header_row]
            findings += _empty_sheets([layout for layout in layouts if not layout.header_row], bool(asked), file_name)
            if not read:
                raise InputError(f"no sheet of this workbook has a column {mapping.columns['time']!r} (the search "
                                 "time)", file=file_name,
                                 hint=f"Sheets in this workbook: {_sheet_list(chosen)}. Ingest the workbook that "
                                      "holds the log, or export it as CSV.")
            for number, layout in enumerate(read, start=1):
                layout.number = number
            findings += _match_columns(read, mapping)
            dimensions = [d for d in mapping.columns if any(d in layout.positions for layout in read)]
            written = WorkbookCsv(read, dimensions, findings)
            with open(out, "w", newline="", encoding="utf-8") as target:
                writer = csv.writer(target)
                writer.writerow([mapping.columns[d] for d in dimensions] + [SHEET_COLUMN])
                record = 2
                for layout in read:
                    record = _write_rows(archive, layout, dimensions, cells, writer, written, record,
                                         include_hidden, mapping)
    except InputError:
        raise
    except Exception as error:  # zipfile, XML and number errors alike; they never quote the sheet's cells
        raise InputError(f"this XLSX workbook could not be read ({type(error).__name__})", file=file_name,
                         hint=XLSX_HINT) from None
    finally:
        book.shared_strings.release()  # before the CSV's read, which has memory of its own to use
    hidden = [f"{layout.shown!r}: {written.hidden_rows[layout.number]}" for layout in read
              if written.hidden_rows.get(layout.number)]
    if hidden:
        findings.append(Finding("sheets", "hidden_content_skipped",
                                f"Hidden rows with cells in them were not read ({', '.join(hidden)}). Unhide them "
                                "if they are searches, or read them with --include-hidden."))
    if include_hidden:
        findings.append(Finding("workbook", "hidden_content_read",
                                "Hidden sheets, rows and columns were read, as asked (--include-hidden)."))
    return written


@dataclass
class _Sheet:
    title: str
    sheet_state: str  # "visible", "hidden" or "veryHidden", as openpyxl names it (grid._visible reads it)
    path: str         # the sheet's part inside the zip file


class SharedStrings:
    """A workbook's shared-string table, held compactly: every text as UTF-8 in one bytearray, where each one ends
    in an array of offsets, decoded when a cell looks it up (`table[index]`, as a list of str would be).

    Excel keeps every text of a workbook in this table, so a log whose ids, times and time frames are all distinct
    has millions of them: as Python str objects (openpyxl's list) some 80 bytes each, here their UTF-8 length and
    8 bytes. The table is streamed from its XML, each <si> dropped once read."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("q", [0])  # string i is _data[_ends[i]:_ends[i + 1]]
        self._view: memoryview | None = None

    def append(self, text: str) -> None:
        self._data += text.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._data))

    def __len__(self) -> int:
        return len(self._ends) - 1

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self._ends) - 1:
            raise IndexError("shared string index out of range")
        view = self._view
        if view is None:  # the table is complete once read: a view of it saves a copy per lookup
            view = self._view = memoryview(self._data)
        return str(view[self._ends[index]:self._ends[index + 1]], "utf-8", "surrogatepass")

    def release(self) -> None:
        """Free the table (the read is done): the view first, so the buffer can go."""
        if self._view is not None:
            self._view.release()
            self._view = None
        self._data = bytearray()
        self._ends = array("q", [0])


def read_shared_strings(handle) -> SharedStrings:
    """xl/sharedStrings.xml, streamed: each <si>'s text, as openpyxl reads it (a plain <t>, or the <t> of its
    rich-text runs <r> joined; phonetic runs <rPh> and their <phoneticPr> are no part of it; 'x005F_' taken out
    as openpyxl does), kept in a SharedStrings."""
    from lxml import etree

    table = SharedStrings()
    append = table.append
    tag_t = tag_r = None
    for _, item in etree.iterparse(handle, events=("end",), tag="{*}si", resolve_entities=False, no_network=True,
                                   huge_tree=True):
        if tag_t is None or not item.tag.startswith(tag_t[:-1]):
            namespace = item.tag[:item.tag.index("}") + 1] if item.tag.startswith("{") else ""
            tag_t, tag_r = f"{namespace}t", f"{namespace}r"
        if len(item) == 1 and item[0].tag == tag_t:
            text = item[0].text or ""
        else:
            text = "".join((child.text or "") if child.tag == tag_t else (child.findtext(tag_t) or "")
                           for child in item if child.tag == tag_t or child.tag == tag_r)
        if "x005F_" in text:
            text = text.replace("x005F_", "")
        append(text)
        item.clear()  # the string is kept: drop its element, and those before it
        if item.getprevious() is not None:
            parent = item.getparent()
            while item.getprevious() is not None:
                del parent[0]
    return table


@dataclass
class _Book:
    sheets: list[_Sheet]
    shared_strings: SharedStrings
    date_styles: set[int]
    epoch: datetime


def _open(path: Path) -> _Book:
    """The workbook's sheets (names, states, parts), shared strings and date styles, without parsing any sheet.

    openpyxl's read-only load_workbook parses every sheet in full when it lacks a <dimension> element (as openpyxl's
    own write-only files do): here only the parts that describe the workbook are read, with openpyxl's readers, but
    the shared strings, which openpyxl would hold as a list of str (hundreds of MB for a large log saved by Excel),
    are read by read_shared_strings."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.xml.constants import SHARED_STRINGS

    with warnings.catch_warnings(), open(path, "rb") as handle:  # a handle: the file's name does not matter
        warnings.simplefilter("ignore", UserWarning)  # openpyxl's own notes ("no default style")
        try:
            reader = ExcelReader(handle, read_only=True, data_only=True)
            try:
                reader.read_manifest()
                strings = SharedStrings()
                part = reader.package.find(SHARED_STRINGS)  # where openpyxl's read_strings would look
                if part is not None:
                    with reader.archive.open(part.PartName[1:]) as source:
                        strings = read_shared_strings(source)
                reader.read_workbook()
                apply_stylesheet(reader.archive, reader.wb)
                sheets = [_Sheet(sheet.name, sheet.state or "visible", rel.target)
                          for sheet, rel in reader.parser.find_sheets()
                          if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
                return _Book(sheets, strings, set(getattr(reader.wb, "_date_formats", ()) or ()),
                             reader.wb.epoch)
            finally:
                reader.archive.close()
        except Exception as error:  # openpyxl, zipfile and XML errors alike: the workbook cannot be read
            raise InputError(f"this XLSX workbook could not be opened ({type(error).__name__})", file=path.name,
                             hint=XLSX_HINT) from None


def _shown(title: str, titles: list[str]) -> str:
    """A sheet's name as findings, errors and the source may quote it ('sheet N' when it fails the screen)."""
    return f"sheet {titles.index(title) + 1}" if label_problem(title) else title


def _choose_sheets(worksheets: list[_Sheet], asked: list[str], include_hidden: bool,
                   file_name: str) -> tuple[list[_Sheet], list[Finding]]:
    """The sheets asked for (exact name first, then ignoring case), in the workbook's order; else every visible one."""
    if not worksheets:
        raise InputError("this XLSX workbook has no sheets", file=file_name, hint=XLSX_HINT)
    if not asked:
        chosen = [worksheet for worksheet in worksheets if include_hidden or _visible(worksheet)]
        if not chosen:
            raise InputError("every sheet of this XLSX workbook is hidden, so none is read", file=file_name,
                             hint="Unhide the sheets that hold the log, or read them with --include-hidden.")
        hidden = len(worksheets) - len(chosen)
        findings = [Finding("workbook", "hidden_content_skipped",
                            f"{hidden} hidden sheet(s) of this workbook were not read.")] if hidden else []
        return chosen, findings
    picked = []
    for name in asked:
        matches = ([w for w in worksheets if w.title == name]
                   or [w for w in worksheets if w.title.casefold() == name.casefold()])
        if not matches:
            where = ("there is no sheet by a name given" if label_problem(name)
                     else f"there is no sheet named {name!r}")
            raise InputError(where, file=file_name, hint=f"Sheets in this workbook: {_sheet_list(worksheets)}.")
        if not _visible(matches[0]) and not include_hidden:
            named = "a sheet asked for" if label_problem(name) else f"the sheet {name!r}"
            raise InputError(f"{named} is hidden, so it is not read", file=file_name,
                             hint="Read it only if it holds searches: add --include-hidden.")
        picked.append(matches[0])
    return [w for w in worksheets if any(w is p for p in picked)], []


def _empty_sheets(empty: list[SheetLayout], asked: bool, file_name: str) -> list[Finding]:
    """A sheet without cells holds no searches: an error when asked for by name, else a finding."""
    if not empty:
        return []
    if asked:
        raise InputError(f"the sheet {empty[0].shown!r} is empty", file=file_name,
                         hint="Leave it out of --sheet.")
    return [Finding("workbook", "sheet_read",
                    f"{len(empty)} sheet(s) without cells were not read: {', '.join(s.shown for s in empty)}.")]


class _Cells:
    """A cell's value as text, from the sheet's XML: shared strings, inline strings, numbers, dates, booleans."""

    def __init__(self, shared: SharedStrings, date_styles: set[int], epoch, mapping: Mapping):
        self.shared = shared
        self.date_styles = date_styles
        self.epoch = epoch
        self.time_format = mapping.time_format or "%Y-%m-%d %H:%M:%S"
        self.columns: dict[str, int] = {}  # "AB" -> 27 (0-based 26): the letters seen, converted once
        self._tags: dict[str, tuple[str, str, str]] = {}

    def column(self, reference: str | None, position: int) -> int:
        """0-based column of a cell reference ("AB7" -> 27); a cell without one stands at its position."""
        if not reference:
            return position
        letters = reference.rstrip("0123456789")
        index = self.columns.get(letters)
        if index is None:
            if not letters.isascii() or not letters.isalpha():
                return position
            index = 0
            for letter in letters.upper():
                index = index * 26 + ord(letter) - 64
            index = self.columns[letters] = index - 1
        return index

    def tags(self, row_tag: str) -> tuple[str, str, str]:
        """The tags of a value, an inline string and a text in the sheet's namespace (that of its rows)."""
        tags = self._tags.get(row_tag)
        if tags is None:
            namespace = row_tag[:row_tag.index("}") + 1] if row_tag.startswith("{") else ""
            tags = self._tags[row_tag] = (f"{namespace}v", f"{namespace}is", f"{namespace}t")
        return tags

    def text(self, cell, tag_v: str, tag_is: str, tag_t: str) -> str:
        kind = cell.get("t")
        if kind == "inlineStr":
            inline = cell.find(tag_is)
            if inline is None:
                return ""
            if len(inline) == 1 and inline[0].tag == tag_t:
                return inline[0].text or ""
            # rich-text runs (<r><t>); phonetic hints (<rPh>) are no part of the value
            return "".join((child.text or "") if child.tag == tag_t else (child.findtext(tag_t) or "")
                           for child in inline if child.tag == tag_t or child.tag.endswith("}r") or child.tag == "r")
        value = cell.findtext(tag_v)
        if value is None:
            return ""
        if kind == "s":
            return self.shared[int(value)]
        if kind in ("str", "e", "d"):
            return value
        if kind == "b":
            return "TRUE" if value.strip() == "1" else "FALSE"
        style = cell.get("s")
        if style and int(style) in self.date_styles:
            from openpyxl.utils.datetime import from_excel

            moment = from_excel(float(value), self.epoch)
            return moment.strftime(self.time_format) if isinstance(moment, datetime) else str(moment)
        number = float(value)
        return str(int(number)) if number.is_integer() else value


def _rows(archive: zipfile.ZipFile, layout: SheetLayout, hidden_columns: set[int] | None = None):
    """(row number, hidden, row element) of a sheet, streamed; the element is cleared after the caller's turn."""
    from lxml import etree

    with archive.open(layout.path) as handle:
        number = 0
        for _, element in etree.iterparse(handle, events=("end",), tag=("{*}row", "{*}col"),
                                          resolve_entities=False, no_network=True, huge_tree=True):
            if element.tag.endswith("col"):
                if hidden_columns is not None and _true(element.get("hidden")):
                    first = int(element.get("min") or 1)
                    hidden_columns.update(range(first - 1, int(element.get("max") or first)))
                continue
            number = int(element.get("r") or number + 1)
            yield number, _true(element.get("hidden")), element
            element.clear()  # the row is done: drop its cells, and the rows before it
            previous = element.getprevious()
            if previous is not None:
                parent = element.getparent()
                while element.getprevious() is not None:
                    del parent[0]


def _true(flag: str | None) -> bool:
    return flag is not None and flag.strip().lower() in ("1", "true")


_DIGITS = "0123456789"


def _row_cells(element, cells: _Cells, wanted: dict[int, str] | None) -> tuple[dict[int, str], bool]:
    """The texts of the wanted columns of a row (column -> its letters; all columns when None), and whether any
    cell holds a value. The innermost loop of a workbook's read, so lookups are kept local.

    Most rows hold a cell in every column, in order: the wanted cells are then taken by their place (the others are
    never looked at) when each one's reference has the letters of its column."""
    tag_v, tag_is, tag_t = cells.tags(element.tag)
    text = cells.text
    if wanted is not None:
        width = len(element)
        values = {}
        for column, letters in wanted.items():
            if column >= width:
                break
            cell = element[column]
            reference = cell.get("r")
            if reference is not None and reference.rstrip(_DIGITS) != letters:
                break
            values[column] = text(cell, tag_v, tag_is, tag_t)
        else:
            if any(value.strip() for value in values.values()):
                return values, True
    values = {}
    filled = False
    known_columns = cells.columns
    for position, cell in enumerate(element):
        reference = cell.get("r")
        column = known_columns.get(reference.rstrip(_DIGITS)) if reference else None
        if column is None:
            column = cells.column(reference, position)
        if wanted is not None and column not in wanted:
            if not filled:
                filled = cell.find(tag_v) is not None or cell.find(tag_is) is not None
            continue
        value = text(cell, tag_v, tag_is, tag_t)
        values[column] = value
        if not filled:
            filled = value.strip() != ""
    return values, filled


def _read_header(archive: zipfile.ZipFile, layout: SheetLayout, cells: _Cells, mapping: Mapping,
                 include_hidden: bool, file_name: str) -> None:
    """Find the sheet's header row (the first with the time column's name) and its labels, by name."""
    time_key = header_key(mapping.columns["time"])
    hidden_columns: set[int] = set()
    seen, first_labels = 0, []
    rows = _rows(archive, layout, hidden_columns)
    for number, hidden, element in rows:
        values, filled = _row_cells(element, cells, None)
        if not filled or (hidden and not include_hidden):
            continue
        seen += 1
        width = max(values) + 1 if values else 0
        labels = [" ".join(values.get(index, "").replace("\ufeff", "").split()) for index in range(width)]
        if not include_hidden:
            labels = ["" if index in hidden_columns else label for index, label in enumerate(labels)]
        first_labels = first_labels or labels
        if time_key in (header_key(label) for label in labels):
            layout.header_row, layout.labels = number, labels
            layout.hidden_columns = set() if include_hidden else hidden_columns
            rows.close()  # the rest of the sheet is not parsed now
            return
        if seen >= HEADER_ROWS_SEARCHED:
            break
    rows.close()
    if not seen:
        return  # a sheet without cells: no header, no rows
    known = _known(mapping)
    shown = [label for label in first_labels if label and header_key(label) in known]  # never a cell of data
    raise InputError(f"the sheet {layout.shown!r} has no column {mapping.columns['time']!r} (the search time) in "
                     "its first rows" + (f"; columns it has that the mapping knows: {', '.join(shown)}" if shown
                                         else ""),
                     file=file_name, hint="Add the header row to that sheet, leave the sheet out (--sheet names "
                                          "those to read), or pass the profile or mapping that fits.")


def _known(mapping: Mapping) -> set[str]:
    return {header_key(h) for h in (*mapping.columns.values(), *mapping.dropped)} | {
        header_key(h) for layout in mapping.layouts for h in layout}


def _match_columns(sheets: list[SheetLayout], mapping: Mapping) -> list[Finding]:
    """Each sheet's mapped columns, by name; a blank label where the previous sheet had a mapped column is read as
    that column only when every other label of the sheet stands where the previous sheet's did. Findings say
    what differs between sheets, by header names only."""
    findings: list[Finding] = []
    guessed, unread = [], []
    previous: SheetLayout | None = None
    for sheet in sheets:
        keys = sheet.keys
        for dimension, header in mapping.columns.items():
            if header_key(header) in keys:
                sheet.positions[dimension] = keys.index(header_key(header))
        if previous is not None:
            before = previous.keys
            same_elsewhere = all(not key or (index < len(before) and before[index] == key)
                                 for index, key in enumerate(keys))
            for dimension, index in previous.positions.items():
                # a blank label where the sheet before had a mapped column (a column past the last label is
                # absent: the export dropped it)
                if dimension in sheet.positions or index >= len(keys) or keys[index]:
                    continue
                if same_elsewhere and index not in sheet.hidden_columns:
                    sheet.positions[dimension] = index
                    guessed.append(f"{column_letter(index + 1)} of {sheet.shown!r} as {mapping.columns[dimension]!r}")
                else:
                    unread.append(f"{column_letter(index + 1)} of {sheet.shown!r}")
        previous = sheet
    if guessed:
        findings.append(Finding("sheets", "header_label_blank",
                                "Column(s) with a blank header label, read as the column at the same place in the "
                                f"sheet before (the other labels stand where they did): {', '.join(guessed)}."))
    if unread:
        findings.append(Finding("sheets", "header_label_blank",
                                f"Column(s) with a blank header label, not read (the sheet's columns do not stand "
                                f"where the sheet before had them): {', '.join(unread)}."))
    findings += _drift(sheets, mapping)
    return findings


def _runs(sheets: list[SheetLayout], having: list[SheetLayout]) -> str:
    """Sheets as runs in workbook order: 'Jan 2025 to Aug 2025, Dec 2025'."""
    numbers = {sheet.number for sheet in having}
    runs: list[list[SheetLayout]] = []
    for sheet in sheets:
        if sheet.number in numbers:
            if runs and runs[-1][-1].number == sheet.number - 1:
                runs[-1].append(sheet)
            else:
                runs.append([sheet])
    return ", ".join(run[0].shown if len(run) == 1 else f"{run[0].shown} to {run[-1].shown}" for run in runs)


def _drift(sheets: list[SheetLayout], mapping: Mapping) -> list[Finding]:
    """What differs between the sheets' headers: columns only in some sheets, mapped columns some sheets lack,
    labels written differently, and columns in no mapping (never read). Header names only, never a cell."""
    known = _known(mapping)
    mapped_keys = {header_key(h) for h in mapping.columns.values()}
    dropped_keys = {header_key(h) for h in mapping.dropped}

    def nameable(label: str) -> bool:
        return header_key(label) in known or not (looks_personal(label) or label_problem(label))

    spelled: dict[str, str] = {}
    for sheet in sheets:
        for label in sheet.labels:
            if label:
                spelled.setdefault(header_key(label), label)
    findings = []
    if len(sheets) > 1:
        parts, withheld = [], 0
        for key, label in spelled.items():
            having = [sheet for sheet in sheets if key in sheet.keys]
            if len(having) == len(sheets):
                continue
            if nameable(label):
                parts.append(f"{label!r} in {_runs(sheets, having)} only")
            else:
                withheld += 1
        if withheld:
            parts.append(f"{withheld} more column(s) whose header looks personal")
        if parts:
            findings.append(Finding("sheets", "sheet_layout_drift",
                                    f"Columns differ between sheets: {'; '.join(parts)}."))
        lacking = []
        for dimension, header in mapping.columns.items():
            without = [sheet for sheet in sheets if dimension not in sheet.positions]
            if without and len(without) < len(sheets):
                lacking.append(f"{header!r} ({dimension}) in {_runs(sheets, without)}")
        if lacking:
            findings.append(Finding("sheets", "mapped_column_absent",
                                    f"Mapped column(s) not in some sheets: {'; '.join(lacking)}; their cells are "
                                    "blank there (not counted for that dimension)."))
    retyped = []
    for dimension, header in mapping.columns.items():
        variants = sorted({sheet.labels[sheet.positions[dimension]] for sheet in sheets
                           if dimension in sheet.positions and sheet.labels[sheet.positions[dimension]]} - {header})
        if variants:
            retyped.append(f"{header!r} written {', '.join(map(repr, variants))}")
    if retyped:
        findings.append(Finding("sheets", "sheet_layout_drift",
                                f"Header labels written differently, matched by name: {'; '.join(retyped)}."))
    unlisted = [label for key, label in spelled.items() if key not in mapped_keys | dropped_keys]
    if unlisted:
        named = [label for label in unlisted if nameable(label)]
        more = len(unlisted) - len(named)
        findings.append(Finding("sheets", "columns_not_read",
                                "Column(s) not in the mapping, never read: " + ", ".join(named)
                                + (f"{' and ' if named else ''}{more} whose header looks personal" if more else "")
                                + "."))
    return findings


def _write_rows(archive: zipfile.ZipFile, layout: SheetLayout, dimensions: list[str], cells: _Cells, writer,
                written: WorkbookCsv, record: int, include_hidden: bool, mapping: Mapping) -> int:
    """Write the sheet's rows below its header: the mapped cells only, in the CSV's layout; return the next record."""
    wanted = {layout.positions[d]: d for d in dimensions if d in layout.positions}
    places = [layout.positions.get(d) for d in dimensions]
    wanted_columns = {index: column_letter(index + 1) for index in sorted(wanted)}
    time_place = layout.positions["time"]
    time_key, time_header = header_key(mapping.columns["time"]), mapping.columns["time"]
    hidden_columns = layout.hidden_columns
    runs, sheet_number = written.runs, layout.number
    last_row = -1
    for number, hidden, element in _rows(archive, layout):
        if number <= layout.header_row:
            continue
        values, filled = _row_cells(element, cells, wanted_columns)
        if not filled:
            continue  # no cell holds a value: not a row of the log
        if hidden and not include_hidden:
            written.hidden_rows[sheet_number] = written.hidden_rows.get(sheet_number, 0) + 1
            continue
        if hidden_columns:
            for index in hidden_columns & values.keys():
                values[index] = ""
        if header_key(values.get(time_place, "")) == time_key:  # a repeated header row, labelled as the CSV's
            values[time_place] = time_header
        row = ["" if place is None else values.get(place, "") for place in places]
        row.append(str(sheet_number))
        writer.writerow(row)
        if number != last_row + 1:
            runs.extend((record, sheet_number, number))
        last_row = number
        record += 1
    return record

