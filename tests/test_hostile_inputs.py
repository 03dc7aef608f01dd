"""Inputs that would hang or eat memory: refused before they are parsed, with one line naming the file and place.

Every file is made at test time (nothing binary is committed).
"""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from auditreport.cli import main

SAMPLE_LOG = Path(__file__).parent.parent / "sample_logs" / "harbor-city-flock-network-audit-2024-2025.csv"


def _ingest(path, *args, db):
    return CliRunner().invoke(main, ["ingest", str(path), *args, "--db", str(db)])


def _refused(result, *words):
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output


def _snapshot(db: Path) -> dict[str, list]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as connection:
        tables = [row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables "
                                                       "ORDER BY table_name").fetchall()]
        return {table: sorted(map(repr, connection.execute(f'SELECT * FROM "{table}"').fetchall()))
                for table in tables}


def _refused_leaving_the_database_as_it_was(path, *options, folder: Path, words=()):
    """Ingest into a database that already holds a file: the refusal changes no table."""
    good, db = folder / "good.csv", folder / "held.duckdb"
    if not db.exists():
        good.write_text("agency,Jan-17\nFBI,3\n", encoding="utf-8")
        assert _ingest(good, "--system", "S", db=db).exit_code == 0
    before = _snapshot(db)
    _refused(_ingest(path, *options, db=db), *words)
    assert _snapshot(db) == before


def _small_workbook(path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["agency", "Jan-17"])
    workbook.active.append(["FBI", 3])
    workbook.save(path)


def test_a_workbook_whose_cells_lie_far_apart_is_refused_by_its_dimension(tmp_path):
    path = tmp_path / "far.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"], workbook.active["XFD1048576"] = "agency", 1
    workbook.save(path)
    _refused_leaving_the_database_as_it_was(path, "--system", "S", folder=tmp_path,
                                            words=("far.xlsx", "1,048,576 rows"))


def test_a_workbook_that_expands_a_thousand_times_is_refused_before_it_is_parsed(tmp_path):
    small, bomb = tmp_path / "small.xlsx", tmp_path / "bomb.xlsx"
    _small_workbook(small)
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * 40_000_000)
            target.writestr(item.filename, data)
    assert bomb.stat().st_size < 200_000
    _refused_leaving_the_database_as_it_was(bomb, "--system", "S", folder=tmp_path,
                                            words=("bomb.xlsx", "compressed far more"))


def test_a_cell_of_a_megabyte_is_refused_with_its_row_and_column(tmp_path):
    path = tmp_path / "big-cell.csv"
    path.write_text("agency,Jan-17\nFBI,3\nDEA," + "9" * 1_000_000 + "\n", encoding="utf-8")
    _refused_leaving_the_database_as_it_was(path, "--system", "S", folder=tmp_path,
                                            words=("row 3, column B", "1,000,000 characters"))


def test_an_agency_name_of_a_hundred_kilobytes_is_refused_with_its_place(tmp_path):
    path = tmp_path / "long-name.csv"
    path.write_text('agency,Jan-17\nFBI,3\n"' + "Springfield Police " * 6_500 + '",4\n', encoding="utf-8")
    _refused_leaving_the_database_as_it_was(path, "--system", "S", folder=tmp_path,
                                            words=("row 3, column A", "123,499 characters"))


def test_a_long_agency_name_within_the_cell_limit_is_held_not_matched(tmp_path):
    path = tmp_path / "long-name.csv"
    name = "Springfield Police " * 500
    path.write_text(f'agency,Jan-17\nFBI,3\n"{name}",4\n', encoding="utf-8")
    assert _ingest(path, "--system", "S", db=tmp_path / "a.duckdb").exit_code == 0
    counts = CliRunner().invoke(main, ["counts", "--db", str(tmp_path / "a.duckdb")]).output
    assert "unreviewed agency 1" in counts and name[:50] not in counts


def test_a_log_row_with_an_org_name_of_a_megabyte_is_held(tmp_path):
    rows = list(csv.reader(io.StringIO(SAMPLE_LOG.read_text(encoding="utf-8"))))
    planted = list(rows[5])
    planted[0], planted[1] = "nw-planted", "Springfield Police " * 50_000  # a search of its own (its own id)
    path = tmp_path / "long-org.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([*rows, planted])
    assert _ingest(path, "--profile", "flock-network-audit", db=tmp_path / "a.duckdb").exit_code == 0
    findings = CliRunner().invoke(main, ["findings", "--db", str(tmp_path / "a.duckdb")]).output
    assert "agency_unreviewed" in findings and "Springfield Police Springfield" not in findings


