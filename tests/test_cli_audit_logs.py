"""Audit logs through the command line: the issue's numbers, exactly, and clear errors."""
from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from auditreport.cli import main

from .conftest import EUGENE, FIXTURES, snapshot

LOGS = FIXTURES / "logs"
needs_eugene = pytest.mark.skipif(not EUGENE.is_file(), reason=f"the real Eugene log is not at {EUGENE} "
                                                               "(it lives in ../shared, never in the project)")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def rows(output: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(output)))


@needs_eugene
@pytest.mark.parametrize("zones,expected", [
    ((), [473, 1261, 1239, 901, 340, 73, 7]),
    (("--source-tz", "UTC", "--tz", "America/Los_Angeles"), [481, 1284, 1209, 900, 341, 72, 7]),
])
def test_eugene_monthly_searches(tmp_path, zones, expected):
    db = tmp_path / "eugene.duckdb"
    result = run("ingest", EUGENE, "--profile", "flock-search-audit", "--agency", "Eugene Police Department",
                 "--system", "Flock ALPR (Eugene cameras)", *zones, "--db", db)
    assert result.exit_code == 0, result.output
    months = rows(run("counts", "--db", db, "--by", "agency", "--grain", "month").stdout)
    assert [int(r["value"]) for r in months] == expected
    assert [r["period"] for r in months] == [f"2025-{m:02d}" for m in range(6, 13)]
    # partial first and last months, and October with a day the log is probably missing (2025-10-19)
    assert [r["complete"] for r in months] == ["False", "True", "True", "True", "False", "True", "False"]


@needs_eugene
def test_eugene_fiscal_years_and_no_immigration(tmp_path):
    db = tmp_path / "eugene.duckdb"
    run("ingest", EUGENE, "--profile", "flock-search-audit", "--agency", "Eugene Police Department",
        "--system", "Flock ALPR (Eugene cameras)", "--db", db)
    years = rows(run("counts", "--db", db, "--by", "none", "--grain", "fiscal_year").stdout)
    assert [(r["period"], r["value"]) for r in years] == [("FY2025", "3874"), ("FY2026", "420")]
    reasons = rows(run("counts", "--db", db, "--by", "reason_category", "--grain", "year").stdout)
    assert "immigration" not in {r["reason_category"] for r in reasons}
    sources = rows(run("sources", "--db", db).stdout)
    assert sources[0]["reader"].startswith("audit-log")


def test_network_audit_immigration_searches_per_agency_and_month(tmp_path):
    db = tmp_path / "network.duckdb"
    result = run("ingest", LOGS / "network_audit_utc_suffix.csv", "--profile", "flock-network-audit",
                 "--system", "Flock ALPR (our cameras, network audit)", "--db", db)
    assert result.exit_code == 0, result.output
    table = rows(run("counts", "--db", db, "--by", "agency,reason_category", "--grain", "month").stdout)
    assert table and {"period", "agency", "reason_category", "value"} <= set(table[0])
    immigration = [r for r in table if r["reason_category"] == "immigration"]
    assert immigration and all(r["period"].startswith("2025-") for r in immigration)


def test_a_day_without_searches_inside_a_log_is_zero_not_missing(tmp_path):
    db = tmp_path / "network.duckdb"
    run("ingest", LOGS / "network_audit_utc_suffix.csv", "--profile", "flock-network-audit",
        "--system", "Flock ALPR", "--db", db)
    days = rows(run("counts", "--db", db, "--by", "agency", "--grain", "month").stdout)
    assert all(r["status"] != "missing" for r in days)


def test_wrong_profile_and_bad_times_fail_in_one_line_and_change_nothing(tmp_path):
    db = tmp_path / "audit.duckdb"
    run("ingest", LOGS / "network_audit_utc_suffix.csv", "--profile", "flock-network-audit", "--system", "F",
        "--db", db)
    before = snapshot(db)
    for name, profile in (("network_audit_utc_suffix.csv", "flock-search-audit"),
                          ("network_audit_missing_search_time_column.csv", "flock-network-audit"),
                          ("network_audit_unparsable_search_time.csv", "flock-network-audit")):
        result = run("ingest", LOGS / name, "--profile", profile, "--agency", "X", "--system", "F", "--db", db)
        assert result.exit_code == 2, (name, result.output)
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert snapshot(db) == before


def test_log_options_need_a_log(tmp_path):
    from .conftest import COPLINK

    result = run("ingest", COPLINK, "--tz", "UTC", "--system", "F", "--db", tmp_path / "a.duckdb")
    assert result.exit_code == 2
    assert "are for audit logs" in result.stderr
    detected = run("ingest", LOGS / "network_audit_utc_suffix.csv", "--tz", "UTC", "--system", "F",
                   "--db", tmp_path / "b.duckdb")  # a log whose columns are a shipped profile's: read with it
    assert detected.exit_code == 0 and "shipped profile flock-network-audit" in detected.output


def test_mapping_init_proposes_a_mapping_with_personal_columns_dropped(tmp_path):
    out = tmp_path / "proposed.toml"
    result = run("mapping", "init", LOGS / "network_audit_utc_suffix.csv", "--out", out)
    assert result.exit_code == 0 and out.is_file()
    text = out.read_text(encoding="utf-8")
    assert "Case #" in text and "drop" in text.lower()
    ingested = run("ingest", LOGS / "network_audit_utc_suffix.csv", "--mapping", out, "--system", "F",
                   "--db", tmp_path / "m.duckdb")
    assert ingested.exit_code == 0, ingested.output


