"""Outputs that attack whoever opens them: formulas, control characters and planted symlinks never get through."""
from __future__ import annotations

import csv
import io
import os

import pytest
from click.testing import CliRunner

from auditreport.cli import main
from auditreport.tabular import clean, csv_text, neutral, write_file

FORMULAS = ['=HYPERLINK("http://x","County PD")', "+cmd|' /C calc'!A0 PD", "@SUM(1) Sheriff", "-2+3 Police"]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    table = folder / "hostile.csv"
    rows = [f'"{name.replace(chr(34), chr(34) * 2)}",Regional COPLINK,2025-Q3,{5 + number}'
            for number, name in enumerate(FORMULAS)]
    rows += ["ICE\u202e - HSI,Regional COPLINK,2025-Q3,3", "FBI\x1b[2J,Regional COPLINK,2025-Q3,2"]
    table.write_text("agency,system,period,searches\n" + "\n".join(rows) + "\n", encoding="utf-8")
    db = folder / "audit.duckdb"
    result = CliRunner().invoke(main, ["ingest", str(table), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


@pytest.mark.parametrize("args", [["counts"], ["counts", "--format", "csv"], ["changes"], ["shares"], ["findings"],
                                  ["agencies", "names"], ["agencies", "unmatched"], ["sources"]])
def test_no_csv_the_command_line_prints_holds_a_live_formula(hostile_db, args):
    result = CliRunner().invoke(main, [*args, "--db", str(hostile_db)])
    assert result.exit_code == 0, result.output
    cells = [cell for row in csv.reader(io.StringIO(result.output)) for cell in row]
    assert cells and not [cell for cell in cells if cell and cell[0] in "=+-@\t\r"]
    assert not [cell for cell in cells if clean(cell) != cell]  # no ESC, no right-to-left override


def test_the_terminal_table_obeys_no_control_code(hostile_db):
    result = CliRunner().invoke(main, ["counts", "--format", "table", "--db", str(hostile_db)])
    assert result.exit_code == 0
    assert "\x1b" not in result.output and "\u202e" not in result.output


def test_every_report_file_is_free_of_live_formulas_and_control_characters(hostile_db, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["report", "--db", str(hostile_db), "--out", str(out), "--format", "html,csv"])
    assert result.exit_code == 0, result.output
    for path in out.iterdir():
        text = path.read_text(encoding="utf-8")
        assert clean(text) == text, path.name
        if path.suffix == ".csv":
            cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
            assert not [cell for cell in cells if cell and cell[0] in "=+-@\t\r"], path.name


def test_a_symlink_planted_in_the_report_folder_is_replaced_not_followed(hostile_db, tmp_path):
    out, outside = tmp_path / "out", tmp_path / "precious.txt"
    out.mkdir()
    outside.write_text("keep me", encoding="utf-8")
    os.symlink(outside, out / "report.html")
    result = CliRunner().invoke(main, ["report", "--db", str(hostile_db), "--out", str(out), "--format", "html"])
    assert result.exit_code == 0, result.output
    assert outside.read_text(encoding="utf-8") == "keep me"
    assert not (out / "report.html").is_symlink() and "<html" in (out / "report.html").read_text(encoding="utf-8")
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]  # no temporary file left behind


def test_the_one_rule_for_text_cells():
    assert [neutral(text) for text in FORMULAS] == ["'" + text for text in FORMULAS]
    assert neutral("\tx") == "'\tx" and neutral("ICE - HSI") == "ICE - HSI"
    frame = __import__("pandas").DataFrame({"=a": ["=1", 2.0, None], "b": [-2.0, 1.5, 3.0]})
    assert csv_text(frame) == "'=a,b\n'=1,-2\n2,1.5\n,3\n"  # numbers stay numbers, negative ones too


def test_write_file_takes_plain_names_only(tmp_path):
    with pytest.raises(ValueError):
        write_file(tmp_path, "../escape.csv", "x")


# -- every known failure is a known error: one line, the path named, the database as it was ------------------
def _one_line_error(result, code=2):
    assert result.exit_code == code, result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1, result.output
    assert "Traceback" not in result.output


def test_a_database_that_is_not_one_is_named_as_such(tmp_path):
    csv_file, folder, truncated = tmp_path / "counts.csv", tmp_path / "folder", tmp_path / "cut.duckdb"
    csv_file.write_text("agency,system,period,searches\nFBI,S,2025,3\n", encoding="utf-8")
    folder.mkdir()
    database = tmp_path / "whole.duckdb"
    assert CliRunner().invoke(main, ["ingest", str(csv_file), "--db", str(database)]).exit_code == 0
    truncated.write_bytes(database.read_bytes()[:100_000])
    for db, words in ((csv_file, "is not an auditreport database"), (truncated, "is damaged or incomplete")):
        result = CliRunner().invoke(main, ["counts", "--db", str(db)])
        _one_line_error(result, 2 if db == csv_file else 1)
        assert words in result.output
    assert csv_file.read_text(encoding="utf-8").startswith("agency,")  # left as it was


def test_a_database_of_a_newer_version_is_refused_for_reading_too(tmp_path):
    import duckdb

    table, db = tmp_path / "counts.csv", tmp_path / "audit.duckdb"
    table.write_text("agency,system,period,searches\nFBI,S,2025,3\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["ingest", str(table), "--db", str(db)]).exit_code == 0
    with duckdb.connect(str(db)) as connection:
        connection.execute("INSERT INTO schema_migrations VALUES (99, now())")
    for args in (["counts"], ["sources"], ["report", "--out", str(tmp_path / "out")], ["ingest", str(table)]):
        result = CliRunner().invoke(main, [*args, "--db", str(db)])
        _one_line_error(result)
        assert "newer auditreport (schema 99)" in result.output


def test_a_full_disk_is_a_known_error(tmp_path, monkeypatch):
    import errno

    from auditreport.report import build

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "report.html"))

    table, db = tmp_path / "counts.csv", tmp_path / "audit.duckdb"
    table.write_text("agency,system,period,searches\nFBI,S,2025,3\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["ingest", str(table), "--db", str(db)]).exit_code == 0
    monkeypatch.setattr(build, "write_file", full)
    result = CliRunner().invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "out"), "--format", "html"])
    _one_line_error(result)
    assert "No space left on device" in result.output


