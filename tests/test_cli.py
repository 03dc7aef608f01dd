"""The command line: exit codes, exact one-line errors, and the database untouched by failures."""
from __future__ import annotations

import collections

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditreport.cli import main

from .conftest import COPLINK, DHS, NETWORK_SAMPLE, snapshot

SYSTEM = ["--system", "Regional COPLINK"]
COUNTS_HEADER = ("period,period_start,period_end,agency,system,measure,value,exact,value_low,value_high,complete,"
                 "estimated,status,reported_cells,withheld_cells,suppressed_cells,missing_cells,source_ids,display")


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def loaded(db_path: Path) -> Path:
    result = run("ingest", COPLINK, *SYSTEM, "--request", "R-2019-0412", "--db", db_path)
    assert result.exit_code == 0, result.output
    return db_path


def test_ingest_reports_what_it_stored(db_path):
    result = run("ingest", COPLINK, *SYSTEM, "--db", db_path)
    assert result.exit_code == 0
    assert result.stdout == (f"{COPLINK.name}: ingested as source 1: 324 observation(s), 6 finding(s).\n")


def test_reingest_changes_nothing_and_says_so(loaded):
    before = snapshot(loaded)
    result = run("ingest", COPLINK, *SYSTEM, "--db", loaded)
    assert result.exit_code == 0
    assert result.stdout == f"{COPLINK.name}: already ingested as source 1; nothing changed.\n"
    assert snapshot(loaded) == before


def test_counts_csv_columns_and_values(loaded):
    result = run("counts", "--db", loaded, "--by", "agency", "--grain", "quarter")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == COUNTS_HEADER
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    first = rows[0]
    assert (first["period"], first["period_start"], first["period_end"]) == ("2017-Q1", "2017-01-01", "2017-04-01")
    assert first["exact"] == "True" and first["complete"] == "True"
    withheld = [r for r in rows if r["period"] == "2018-Q4" and r["agency"].startswith("ICE Homeland")]
    assert withheld[0]["exact"] == "False" and withheld[0]["display"].startswith("at least ")
    assert withheld[0]["value_high"] == ""


@pytest.mark.parametrize("grain,label", [("month", "2017-01"), ("year", "2017"), ("fiscal_quarter", "FY2017-Q2"),
                                         ("fiscal_year", "FY2017")])
def test_counts_grains_label_periods(loaded, grain, label):
    result = run("counts", "--db", loaded, "--by", "none", "--grain", grain)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith(label + ",")


def test_counts_fiscal_year_start_july(loaded):
    result = run("counts", "--db", loaded, "--by", "none", "--grain", "fiscal_year", "--fiscal-year-start", "7")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert (rows[0]["period"], rows[0]["period_start"], rows[0]["period_end"]) == ("FY2017", "2016-07-01",
                                                                                   "2017-07-01")


def test_counts_json_and_table(loaded):
    records = json.loads(run("counts", "--db", loaded, "--format", "json", "--grain", "year").stdout)
    assert records[0]["period_start"] == "2017-01-01" and "exact" in records[0]
    table = run("counts", "--db", loaded, "--format", "table", "--grain", "year", "--by", "none")
    assert table.exit_code == 0 and "2019" in table.stdout


def test_counts_lists_numbers_left_out(db_path):
    run("ingest", DHS, "--db", db_path)
    result = run("counts", "--db", db_path, "--grain", "quarter")
    assert result.exit_code == 0
    assert result.stderr.startswith("note: 1 number(s) cover a period longer than one quarter and were left out: "
                                    "dhs-2011-search-share.csv row 3 (Aug 2010 - Feb 2011).")
    reported = run("counts", "--db", db_path, "--grain", "reported", "--measure", "share_of_searches")
    row = list(csv.DictReader(io.StringIO(reported.stdout)))[0]
    assert (row["agency"], row["value"], row["display"]) == ("U.S. Immigration and Customs Enforcement", "0.7700",
                                                             "77%")


def test_findings_columns(loaded):
    result = run("findings", "--db", loaded)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.stdout.splitlines()[0] == "source,location,kind,message"
    mismatch = [r for r in rows if r["kind"] == "total_mismatch" and "Jun-18" in r["location"]]
    assert mismatch[0]["location"] == 'row 15, column S "Jun-18"'
    assert "3,890" in mismatch[0]["message"] and "3,790" in mismatch[0]["message"]


