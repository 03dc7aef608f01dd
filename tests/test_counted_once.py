"""Each search counted once across files: overlapping monthly releases, re-releases, a log produced twice,
with search ids (keyed hashes) and without (the shared-day rule); removing and replacing sources."""
from __future__ import annotations

import csv
from datetime import date, timedelta

import duckdb
import pytest

import auditreport
from auditreport.errors import UsageError

WITH_ID = ["ID", "Org Name", "Total Networks Searched", "Total Devices Searched", "Time Frame", "Reason", "Case #",
           "Filters", "Search Time", "Search Type", "Text Prompt", "Moderation"]
WITHOUT_ID = ["Name", "Org Name", "Total Networks Searched", "Total Devices Searched", "Time Frame",
              "License Plate", "Reason", "Case #", "Filters", "Search Time", "Search Type"]
AGENCIES = ["Springfield PD", "Shelbyville County SO", "U.S. Border Patrol"]
SYSTEM = "Flock ALPR (Springfield network audit)"


def searches(first: date, last: date, per_day: int = 3) -> list[dict]:
    """Made-up searches, `per_day` on each day from first to last; ids from the day, so two files agree."""
    rows, day = [], first
    while day <= last:
        for n in range(per_day):
            stamp = f"{day:%m/%d/%Y}, {9 + n:02d}:15:00 AM UTC"
            rows.append({"ID": f"fl-{day:%Y%m%d}-{n}", "Org Name": AGENCIES[n % 3], "Total Networks Searched": "2",
                         "Total Devices Searched": "40", "Time Frame": f"{stamp}\n{stamp}", "Reason": "Stolen vehicle",
                         "Case #": "25-00417", "Filters": "", "Search Time": stamp, "Search Type": "lookup",
                         "Text Prompt": "", "Moderation": "", "Name": "Maria Testcase", "License Plate": "7ABC123"})
        day += timedelta(days=1)
    return rows


def write(path, rows, header=WITH_ID, twice=False):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerows([row, row] if twice else [row])
    return path


def total(db) -> int:
    return int(db.counts(by=None, grain="year").table["value"].sum())


def ingest(db, *paths, **options):
    return db.ingest(*paths, profile="flock-network-audit", system=SYSTEM, **options)


@pytest.fixture
def months(tmp_path):
    """April's file runs to the end of 1 May; May's starts on 1 May: 3 searches in both."""
    april = write(tmp_path / "april.csv", searches(date(2025, 4, 1), date(2025, 5, 1)))
    may = write(tmp_path / "may.csv", searches(date(2025, 5, 1), date(2025, 5, 31)))
    return april, may


TRUE_TOTAL = 3 * (30 + 31)


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_one_shared_day_is_counted_once_by_search_id(tmp_path, months, order):
    with auditreport.open_db(tmp_path / "db.duckdb") as db:
        ingest(db, *[months[i] for i in order])
        assert total(db) == TRUE_TOTAL
        findings = db.findings()
        counted = findings.query("kind == 'counted_before'")
        assert list(counted["message"]) == ["3 search(es) were already counted from source 1 (the same search ids); "
                                            "they are not counted again."]
        assert findings.query("kind == 'overlapping_sources'").empty  # told apart: no double count to warn of


def test_a_re_release_with_re_redactions_counts_nothing_again(tmp_path, months):
    april = months[0]
    rows = searches(date(2025, 4, 1), date(2025, 5, 1))
    again = write(tmp_path / "april-rereleased.csv", [{**row, "Case #": "***"} for row in rows])
    with auditreport.open_db(tmp_path / "db.duckdb") as db:
        ingest(db, april, again)
        assert total(db) == len(rows)
        assert f"{len(rows)} search(es) were already counted from source 1" in " ".join(db.findings()["message"])


