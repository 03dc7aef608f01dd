"""Count tables as records requests return them -> observations and findings, or one clear error."""
from __future__ import annotations

import csv
import datetime as dt
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditreport.errors import AuditReportError, InputError, UsageError
from auditreport.model import MISSING, OBSERVATION_COLUMN_NAMES, REPORTED, SUPPRESSED, WITHHELD
from auditreport.periods import add_months
from auditreport.read.count_table import TableRead, read_count_table
from auditreport.read.problems import TableProblems
from auditreport.store import SourceInfo, Store

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).parent.parent / "sample_logs"
COPLINK = SAMPLES / "coplink-region-outside-agency-queries-2017-2019.csv"
HINT = ("Write a whole number, leave the cell blank if no value was given, "
        "or copy a mark such as (b)(7)(E) or <10 as printed.")
D = date


def read(name: str, **options) -> TableRead:
    options.setdefault("system", "Regional COPLINK")
    return read_count_table(FIXTURES / name, **options)


def rows(table: TableRead) -> list[tuple]:
    """(agency, period label, start, end, status, value) per observation, NaN as None."""
    frame = table.observations
    return [(r.agency, r.period_label, r.period_start, r.period_end, r.status,
             None if r.value is None or r.value != r.value else r.value) for r in frame.itertuples()]


def kinds(table: TableRead) -> list[str]:
    return sorted(f.kind for f in table.findings)


def assert_no_totals_as_data(table: TableRead) -> None:
    frame = table.observations
    assert not frame["agency"].str.contains("total", case=False).any()
    assert not frame["period_label"].str.contains("total", case=False).any()
    assert not frame["column_name"].str.contains("total", case=False).any()


# -- the output shape ---------------------------------------------------------------------------------------
def test_observations_have_the_model_columns_and_nothing_else():
    table = read("wide_jan-17_labels.csv")
    assert list(table.observations.columns) == [c for c in OBSERVATION_COLUMN_NAMES if c != "source_id"]
    assert set(table.observations["system"]) == {"Regional COPLINK"}
    assert set(table.observations["measure"]) == {"searches"}


# -- wide layouts: periods as columns --------------------------------------------------------------------------
def test_wide_monthly_with_title_and_footnotes():
    table = read("wide_monthly_with_title_and_footnotes.csv")
    assert table.reader == "count-table-wide"
    assert table.rows_read == 2
    assert rows(table) == [
        ("ICE - Enforcement and Removal Operations", "Jan-17", D(2017, 1, 1), D(2017, 2, 1), REPORTED, 10.0),
        ("ICE - Enforcement and Removal Operations", "Feb-17", D(2017, 2, 1), D(2017, 3, 1), REPORTED, 20.0),
        ("ICE - Enforcement and Removal Operations", "Mar-17", D(2017, 3, 1), D(2017, 4, 1), REPORTED, 30.0),
        ("Harbor County Sheriff's Office", "Jan-17", D(2017, 1, 1), D(2017, 2, 1), REPORTED, 1100.0),
        ("Harbor County Sheriff's Office", "Feb-17", D(2017, 2, 1), D(2017, 3, 1), REPORTED, 900.0),
        ("Harbor County Sheriff's Office", "Mar-17", D(2017, 3, 1), D(2017, 4, 1), REPORTED, 1000.0),
    ]
    # the header is found under the title lines: rows are numbered as in a spreadsheet
    assert list(table.observations["row_number"].unique()) == [5, 6]
    assert list(table.observations["column_name"][:3]) == ['B "Jan-17"', 'C "Feb-17"', 'D "Mar-17"']
    assert [(f.location, f.kind, f.message) for f in table.findings] == [
        ("rows 9-10", "footnotes_not_read",
         "2 note line(s) below the table were not read; read them in the source file, they may qualify the numbers."),
    ]
    assert_no_totals_as_data(table)