def test_bad_count_gives_one_line_and_leaves_database_unchanged(loaded, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Agency,Jan-17,Feb-17\nFBI,12,twelve\n", encoding="utf-8")
    before = snapshot(loaded)
    result = run("ingest", bad, *SYSTEM, "--db", loaded)
    assert result.exit_code == 2
    assert result.stderr == ('error: bad.csv, row 2, column C "Feb-17": the text of the cell is not a count. '
                             'Write a whole number, leave the cell blank if no value was given, or copy a mark such as '
                             '(b)(7)(E) or <10 as printed.\n')
    assert snapshot(loaded) == before


def test_verbose_shows_the_traceback(tmp_path, db_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    quiet = run("ingest", empty, *SYSTEM, "--db", db_path)
    assert quiet.stderr == ("error: empty.csv: the file is empty. Check that the records request returned data, "
                            "and export the table again.\n")
    loud = run("ingest", empty, *SYSTEM, "--db", db_path, "--verbose")
    assert "Traceback" in loud.stderr and loud.exit_code == 2


def test_missing_system_says_what_to_pass(tmp_path, db_path):
    table = tmp_path / "no-system.csv"
    table.write_text("Agency,Jan-17,Feb-17\nFBI,1,2\n", encoding="utf-8")
    result = run("ingest", table, "--db", db_path)
    assert result.exit_code == 2
    assert result.stderr == ('error: no-system.csv: the table does not say which system was searched. '
                             'Pass --system NAME, e.g. --system "Regional COPLINK", or add a "system" column.\n')


def test_unknown_dimension(loaded):
    result = run("counts", "--db", loaded, "--by", "officer")
    assert result.exit_code == 2
    assert result.stderr == ("error: cannot break down by officer. Use one or more of: agency, system, "
                             "reason_category, query_type, on_behalf_of, offense_type, moderation, parent, department, "
                             "level, state, federal.\n")


def test_counts_without_a_database(tmp_path):
    result = run("counts", "--db", tmp_path / "none.duckdb")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: there is no database at ")
    assert not (tmp_path / "none.duckdb").exists()


def test_missing_file(db_path):
    result = run("ingest", "no-such-file.csv", *SYSTEM, "--db", db_path)
    assert result.exit_code == 2
    assert result.stderr == "error: no-such-file.csv: no such file. Check the path and try again.\n"


def test_python_dash_m_runs_the_same_program(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "auditreport", "ingest", str(tmp_path / "x.csv"),
                                "--db", str(tmp_path / "db.duckdb")], capture_output=True, text=True)
    assert completed.returncode == 2
    assert completed.stderr.startswith("error: ") and completed.stderr.count("\n") == 1


def test_report_and_demo_commands(loaded, tmp_path):
    result = run("report", "--db", loaded, "--out", tmp_path / "out")
    assert result.exit_code == 0 and (tmp_path / "out" / "report.html").is_file()
    demo = run("demo", "--out", tmp_path / "demo")
    assert demo.exit_code == 0
    *_, written, audit = demo.stdout.strip().splitlines()
    assert written == f"report written to {(tmp_path / 'demo' / 'report.html').resolve()}"
    assert audit == f"disclosure audit (private: do not publish) written to {(tmp_path / 'demo').resolve()}" \
                    "-disclosure-audit.csv"


def test_shares_within_each_period_sum_to_one(loaded):
    rows = list(csv.DictReader(io.StringIO(run("shares", "--db", loaded, "--grain", "year").stdout)))
    for year in ("2017", "2018", "2019"):
        total = sum(float(r["value"]) for r in rows if r["period"] == year)
        assert abs(total - 1) < 1e-3
    assert all(r["measure"] == "share_of_searches" for r in rows)


def test_changes_previous_and_year_ago(loaded):
    output = run("changes", "--db", loaded, "--by", "none", "--grain", "quarter").stdout
    rows = list(csv.DictReader(io.StringIO(output)))
    q2 = [r for r in rows if r["period"] == "2018-Q2"][0]
    q1 = [r for r in rows if r["period"] == "2018-Q1"][0]
    year_ago = [r for r in rows if r["period"] == "2017-Q2"][0]
    assert q2["previous_value"] == q1["value"] and q2["year_ago_value"] == year_ago["value"]
    assert int(q2["change"]) == int(q2["value"]) - int(q1["value"])


BAD_INPUTS = ["empty.csv", "header_only.csv", "binary_garbage.bin", "ragged_row.csv", "non_numeric_count.csv",
              "negative_count.csv", "unknown_period_label.csv", "many_bad_cells.csv"]


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_inputs_fail_in_one_line_and_leave_the_database_as_it_was(loaded, name):
    from .conftest import FIXTURES

    before = snapshot(loaded)
    result = run("ingest", FIXTURES / name, *SYSTEM, "--db", loaded)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {name}") and result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert snapshot(loaded) == before


def test_reingest_with_other_options_is_refused_and_says_the_ways_out(loaded):
    before = snapshot(loaded)
    result = run("ingest", COPLINK, *SYSTEM, "--fiscal-year-start", "7", "--db", loaded)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"error: {COPLINK.name}: already ingested as source 1 with other options "
                             "(fiscal_year_start=10); yours were not applied. To read it again with yours, add "
                             "--replace, or remove it first with: auditreport sources remove 1.\n")
    assert snapshot(loaded) == before


