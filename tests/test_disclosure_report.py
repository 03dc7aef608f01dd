"""Issue 11's scenario end to end: two ICE HSI searches on one day and one Border Patrol search in a month of a
network audit, beside 360 and 135 local searches. Under the default policy no published file lets either
federal count be pinned: not by level, by a difference of totals, by a share, by a change, or by a chart's CSV.
"""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditreport.cli import main

HSI, USBP = "ICE Homeland Security Investigations", "U.S. Border Patrol"
LOCALS = {"Springfield Police Department": {10: 340, 11: 360, 12: 355},
          "Shelbyville County Sheriff's Office": {10: 150, 11: 135, 12: 140}}
DAYS = {10: 31, 11: 30, 12: 31}
HEADER = ("ID,Name,Org Name,Total Networks Searched,Total Devices Searched,Time Frame,License Plate,Reason,Case #,"
          "Filters,Search Time,Search Type,Text Prompt,Moderation")


def _row(number: int, agency: str, month: int, day: int, reason: str) -> str:
    when = f"{month:02d}/{day:02d}/2025, {1 + number % 11:02d}:{number % 60:02d}:00 PM UTC"
    return (f'r{number},Pat Example,{agency},1,100,"{when}",***,{reason},,,"{when}",search,,')


def write_log(path: Path) -> Path:
    lines, number = [HEADER], 0
    for agency, months in LOCALS.items():
        for month, searches in months.items():
            for index in range(searches):
                number += 1
                lines.append(_row(number, agency, month, 1 + index % DAYS[month], "stolen vehicle"))
    for agency, searches in ((HSI, 2), (USBP, 1)):
        for _ in range(searches):
            number += 1
            lines.append(_row(number, agency, 11, 14, "immigration case"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("disclosure")
    db = base / "network.duckdb"
    log = write_log(base / "network-audit-2025-q4.csv")
    result = run("ingest", log, "--profile", "flock-network-audit", "--request", "R-11", "--db", db)
    assert result.exit_code == 0, result.output
    result = run("report", "--db", db, "--out", base / "out", "--grain", "month", "--period", "2025-11")
    assert result.exit_code == 0, result.output
    assert "disclosure audit (private: do not publish)" in result.output
    return base


def rows(folder: Path, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((folder / "out" / f"{name}.csv").read_text(encoding="utf-8"))))


def november(table: list[dict]) -> list[dict]:
    return [r for r in table if r.get("period", r.get("this_period")) == "2025-11"]


def test_the_federal_cells_read_1_to_10_never_their_value(published):
    for row in november(rows(published, "counts-by-period")):
        if row["agency"] in (HSI, USBP):
            assert row["searches"] == "" and row["searches_in_words"] == "1-10" and row["qualifier"] == "suppressed"
    agencies = {r["agency"]: r for r in rows(published, "agencies")}
    assert agencies[HSI]["searches_in_period_in_words"] == "1-10"


def test_no_published_number_gives_a_federal_count_away(published):
    counts = november(rows(published, "counts-by-period"))
    by_level = [r for r in november(rows(published, "chart-01-searches-by-level"))]
    federal_level = [r for r in by_level if r["level"] == "federal"]
    assert federal_level and all(r["value"] == "" for r in federal_level)          # attack: by level
    glance = {r["key"]: r for r in rows(published, "at-a-glance")}
    total = glance["searches"]["value"]
    locals_ = [r["searches"] for r in counts if r["agency"] in LOCALS]
    assert total == "" or "" in locals_, "total minus local agencies would give the federal searches away"
    assert glance["federal"]["value"] == "" and glance["federal"]["in_words"] in ("1-10", "withheld")
    assert glance.get("federal_share", {}).get("share", "") == ""                  # attack: by share
    for row in november(rows(published, "what-changed")):                           # attack: by change
        if row["agency"] in (HSI, USBP):
            assert row["this_searches"] == "" and row["change_on_previous"] == ""


def test_no_file_carries_bounds_or_parts_and_no_number_below_the_threshold(published):
    folder = published / "out"
    for path in folder.glob("*.csv"):
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        assert not {"value_low", "value_high", "reported_cells"} & set(header), path.name
    with zipfile.ZipFile(folder / "report.xlsx") as book:
        xml = " ".join(book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xml"))
    assert "<t>value_low</t>" not in xml and "<t>reported_cells</t>" not in xml  # as a column (the SQL names it)
    for name in ("counts-by-period", "chart-01-searches-by-level", "chart-02-federal-agencies"):
        for row in rows(published, name):
            value = row.get("searches", row.get("value", ""))
            assert value == "" or not 1 <= float(value) <= 10, (name, row)


def test_the_audit_sits_beside_the_report_and_proves_every_protected_cell(published):
    assert not list((published / "out").glob("*audit*"))
    audit = list(csv.DictReader(io.StringIO((published / "out-disclosure-audit.csv").read_text(encoding="utf-8"))))
    primary = [r for r in audit if r["status"] == "primary"]
    assert primary and all(r["protected"] == "True" for r in audit)
    for row in primary:
        assert float(row["feasible_max"]) - float(row["feasible_min"]) >= 5
    assert any(HSI in r["cell"] and "2025-11" in r["cell"] for r in primary)


def test_the_method_states_the_rule_and_how_many_it_held_back(published):
    method = {r["topic"]: r["text"] for r in rows(published, "method")}
    assert "1 to 10" in method["Small numbers"] and "withheld" in method["Small numbers"]
    html = (published / "out" / "report.html").read_text(encoding="utf-8")
    assert "Small counts from audit logs read" in html


def test_none_on_log_data_needs_confirmation_and_says_so(published, tmp_path):
    db = published / "network.duckdb"
    refused = run("report", "--db", db, "--out", tmp_path / "internal", "--disclosure", "none", "--format", "csv")
    assert refused.exit_code != 0 and "--confirm-unprotected" in refused.output
    assert not (tmp_path / "internal").exists()
    done = run("report", "--db", db, "--out", tmp_path / "internal", "--disclosure", "none", "--confirm-unprotected",
               "--format", "csv", "--grain", "month", "--period", "2025-11")
    assert done.exit_code == 0, done.output
    table = list(csv.DictReader(io.StringIO((tmp_path / "internal" / "counts-by-period.csv").read_text())))
    assert {r["agency"]: r["searches"] for r in november(table)}[HSI] == "2"
    method = list(csv.DictReader(io.StringIO((tmp_path / "internal" / "method.csv").read_text())))
    assert any("NOT PROTECTED" in r["text"] for r in method)


def test_findings_carry_no_day_level_count_and_no_small_count_of_users(published, monkeypatch):
    import pandas as pd

    from auditreport.aggregate import Analysis
    from auditreport.disclose import POLICIES
    from auditreport.release import ReleasedAnalysis
    from auditreport.store import Store

    users = "distinct user(s) ran these searches (user ids are counted, never stored)."
    planted = pd.DataFrame({"source": ["log.csv"] * 3, "location": ["2025-11-01", HSI, USBP],
                            "kind": ["partial_day", "distinct_users", "distinct_users"],
                            "message": ["The log starts on 2025-11-01 with 3 searches, against 17.6 a day around it.",
                                        f"2 {users}", f"41 {users}"]})
    monkeypatch.setattr(Analysis, "findings", lambda self: planted)
    store = Store(published / "network.duckdb", read_only=True)
    try:
        said = ReleasedAnalysis(store, POLICIES["standard"]).findings()["message"].tolist()
    finally:
        store.close()
    assert said[0] == "The log starts on 2025-11-01 with fewer searches than usual, against 17.6 a day around it."
    assert said[1].startswith("1-10 distinct user(s)") and said[2].startswith("41 distinct user(s)")


def test_the_threshold_is_the_users_to_set(published, tmp_path):
    db = published / "network.duckdb"
    done = run("report", "--db", db, "--out", tmp_path / "wider", "--threshold", "20", "--format", "csv",
               "--grain", "month", "--period", "2025-11")
    assert done.exit_code == 0, done.output
    table = list(csv.DictReader(io.StringIO((tmp_path / "wider" / "counts-by-period.csv").read_text())))
    assert {r["agency"]: r["searches_in_words"] for r in november(table)}[HSI] == "1-20"
    assert run("report", "--db", db, "--out", tmp_path / "x", "--threshold", "1").exit_code == 2