def test_a_log_produced_twice_in_one_file_counts_each_search_once(tmp_path):
    rows = searches(date(2025, 7, 1), date(2025, 7, 31))
    doubled = write(tmp_path / "july-twice.csv", rows, twice=True)
    with auditreport.open_db(tmp_path / "db.duckdb") as db:
        ingest(db, doubled)
        assert total(db) == len(rows)
        assert (f"{len(rows)} row(s) repeat the search id of another row of this file"
                in " ".join(db.findings()["message"]))


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_without_ids_a_shared_day_goes_to_the_file_ingested_first(tmp_path, order):
    files = (write(tmp_path / "april.csv", searches(date(2025, 4, 1), date(2025, 5, 1)), WITHOUT_ID),
             write(tmp_path / "may.csv", searches(date(2025, 5, 1), date(2025, 5, 31)), WITHOUT_ID))
    with auditreport.open_db(tmp_path / "db.duckdb") as db:
        ingest(db, *[files[i] for i in order])
        assert total(db) == TRUE_TOTAL
        shared = db.findings().query("kind == 'shared_days'")
        assert list(shared["location"]) == ["1 day(s), 2025-05-01"]
        assert "3 search(es) on 1 day(s) (2025-05-01) that source 1" in shared["message"].iloc[0]
        # nothing personal came in with them
        everything = " ".join(map(str, db.store.connection.execute("SELECT * FROM observations").fetchall()))
        assert "Maria Testcase" not in everything and "7ABC123" not in everything


def _tables(path) -> dict[str, list]:
    """Every row of every table (but when each source was ingested, and the migrations' dates)."""
    with duckdb.connect(str(path), read_only=True) as connection:
        names = [r[0] for r in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {name: sorted(connection.execute(f"SELECT * EXCLUDE (ingested_at) FROM {name}" if name == "sources"
                                                else f"SELECT * FROM {name}").fetchall(), key=repr)
                for name in names if name != "schema_migrations"}


def test_removing_a_source_leaves_the_database_as_before_it(tmp_path, months):
    path = tmp_path / "db.duckdb"
    with auditreport.open_db(path) as db:
        ingest(db, months[0])
    before = _tables(path)
    with auditreport.open_db(path) as db:
        ingest(db, months[1])
        with pytest.raises(UsageError, match="source 1 cannot be removed: source.s. 2 left searches"):
            db.store.remove_source(1)  # May's 1 May searches would be counted nowhere
        db.store.remove_source(2)
    assert _tables(path) == before


def test_replacing_a_source_is_as_if_it_had_been_ingested_so(tmp_path, months):
    replaced, fresh = tmp_path / "replaced.duckdb", tmp_path / "fresh.duckdb"
    with auditreport.open_db(replaced) as db:
        ingest(db, months[0])
        ingest(db, months[1], tz="America/Los_Angeles")  # the wrong zone, by mistake
        ingest(db, months[1], replace=True)
        assert total(db) == TRUE_TOTAL
        with pytest.raises(UsageError, match="cannot be replaced"):
            ingest(db, months[0], replace=True, tz="America/Los_Angeles")
    with auditreport.open_db(fresh) as db:
        ingest(db, *months)
    a, b = _tables(replaced), _tables(fresh)
    for name in ("hash_key", "search_keys"):  # each database has its own random key
        assert len(a.pop(name)) == len(b.pop(name))
    assert a == b


def test_a_workbook_of_monthly_sheets_and_a_csv_of_one_month_count_each_search_once(tmp_path, months):
    """The same release as a CSV and as a workbook (one sheet per month): the workbook adds only what is new."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, (first, last) in {"Apr 2025": (date(2025, 4, 1), date(2025, 4, 30)),
                                 "May 2025": (date(2025, 5, 1), date(2025, 5, 31))}.items():
        sheet = book.create_sheet(title)
        sheet.append(WITH_ID)
        for row in searches(first, last):
            sheet.append([row[column] for column in WITH_ID])
    book.save(tmp_path / "april-may.xlsx")
    with auditreport.open_db(tmp_path / "db.duckdb") as db:
        ingest(db, months[0], tmp_path / "april-may.xlsx")  # April's file runs into 1 May
        assert total(db) == TRUE_TOTAL
        assert "93 search(es) were already counted from source 1" in " ".join(db.findings()["message"])