@pytest.mark.parametrize("name, labels, starts", [
    ("wide_jan-17_labels.csv", ["Jan-17", "Feb-17", "Mar-17"], [D(2017, 1, 1), D(2017, 2, 1), D(2017, 3, 1)]),
    ("wide_2017-01_labels.csv", ["2017-01", "2017-02", "2017-03"], [D(2017, 1, 1), D(2017, 2, 1), D(2017, 3, 1)]),
])
def test_wide_month_labels(name, labels, starts):
    table = read(name)
    frame = table.observations
    assert list(frame["period_label"][:3]) == labels
    assert list(frame["period_start"][:3]) == starts
    assert list(frame["agency"]) == ["Agency A"] * 3 + ["Agency B"] * 3
    assert list(frame["value"]) == [5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    assert set(frame["status"]) == {REPORTED}
    assert set(frame["qualifier"]) == {"exact"}
    assert frame["cell_text"].isna().all()
    assert table.findings == []


def test_wide_quarters():
    table = read("wide_quarters_q3_2019.csv")
    assert rows(table)[:3] == [
        ("Agency A", "Q3 2019", D(2019, 7, 1), D(2019, 10, 1), REPORTED, 15.0),
        ("Agency A", "Q4 2019", D(2019, 10, 1), D(2020, 1, 1), REPORTED, 16.0),
        ("Agency A", "Q1 2020", D(2020, 1, 1), D(2020, 4, 1), REPORTED, 17.0),
    ]
    assert len(table.observations) == 6


def test_wide_fiscal_years_default_october_start():
    table = read("wide_fiscal_years.csv")
    assert rows(table) == [
        ("Agency A", "FY2018", D(2017, 10, 1), D(2018, 10, 1), REPORTED, 150.0),
        ("Agency A", "FY2019", D(2018, 10, 1), D(2019, 10, 1), REPORTED, 160.0),
        ("Agency B", "FY2018", D(2017, 10, 1), D(2018, 10, 1), REPORTED, 280.0),
        ("Agency B", "FY2019", D(2018, 10, 1), D(2019, 10, 1), REPORTED, 290.0),
    ]


def test_wide_fiscal_years_with_july_start():
    table = read("wide_fiscal_years.csv", fiscal_year_start=7)
    assert list(zip(table.observations["period_start"], table.observations["period_end"]))[:2] == [
        (D(2017, 7, 1), D(2018, 7, 1)), (D(2018, 7, 1), D(2019, 7, 1))]


def test_wide_years():
    table = read("wide_years.csv")
    assert rows(table)[:3] == [
        ("Agency A", "2017", D(2017, 1, 1), D(2018, 1, 1), REPORTED, 1500.0),
        ("Agency A", "2018", D(2018, 1, 1), D(2019, 1, 1), REPORTED, 1600.0),
        ("Agency A", "2019", D(2019, 1, 1), D(2020, 1, 1), REPORTED, 1700.0),
    ]


# -- long layouts --------------------------------------------------------------------------------------------------
def test_long_agency_period_count():
    table = read("long_agency_period_count.csv")
    assert table.reader == "count-table-long"
    assert table.rows_read == 4
    assert rows(table) == [
        ("Agency A", "Jan-17", D(2017, 1, 1), D(2017, 2, 1), REPORTED, 5.0),
        ("Agency A", "Feb-17", D(2017, 2, 1), D(2017, 3, 1), REPORTED, 6.0),
        ("Agency B", "Jan-17", D(2017, 1, 1), D(2017, 2, 1), REPORTED, 7.0),
        ("Agency B", "Feb-17", D(2017, 2, 1), D(2017, 3, 1), REPORTED, 8.0),
    ]
    assert list(table.observations["column_name"].unique()) == ['C "searches"']
    assert table.findings == []


def test_long_irregular_ranges():
    table = read("long_irregular_ranges.csv")
    assert rows(table) == [
        ("ICE", "Aug 2010 - Feb 2011", D(2010, 8, 1), D(2011, 3, 1), REPORTED, 120.0),
        ("CBP", "April 28 - May 30, 2025", D(2025, 4, 28), D(2025, 5, 31), REPORTED, 30.0),
    ]


def test_long_table_needs_a_system():
    with pytest.raises(UsageError) as raised:
        read_count_table(FIXTURES / "long_agency_period_count.csv")
    assert str(raised.value) == ('long_agency_period_count.csv: the table does not say which system was searched. '
                                 'Pass --system NAME, e.g. --system "Regional COPLINK", or add a "system" column.')


def test_wide_table_needs_a_system():
    with pytest.raises(UsageError) as raised:
        read_count_table(FIXTURES / "wide_jan-17_labels.csv")
    assert str(raised.value) == ('wide_jan-17_labels.csv: the table does not say which system was searched. '
                                 'Pass --system NAME, e.g. --system "Regional COPLINK", or add a "system" column.')


def test_agency_option_does_not_apply_when_the_table_names_agencies():
    with pytest.raises(UsageError, match="this table names agencies in column A, so --agency does not apply"):
        read("wide_jan-17_labels.csv", agency="ICE")


# -- encodings and delimiters -----------------------------------------------------------------------------------------
def test_utf8_bom_is_not_part_of_the_first_header():
    table = read("utf8_bom.csv")
    assert table.grid.encoding == "utf-8-sig"
    assert table.grid.rows[0][0] == "Agency"
    assert list(table.observations["agency"].unique()) == ["Polic\u00eda Municipal", "Agency B"]
    assert list(table.observations["value"]) == [1.0, 2.0, 3.0, 4.0]


def test_cp1252_bytes_are_decoded():
    raw = (FIXTURES / "cp1252_encoded.csv").read_bytes()
    assert b"\xe9" in raw and b"\x96" in raw  # real cp1252: e-acute and en dash
    table = read("cp1252_encoded.csv")
    assert table.grid.encoding == "cp1252"
    assert list(table.observations["agency"].unique()) == ["S\u00fbret\u00e9 du Qu\u00e9bec",
                                                           "Harbor County \u2013 Patrol Division"]
    assert list(table.observations["value"]) == [3.0, 4.0, 5.0, 6.0]


def test_semicolon_delimited_with_comma_thousands_inside_cells():
    table = read("semicolon_delimited.csv")
    assert table.grid.delimiter == ";"
    assert rows(table)[0] == ("Agency A", "Jan-17", D(2017, 1, 1), D(2017, 2, 1), REPORTED, 1204.0)
    assert list(table.observations["value"]) == [1204.0, 5.0, 7.0, 8.0]


def test_semicolon_file_with_title_lines():
    table = read("semicolon_with_title_lines.csv")
    assert table.grid.delimiter == ";"
    assert list(table.observations["value"]) == [1204.0, 5.0, 7.0, 8.0]


def test_thousands_separators():
    table = read("thousands_separators.csv")
    assert list(table.observations["value"]) == [1204.0, 12345.0, 1_000_000.0, 999.0]
    assert table.observations["cell_text"].isna().all()  # plain numbers carry no mark


# -- totals -----------------------------------------------------------------------------------------------------------
def test_consistent_total_row_and_column_give_no_finding():
    table = read("total_row_and_column_consistent.csv")
    assert table.findings == []
    assert rows(table) == [
        ("Agency A", "Jan-17", D(2017, 1, 1), D(2017, 2, 1), REPORTED, 10.0),
        ("Agency A", "Feb-17", D(2017, 2, 1), D(2017, 3, 1), REPORTED, 20.0),
        ("Agency B", "Jan-17", D(2017, 1, 1), D(2017, 2, 1), REPORTED, 1.0),
        ("Agency B", "Feb-17", D(2017, 2, 1), D(2017, 3, 1), REPORTED, 2.0),
    ]
    assert_no_totals_as_data(table)


def test_total_row_mismatch_names_row_and_column():
    table = read("total_row_mismatch.csv")
    assert [(f.location, f.kind, f.message) for f in table.findings] == [
        ('row 4, column C "Feb-17"', "total_mismatch",
         "The total row for 'Feb-17' says 27 but its parts add up to 22 (difference +5); "
         "the parts are used, not the total."),
        ('row 4, column D "Total"', "total_mismatch",
         "The grand total says 38 but its parts add up to 33 (difference +5); the parts are used, not the total."),
    ]
    assert table.observations["value"].sum() == 33  # the parts, not the stated total
    assert_no_totals_as_data(table)


def test_total_column_mismatch_names_row_and_column():
    table = read("total_column_mismatch.csv")
    assert [(f.location, f.kind, f.message) for f in table.findings] == [
        ('row 2, column D "Total"', "total_mismatch",
         "The 'Total' column says 27 but its parts add up to 30 (difference -3); the parts are used, not the total."),
        ('row 4, column D "Total"', "total_mismatch",
         "The grand total, against the total row, says 30 but its parts add up to 33 (difference -3); "
         "the parts are used, not the total."),
    ]
    assert_no_totals_as_data(table)


def test_total_column_for_a_year_is_reconciled_within_that_year(tmp_path):
    path = tmp_path / "year_total_column.csv"
    path.write_text("Agency,Dec-16,Jan-17,Feb-17,2017 Total\nICE,100,5,6,12\n")
    table = read_count_table(path, system="S")
    assert [(f.location, f.kind) for f in table.findings] == [('row 2, column E "2017 Total"', "total_mismatch")]
    assert "says 12 but its parts add up to 11 (difference +1)" in table.findings[0].message
    assert list(table.observations["period_label"]) == ["Dec-16", "Jan-17", "Feb-17"]


def test_total_with_a_withheld_part_is_a_bound_not_a_mismatch():
    # ICE HSI's Total in the COPLINK sample includes its withheld Oct-18 value: no finding for that row
    table = read_count_table(COPLINK, system="Regional COPLINK")
    assert not any(f.location.startswith("row 6,") and f.kind == "total_mismatch" for f in table.findings)


def test_subtotal_rows_are_not_agencies():
    # regression: 'Federal subtotal' was read as an agency and counted twice
    table = read("subtotal_row.csv")
    assert set(table.observations["agency"]) == {"ICE", "CBP", "State Police"}
    assert [(f.location, f.kind) for f in table.findings] == [("row 4", "subtotal_not_counted")]


# -- withheld, suppressed, missing ------------------------------------------------------------------------------------
def test_withheld_suppressed_missing_and_blank_cells():
    table = read("withheld_suppressed_missing.csv")
    frame = table.observations.set_index(["agency", "period_label"])
    assert frame.loc[("Agency A", "Feb-17"), "status"] == WITHHELD
    assert frame.loc[("Agency A", "Feb-17"), "cell_text"] == "(b)(7)(E)"
    suppressed = frame.loc[("Agency A", "Mar-17")]
    assert (suppressed["status"], suppressed["value_low"], suppressed["value_high"], suppressed["cell_text"]) == (
        SUPPRESSED, 0.0, 9.0, "<10")
    assert frame.loc[("Agency A", "Apr-17"), "status"] == MISSING
    assert frame.loc[("Agency A", "Apr-17"), "cell_text"] == "(no file)"
    assert frame.loc[("Agency B", "Mar-17"), "status"] == MISSING  # blank: missing, never zero
    for key in [("Agency A", "Feb-17"), ("Agency A", "Mar-17"), ("Agency A", "Apr-17"), ("Agency B", "Mar-17")]:
        assert frame.loc[key, "value"] != frame.loc[key, "value"]  # NaN: no number is invented
    assert [(f.location, f.kind, f.message) for f in table.findings] == [
        ('row 3, column D "Mar-17"', "blank_cells",
         '1 cell(s) were blank where a count was due (first: row 3, column D "Mar-17"); '
         "they are kept as missing, not zero."),
        ('row 2, column E "Apr-17"', "missing_cells",
         "1 cell(s) marked as not available (kept as missing), e.g. '(no file)' for Agency A in Apr-17."),
        ('row 2, column C "Feb-17"', "withheld_cells",
         "1 cell(s) withheld (redacted); sums that include them are shown as lower bounds, "
         "e.g. '(b)(7)(E)' for Agency A in Feb-17."),
        ('row 2, column D "Mar-17"', "suppressed_cells",
         "1 cell(s) suppressed (only a range is known), e.g. '<10' for Agency A in Mar-17."),
    ]


def test_duplicate_agency_rows_and_unread_columns_are_findings(tmp_path):
    path = tmp_path / "region_column.csv"
    path.write_text("Agency,Region,Jan-17,Feb-17\nICE,North,5,6\nICE,South,1,2\n")
    table = read_count_table(path, system="S")
    assert [(f.location, f.kind, f.message) for f in table.findings] == [
        ("row 1", "columns_not_read", "columns not read (not a known dimension): Region"),
        ("row 3", "duplicate_row", "'ICE' appears again (first in row 2); both rows are counted."),
    ]
    assert "Region" not in table.observations.columns
    assert "North" not in table.observations.to_string()


def test_rows_with_counts_are_never_dropped_as_footnotes():
    # regression: '2. Harbor County Sheriff's Office' looked like a footnote and ended the table
    table = read("numbered_agency_rows.csv")
    assert list(table.observations["agency"].unique()) == [
        "1. ICE", "2. Harbor County Sheriff's Office", "3. FBI"]


def test_section_headings_neither_become_agencies_nor_end_the_table():
    # regression: 'Federal agencies' became an agency and the rows under 'Local agencies' were dropped
    table = read("section_headings.csv")
    assert list(table.observations["agency"].unique()) == [
        "ICE", "CBP", "Harbor County Sheriff's Office", "Eastport Police Department"]
    assert [(f.location, f.kind) for f in table.findings] == [("rows 2, 6", "rows_without_counts")]


def test_long_table_total_row_is_reconciled():
    # regression: long-table total rows were skipped without reconciliation
    table = read("long_total_row_mismatch.csv")
    assert list(table.observations["agency"]) == ["ICE", "CBP"]  # this part already holds
    assert [f.kind for f in table.findings] == ["total_mismatch"]
    assert table.findings[0].location.startswith("row 4")


def test_long_table_blank_count_is_a_missing_observation():
    table = read("long_blank_count.csv")
    assert rows(table) == [
        ("ICE", "Jan-17", D(2017, 1, 1), D(2017, 2, 1), REPORTED, 5.0),
        ("CBP", "Jan-17", D(2017, 1, 1), D(2017, 2, 1), MISSING, None),
        ("ICE", "Feb-17", D(2017, 2, 1), D(2017, 3, 1), REPORTED, 6.0),
        ("CBP", "Feb-17", D(2017, 2, 1), D(2017, 3, 1), REPORTED, 7.0),
    ]
    assert kinds(table) == ["blank_cells"]


def test_long_table_duplicate_row_is_a_finding():
    table = read("long_duplicate_and_overlapping_rows.csv")
    assert ("row 3", "duplicate_row") in [(f.location, f.kind) for f in table.findings]


def test_long_table_overlapping_periods_are_a_finding(tmp_path):
    table = read("long_duplicate_and_overlapping_rows.csv")
    with Store(tmp_path / "audit.duckdb") as store:
        store.add_source(SourceInfo(table.grid.file_name, table.grid.sha256, table.grid.size_bytes, table.reader),
                         table.observations, table.findings)
        found = store.findings()
    overlaps = found[found["kind"] == "overlapping_periods"]
    assert any("row 5" in location or "row 5" in message
               for location, message in zip(overlaps["location"], overlaps["message"]))


def test_a_period_column_containing_other_columns_is_a_subtotal():
    table = read("wide_months_with_quarter_column.csv")
    assert list(table.observations["period_label"].unique()) == ["Jan-17", "Feb-17", "Mar-17", "Apr-17"]


# -- XLSX, generated here (no binary files in the repository) ----------------------------------------------------
def write_workbook(path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Cover"
    cover.append(["Response to records request R-2019-0412 (fictional)"])
    sheet = workbook.create_sheet("Queries")
    sheet.append(["Regional COPLINK Node - Queries by Outside Agencies"])
    sheet.append(["MADE-UP TEST DATA"])
    sheet.append([])
    sheet.append(["Agency", dt.datetime(2017, 1, 1), dt.datetime(2017, 2, 1), "Total"])
    sheet.append(["ICE - Enforcement and Removal Operations", 18, 14.0, 32])
    sheet.append(["Harbor County Sheriff's Office", 992, 1152, 2144])
    sheet.append(["U.S. Marshals Service", "<10", "(b)(7)(E)", 40])
    sheet.append(["Total", 1015, 1201, 2216])
    sheet.append([])
    sheet.append(["* <10: fewer than 10 queries."])
    workbook.save(path)


def test_xlsx_second_sheet_with_title_rows_numbers_and_datetime_headers(tmp_path):
    path = tmp_path / "coplink_response.xlsx"
    write_workbook(path)
    table = read_count_table(path, sheet="Queries", system="Regional COPLINK")
    assert table.grid.sheet == "Queries"
    assert table.reader == "count-table-wide"
    assert rows(table) == [
        ("ICE - Enforcement and Removal Operations", "2017-01", D(2017, 1, 1), D(2017, 2, 1), REPORTED, 18.0),
        ("ICE - Enforcement and Removal Operations", "2017-02", D(2017, 2, 1), D(2017, 3, 1), REPORTED, 14.0),
        ("Harbor County Sheriff's Office", "2017-01", D(2017, 1, 1), D(2017, 2, 1), REPORTED, 992.0),
        ("Harbor County Sheriff's Office", "2017-02", D(2017, 2, 1), D(2017, 3, 1), REPORTED, 1152.0),
        ("U.S. Marshals Service", "2017-01", D(2017, 1, 1), D(2017, 2, 1), SUPPRESSED, None),
        ("U.S. Marshals Service", "2017-02", D(2017, 2, 1), D(2017, 3, 1), WITHHELD, None),
    ]
    assert list(table.observations["row_number"].unique()) == [5, 6, 7]
    assert kinds(table) == ["footnotes_not_read", "suppressed_cells", "withheld_cells"]
    assert_no_totals_as_data(table)


def test_xlsx_a_cover_sheet_is_passed_over_for_the_sheet_with_the_table(tmp_path):
    path = tmp_path / "coplink_response.xlsx"
    write_workbook(path)
    read = read_count_table(path, system="S")  # the active sheet is a cover page: the next sheet holds the table
    assert read.grid.sheet == "Queries" and len(read.observations) == 6
    assert [f.message for f in read.findings if f.kind == "sheet_chosen"] == [
        "The table was read from the sheet 'Queries': the first sheet ('Cover') holds no table. Name another "
        "with --sheet."]


def test_xlsx_unknown_sheet_lists_the_sheets(tmp_path):
    path = tmp_path / "coplink_response.xlsx"
    write_workbook(path)
    with pytest.raises(InputError) as raised:
        read_count_table(path, sheet="Counts", system="S")
    assert str(raised.value) == ("coplink_response.xlsx: there is no sheet named 'Counts'. "
                                 "Sheets in this workbook: Cover, Queries.")


def test_sheet_option_on_a_csv():
    with pytest.raises(InputError) as raised:
        read("wide_jan-17_labels.csv", sheet="Queries")
    assert str(raised.value) == ("wide_jan-17_labels.csv: --sheet only applies to XLSX workbooks. "
                                 "Leave out --sheet for CSV files.")


def test_a_file_named_xlsx_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "renamed.xlsx"
    path.write_bytes(b"Agency,Jan-17\nICE,5\n")
    with pytest.raises(InputError, match=r"^renamed\.xlsx: this XLSX workbook could not be opened \("):
        read_count_table(path, system="S")


# -- bad inputs: one clear error naming the file, row and column -------------------------------------------------
BAD_INPUTS = [
    ("empty.csv", None, None,
     "empty.csv: the file is empty. Check that the records request returned data, and export the table again."),
    ("binary_garbage.bin", None, None,
     "binary_garbage.bin: this is not a text table (it looks like a binary file). "
     "Export the table as CSV (UTF-8) or XLSX and ingest that file."),
    ("header_only.csv", None, None,
     "header_only.csv: the table has a header (row 1) but no data rows. "
     "Check that the export includes the agencies' rows."),
    ("ragged_row.csv", 3, "D",
     "ragged_row.csv, row 3, column D: this row has 4 cells but the header (row 1) has 3. "
     "Check for an unquoted comma, such as 1,204 written without quotes, or a row shifted to the right."),
    ("non_numeric_count.csv", 2, 'C "Feb-17"',
     f"non_numeric_count.csv, row 2, column C \"Feb-17\": the text of the cell is not a count. {HINT}"),
    ("negative_count.csv", 2, 'C "Feb-17"',
     f"negative_count.csv, row 2, column C \"Feb-17\": '-3' is negative; a count of searches cannot be. {HINT}"),
    ("unknown_period_label.csv", 1, 'C "Foo-17"',
     "unknown_period_label.csv, row 1, column C \"Foo-17\": unknown period label: 'Foo-17' is not a period label. "
     "Write periods like 2017-01, Jan-17, Jan 2017, Q3 2019, FY2019, 2018 or Aug 2010 - Feb 2011. "
     "If this column is not a period, delete it."),
]


@pytest.mark.parametrize("name, row, column, message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_inputs_raise_one_clear_error(name, row, column, message):
    with pytest.raises(InputError) as raised:
        read(name)
    error = raised.value
    assert str(error) == message
    assert (error.file, error.row, error.column) == (name, row, column)
    assert error.exit_code == 2
    assert isinstance(error, AuditReportError)


def test_binary_fixture_really_is_binary():
    data = (FIXTURES / "binary_garbage.bin").read_bytes()
    assert b"\x00" in data and 1024 <= len(data) <= 4096


def test_missing_file():
    with pytest.raises(InputError, match=r"no such file\. Check the path and try again\.$"):
        read("does_not_exist.csv")


def test_all_cell_problems_are_reported_at_once():
    with pytest.raises(TableProblems) as raised:
        read("many_bad_cells.csv")
    error = raised.value
    assert [(p.row, p.column) for p in error.problems] == [
        (2, 'C "Feb-17"'), (3, 'B "Jan-17"'), (3, 'C "Feb-17"'), (4, 'B "Jan-17"'), (5, 'C "Feb-17"'),
        (6, 'B "Jan-17"'), (6, 'C "Feb-17"'), (7, 'B "Jan-17"'), (7, 'C "Feb-17"')]
    assert str(error) == (
        f"many_bad_cells.csv, row 2, column C \"Feb-17\": the text of the cell is not a count. {HINT} "
        '(8 more problems in this file: row 3, column B "Jan-17"; row 3, column C "Feb-17"; '
        'row 4, column B "Jan-17"; row 5, column C "Feb-17"; row 6, column B "Jan-17" and 3 more)')


def test_a_percent_in_a_count_column_is_refused(tmp_path):
    path = tmp_path / "percent_in_counts.csv"
    path.write_text("Agency,Jan-17,Feb-17\nICE,5,77%\n")
    with pytest.raises(InputError) as raised:
        read_count_table(path, system="S")
    assert str(raised.value) == (
        "percent_in_counts.csv, row 2, column C \"Feb-17\": '77%' is a share, not a count. "
        "Put shares in a column named share, or in a row whose measure is share_of_searches.")


def test_the_same_period_twice(tmp_path):
    path = tmp_path / "period_twice.csv"
    path.write_text("Agency,Jan-17,Jan 2017\nICE,5,6\n")
    with pytest.raises(InputError) as raised:
        read_count_table(path, system="S")
    assert str(raised.value) == ("period_twice.csv, row 1, column C \"Jan 2017\": period 'Jan 2017' appears twice "
                                 "(also column B). Keep one column per period.")


def test_long_table_bad_period_names_the_row(tmp_path):
    path = tmp_path / "long_bad_period.csv"
    path.write_text("agency,period,searches\nICE,Jan-17,5\nICE,Foo,5\n")
    with pytest.raises(InputError) as raised:
        read_count_table(path, system="S")
    assert (raised.value.row, raised.value.column) == (3, 'B "period"')
    assert str(raised.value).startswith("long_bad_period.csv, row 3, column B \"period\": unknown period label: "
                                        "'Foo' is not a period label.")


# -- the sample files ------------------------------------------------------------------------------------------------
def test_coplink_sample():
    table = read_count_table(COPLINK, system="Regional COPLINK")
    frame = table.observations
    assert table.reader == "count-table-wide"
    assert len(frame) == 324
    assert frame["agency"].nunique() == 9 and frame["period_start"].nunique() == 36
    assert frame.groupby("agency").size().eq(36).all()
    assert frame["period_start"].min() == D(2017, 1, 1) and frame["period_end"].max() == D(2020, 1, 1)
    assert frame["status"].value_counts().to_dict() == {REPORTED: 321, WITHHELD: 1, SUPPRESSED: 1, MISSING: 1}
    assert_no_totals_as_data(table)

    def one(status):
        row = frame[frame["status"] == status].iloc[0]
        return row["agency"], row["period_label"], row["cell_text"], row["value"] != row["value"]

    assert one(WITHHELD) == ("ICE - Homeland Security Investigations", "Oct-18", "(b)(7)(E)", True)
    assert one(SUPPRESSED) == ("U.S. Marshals Service", "Mar-19", "<10", True)
    assert one(MISSING) == ("Lakeview Police Department", "Sep-17", "(no file)", True)
    # the hidden values are not derived from the totals
    withheld = frame[frame["status"] == WITHHELD].iloc[0]
    assert withheld["value_low"] != withheld["value_low"] and withheld["value_high"] != withheld["value_high"]

    mismatches = [(f.location, f.message) for f in table.findings if f.kind == "total_mismatch"]
    assert mismatches == [
        ('row 15, column S "Jun-18"',
         "The total row for 'Jun-18' says 3,890 but its parts add up to 3,790 (difference +100); "
         "the parts are used, not the total."),
        ('row 15, column AL "Total"',
         "The grand total says 120,271 but its parts add up to 120,171 (difference +100); "
         "the parts are used, not the total."),
    ]
    assert kinds(table) == ["footnotes_not_read", "missing_cells", "suppressed_cells", "total_mismatch",
                            "total_mismatch", "withheld_cells"]
    assert [f.location for f in table.findings if f.kind == "footnotes_not_read"] == ["rows 17-19"]
    harbor = frame[frame["agency"] == "Harbor County Sheriff's Office"]
    assert harbor["value"].sum() == 47_349  # equals its Total column: every cell was read


def test_dhs_search_share_sample():
    table = read_count_table(SAMPLES / "dhs-2011-search-share.csv")
    assert table.reader == "count-table-long"
    frame = table.observations
    share, vague = frame.iloc[0], frame.iloc[1]
    assert (share["agency"], share["measure"], share["status"], share["qualifier"], share["cell_text"]) == (
        "ICE", "share_of_searches", REPORTED, "exact", "77 percent")
    assert share["value"] == pytest.approx(0.77)
    assert (share["period_start"], share["period_end"]) == (D(2010, 8, 1), D(2011, 3, 1))
    assert share["system"] == "DHS LEIS Service (local and regional databases)"
    assert share["citation"].startswith("DHS 2011 report on the LEIS Service, as reported")
    assert (vague["agency"], vague["system"], vague["measure"], vague["qualifier"], vague["cell_text"]) == (
        "DHS (all components)", "AZLink", "searches", "order_of_magnitude", "thousands")
    assert vague["value"] != vague["value"]  # "thousands" is not turned into a number
    assert (vague["value_low"], vague["value_high"]) == (1000.0, 999_999.0)
    assert table.findings == []


def test_published_headline_figures_sample():
    table = read_count_table(SAMPLES / "published-headline-figures.csv")
    frame = table.observations
    assert list(frame["agency"]) == ["All searching agencies", "All searching agencies (3,900+)"]
    assert list(frame["qualifier"]) == ["more_than", "more_than"]
    assert list(frame["value"]) == [4000.0, 12_000_000.0]
    assert list(frame["value_low"]) == [4001.0, 12_000_001.0]
    assert list(frame["cell_text"]) == ["more than 4,000", "more than 12,000,000"]
    assert frame["reason_category"].iloc[0] == "immigration"
    assert frame["reason_category"].isna().iloc[1]
    assert [(r.period_start, r.period_end) for r in frame.itertuples()] == [
        (D(2024, 6, 1), D(2025, 6, 1)), (D(2024, 12, 1), D(2025, 11, 1))]


# -- properties: what is written is what is read ------------------------------------------------------------------
LABEL_STYLES = {"Jan-17": "%b-%y", "2017-01": "%Y-%m", "Jan 2017": "%b %Y", "January 2017": "%B %Y"}
AGENCY_NAMES = ["ICE - Enforcement and Removal Operations", "U.S. Customs and Border Protection", "FBI",
                "Harbor County Sheriff's Office", "Eastport Police Department", "S\u00fbret\u00e9 du Qu\u00e9bec"]


def thousands(value: int) -> str:
    return f"{value:,}"


@st.composite
def wide_tables(draw):
    months = draw(st.integers(min_value=1, max_value=14))
    first = add_months(D(2016, 1, 1), draw(st.integers(min_value=0, max_value=40)))
    style = LABEL_STYLES[draw(st.sampled_from(sorted(LABEL_STYLES)))]
    agencies = draw(st.lists(st.sampled_from(AGENCY_NAMES), min_size=1, max_size=4, unique=True))
    values = [[draw(st.integers(min_value=0, max_value=250_000)) for _ in range(months)] for _ in agencies]
    return [add_months(first, i) for i in range(months)], style, agencies, values


@settings(max_examples=40, deadline=None)
@given(table=wide_tables(), with_totals=st.booleans(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
       delimiter=st.sampled_from([",", ";", "\t"]), with_title=st.booleans())
def test_wide_tables_round_trip(tmp_path_factory, table, with_totals, encoding, delimiter, with_title):
    months, style, agencies, values = table
    header = ["Agency", *[f"{m:{style}}" for m in months]] + (["Total"] if with_totals else [])
    body = [[agency, *map(thousands, row)] + ([thousands(sum(row))] if with_totals else [])
            for agency, row in zip(agencies, values)]
    if with_totals:
        columns = [sum(column) for column in zip(*values)]
        body.append(["Total", *map(thousands, columns), thousands(sum(columns))])
    path = tmp_path_factory.mktemp("wide") / "table.csv"
    with open(path, "w", newline="", encoding=encoding) as handle:
        title = [["Queries by outside agencies (title)"], []] if with_title else []
        csv.writer(handle, delimiter=delimiter).writerows([*title, header, *body])
    read = read_count_table(path, system="S")
    expected = [(agency, month, add_months(month, 1), float(value))
                for agency, row in zip(agencies, values) for month, value in zip(months, row)]
    frame = read.observations
    assert list(zip(frame["agency"], frame["period_start"], frame["period_end"], frame["value"])) == expected
    assert set(frame["status"]) == {REPORTED}
    assert read.findings == []
    assert_no_totals_as_data(read)


@settings(max_examples=30, deadline=None)
@given(table=wide_tables(), data=st.data())
def test_a_wrong_total_is_found_where_it_is(tmp_path_factory, table, data):
    months, style, agencies, values = table
    columns = [sum(column) for column in zip(*values)]
    wrong_column = data.draw(st.integers(min_value=0, max_value=len(months) - 1))
    error = data.draw(st.integers(min_value=1, max_value=500))
    stated = list(columns)
    stated[wrong_column] += error
    header = ["Agency", *[f"{m:{style}}" for m in months]]
    path = tmp_path_factory.mktemp("wide") / "table.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *[[a, *r] for a, r in zip(agencies, values)], ["Total", *stated]])
    read = read_count_table(path, system="S")
    letter = chr(ord("B") + wrong_column)
    label = header[wrong_column + 1]
    assert [(f.kind, f.location) for f in read.findings] == [
        ("total_mismatch", f'row {len(agencies) + 2}, column {letter} "{label}"')]
    assert f"(difference +{error:,})" in read.findings[0].message


# -- privacy: only named columns are read, only known marks are kept ------------------------------------------------
def test_a_first_column_not_named_as_the_agency_is_refused():
    # regression: column A was the agency whatever its header: officer names were stored as agencies
    with pytest.raises(InputError) as raised:
        read("wide_officer_name_label_column.csv")
    error = raised.value
    assert (error.row, error.column) == (1, 'A "Officer Name"')
    assert str(error) == (
        'wide_officer_name_label_column.csv, row 1, column A "Officer Name": no column of the header (row 1) names '
        'the searching agency: column A "Officer Name" is not an agency column, so it is not read. '
        "Name the agency column 'Agency', or pass --agency for a one-agency table.")
    assert "John Smith" not in str(error)


def test_a_first_column_not_named_as_the_agency_is_not_read_with_the_agency_option():
    table = read("wide_officer_name_label_column.csv", agency="Harbor County Sheriff's Office")
    frame = table.observations
    assert set(frame["agency"]) == {"Harbor County Sheriff's Office"}
    assert "John Smith" not in frame.to_string() and "Jane Doe" not in frame.to_string()
    assert ("row 1", "columns_not_read") in [(f.location, f.kind) for f in table.findings]


def test_the_agency_column_is_the_one_named_agency():
    # regression: 'Case Number,Agency,Jan-17' stored case numbers as agencies and dropped the Agency column
    table = read("wide_case_number_before_agency.csv")
    frame = table.observations
    assert list(frame["agency"]) == ["ICE", "ICE", "CBP", "CBP"]
    assert list(frame["value"]) == [1.0, 2.0, 3.0, 4.0]
    assert "2017-000123" not in frame.to_string()
    assert [(f.kind, f.message) for f in table.findings] == [
        ("columns_not_read", "columns not read (not a known dimension): Case Number")]


def test_an_unnamed_first_column_is_the_agency():
    table = read("wide_blank_first_header.csv")
    assert list(table.observations["agency"].unique()) == ["ICE", "CBP"]


def test_two_agency_columns_are_refused():
    with pytest.raises(InputError) as raised:
        read("duplicate_agency_columns.csv")
    assert str(raised.value) == ('duplicate_agency_columns.csv, row 1, column B "Agency": two columns hold the '
                                 'agency: A "Agency" and B "Agency". Keep one of them and delete or rename the other.')


def test_free_text_after_exempt_is_not_a_withheld_mark():
    # regression: "Exempt - John Smith plate 7ABC123" was stored as cell_text and quoted in findings
    with pytest.raises(InputError) as raised:
        read("wide_exempt_free_text.csv")
    assert (raised.value.row, raised.value.column) == (2, 'B "Jan-17"')
    assert "is not a count" in str(raised.value)


def test_a_reference_column_is_not_a_citation():
    # regression: 'reference' was read as the citation, and a reference can hold case numbers and names
    table = read("long_reference_column.csv")
    frame = table.observations
    assert frame["citation"].isna().all()
    assert "John Smith" not in frame.to_string() and "2017-000123" not in frame.to_string()
    assert [(f.kind, f.message) for f in table.findings] == [
        ("columns_not_read", "columns not read (not a known dimension): reference")]


def test_errors_quote_at_most_40_characters_of_a_cell(tmp_path):
    path = tmp_path / "long_text_cell.csv"
    path.write_text("Agency,Jan-17,Feb-17\nICE,Excludes 3 searches by Det. J. Smith for plate 7ABC123,2\n")
    with pytest.raises(InputError) as raised:
        read_count_table(path, system="S")
    assert str(raised.value).startswith('long_text_cell.csv, row 2, column B "Jan-17": '
                                        "the text of the cell is not a count.")
    assert "7ABC123" not in str(raised.value)


def test_an_unclosed_quote_names_the_row_not_the_content():
    with pytest.raises(InputError) as raised:
        read("unclosed_quote.csv")
    assert str(raised.value) == (
        'unclosed_quote.csv: row 2 opens a quote (") that is never closed, so the rest of the file would be one '
        "cell. Close the quote in that row, or re-export the table as CSV.")


# -- footnotes ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, location", [("footnote_with_commas.csv", "row 4"),
                                            ("footnote_numbered_split_by_comma.csv", "row 5")])
def test_notes_below_the_data_are_footnotes_even_with_commas(name, location):
    # regression: '* Source: COPLINK audit, data as of 3/1/2017, 12 agencies' was read as a row with a bad count
    table = read(name)
    assert list(table.observations["value"]) == [1.0, 2.0, 3.0, 4.0]
    assert [(f.location, f.kind) for f in table.findings] == [(location, "footnotes_not_read")]
    assert "7ABC123" not in table.observations.to_string()


def test_a_note_with_counts_below_it_is_an_error_not_dropped():
    with pytest.raises(InputError) as raised:
        read("note_row_above_data.csv")
    assert raised.value.row == 3
    assert "starts like a note" in str(raised.value)
    assert "7ABC123" not in str(raised.value)


def test_numbered_rows_beside_a_named_agency_column():
    table = read("numbered_rows_with_hash_column.csv")
    assert list(table.observations["agency"]) == ["ICE", "CBP"]
    assert list(table.observations["value"]) == [5.0, 6.0]


@pytest.mark.parametrize("footnote", ["* Source: audit, as of 3/1/2017, 12 agencies", "\u2020 Excludes, HSI",
                                      "(1) Includes CBP, 2 months", "[2] Data as of, March", "Note: see, below",
                                      "Sources: COPLINK, LInX", "Prepared by, Records Unit", "Data as of, 3/1/2017",
                                      "\u00b9 Estimated, see text", "3. Includes, CBP"])
def test_footnote_markers(tmp_path, footnote):
    path = tmp_path / "table.csv"
    path.write_text(f"Agency,Jan-17,Feb-17\nICE,1,2\n{footnote}\n")
    table = read_count_table(path, system="S")
    assert list(table.observations["agency"]) == ["ICE", "ICE"]
    assert kinds(table) == ["footnotes_not_read"]


# -- periods in long tables -------------------------------------------------------------------------------------
def test_long_fiscal_year_column_with_bare_years():
    # regression: 2017 under 'fiscal year' was calendar 2017
    assert rows(read("long_fiscal_year_bare_years.csv", fiscal_year_start=7)) == [
        ("ICE", "FY2017", D(2016, 7, 1), D(2017, 7, 1), REPORTED, 100.0),
        ("ICE", "FY2018", D(2017, 7, 1), D(2018, 7, 1), REPORTED, 120.0),
    ]


def test_long_year_and_month_columns_make_one_period():
    # regression: Month was not read and each row became a whole year
    assert rows(read("long_year_and_month_columns.csv")) == [
        ("ICE", "Jan 2017", D(2017, 1, 1), D(2017, 2, 1), REPORTED, 5.0),
        ("ICE", "Feb 2017", D(2017, 2, 1), D(2017, 3, 1), REPORTED, 6.0),
        ("ICE", "Mar 2017", D(2017, 3, 1), D(2017, 4, 1), REPORTED, 7.0),
    ]


def test_long_year_and_quarter_columns_make_one_period():
    assert rows(read("long_year_and_quarter_columns.csv")) == [
        ("ICE", "Q3 2017", D(2017, 7, 1), D(2017, 10, 1), REPORTED, 5.0),
        ("ICE", "Q4 2017", D(2017, 10, 1), D(2018, 1, 1), REPORTED, 6.0),
    ]


def test_long_grand_total_without_a_period_is_reconciled(tmp_path):
    # regression: 'Total,,11' failed with "the period is blank"
    table = read("long_grand_total_blank_period.csv")
    assert list(table.observations["agency"]) == ["ICE", "CBP"]
    assert table.findings == []
    path = tmp_path / "grand_total_wrong.csv"
    path.write_text("agency,period,searches\nICE,2017-01,5\nCBP,2017-02,6\nGrand total,,12\n")
    wrong = read_count_table(path, system="S")
    assert [(f.location, f.kind, f.message) for f in wrong.findings] == [
        ('row 4, column C "searches"', "total_mismatch",
         "The grand total says 12 but its parts add up to 11 (difference +1); the parts are used, not the total.")]


def test_two_columns_of_searches_are_refused():
    # regression: 'searches' and 'total searches' were both read, doubling every count
    with pytest.raises(InputError) as raised:
        read("long_two_searches_columns.csv")
    assert str(raised.value) == (
        'long_two_searches_columns.csv, row 1, column D "total searches": two columns hold the number of searches: '
        'C "searches" and D "total searches". Keep one of them and delete or rename the other, '
        "so no search is counted twice.")


def test_share_column_is_percent_when_any_value_is_above_1():
    # regression: 77 -> 0.77 but 1 -> 1.0 (100%) in the same column
    frame = read("long_share_column_percent.csv").observations
    assert list(frame["value"]) == pytest.approx([0.77, 0.01, 0.005])


# -- numbers -----------------------------------------------------------------------------------------------------
def test_semicolon_files_read_dots_as_thousands():
    # regression: 'ICE;1.000;12.000' was stored as 1 and 12, exact
    table = read("semicolon_dot_thousands.csv")
    assert table.grid.delimiter == ";"
    assert list(table.observations["value"]) == [1000.0, 12000.0, 7.0, 8.0]


def test_dot_and_three_digits_in_a_comma_file_is_refused():
    with pytest.raises(InputError) as raised:
        read("dot_three_digits_ambiguous.csv")
    assert str(raised.value).startswith(
        "dot_three_digits_ambiguous.csv, row 2, column B \"Jan-17\": '1.000' could be 1,000 or 1; write 1000 or 1,000.")


def test_a_count_too_large_for_a_double_is_refused():
    with pytest.raises(InputError, match="'99999999999999999999' is too large to be a count of searches"):
        read("count_too_large.csv")


# -- header detection ---------------------------------------------------------------------------------------------
def test_a_date_range_preamble_line_is_not_the_header():
    # regression: 'Date Range,1/1/2017,3/31/2017' was taken as the wide header
    table = read("preamble_date_range.csv")
    assert table.observations["row_number"].unique().tolist() == [5]
    assert list(table.observations["period_label"]) == ["Jan-17", "Feb-17", "Mar-17"]


# -- files ----------------------------------------------------------------------------------------------------------
def test_utf16_text_is_decoded(tmp_path):
    path = tmp_path / "utf16_le_bom.txt"
    path.write_bytes("Agency\tJan-17\tFeb-17\r\nPolic\u00eda Municipal\t1\t2\r\n".encode("utf-16"))
    table = read_count_table(path, system="S")
    assert table.grid.encoding == "utf-16"
    assert list(table.observations["agency"].unique()) == ["Polic\u00eda Municipal"]
    assert list(table.observations["value"]) == [1.0, 2.0]


@pytest.mark.parametrize("name", ["xlsx_named.csv", "xlsx_without_suffix"])
def test_xlsx_bytes_under_another_name_are_read(tmp_path, name):
    # regression: openpyxl refused the name (InvalidFileException, exit 3)
    path = tmp_path / name
    write_workbook(path)
    table = read_count_table(path, sheet="Queries", system="S")
    assert table.reader == "count-table-wide" and len(table.observations) == 6


def test_a_zip_that_is_not_a_workbook(tmp_path):
    import zipfile

    path = tmp_path / "archive.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with pytest.raises(InputError, match=r"^archive\.csv: this XLSX workbook could not be opened"):
        read_count_table(path, system="S")


def test_formulas_without_saved_values_are_refused(tmp_path):
    import openpyxl

    path = tmp_path / "formulas_never_computed.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (["Agency", "Jan-17", "Feb-17", "Total"], ["ICE", 5, 6, "=SUM(B2:C2)"]):
        sheet.append(row)
    workbook.save(path)
    with pytest.raises(InputError) as raised:
        read_count_table(path, system="S")
    assert str(raised.value) == (
        "formulas_never_computed.xlsx, row 2, column D: this cell holds a formula whose result was never saved, "
        "so it would read as blank. Open the file in a spreadsheet program and save it, so the computed values "
        "are stored.")


def test_dates_in_long_tables_are_days_and_in_wide_headers_months(tmp_path):
    # regression: a date on the 1st was read as the whole month in long tables too
    import openpyxl

    path = tmp_path / "long_dates_on_the_first.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["agency", "date", "searches"])
    sheet.append(["ICE", dt.datetime(2017, 3, 1), 1])
    sheet.append(["ICE", dt.datetime(2017, 3, 2), 1])
    workbook.save(path)
    assert [(r.period_start, r.period_end) for r in read_count_table(path, system="S").observations.itertuples()] == [
        (D(2017, 3, 1), D(2017, 3, 2)), (D(2017, 3, 2), D(2017, 3, 3))]
    wide = tmp_path / "wide_dates_on_the_first.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Agency", dt.datetime(2017, 1, 1), dt.datetime(2017, 2, 1)])
    workbook.active.append(["ICE", 1, 2])
    workbook.save(wide)
    assert list(read_count_table(wide, system="S").observations["period_end"]) == [D(2017, 2, 1), D(2017, 3, 1)]


