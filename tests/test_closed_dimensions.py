"""Offense type (Flock's 2026 list) and moderation (allow, block, warn): stored dimensions, never typed text."""
from __future__ import annotations

import csv
import io

from click.testing import CliRunner

from auditreport.cli import main

PORTAL_2026 = ['"id","userId","searchDate","networkCount","reason","offenseType"']
NETWORK = ["ID", "Org Name", "Total Networks Searched", "Total Devices Searched", "Time Frame", "Reason", "Case #",
           "Filters", "Search Time", "Search Type", "Text Prompt", "Moderation"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def table(output: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(output)))


def test_offense_types_from_the_closed_list_and_other_for_the_rest(tmp_path):
    offenses = ["Stolen Vehicle", "stolen vehicle", "Homicide, Stolen Vehicle", "Maria Testcase's ex",
                "", "***", "Robbery"]
    lines = PORTAL_2026 + [f'"{n}","***","2026-02-0{1 + n % 7}T10:00:00Z","3","case 26-0042","{offense}"'
                           for n, offense in enumerate(offenses)]
    path = tmp_path / "portal-2026.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    db = tmp_path / "db.duckdb"
    result = run("ingest", path, "--profile", "flock-search-audit", "--agency", "San Mateo County SO", "--db", db)
    assert result.exit_code == 0, result.output
    rows = table(run("counts", "--db", db, "--by", "offense_type", "--grain", "year").stdout)
    assert {r["offense_type"]: int(r["value"]) for r in rows} == {
        "Stolen Vehicle": 2, "Homicide, Stolen Vehicle": 1, "other": 1, "": 1, "redacted": 1, "Robbery": 1}
    assert sum(int(r["value"]) for r in rows) == len(offenses)  # parts sum to the total: each search once
    with_db = run("sources", "--db", db).stdout + run("findings", "--db", db).stdout
    assert "Testcase" not in with_db


def test_moderation_counts_blocked_and_warned_searches(tmp_path):
    time = "02/03/2026, 10:00:00 AM UTC"
    moderation = ["allow", "Block", "warn", "", "block", "Jane Roe"]
    path = tmp_path / "network-2026.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(NETWORK)
        for n, value in enumerate(moderation):
            writer.writerow([f"m{n}", "Springfield PD", "2", "40", f"{time}\n{time}", "Theft", "", "", time,
                             "freeform", "a red pickup", value])
    db = tmp_path / "db.duckdb"
    assert run("ingest", path, "--profile", "flock-network-audit", "--db", db).exit_code == 0
    rows = table(run("counts", "--db", db, "--by", "moderation", "--grain", "year").stdout)
    assert {r["moderation"]: int(r["value"]) for r in rows} == {"allow": 1, "block": 2, "warn": 1, "": 1, "other": 1}
    assert "Jane Roe" not in run("counts", "--db", db, "--by", "moderation,agency", "--grain", "month").stdout