def test_a_log_too_large_for_the_memory_limit_is_refused_in_one_line(tmp_path, monkeypatch):
    import auditreport.read.audit_log as audit_log
    monkeypatch.setattr(audit_log, "MEMORY_LIMIT", "1MB")  # as a log far larger than the machine's limit would
    _refused_leaving_the_database_as_it_was(SAMPLE_LOG, "--profile", "flock-network-audit", folder=tmp_path,
                                            words=("too large to count", "limit (1 MB)", "Split it into parts"))


def test_an_offset_beyond_fourteen_hours_is_not_a_time(tmp_path):
    path = tmp_path / "offsets.csv"
    rows = [f"o{n},u-{n},2025-07-01T10:00:00-07:00,94,UUV" for n in range(40)]
    rows += ["x1,u-1,2025-07-01T10:00:00+25:00,94,UUV", "x2,u-2,2025-07-01T10:00:00+99:99,94,UUV"]
    path.write_text("id,userId,searchDate,cameraCount,reason\n" + "\n".join(rows) + "\n", encoding="utf-8")
    _refused_leaving_the_database_as_it_was(path, "--profile", "flock-search-audit", "--agency", "Testville PD",
                                            "--tz", "UTC", folder=tmp_path,
                                            words=("row 42", "2 search time(s) could not be read"))  # +25:00


def test_a_list_of_networks_is_not_a_number_of_networks(tmp_path):
    from auditreport.read.audit_log import read_audit_log

    rows = list(csv.reader(io.StringIO(SAMPLE_LOG.read_text(encoding="utf-8"))))
    column = rows[0].index("Total Networks Searched")
    for row in rows[1:6]:
        row[column] = "1,2,3"
    rows[6][column] = "1,204"
    path = tmp_path / "networks.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    read = read_audit_log(path, profile="flock-network-audit")
    with read:
        assert any(f.kind == "networks_unreadable" and f.message.startswith("5 ") for f in read.findings), \
            [f.message for f in read.findings if f.kind == "networks_unreadable"]


def test_a_file_of_two_encodings_reads_each_line_in_its_own_and_says_so(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("agency,Jan-17\nCafé Police (UTF-8),3\n".encode() + "Café Sheriff,4\n".encode("cp1252")
                     + "\ufeffFBI,5\n".encode())  # and a byte-order mark in mid-file
    db = tmp_path / "a.duckdb"
    assert _ingest(path, "--system", "S", db=db).exit_code == 0
    counts = CliRunner().invoke(main, ["counts", "--db", str(db)]).output
    assert "Café Police (UTF-8)" in counts and "Café Sheriff," in counts and "Ã" not in counts
    assert "\ufeff" not in counts and "Federal Bureau of Investigation" in counts
    assert "mixed_encoding" in CliRunner().invoke(main, ["findings", "--db", str(db)]).output


def test_excel_dates_shown_as_months_are_months(tmp_path):
    from datetime import datetime

    path = tmp_path / "months.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["agency", "month", "searches"])
    for month, value in ((1, 3), (2, 4)):
        sheet.append(["FBI", datetime(2017, month, 1), value])
        sheet.cell(sheet.max_row, 2).number_format = "mmm-yy"
    sheet.append(["DEA", datetime(2017, 3, 14), 5])
    sheet.cell(sheet.max_row, 2).number_format = "yyyy-mm-dd"
    workbook.save(path)
    from auditreport.read.count_table import read_count_table

    table = read_count_table(path, system="S").observations
    spans = {(r.agency, str(r.period_start), str(r.period_end)) for r in table.itertuples()}
    assert spans == {("FBI", "2017-01-01", "2017-02-01"), ("FBI", "2017-02-01", "2017-03-01"),
                     ("DEA", "2017-03-14", "2017-03-15")}


# -- each hostile case within a budget, measured on its own process ------------------------------------------
BUDGET_SECONDS, BUDGET_MB = 30, 512


_MEASURED = """
import atexit, runpy, sys
def peak():  # this process's own high-water mark (ru_maxrss would count the parent's memory copied at fork)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("PEAK_KB " + line.split()[1] + "\\n")
atexit.register(peak)
sys.argv = ["auditreport", *sys.argv[1:]]
runpy.run_module("auditreport", run_name="__main__")
"""


def _run_measured(args: list[str]) -> tuple[int, float, float]:
    """Exit code, seconds and peak memory (MB) of `auditreport ARGS` in a process of its own."""
    import subprocess
    import sys
    import time

    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", _MEASURED, *args], capture_output=True, text=True, timeout=120)
    seconds = time.monotonic() - started
    peak = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("PEAK_KB ")]
    return done.returncode, seconds, int(peak[-1]) / 1024 if peak else float("inf")


