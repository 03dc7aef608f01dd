"""Hidden sheets, rows and columns of a workbook are never read unless asked for, and a finding says so either way.

Planted personal data sits in the hidden parts; none of it may reach the grid, the observations or a message.
"""
from __future__ import annotations

import openpyxl
import pytest

from auditreport.errors import InputError
from auditreport.ingest import ingest_file
from auditreport.read.count_table import TableRead, read_count_table
from auditreport.read.grid import read_grid
from auditreport.store import Store

PLANTED = ("Jonathan Q. Planted", "7ABC123")
HEADER = ["Agency", "Jan-17", "Feb-17"]
COUNTS = [["FBI", 5, 7], ["ICE - HSI", 3, 4]]


def add_planted_sheet(workbook: openpyxl.Workbook, title: str = "Lookup", state: str = "hidden"):
    sheet = workbook.create_sheet(title)
    sheet.append(["Officer", "Plate"])
    sheet.append(list(PLANTED))
    sheet.sheet_state = state
    return sheet


def add_counts_sheet(workbook: openpyxl.Workbook, title: str = "Counts"):
    sheet = workbook.create_sheet(title)
    sheet.append(HEADER)
    for row in COUNTS:
        sheet.append(row)
    return sheet


def hidden_first(path, state: str = "hidden") -> None:
    """A hidden sheet of planted names first, the visible count table second (and active, as Excel requires)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    add_planted_sheet(workbook, state=state)
    add_counts_sheet(workbook)
    workbook.active = 1
    workbook.save(path)


def everything(table: TableRead) -> str:
    """Every text the read hands on: grid cells and sheet, observations and findings."""
    return " ".join([repr(table.grid.rows), table.grid.sheet, table.observations.to_csv(),
                     *(f"{f.location} {f.kind} {f.message}" for f in table.findings)])


def assert_nothing_planted(text: str) -> None:
    for planted in PLANTED:
        assert planted not in text


def agencies(table: TableRead) -> list[str]:
    return sorted(set(table.observations["agency"]))


def findings(table: TableRead, kind: str) -> list[tuple[str, str]]:
    return [(f.location, f.message) for f in table.findings if f.kind == kind]


# -- which sheet is read ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_first_sheet_is_not_read_the_visible_one_is(tmp_path, state):
    path = tmp_path / "response.xlsx"
    hidden_first(path, state)
    table = read_count_table(path, system="S")
    assert table.grid.sheet == "Counts"
    assert agencies(table) == ["FBI", "ICE - HSI"]
    assert findings(table, "hidden_content_skipped") == [
        ("workbook", "1 other sheet(s) of this workbook are hidden; they were not read.")]
    assert_nothing_planted(everything(table))


def test_a_hidden_active_sheet_gives_way_to_the_first_visible_one(tmp_path):
    path = tmp_path / "response.xlsx"
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    add_counts_sheet(workbook, "Counts")
    add_planted_sheet(workbook)
    workbook.active = 1  # a script may save the hidden sheet as the active one; Excel would not
    workbook.save(path)
    table = read_count_table(path, system="S")
    assert table.grid.sheet == "Counts"
    assert_nothing_planted(everything(table))


def test_the_active_visible_sheet_is_read_by_default(tmp_path):
    path = tmp_path / "response.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Cover"
    workbook.active.append(["Response to records request 2019-14"])
    add_counts_sheet(workbook)
    workbook.active = 1
    workbook.save(path)
    table = read_count_table(path, system="S")
    assert table.grid.sheet == "Counts" and agencies(table) == ["FBI", "ICE - HSI"]
    assert table.findings == []


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_sheet_option_naming_a_hidden_sheet_is_refused(tmp_path, state):
    path = tmp_path / "response.xlsx"
    hidden_first(path, state)
    with pytest.raises(InputError) as raised:
        read_count_table(path, sheet="lookup", system="S")  # case does not matter
    assert str(raised.value) == ("response.xlsx: the sheet 'lookup' is hidden, so it is not read. "
                                 "Read it only if it holds the table: add --include-hidden.")


def test_a_hidden_sheet_read_as_asked_says_so(tmp_path):
    path = tmp_path / "response.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Cover"
    add_counts_sheet(workbook, "Old counts").sheet_state = "hidden"
    workbook.save(path)
    table = read_count_table(path, sheet="Old counts", system="S", include_hidden=True)
    assert table.grid.sheet == "Old counts" and agencies(table) == ["FBI", "ICE - HSI"]
    assert findings(table, "hidden_content_read") == [
        ("sheet", "the sheet read is hidden in the workbook; it was read, as asked (--include-hidden).")]


def test_refusals_never_print_a_sheet_name_that_looks_personal(tmp_path):
    path = tmp_path / "response.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Cover"
    add_counts_sheet(workbook)
    add_planted_sheet(workbook, title=PLANTED[0])
    workbook.save(path)
    with pytest.raises(InputError) as hidden:
        read_count_table(path, sheet=PLANTED[0], system="S")
    assert str(hidden.value) == ("response.xlsx: the sheet asked for is hidden, so it is not read. "
                                 "Read it only if it holds the table: add --include-hidden.")
    with pytest.raises(InputError) as unknown:
        read_count_table(path, sheet="Queries", system="S")
    assert str(unknown.value) == ("response.xlsx: there is no sheet named 'Queries'. Sheets in this workbook: "
                                  "Cover, Counts, 1 sheet(s) whose name is withheld (it looks personal).")


def test_a_sheet_name_that_looks_personal_is_stored_as_its_place(tmp_path):
    path = tmp_path / "response.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Cover"
    add_counts_sheet(workbook, PLANTED[0])
    workbook.active = 1
    workbook.save(path)
    table = read_count_table(path, system="S")
    assert table.grid.sheet == "sheet 2" and agencies(table) == ["FBI", "ICE - HSI"]
    assert read_count_table(path, sheet="jonathan q. planted", system="S").grid.sheet == "sheet 2"
    with Store(tmp_path / "audit.duckdb") as store:
        ingest_file(store, path, system="S")
        assert store.connection.execute("SELECT sheet FROM sources").fetchall() == [("sheet 2",)]


# -- hidden rows and columns -----------------------------------------------------------------------------------
def hidden_rows_and_columns(path) -> None:
    """Counts in A:C and E; column D (planted plates) and rows 3 and 5 (a planted name, a DEA row) hidden."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Counts"
    sheet.append([*HEADER, "Plate", "Mar-17"])
    sheet.append(["FBI", 5, 7, PLANTED[1], 9])
    sheet.append([PLANTED[0], 1, 2, None, 3])
    sheet.append(["ICE - HSI", 3, 4, PLANTED[1], 6])
    sheet.append(["DEA", 8, 8, None, 8])
    sheet.row_dimensions[3].hidden = True
    sheet.row_dimensions[5].hidden = True
    sheet.column_dimensions.group("D", "E", hidden=True)  # one <col min="4" max="5" hidden="1"> range
    workbook.save(path)


