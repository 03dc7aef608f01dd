"""A workbook whose first sheet is a cover page of notes: the table is found on the next sheet, and said so."""
from __future__ import annotations

import pytest
from openpyxl import Workbook

from auditreport.errors import InputError
from auditreport.read.count_table import read_count_table


def workbook(path, *sheets):
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


NOTES = ("Notes", [["This workbook holds the counts requested under R-1."], ["Prepared by the records unit."]])
COUNTS = ("Counts", [["Agency", "Jan-24", "Feb-24"], ["ICE", 5, 7], ["Eastport PD", 40, 41]])


def test_a_cover_page_of_notes_is_passed_over_and_the_sheet_read_is_named(tmp_path):
    read = read_count_table(workbook(tmp_path / "notes_first.xlsx", NOTES, COUNTS), system="X")
    assert read.grid.sheet == "Counts" and len(read.observations) == 4
    said = [f for f in read.findings if f.kind == "sheet_chosen"]
    assert said and "'Counts'" in said[0].message and "'Notes'" in said[0].message


def test_a_workbook_without_a_table_lists_its_sheets(tmp_path):
    path = workbook(tmp_path / "notes_only.xlsx", NOTES, ("More notes", [["nothing here"]]))
    with pytest.raises(InputError, match=r"any sheet of this workbook \(sheets: 'Notes', 'More notes'\)"):
        read_count_table(path, system="X")


def test_a_sheet_named_by_the_user_is_read_as_named_ignoring_case(tmp_path):
    path = workbook(tmp_path / "two.xlsx", NOTES, COUNTS)
    assert read_count_table(path, system="X", sheet="counts").grid.sheet == "Counts"
    with pytest.raises(InputError, match="no table header"):
        read_count_table(path, system="X", sheet="notes")  # the sheet asked for is read, or refused: never another