def _without_clock(tables: dict) -> dict:
    """A snapshot without what a clock or a random key writes: the sources' ingest time, when the schema was made,
    the database's own key and so its search-id hashes (how many each source keeps stays)."""
    tables = {**tables, "search_keys": sorted(collections.Counter(row[0] for row in tables["search_keys"]).items())}
    return {name: [row[:-1] for row in rows] if name == "sources" else rows for name, rows in tables.items()
            if name not in ("schema_migrations", "hash_key")}


def test_removing_the_last_source_leaves_the_database_as_if_it_was_never_ingested(tmp_path):
    once, twice = tmp_path / "once.duckdb", tmp_path / "twice.duckdb"
    for db in (once, twice):
        assert run("ingest", COPLINK, *SYSTEM, "--db", db).exit_code == 0
    assert run("ingest", NETWORK_SAMPLE, "--profile", "flock-network-audit", "--db", twice).exit_code == 0
    removed = run("sources", "remove", "2", "--db", twice)
    assert removed.exit_code == 0 and NETWORK_SAMPLE.name in removed.output
    assert _without_clock(snapshot(twice)) == _without_clock(snapshot(once))
    missing = run("sources", "remove", "9", "--db", twice)
    assert missing.exit_code == 2 and "there is no source 9" in missing.stderr


def test_replace_reads_the_file_again_as_if_first_ingested_with_the_new_options(tmp_path):
    replaced, fresh = tmp_path / "replaced.duckdb", tmp_path / "fresh.duckdb"
    assert run("ingest", NETWORK_SAMPLE, "--profile", "flock-network-audit", "--db", replaced).exit_code == 0
    again = run("ingest", NETWORK_SAMPLE, "--profile", "flock-network-audit", "--tz", "America/Los_Angeles",
                "--db", replaced)
    assert again.exit_code == 2 and "--replace" in again.stderr            # a log with another zone: refused
    assert run("ingest", NETWORK_SAMPLE, "--profile", "flock-network-audit", "--tz", "America/Los_Angeles",
               "--replace", "--db", replaced).exit_code == 0
    assert run("ingest", NETWORK_SAMPLE, "--profile", "flock-network-audit", "--tz", "America/Los_Angeles",
               "--db", fresh).exit_code == 0
    assert _without_clock(snapshot(replaced)) == _without_clock(snapshot(fresh))


def test_a_command_line_mistake_is_one_line_with_where_to_look(tmp_path):
    result = CliRunner().invoke(main, ["report", "--db", str(tmp_path / "x.duckdb")], prog_name="auditreport")
    assert result.exit_code == 2
    assert result.output == "error: Missing option '--out'. See 'auditreport report --help'.\n"
    result = CliRunner().invoke(main, ["counts", "--agnecy", "x"])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "Did you mean" in result.output
    assert CliRunner().invoke(main, []).exit_code == 0  # no command: the help


