"""Workbook audit logs (one sheet per month): read as one log, the same counts as the same rows in one CSV."""
from __future__ import annotations

import csv
import os
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
from click.testing import CliRunner

from auditreport.cli import main
from auditreport.errors import InputError, UsageError
from auditreport.read.audit_log import read_audit_log

NETWORK = ["ID", "Name", "Org Name", "Total Networks Searched", "Total Devices Searched", "Time Frame",
           "License Plate", "Reason", "Case #", "Filters", "Search Time", "Search Type", "Text Prompt", "Moderation"]
AGENCIES = ["Springfield PD", "U.S. Border Patrol", "Shelbyville County SO"]
REASONS = ["ICE+ERO", "Stolen vehicle", "investigation", "***", ""]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
# Invented people and plates, planted in columns the profile never reads.
PLANTED = ["Zebediah Quillfeather", "Marisol Vantongeren", "QZX9K7W", "7JKL302"]


def _row(month: int, i: int) -> dict[str, str]:
    day = 1 + i % 27
    return {"ID": f"pl4nted-id-{month:02d}{i:03d}", "Name": PLANTED[i % 2], "Org Name": AGENCIES[i % 3],
            "Total Networks Searched": str(1 + i % 3), "Total Devices Searched": "120",
            "Time Frame": f"{month:02d}/{day:02d}/2025, 01:00:00 AM UTC\n{month:02d}/{day:02d}/2025, 11:00:00 PM UTC",
            "License Plate": PLANTED[2 + i % 2], "Reason": REASONS[i % len(REASONS)], "Case #": "", "Filters": "",
            "Search Time": f"{month:02d}/{day:02d}/2025, {1 + i % 12:02d}:15:00 PM UTC",
            "Search Type": ["lookup", "search"][i % 2], "Text Prompt": f"red pickup {PLANTED[i % 2]}",
            "Moderation": ""}


def _sheet_header(month: int) -> list[str]:
    """The drift of real releases: ID from March, Moderation gone after August, Text Prompt after September."""
    header = [name for name in NETWORK if not (name == "ID" and month < 3)]
    header = [name for name in header if not (name == "Moderation" and month > 8)]
    return [name for name in header if not (name == "Text Prompt" and month > 9)]