def test_report_calls_out_immigration_related_searches(tmp_path):
    db = tmp_path / "network.duckdb"
    run("ingest", LOGS / "network_audit_utc_suffix.csv", "--profile", "flock-network-audit", "--db", db)
    result = run("report", "--db", db, "--out", tmp_path / "out", "--grain", "month")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "immigration-related searches" in html


def test_agencies_named_in_reasons_are_on_behalf_of_never_the_searching_agency(tmp_path):
    db = tmp_path / "network.duckdb"
    run("ingest", LOGS / "network_audit_utc_suffix.csv", "--profile", "flock-network-audit", "--db", db)
    table = rows(run("counts", "--db", db, "--by", "agency,on_behalf_of", "--grain", "month").stdout)
    named = {(r["agency"], r["on_behalf_of"]) for r in table if r["on_behalf_of"]}
    assert ("Springfield PD", "ICE Enforcement and Removal Operations") in named  # reason "ICE+ERO"
    assert all(agency != behalf for agency, behalf in named)


def test_ingesting_a_log_loads_neither_pandas_nor_matplotlib(tmp_path):
    """A log's ingest is DuckDB's work: the command starts in a fraction of a second and stays small."""
    import subprocess
    import sys
    program = ("import sys\nfrom auditreport.cli import main\n"
               f"sys.argv = ['auditreport', 'ingest', {str(LOGS / 'network_audit_utc_suffix.csv')!r}, "
               f"'--profile', 'flock-network-audit', '--db', {str(tmp_path / 'lean.duckdb')!r}]\n"
               "try:\n    main()\nexcept SystemExit as stop:\n    assert not stop.code, stop.code\n"
               "print(sorted(name for name in ('pandas', 'matplotlib', 'jinja2') if name in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert "ingested as source 1" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_log_given_without_a_profile_is_read_with_the_one_whose_columns_match(tmp_path):
    from .conftest import NETWORK_SAMPLE, snapshot

    guessed, named = tmp_path / "guessed.duckdb", tmp_path / "named.duckdb"
    result = run("ingest", NETWORK_SAMPLE, "--db", guessed)
    assert result.exit_code == 0, result.output
    assert "Read as an audit log with the shipped profile flock-network-audit (its columns match)" in result.output
    assert run("ingest", NETWORK_SAMPLE, "--profile", "flock-network-audit", "--db", named).exit_code == 0
    assert snapshot(guessed)["observations"] == snapshot(named)["observations"]


def write_portal_2026(path, user_ids):
    """A portal search audit in the 2026 shape: every field quoted, ISO times with Z, networkCount."""
    lines = ['"id","userId","searchDate","networkCount","reason"']
    for number in range(1, 61):
        lines.append(f'"{number}","{user_ids(number)}","2026-01-{1 + number % 28:02d}T{number % 24:02d}:15:07.120Z",'
                     f'"{3 if number % 4 == 0 else 1}","{"stolen vehicle" if number % 3 else "assist ICE"}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_2026_portal_audit_counts_its_networks_and_says_user_ids_are_redacted(tmp_path):
    db = tmp_path / "portal.duckdb"
    log = write_portal_2026(tmp_path / "portal-2026.csv", lambda number: "***")
    result = run("ingest", log, "--agency", "San Mateo County Sheriff's Office", "--db", db)
    assert result.exit_code == 0, result.output
    multi = rows(run("counts", "--db", db, "--by", "none", "--grain", "month", "--measure",
                     "searches_multi_network").stdout)
    assert [(r["period"], r["value"]) for r in multi] == [("2026-01", "15")]  # every fourth search: 3 networks
    said = run("findings", "--db", db).stdout
    assert "distinct users: unknown (user ids are redacted)" in said and "0 distinct" not in said
    assert "mapped_column_absent" not in said  # a layout the profile lists: no cameraCount by design
    users = rows(run("counts", "--db", db, "--by", "agency", "--grain", "reported", "--measure",
                     "distinct_users").stdout)
    assert users == []  # unknown is not 0


def test_some_redacted_user_ids_make_the_count_of_users_a_lower_bound(tmp_path):
    db = tmp_path / "portal.duckdb"
    log = write_portal_2026(tmp_path / "portal-2026.csv", lambda number: "***" if number % 2 else f"u{number % 7}")
    assert run("ingest", log, "--agency", "San Mateo County Sheriff's Office", "--db", db).exit_code == 0
    users = rows(run("counts", "--db", db, "--by", "agency", "--grain", "reported", "--measure",
                     "distinct_users").stdout)
    assert [(r["value"], r["exact"], r["display"]) for r in users] == [("7", "False", "at least 7")]


def test_zero_networks_means_unknown_and_makes_the_multi_network_count_a_lower_bound(tmp_path):
    # Ukiah's releases wrote Total Networks Searched = 0 on every row, Jun-Nov 2022: not a search of no network
    with open(LOGS / "network_audit_utc_suffix.csv", newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    column = table[0].index("Total Networks Searched")
    for row in table[1:3]:
        row[column] = "0"
    log = tmp_path / "zero-networks.csv"
    with open(log, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)
    db = tmp_path / "zero.duckdb"
    assert run("ingest", log, "--profile", "flock-network-audit", "--db", db).exit_code == 0
    multi = rows(run("counts", "--db", db, "--by", "none", "--grain", "month", "--measure",
                     "searches_multi_network").stdout)
    assert [(r["exact"], r["display"].startswith("at least")) for r in multi] == [("False", True)]
    said = run("findings", "--db", db).stdout
    assert "2 search(es) give no number of networks (0, blank or redacted)" in said