def test_a_decimal_header_from_xlsx_is_not_a_month(tmp_path):
    import openpyxl

    path = tmp_path / "decimal_headers.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Agency", 2017.1, 2017.2])
    workbook.active.append(["ICE", 1, 2])
    workbook.save(path)
    with pytest.raises(InputError, match="no table header was found"):
        read_count_table(path, system="S")


def test_long_table_notes_below_the_data(tmp_path):
    path = tmp_path / "long_notes.csv"
    path.write_text("agency,period,searches\nICE,2017-01,5\nCBP,2017-01,\n* Note, see below\n"
                    "* Source: COPLINK audit, data as of 3/1/2017, 12 agencies\n")
    table = read_count_table(path, system="S")
    assert rows(table) == [("ICE", "2017-01", D(2017, 1, 1), D(2017, 2, 1), REPORTED, 5.0),
                           ("CBP", "2017-01", D(2017, 1, 1), D(2017, 2, 1), MISSING, None)]
    assert [(f.location, f.kind) for f in table.findings if f.kind == "footnotes_not_read"] == [
        ("rows 4-5", "footnotes_not_read")]


def test_a_period_line_above_the_header_is_not_the_header(tmp_path):
    path = tmp_path / "period_line_above_header.csv"
    path.write_text("Covering,Jan 2017,Mar 2017\n\nAgency,Jan-17,Feb-17,Mar-17\nICE,1,2,3\nCBP,4,5,6\n")
    table = read_count_table(path, system="S")
    assert list(table.observations["row_number"].unique()) == [4, 5]
    assert list(table.observations["period_label"][:3]) == ["Jan-17", "Feb-17", "Mar-17"]


