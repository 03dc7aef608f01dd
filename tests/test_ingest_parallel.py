"""`ingest ... --jobs N`: files read at once, stored one at a time in order; the database ends as one by one."""
from __future__ import annotations

from datetime import date

import duckdb
import pytest

import auditreport
from auditreport.errors import InputError
from auditreport.ingest import IngestOptions, ingest_paths

from .test_counted_once import SYSTEM, WITHOUT_ID, searches, write

TABLES = {"observations": "*", "findings": "*", "coverage": "*", "source_overlaps": "*",
          "sources": "* EXCLUDE (ingested_at)",  # each database has its own random key: the keys' number per source
          "search_keys": "source_id, count(*) OVER (PARTITION BY source_id)"}
LOG = IngestOptions(profile="flock-network-audit", system=SYSTEM)


def tables(path) -> dict[str, list]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return {table: connection.execute(f"SELECT {columns} FROM {table} ORDER BY ALL").fetchall()
                for table, columns in TABLES.items()}


@pytest.fixture
def releases(tmp_path):
    """April runs into 1 May, May starts on 1 May (ids agree); a re-release of April; a log without ids."""
    return [write(tmp_path / "april.csv", searches(date(2025, 4, 1), date(2025, 5, 1))),
            write(tmp_path / "may.csv", searches(date(2025, 5, 1), date(2025, 5, 31))),
            write(tmp_path / "april-again.csv", searches(date(2025, 4, 1), date(2025, 4, 30)), twice=True),
            write(tmp_path / "june-no-ids.csv", searches(date(2025, 5, 31), date(2025, 6, 30)), header=WITHOUT_ID)]


@pytest.mark.parametrize("order", [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2]])
def test_jobs_leave_the_database_as_one_by_one(tmp_path, releases, order):
    paths = [releases[i] for i in order]
    one_by_one = ingest_paths(tmp_path / "serial.duckdb", paths, LOG)
    at_once = ingest_paths(tmp_path / "jobs.duckdb", paths, LOG, jobs=3)
    assert [r.summary() for r in at_once] == [r.summary() for r in one_by_one]
    assert tables(tmp_path / "jobs.duckdb") == tables(tmp_path / "serial.duckdb")
    with auditreport.open_db(tmp_path / "jobs.duckdb") as db:  # each search once: April + May + June, 1 May once
        assert int(db.counts(by=None, grain="year").table["value"].sum()) == 3 * (30 + 31 + 30)


def test_a_failing_file_stops_the_files_after_it_and_nothing_before_it(tmp_path, releases):
    broken = tmp_path / "broken.csv"
    broken.write_text("ID,Org Name,Search Time\n1,Springfield PD,not a time at all\n", "utf-8")
    db = tmp_path / "audit.duckdb"
    with pytest.raises(InputError, match="broken.csv"):
        ingest_paths(db, [releases[0], broken, releases[1]], LOG, jobs=2)
    with duckdb.connect(str(db), read_only=True) as connection:
        assert connection.execute("SELECT file_name FROM sources").fetchall() == [("april.csv",)]
    assert not list(tmp_path.glob("auditreport-*"))


def test_the_cli_reads_files_at_once(tmp_path, releases, capsys):
    from auditreport.cli import main
    db = tmp_path / "audit.duckdb"
    code = main(["ingest", *map(str, releases[:2]), "--profile", "flock-network-audit", "--system", SYSTEM,
                 "--db", str(db), "--jobs", "2"], standalone_mode=False)
    assert code in (None, 0)
    out = capsys.readouterr().out
    assert "april.csv: ingested as source 1" in out and "may.csv: ingested as source 2" in out