def test_hidden_rows_and_columns_are_not_read_and_a_finding_says_where(tmp_path):
    path = tmp_path / "response.xlsx"
    hidden_rows_and_columns(path)
    table = read_count_table(path, system="S")
    assert agencies(table) == ["FBI", "ICE - HSI"]
    assert sorted(set(table.observations["period_label"])) == ["Feb-17", "Jan-17"]
    assert sorted(set(table.observations["row_number"])) == [2, 4]  # row numbers keep their meaning
    assert findings(table, "hidden_content_skipped") == [(
        "rows 3, 5; columns D-E",
        "2 hidden row(s) and 2 hidden column(s) with cells in them were not read; their cells are left out. "
        "Unhide them if they belong to the table, or read them as asked with --include-hidden.")]
    assert_nothing_planted(everything(table))


def test_hidden_rows_and_columns_are_read_as_asked_and_a_finding_says_so(tmp_path):
    path = tmp_path / "response.xlsx"
    hidden_rows_and_columns(path)
    grid = read_grid(path, include_hidden=True)
    assert grid.rows[2][0] == PLANTED[0] and grid.rows[1][3] == PLANTED[1]
    assert [(f.location, f.kind, f.message) for f in grid.findings] == [(
        "rows 3, 5; columns D-E", "hidden_content_read",
        "2 hidden row(s) and 2 hidden column(s) with cells in them were read, as asked (--include-hidden).")]