def _hostile_files(folder: Path) -> dict[str, tuple[Path, list[str]]]:
    far, bomb, small = folder / "far.xlsx", folder / "bomb.xlsx", folder / "small.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"], workbook.active["XFD1048576"] = "agency", 1
    workbook.save(far)
    _small_workbook(small)
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/sharedStrings.xml" or item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * 200_000_000)
            target.writestr(item.filename, data)
    cell, name = folder / "cell.csv", folder / "name.csv"
    cell.write_text("agency,Jan-17\nFBI,3\nDEA," + "9" * 1_000_000 + "\n", encoding="utf-8")
    name.write_text('agency,Jan-17\nFBI,3\n"' + "Springfield Police " * 500 + '",4\n', encoding="utf-8")
    rows = list(csv.reader(io.StringIO(SAMPLE_LOG.read_text(encoding="utf-8"))))
    planted = list(rows[5])
    planted[1], planted[5] = "Springfield Police " * 50_000, "assist " * 100_000
    log = folder / "log.csv"
    with open(log, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([*rows, planted])
    system = ["--system", "S"]
    return {"far-apart cells": (far, system), "whitespace bomb": (bomb, system), "megabyte cell": (cell, system),
            "long agency name": (name, system), "megabyte org name and reason": (log, ["--profile",
                                                                                     "flock-network-audit"])}


def test_every_hostile_input_ends_within_its_budget(tmp_path):
    over = []
    for case, (path, options) in _hostile_files(tmp_path).items():
        code, seconds, megabytes = _run_measured(["ingest", str(path), *options, "--db", str(tmp_path / "b.duckdb")])
        if code not in (0, 2) or seconds > BUDGET_SECONDS or megabytes > BUDGET_MB:
            over.append(f"{case}: exit {code}, {seconds:.1f} s, {megabytes:.0f} MB")
    assert not over, over


def test_a_mistyped_year_is_left_out_never_a_millennium_of_zeros(tmp_path):
    path = tmp_path / "typo.csv"
    rows = [f"o{n},u-{n},2025-07-{1 + n % 28:02d} 10:00:00,94,UUV" for n in range(200)]
    rows += ["x1,u-1,2999-07-01 10:00:00,94,UUV", "x2,u-2,1901-07-01 10:00:00,94,UUV",
             "x3,u-3,2015-07-01 10:00:00,94,UUV"]
    path.write_text("id,userId,searchDate,cameraCount,reason\n" + "\n".join(rows) + "\n", encoding="utf-8")
    db = tmp_path / "a.duckdb"
    assert _ingest(path, "--profile", "flock-search-audit", "--agency", "Testville PD", db=db).exit_code == 0
    years = CliRunner().invoke(main, ["counts", "--grain", "year", "--by", "none", "--db", str(db)]).output
    assert [line.split(",")[0] for line in years.splitlines()[1:]] == ["2025"], years
    findings = CliRunner().invoke(main, ["findings", "--db", str(db)]).output
    assert "implausible_search_time" in findings and "1901, 2015, 2999" in findings


def test_a_byte_order_mark_in_mid_log_is_no_part_of_an_agency(tmp_path):
    text = SAMPLE_LOG.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    rows[3][1] = "\ufeff" + rows[3][1]
    path = tmp_path / "joined.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    db = tmp_path / "a.duckdb"
    assert _ingest(path, "--profile", "flock-network-audit", db=db).exit_code == 0
    names = CliRunner().invoke(main, ["agencies", "names", "--db", str(db)]).output
    assert "\ufeff" not in names and "unreviewed agency" not in names


def test_a_log_of_two_encodings_says_so(tmp_path):
    rows = list(csv.reader(io.StringIO(SAMPLE_LOG.read_text(encoding="utf-8"))))
    rows[2][1] = "Caf\u00e9 Police"  # written below as cp1252 in the sample, as UTF-8 at the end
    head = io.StringIO()
    csv.writer(head).writerows(rows[:-1])
    tail = list(rows[-1])
    tail[1] = "Caf\u00e9 Sheriff"
    end = io.StringIO()
    csv.writer(end).writerow(tail)
    path = tmp_path / "mixed-log.csv"
    path.write_bytes(head.getvalue().encode("cp1252") + end.getvalue().encode("utf-8"))
    db = tmp_path / "a.duckdb"
    assert _ingest(path, "--profile", "flock-network-audit", db=db).exit_code == 0
    assert "mixed_encoding" in CliRunner().invoke(main, ["findings", "--db", str(db)]).output