def test_numbered_rows_of_shares_are_data_not_notes(tmp_path):
    path = tmp_path / "numbered_share_rows.csv"
    path.write_text("agency,period,share\n1. ICE,2017,77%\n2. CBP,2017,0.5\n3. HSI,2017,1\n* Source: DHS, 2011\n")
    table = read_count_table(path, system="S")
    assert list(table.observations["agency"]) == ["1. ICE", "2. CBP", "3. HSI"]
    assert list(table.observations["value"]) == pytest.approx([0.77, 0.005, 0.01])
    assert kinds(table) == ["footnotes_not_read"]


# -- measures beyond searches, named by header words ---------------------------------------------------------
def measure_rows(table: TableRead) -> list[tuple]:
    """(agency, period label, measure, status, value) per observation, NaN as None."""
    return [(r.agency, r.period_label, r.measure, r.status, None if r.value != r.value else r.value)
            for r in table.observations.itertuples()]


def test_long_clets_table_gives_two_measures_per_row_and_not_reporting_is_missing():
    table = read("long_clets_misuse_two_measures_not_reporting.csv", system="CLETS")
    assert table.reader == "count-table-long"
    assert measure_rows(table) == [
        ("Agency A", "2018", "misuse_investigations", REPORTED, 4.0), ("Agency A", "2018", "violations", REPORTED, 1.0),
        ("Agency A", "2019", "misuse_investigations", REPORTED, 6.0), ("Agency A", "2019", "violations", REPORTED, 2.0),
        ("Agency B", "2018", "misuse_investigations", REPORTED, 2.0), ("Agency B", "2018", "violations", REPORTED, 0.0),
        ("Agency B", "2019", "misuse_investigations", MISSING, None), ("Agency B", "2019", "violations", MISSING, None),
        ("Agency C", "2018", "misuse_investigations", MISSING, None), ("Agency C", "2018", "violations", MISSING, None),
        ("Agency C", "2019", "misuse_investigations", REPORTED, 3.0), ("Agency C", "2019", "violations", MISSING, None),
    ]
    assert "searches" not in set(table.observations["measure"])
    assert {"blank_cells", "missing_cells"} <= set(kinds(table))