def test_db_may_come_before_the_command(tmp_path):
    table, db = tmp_path / "counts.csv", tmp_path / "before.duckdb"
    table.write_text("agency,system,period,searches\nFBI,S,2025,3\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(db), "ingest", str(table)]).exit_code == 0
    counts = runner.invoke(main, ["--db", str(db), "counts", "--by", "none", "--grain", "year"])
    assert counts.exit_code == 0 and ",3," in counts.output


def test_a_first_ingest_that_fails_leaves_no_empty_database(tmp_path):
    table, db = tmp_path / "counts.csv", tmp_path / "new.duckdb"
    table.write_text("agency,Jan-17\nFBI,3\n", encoding="utf-8")  # no system: refused
    result = CliRunner().invoke(main, ["ingest", str(table), "--db", str(db)])
    assert result.exit_code == 2 and not db.exists() and not (tmp_path / "new.duckdb.wal").exists()


def test_a_misspelt_ingest_option_is_named():
    import pytest

    from auditreport.errors import UsageError
    from auditreport.ingest import ingest_options

    with pytest.raises(UsageError, match="unknown ingest option 'agnecy'; did you mean 'agency'"):
        ingest_options(agnecy="FBI")


def test_agencies_and_verbose_are_accepted_before_the_command(loaded, tmp_path):
    crosswalk = tmp_path / "project.toml"
    crosswalk.write_text('[[agency]]\nid = "EASTPORT-PD"\nname = "Eastport Police Department"\nlevel = "municipal"\n'
                         'aliases = ["Eastport PD", "Eastport Police Department"]\n', encoding="utf-8")
    before = run("--agencies", crosswalk, "--db", loaded, "agencies", "names")
    after = run("agencies", "names", "--db", loaded, "--agencies", crosswalk)
    assert before.exit_code == after.exit_code == 0 and before.output == after.output
    assert "EASTPORT-PD" in before.output or "Eastport Police Department" in before.output
    failed = run("--verbose", "counts", "--db", tmp_path / "absent" / "x.duckdb")
    assert failed.exit_code != 0 and "Traceback" in failed.output


def test_shares_and_changes_print_tables_and_json_too(loaded):
    for command in ("shares", "changes"):
        table = run(command, "--db", loaded, "--format", "table")
        assert table.exit_code == 0 and "┃ period" in table.output and "<NA>" not in table.output
        records = json.loads(run(command, "--db", loaded, "--format", "json").output)
        assert records and {"period", "period_start", "value"} <= set(records[0])


def test_counts_help_names_every_dimension_and_shows_an_example():
    from auditreport.model import DIMENSIONS

    said = " ".join(run("counts", "--help").output.split())
    assert all(name in said for name in DIMENSIONS) and "Example: auditreport counts --by" in said


@pytest.mark.parametrize("command", [("counts",), ("shares",), ("changes",), ("findings",), ("sources",),
                                     ("agencies", "names"), ("agencies", "unmatched")])
def test_every_command_that_prints_a_table_speaks_every_format(loaded, tmp_path, command):
    import openpyxl

    for output_format in ("csv", "table", "json"):
        result = run(*command, "--db", loaded, "--format", output_format)
        assert result.exit_code == 0, (command, output_format, result.output)
    refused = run(*command, "--db", loaded, "--format", "xlsx")
    assert refused.exit_code == 2 and "--out" in refused.output
    book = tmp_path / "table.xlsx"
    assert run(*command, "--db", loaded, "--format", "xlsx", "--out", book).exit_code == 0
    assert openpyxl.load_workbook(book).worksheets
    help_text = " ".join(run(*command, "--help").output.split())
    assert "Example:" in help_text and "[csv|table|json|xlsx]" in help_text


@pytest.mark.parametrize("command", [(), ("ingest",), ("mapping",), ("mapping", "init"), ("counts",), ("shares",),
                                     ("changes",), ("findings",), ("sources",), ("agencies",), ("agencies", "names"),
                                     ("agencies", "unmatched"), ("report",), ("demo",)])
def test_every_help_gives_an_example(command):
    result = run(*command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output, command


# -- measures beyond searches ---------------------------------------------------------------------------------------
FIXTURES = Path(__file__).parent / "fixtures"


def test_counts_of_misuse_investigations_by_agency_and_year(db_path):
    clets = FIXTURES / "long_clets_misuse_two_measures_not_reporting.csv"
    assert run("ingest", clets, "--system", "CLETS", "--db", db_path).exit_code == 0
    result = run("counts", "--measure", "misuse_investigations", "--by", "agency", "--grain", "year", "--db", db_path)
    assert result.exit_code == 0, result.output
    rows = {(r["agency"], r["period"]): r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert {r["measure"] for r in rows.values()} == {"misuse_investigations"}
    assert [(key, rows[key]["value"], rows[key]["status"], rows[key]["display"]) for key in sorted(rows)] == [
        (("Agency A", "2018"), "4", "reported", "4"), (("Agency A", "2019"), "6", "reported", "6"),
        (("Agency B", "2018"), "2", "reported", "2"), (("Agency B", "2019"), "", "missing", "missing"),
        (("Agency C", "2018"), "", "missing", "missing"), (("Agency C", "2019"), "3", "reported", "3")]
    violations = run("counts", "--measure", "violations", "--by", "none", "--grain", "year", "--db", db_path)
    totals = {r["period"]: (r["value"], r["exact"]) for r in csv.DictReader(io.StringIO(violations.stdout))}
    assert totals == {"2018": ("1", "False"), "2019": ("2", "False")}  # a missing part: never exact, never zero


def test_searches_and_investigations_of_one_row_are_never_added(db_path):
    both = FIXTURES / "long_searches_and_investigations_same_rows.csv"
    assert run("ingest", both, "--system", "CLETS", "--db", db_path).exit_code == 0
    for measure, expected in (("searches", ["1000", "1200"]), ("misuse_investigations", ["4", "6"])):
        args = ["--by", "agency", "--grain", "year"] + (["--measure", measure] if measure != "searches" else [])
        rows = list(csv.DictReader(io.StringIO(run("counts", *args, "--db", db_path).stdout)))
        assert [(r["measure"], r["value"]) for r in rows] == [(measure, value) for value in expected]
    shares = run("shares", "--by", "agency", "--grain", "year", "--db", db_path)
    assert [float(r["value"]) for r in csv.DictReader(io.StringIO(shares.stdout))] == [1.0, 1.0]  # of searches only


def test_counts_measure_choices_come_from_the_model():
    result = run("counts", "--help")
    for name in ("misuse_investigations", "violations", "accounts_with_access", "hits"):
        assert name in result.output