def monthly_workbook(path: Path, months=(1, 2, 3, 9, 10), rows: int = 12, hidden: int | None = None) -> list[list]:
    """Monthly sheets with layout drift, a retyped label, a repeated header row and a marker-only row; returns the
    rows of the log, in order, as one CSV would hold them (the full layout)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    as_csv = []
    for month in months:
        sheet = workbook.create_sheet(f"{MONTHS[month - 1]} 2025")
        header = _sheet_header(month)
        written = [" org  NAME" if name == "Org Name" and month == 2 else name for name in header]  # hand-edited
        sheet.append(written)
        for i in range(rows):
            row = _row(month, i)
            sheet.append([row[name] for name in header])
            as_csv.append([row.get(name, "") if name in header else "" for name in NETWORK])
            if i == 4:  # the header again, inside the sheet
                sheet.append(written)
                as_csv.append(list(NETWORK))
        marker = {"Name": "***", "License Plate": "***"}  # a marker-only row: no agency, no time
        sheet.append([marker.get(name, "") for name in header])
        as_csv.append([marker.get(name, "") for name in NETWORK])
        if month == hidden:
            sheet.sheet_state = "hidden"
            del as_csv[-(rows + 2):]
    workbook.save(path)
    return as_csv


def write_csv(path: Path, rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(NETWORK)
        writer.writerows(rows)
    return path


def counts(read) -> list[tuple]:
    frame = read.observations
    columns = ["measure", "agency", "system", "reason_category", "query_type", "period_start", "value", "qualifier"]
    return sorted(tuple(str(value) for value in row) for row in frame[columns].itertuples(index=False))


def kinds(read) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in read.findings:
        found.setdefault(finding.kind, []).append(finding.message)
    return found


def test_monthly_sheets_with_drift_count_every_search_once_as_the_same_rows_in_one_csv(tmp_path):
    rows = monthly_workbook(tmp_path / "network-audit-2025.xlsx", hidden=10)
    csv_read = read_audit_log(write_csv(tmp_path / "network-audit-2025.csv", rows), profile="flock-network-audit",
                              retention_days=30)
    with read_audit_log(tmp_path / "network-audit-2025.xlsx", profile="flock-network-audit",
                        retention_days=30) as read:
        assert read.rows_read == csv_read.rows_read
        searches = read.observations.query("measure == 'searches'")["value"].sum()
        assert searches == 4 * 12  # four visible sheets of 12 searches; the hidden sheet is not read
        assert counts(read) == counts(csv_read)
        assert read.coverage == csv_read.coverage
        assert read.grid.sheet == "Jan 2025, Feb 2025, Mar 2025, Sep 2025"
        found = kinds(read)
    csv_found = kinds(csv_read)
    for kind in ("blank_search_time", "repeated_header_row", "reason_categories", "networks_unreadable"):
        assert found.get(kind) == csv_found.get(kind), kind
    assert found["repeated_header_row"] == ["4 repeated header row(s) inside the file were skipped."]
    assert found["blank_search_time"] == ["4 row(s) have no search time and are not counted."]
    assert found["hidden_content_skipped"] == ["1 hidden sheet(s) of this workbook were not read."]
    assert found["sheet_read"] == ["sheet 'Jan 2025': 12 search(es), 2025-01-01 to 2025-01-12.",
                                   "sheet 'Feb 2025': 12 search(es), 2025-02-01 to 2025-02-12.",
                                   "sheet 'Mar 2025': 12 search(es), 2025-03-01 to 2025-03-12.",
                                   "sheet 'Sep 2025': 12 search(es), 2025-09-01 to 2025-09-12."]
    assert found["sheet_layout_drift"] == [
        "Columns differ between sheets: 'Moderation' in Jan 2025 to Mar 2025 only; 'ID' in Mar 2025 to Sep 2025 only.",
        "Header labels written differently, matched by name: 'Org Name' written 'org NAME'."]


def test_a_sheet_without_a_mapped_column_has_blank_cells_there_and_says_so(tmp_path):
    book = tmp_path / "drift.xlsx"
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "Dec 2025"
    second = workbook.create_sheet("Jan 2026")
    first.append(NETWORK)
    later = [name for name in NETWORK if name != "Total Devices Searched"]
    second.append(later)
    for i in range(6):
        first.append([_row(12, i)[name] for name in NETWORK])
        second.append([_row(1, i)[name] for name in later])
    workbook.save(book)
    read = read_audit_log(book, profile="flock-network-audit")
    assert read.rows_read == 12
    assert kinds(read)["mapped_column_absent"] == [
        "Mapped column(s) not in some sheets: 'Total Devices Searched' (devices) in Jan 2026; their cells are "
        "blank there (not counted for that dimension)."]


def test_a_blank_header_label_is_read_by_its_place_only_where_the_sheet_before_had_it(tmp_path):
    book = tmp_path / "blank-label.xlsx"
    workbook = openpyxl.Workbook()
    sheets = [workbook.active, workbook.create_sheet("Feb 2025"), workbook.create_sheet("Mar 2025")]
    sheets[0].title = "Jan 2025"
    short = ["Org Name", "Reason", "Search Time", "Search Type"]
    sheets[0].append(short)
    sheets[1].append(["Org Name", "", "Search Time", "Search Type"])             # same places: read as Reason
    sheets[2].append(["Search Type", "", "Org Name", "Search Time"])             # moved: the blank one is unread
    for month, sheet in enumerate(sheets, start=1):
        order = short if month < 3 else ["Search Type", "Reason", "Org Name", "Search Time"]
        for i in range(4):
            row = _row(month, i) | {"Reason": "ICE"}
            sheet.append([row[name] for name in order])
    workbook.save(book)
    mapping = tmp_path / "short.toml"
    mapping.write_text('name = "short"\nsystem = "Flock"\n[columns]\ntime = "Search Time"\nagency = "Org Name"\n'
                       'reason = "Reason"\nquery_type = "Search Type"\n[time]\nformat = "%m/%d/%Y, %I:%M:%S %p"\n')
    read = read_audit_log(book, mapping=mapping)
    found = kinds(read)
    assert found["header_label_blank"] == [
        "Column(s) with a blank header label, read as the column at the same place in the sheet before (the other "
        "labels stand where they did): B of 'Feb 2025' as 'Reason'.",
        "Column(s) with a blank header label, not read (the sheet's columns do not stand where the sheet before had "
        "them): B of 'Mar 2025'."]
    reasons = read.observations.query("measure == 'searches'").groupby("reason_category")["value"].sum().to_dict()
    assert reasons == {"immigration": 8.0, "blank": 4.0}  # January and February read; March's reasons not read


def test_hidden_rows_are_left_out_unless_asked_and_excel_dates_are_read(tmp_path):
    book = tmp_path / "dates.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Jan 2025"
    sheet.append(["Org Name", "Search Time"])
    for day in range(1, 6):
        sheet.append(["Springfield PD", datetime(2025, 1, day, 9, 30)])
    sheet.row_dimensions[3].hidden = True
    workbook.save(book)
    mapping = tmp_path / "dates.toml"
    mapping.write_text('name = "dates"\nsystem = "Flock"\n[columns]\ntime = "Search Time"\nagency = "Org Name"\n')
    read = read_audit_log(book, mapping=mapping)
    assert read.rows_read == 4
    assert kinds(read)["sheet_read"] == ["sheet 'Jan 2025': 4 search(es), 2025-01-01 to 2025-01-05."]
    assert "'Jan 2025': 1" in kinds(read)["hidden_content_skipped"][0]
    assert read_audit_log(book, mapping=mapping, include_hidden=True).rows_read == 5


def run(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def test_sheet_twice_reads_those_sheets_as_one_source(tmp_path):
    monthly_workbook(tmp_path / "book.xlsx")
    db = tmp_path / "audit.duckdb"
    result = run("ingest", tmp_path / "book.xlsx", "--profile", "flock-network-audit", "--sheet", "sep 2025",
                 "--sheet", "Jan 2025", "--db", db)
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(db), read_only=True) as connection:
        # rows read: 12 searches, a repeated header row and a marker-only row in each sheet
        assert connection.execute("SELECT sheet, rows_read FROM sources").fetchall() == [("Jan 2025, Sep 2025", 28)]
        total = connection.execute("SELECT sum(value) FROM observations WHERE measure = 'searches'").fetchone()[0]
    assert total == 24
    again = run("ingest", tmp_path / "book.xlsx", "--profile", "flock-network-audit", "--sheet", "Jan 2025",
                "--sheet", "Sep 2025", "--db", db)
    assert again.exit_code == 0 and "already" in again.output


def test_bad_sheets_and_workbooks_fail_in_one_line_and_leave_the_database_as_it_was(tmp_path):
    monthly_workbook(tmp_path / "book.xlsx")
    db = tmp_path / "audit.duckdb"
    assert run("ingest", tmp_path / "book.xlsx", "--profile", "flock-network-audit", "--sheet", "Jan 2025",
               "--db", db).exit_code == 0
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes((tmp_path / "book.xlsx").read_bytes()[:3000])
    no_time = tmp_path / "no-time.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["Org Name", "When"])
    workbook.active.append(["Springfield PD", "01/02/2025, 01:00:00 PM UTC"])
    workbook.save(no_time)
    empty = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(empty)
    all_hidden = tmp_path / "all-hidden.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Jan 2025"
    workbook.save(tmp_path / "visible.xlsx")
    with zipfile.ZipFile(tmp_path / "visible.xlsx") as source, zipfile.ZipFile(all_hidden, "w") as target:
        for part in source.infolist():  # openpyxl will not save a workbook whose every sheet is hidden
            data = source.read(part)
            if part.filename == "xl/workbook.xml":
                data = data.replace(b'state="visible"', b'state="hidden"')
            target.writestr(part, data)
    cases = {
        (empty,): "empty.xlsx: no sheet of this workbook has a column 'Search Time' (the search time). Sheets in this "
                  "workbook: Sheet. Ingest the workbook that holds the log, or export it as CSV.",
        (all_hidden,): "all-hidden.xlsx: every sheet of this XLSX workbook is hidden, so none is read. Unhide the "
                       "sheets that hold the log, or read them with --include-hidden.",
        (tmp_path / "book.xlsx", "--sheet", "June"):
            "book.xlsx: there is no sheet named 'June'. Sheets in this workbook: Jan 2025, Feb 2025, Mar 2025, "
            "Sep 2025, Oct 2025.",
        (corrupt,): "corrupt.xlsx: this XLSX workbook could not be opened (BadZipFile). Open it in a spreadsheet "
                    "program and save it again as .xlsx, or export CSV.",
        (no_time,): "no-time.xlsx: the sheet 'Notes' has no column 'Search Time' (the search time) in its first "
                    "rows; columns it has that the mapping knows: Org Name. Add the header row to that sheet, leave "
                    "the sheet out (--sheet names those to read), or pass the profile or mapping that fits.",
    }
    for arguments, message in cases.items():
        result = run("ingest", *arguments, "--profile", "flock-network-audit", "--db", db)
        assert result.exit_code == 2, result.output
        assert result.output.strip().splitlines() == [f"error: {message}"]
        assert "Traceback" not in result.output
    with duckdb.connect(str(db), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM sources").fetchone()[0] == 1


def test_an_unreadable_time_names_the_sheet_row_and_column(tmp_path):
    book = tmp_path / "bad-time.xlsx"
    monthly_workbook(book, months=(1, 2), rows=6)
    workbook = openpyxl.load_workbook(book)
    workbook["Feb 2025"]["J4"] = "yesterday at noon"  # Feb has no ID column: Search Time is J
    workbook.save(book)
    with pytest.raises(InputError) as error:
        read_audit_log(book, profile="flock-network-audit")
    assert str(error.value).startswith("bad-time.xlsx, sheet 'Feb 2025', row 4, column J \"Search Time\": search "
                                       "times like")


def test_sheets_are_for_workbooks(tmp_path):
    path = write_csv(tmp_path / "log.csv", [[_row(1, 0)[name] for name in NETWORK]])
    with pytest.raises(UsageError, match="--sheet is for XLSX workbooks"):
        read_audit_log(path, profile="flock-network-audit", sheets=["Jan 2025"])


def _private_folders() -> set[str]:
    return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith(f"auditreport-{os.getpid()}-")}


def test_planted_names_and_plates_in_unmapped_columns_reach_no_table_and_no_file_left_behind(tmp_path):
    monthly_workbook(tmp_path / "planted.xlsx")
    before = _private_folders()
    db = tmp_path / "audit.duckdb"
    result = run("ingest", tmp_path / "planted.xlsx", "--profile", "flock-network-audit", "--db", db)
    assert result.exit_code == 0, result.output
    assert _private_folders() == before  # the CSV of the sheets' cells and DuckDB's spill files are gone
    with duckdb.connect(str(db), read_only=True) as connection:
        texts = []
        for (table,) in connection.execute("SELECT table_name FROM information_schema.tables").fetchall():
            texts += [" ".join(map(str, row)) for row in connection.execute(f'SELECT * FROM "{table}"').fetchall()]
    text = "\n".join(texts + [result.output]).lower()
    assert "springfield" in text  # the agencies were read ...
    for value in PLANTED + ["pl4nted", "red pickup", "quillfeather"]:
        assert value.lower() not in text, value  # ... and nothing of the unmapped columns


def test_a_count_table_is_read_from_one_sheet_and_hidden_sheets_are_an_option_of_the_log(tmp_path):
    monthly_workbook(tmp_path / "book.xlsx", hidden=10)
    db = tmp_path / "audit.duckdb"
    twice = run("ingest", tmp_path / "book.xlsx", "--sheet", "Jan 2025", "--sheet", "Feb 2025", "--db", db)
    assert twice.exit_code == 2
    assert "a count table is read from one sheet; --sheet more than once is for audit logs" in twice.output
    assert run("ingest", tmp_path / "book.xlsx", "--profile", "flock-network-audit", "--db", db).exit_code == 0
    hidden = run("ingest", tmp_path / "book.xlsx", "--profile", "flock-network-audit", "--include-hidden",
                 "--db", db)
    assert hidden.exit_code == 0, hidden.output  # the hidden sheet read too: other sheets, another source
    with duckdb.connect(str(db), read_only=True) as connection:
        assert connection.execute("SELECT sheet, rows_read FROM sources ORDER BY source_id").fetchall() == [
            ("Jan 2025, Feb 2025, Mar 2025, Sep 2025", 56), ("Jan 2025, Feb 2025, Mar 2025, Sep 2025, Oct 2025", 70)]


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Shared strings as Excel saves them: plain, rich text (runs, one with xml:space), phonetic runs (<rPh>, Japanese
# readings Excel keeps for East Asian text) and their <phoneticPr>, which are no part of the text.
SHARED = [
    "<si><t>Search Time</t></si>",
    "<si><r><t>Org</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\"> Name</t></r></si>",  # a rich-text header
    "<si><t>Reason</t></si>",
    "<si><t>Search Type</t></si>",
    "<si><t>Name</t></si>",
    "<si><r><rPr><i/></rPr><t>Spring</t></r><r><t>field PD</t></r></si>",
    "<si><t>Stolen vehicle</t><rPh sb=\"0\" eb=\"6\"><t>ストールン</t></rPh><phoneticPr fontId=\"1\"/></si>",
    "<si><t>lookup</t></si>",
    "<si><t>Zebediah Quillfeather</t></si>",
    "<si><t xml:space=\"preserve\">  Shelbyville County SO </t><phoneticPr fontId=\"1\" type=\"noConversion\"/></si>",
    "<si><r><t>inves</t></r><r><t>tigation</t></r><rPh sb=\"0\" eb=\"3\"><t>インベ</t></rPh></si>",
    "<si><t>search</t></si>",
    "<si><t>01/02/2025, 01:15:00 PM UTC</t></si>",
    "<si><r><t>01/03/2025, </t></r><r><t>02:15:00 PM UTC</t></r></si>",
    "<si><t>_x005F_x000D_ kept</t></si>",
]


def handwritten_workbook(path: Path, rows: list[list[int]]) -> Path:
    """A workbook written by hand as Excel saves one: every text an index into xl/sharedStrings.xml (SHARED)."""
    def cell(column: int, row: int, index: int) -> str:
        return f'<c r="{"ABCDE"[column]}{row}" t="s"><v>{index}</v></c>'

    sheet_rows = "".join(f'<row r="{r}">' + "".join(cell(c, r, i) for c, i in enumerate(row)) + "</row>"
                         for r, row in enumerate(rows, start=1))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
                                            '<sheet name="Jan 2025" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
        archive.writestr("xl/worksheets/sheet1.xml",
                         f'<worksheet xmlns="{MAIN}"><sheetData>{sheet_rows}</sheetData></worksheet>')
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}" count="{len(SHARED)}" '
                                                 f'uniqueCount="{len(SHARED)}">{"".join(SHARED)}</sst>')
    return path


def test_shared_strings_are_read_as_openpyxl_reads_them_rich_text_runs_joined_and_phonetic_runs_left_out(tmp_path):
    import io

    from openpyxl.reader.strings import read_string_table

    from auditreport.read.log_workbook import read_shared_strings

    xml = f'<sst xmlns="{MAIN}">{"".join(SHARED)}<si><t/></si><si/></sst>'.encode()
    table = read_shared_strings(io.BytesIO(xml))
    expected = read_string_table(io.BytesIO(xml))
    assert [table[i] for i in range(len(table))] == expected
    assert expected[1] == "Org Name" and expected[6] == "Stolen vehicle" and expected[10] == "investigation"
    assert expected[9] == "  Shelbyville County SO " and expected[14] == "_x000D_ kept" and expected[-2:] == ["", ""]
    with pytest.raises(IndexError):
        table[len(table)]


def test_a_workbook_saved_with_rich_text_and_phonetic_shared_strings_counts_as_the_same_rows_in_one_csv(tmp_path):
    header = [0, 1, 2, 3, 4]  # Search Time, Org Name (rich text), Reason, Search Type, Name (never read)
    rows = [[12, 5, 6, 7, 8], [13, 9, 10, 11, 8], [12, 9, 6, 11, 8], [13, 5, 10, 7, 8]]
    book = handwritten_workbook(tmp_path / "excel.xlsx", [header] + rows)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('system = "Test"\ndropped = ["Name"]\n\n[columns]\ntime = "Search Time"\nagency = "Org Name"\n'
                       'reason = "Reason"\nquery_type = "Search Type"\n\n[time]\nformat = "%m/%d/%Y, %I:%M:%S %p"\n',
                       encoding="utf-8")
    texts = [read_string_table_text(i) for i in range(len(SHARED))]
    with open(tmp_path / "same.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([[texts[i] for i in row] for row in [header] + rows])
    csv_read = read_audit_log(tmp_path / "same.csv", mapping=mapping)
    with read_audit_log(book, mapping=mapping) as read:
        assert counts(read) == counts(csv_read)
        agencies = set(read.observations["agency"])
        reasons = kinds(read).get("reason_categories")
    assert {"Springfield PD", "Shelbyville County SO"} <= agencies
    assert not any("ス" in agency or "イ" in agency for agency in agencies)
    assert reasons == kinds(csv_read).get("reason_categories")


def read_string_table_text(index: int) -> str:
    """SHARED[index] as openpyxl reads it (the yardstick for the workbook above)."""
    import io

    from openpyxl.reader.strings import read_string_table

    return read_string_table(io.BytesIO(f'<sst xmlns="{MAIN}">{SHARED[index]}</sst>'.encode()))[0]