def test_long_measure_column_words_name_each_measure():
    table = read("long_measure_column_words.csv", system="CLETS")
    assert [(r[2], r[4]) for r in measure_rows(table)] == [
        ("misuse_investigations", 6.0), ("violations", 2.0), ("accounts_with_access", 40.0), ("hits", 310.0),
        ("searches", 9000.0)]


def test_wide_table_whose_first_header_cell_names_the_measure():
    table = read("wide_misuse_investigations_first_header_cell.csv", system="CLETS")
    assert table.reader == "count-table-wide"
    assert set(table.observations["measure"]) == {"misuse_investigations"}
    assert measure_rows(table)[3:6] == [("Agency B", "2017", "misuse_investigations", REPORTED, 1.0),
                                        ("Agency B", "2018", "misuse_investigations", MISSING, None),
                                        ("Agency B", "2019", "misuse_investigations", REPORTED, 2.0)]
    assert "total_mismatch" not in kinds(table) and "columns_not_read" not in kinds(table)


def test_wide_table_whose_title_names_the_measure():
    table = read("wide_misuse_title_one_measure.csv", system="CLETS")
    assert measure_rows(table) == [("Agency A", "2018", "misuse_investigations", REPORTED, 4.0),
                                   ("Agency A", "2019", "misuse_investigations", REPORTED, 6.0),
                                   ("Agency B", "2018", "misuse_investigations", MISSING, None),
                                   ("Agency B", "2019", "misuse_investigations", REPORTED, 2.0)]


