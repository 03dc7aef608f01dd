"""--own-agency: a network audit's producing agency's own searches and the others' are two systems, never added."""
from __future__ import annotations

import csv
import io

import duckdb

from click.testing import CliRunner

from auditreport.cli import main

from .conftest import FIXTURES

LOG = FIXTURES / "logs" / "network_audit_utc_suffix.csv"
SYSTEM = "Flock ALPR (Springfield network audit)"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def counts(db, *args) -> list[dict]:
    return list(csv.DictReader(io.StringIO(run("counts", "--db", db, *args).stdout)))


def ingest(db, *args):
    return run("ingest", LOG, "--profile", "flock-network-audit", "--system", SYSTEM, "--db", db, *args)


def test_own_and_others_are_two_systems_that_add_up_to_the_log(tmp_path):
    whole, split = tmp_path / "whole.duckdb", tmp_path / "split.duckdb"
    assert ingest(whole).exit_code == 0
    result = ingest(split, "--own-agency", "springfield  pd")  # case and spaces aside
    assert result.exit_code == 0, result.output
    total = {r["agency"]: int(r["value"]) for r in counts(whole, "--by", "agency", "--grain", "year")}
    by_system = counts(split, "--by", "system,agency", "--grain", "year")
    own = {r["agency"]: int(r["value"]) for r in by_system if r["system"] == f"{SYSTEM}: own searches"}
    others = {r["agency"]: int(r["value"]) for r in by_system
              if r["system"] == f"{SYSTEM}: searches by other agencies"}
    assert own == {"Springfield PD": total["Springfield PD"]}
    assert "Springfield PD" not in others and sum(others.values()) == sum(total.values()) - own["Springfield PD"]
    # never added: a count over all agencies keeps the systems apart
    assert {r["system"] for r in counts(split, "--by", "system", "--grain", "year")} == {
        f"{SYSTEM}: own searches", f"{SYSTEM}: searches by other agencies"}
    findings = run("findings", "--db", split).stdout
    assert "own_searches" in findings and "never added" in findings


def test_both_views_cover_the_whole_log(tmp_path):
    db = tmp_path / "split.duckdb"
    ingest(db, "--own-agency", "Springfield PD", "--complete")
    with duckdb.connect(str(db), read_only=True) as connection:
        windows = connection.execute("SELECT system, period_start, period_end FROM coverage ORDER BY 1").fetchall()
    (own, *own_window), (others, *others_window) = windows
    assert own.endswith(": own searches") and others.endswith(": searches by other agencies")
    assert own_window == others_window  # a day without an own search is a day of zero own searches


def test_a_misspelt_own_agency_is_refused_with_close_names(tmp_path):
    db = tmp_path / "split.duckdb"
    result = ingest(db, "--own-agency", "Springfeld PD")
    assert result.exit_code == 2
    assert "names no agency of column 'Org Name'" in result.output and "Springfield PD" in result.output
    assert "Jane Roe" not in result.output  # a person's name is never offered as a close name
    assert not db.exists()


def test_own_agency_needs_an_agency_column_and_a_log(tmp_path):
    search_audit = FIXTURES / "logs" / "search_audit_naive_timestamps.csv"
    result = run("ingest", search_audit, "--profile", "flock-search-audit", "--agency", "Eugene PD",
                 "--system", "Flock", "--own-agency", "Eugene PD", "--db", tmp_path / "a.duckdb")
    assert result.exit_code == 2 and "for network audits" in result.output
    table = FIXTURES / "wide_2017-01_labels.csv"
    result = run("ingest", table, "--system", "X", "--own-agency", "A", "--db", tmp_path / "b.duckdb")
    assert result.exit_code == 2 and "--own-agency are for audit logs" in result.output


def test_the_mapping_may_name_the_own_agency(tmp_path):
    from auditreport.read.audit_log import read_audit_log
    from auditreport.read.mapping import load_profile

    mapping = load_profile("flock-network-audit")
    mapping = type(mapping)(**{**mapping.__dict__, "own_agency": "Springfield PD"})
    with read_audit_log(LOG, mapping=mapping, system=SYSTEM) as read:
        systems = set(read.observations["system"])
        assert read.options["own_agency"] == "Springfield PD"
    assert systems == {f"{SYSTEM}: own searches", f"{SYSTEM}: searches by other agencies"}