def test_counts_in_hidden_rows_and_columns_are_counted_when_asked(tmp_path):
    path = tmp_path / "response.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([*HEADER, "Mar-17"])
    sheet.append(["FBI", 5, 7, 9])
    sheet.append(["DEA", 8, 8, 8])
    sheet.append(["ICE - HSI", 3, 4, 6])
    sheet.row_dimensions[3].hidden = True
    sheet.column_dimensions["D"].hidden = True
    workbook.save(path)
    skipped = read_count_table(path, system="S")
    assert agencies(skipped) == ["FBI", "ICE - HSI"] and skipped.observations["value"].sum() == 19
    assert [f.location for f in skipped.findings if f.kind == "hidden_content_skipped"] == ["row 3; column D"]
    read = read_count_table(path, system="S", include_hidden=True)
    assert agencies(read) == ["DEA", "FBI", "ICE - HSI"] and read.observations["value"].sum() == 58
    assert [f.location for f in read.findings if f.kind == "hidden_content_read"] == ["row 3; column D"]


def test_empty_hidden_rows_and_columns_need_no_finding(tmp_path):
    path = tmp_path / "response.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(COUNTS[0])
    sheet.append([])
    sheet.append(COUNTS[1])
    sheet.row_dimensions[3].hidden = True
    sheet.column_dimensions.group("E", "XFD", hidden=True)  # unused columns hidden to the right, as people do
    workbook.save(path)
    table = read_count_table(path, system="S")
    assert agencies(table) == ["FBI", "ICE - HSI"] and table.findings == []


def test_a_formula_without_a_value_in_a_hidden_row_is_not_read_so_not_refused(tmp_path):
    path = tmp_path / "response.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in COUNTS:
        sheet.append(row)
    sheet.append(["Check", "=B2+B3", None])  # written by a script: no saved result
    sheet.row_dimensions[4].hidden = True
    workbook.save(path)
    table = read_count_table(path, system="S")
    assert agencies(table) == ["FBI", "ICE - HSI"]
    with pytest.raises(InputError, match=r"^response\.xlsx, row 4, column B: this cell holds a formula"):
        read_count_table(path, system="S", include_hidden=True)


def test_the_command_line_reads_hidden_rows_only_with_include_hidden(tmp_path):
    from click.testing import CliRunner

    from auditreport.cli import main

    path = tmp_path / "response.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append([*HEADER, "Mar-17"])
    workbook.active.append(["FBI", 5, 7, 9])
    workbook.active.append(["DEA", 8, 8, 8])
    workbook.active.row_dimensions[3].hidden = True
    workbook.save(path)
    runner = CliRunner()
    for flag, db, kind in (((), "plain.duckdb", "hidden_content_skipped"),
                           (("--include-hidden",), "all.duckdb", "hidden_content_read")):
        result = runner.invoke(main, ["ingest", str(path), "--system", "S", *flag, "--db", str(tmp_path / db)])
        assert result.exit_code == 0, result.output
        findings = runner.invoke(main, ["findings", "--db", str(tmp_path / db)]).output
        assert kind in findings
    with Store(tmp_path / "all.duckdb", read_only=True) as store:
        assert store.source_options(1)["include_hidden"] is True  # a second ingest without it is told so