def test_wide_columns_that_name_their_measure_beside_the_year():
    table = read("wide_year_measure_columns.csv", system="CLETS")
    assert measure_rows(table)[:4] == [("Agency A", "2018", "misuse_investigations", REPORTED, 4.0),
                                       ("Agency A", "2018", "violations", REPORTED, 1.0),
                                       ("Agency A", "2019", "misuse_investigations", REPORTED, 6.0),
                                       ("Agency A", "2019", "violations", REPORTED, 2.0)]
    assert [r[3] for r in measure_rows(table) if r[0] == "Agency B" and r[1] == "2019"] == [MISSING, MISSING]


def test_a_wide_title_naming_two_measures_is_one_line_that_says_how_to_fix_it():
    with pytest.raises(InputError, match="names 2 measures") as error:
        read("wide_title_two_measures.csv", system="CLETS")
    assert "beside each period" in str(error.value)


def test_the_python_api_answers_counts_of_another_measure(tmp_path):
    import auditreport

    db = auditreport.open_db(tmp_path / "audit.duckdb")
    db.ingest(FIXTURES / "long_searches_and_investigations_same_rows.csv", system="CLETS")
    answer = db.counts(by="agency", grain="year", measure="misuse_investigations")
    assert list(answer.table["measure"].unique()) == ["misuse_investigations"]
    assert list(answer.table["value"]) == [4, 6]
    assert list(db.counts(by="agency", grain="year").table["value"]) == [1000, 1200]
    db.close()