def test_a_proposed_mapping_always_loads_whatever_the_headers_hold(tmp_path):
    import tomllib

    log = tmp_path / "log.csv"
    log.write_text("Search Time,Org Name,Rea\x7fson\u202e\n2025-07-01 10:00:00,Bayside PD,test\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["mapping", "init", str(log), "--out", str(tmp_path / "m.toml")])
    assert result.exit_code == 0, result.output
    proposal = (tmp_path / "m.toml").read_text(encoding="utf-8")
    assert clean(proposal) == proposal and tomllib.loads(proposal)["columns"]["agency"] == "Org Name"


def test_openpyxl_notes_never_reach_the_terminal(tmp_path):
    import zipfile

    import openpyxl

    path, bare = tmp_path / "counts.xlsx", tmp_path / "bare.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["agency", "Jan-17"])
    workbook.active.append(["FBI", 3])
    workbook.save(path)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bare, "w") as target:  # an empty stylesheet: it warns
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/styles.xml":
                data = b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
            target.writestr(item, data)
    result = CliRunner().invoke(main, ["ingest", str(bare), "--system", "S", "--db", str(tmp_path / "a.duckdb")])
    assert result.exit_code == 0 and "stylesheet" not in result.output, result.output


def test_ctrl_c_inside_duckdb_is_a_known_error(tmp_path, monkeypatch):
    import duckdb

    from auditreport import ingest

    def interrupted(*args, **kwargs):
        raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")

    table = tmp_path / "counts.csv"
    table.write_text("agency,system,period,searches\nFBI,S,2025,3\n", encoding="utf-8")
    monkeypatch.setattr(ingest, "read_file", interrupted)
    result = CliRunner().invoke(main, ["ingest", str(table), "--db", str(tmp_path / "a.duckdb")])
    _one_line_error(result, 1)
    assert "stopped" in result.output
