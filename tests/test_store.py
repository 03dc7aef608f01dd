"""The DuckDB store: provenance, idempotent ingest, one transaction per file, only model columns stored."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from auditreport.errors import AuditReportError, PrivacyWarning, UsageError
from auditreport.model import FINDING_COLUMNS, OBSERVATION_COLUMN_NAMES, SOURCE_COLUMNS, Finding
from auditreport.read.count_table import TableRead, read_count_table
from auditreport.store import IngestResult, SCHEMA_VERSION, SourceInfo, Store

FIXTURES = Path(__file__).parent / "fixtures"
COPLINK = Path(__file__).parent.parent / "sample_logs" / "coplink-region-outside-agency-queries-2017-2019.csv"
TABLES = ("coverage", "findings", "hash_key", "observations", "schema_migrations", "search_keys", "source_overlaps",
          "sources")


def source_info(read: TableRead, **options) -> SourceInfo:
    grid = read.grid
    return SourceInfo(grid.file_name, grid.sha256, grid.size_bytes, read.reader, sheet=grid.sheet,
                      rows_read=read.rows_read, **options)


def ingest(store: Store, path: Path, **read_options) -> IngestResult:
    read_options.setdefault("system", "Regional COPLINK")
    read = read_count_table(path, **read_options)
    return store.add_source(source_info(read), read.observations, read.findings)


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    return {table: sorted(store.connection.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in TABLES}


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "audit.duckdb") as opened:
        yield opened


# -- schema -------------------------------------------------------------------------------------------------------
def test_new_database_has_the_declared_schema(store):
    assert store.table_names() == list(TABLES)
    for table, columns in (("sources", SOURCE_COLUMNS), ("findings", FINDING_COLUMNS)):
        names = [r[0] for r in store.connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [table]).fetchall()]
        assert names == [c.name for c in columns]
    names = [r[0] for r in store.connection.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'observations' "
        "ORDER BY ordinal_position").fetchall()]
    assert names == list(OBSERVATION_COLUMN_NAMES)
    assert store.row("SELECT max(version) FROM schema_migrations") == (SCHEMA_VERSION,)


def test_reopening_does_not_migrate_again(tmp_path):
    path = tmp_path / "audit.duckdb"
    with Store(path) as store:
        ingest(store, FIXTURES / "wide_jan-17_labels.csv")
        before = snapshot(store)
    with Store(path) as store:
        assert snapshot(store) == before
    with Store(path, read_only=True) as store:
        assert store.row("SELECT count(*) FROM observations") == (6,)


def test_read_only_needs_an_existing_database(tmp_path):
    with pytest.raises(UsageError) as raised:
        Store(tmp_path / "nothing.duckdb", read_only=True)
    assert str(raised.value) == (f"there is no database at {tmp_path / 'nothing.duckdb'}. "
                                 "Ingest a file first (auditreport ingest FILE), or pass --db PATH.")


# -- ingest -------------------------------------------------------------------------------------------------------
def test_ingest_records_provenance_observations_and_findings(store):
    result = ingest(store, COPLINK)
    assert result == IngestResult(1, COPLINK.name, False, 324, 6)
    assert result.summary() == f"{COPLINK.name}: ingested as source 1: 324 observation(s), 6 finding(s)."
    source = store.sources().iloc[0]
    assert (source["file_name"], source["sheet"], source["reader"], source["rows_read"]) == (
        COPLINK.name, "", "count-table-wide", 9)
    assert source["size_bytes"] == COPLINK.stat().st_size
    assert len(source["sha256"]) == 64
    assert store.row("SELECT count(*), count(DISTINCT agency) FROM observations WHERE source_id = 1") == (324, 9)
    stored_sum = store.row("SELECT sum(value) FROM observations WHERE status = 'reported'")[0]
    assert stored_sum == read_count_table(COPLINK, system="Regional COPLINK").observations["value"].sum()
    assert stored_sum < 120_171  # the withheld and suppressed values are not in it
    findings = store.findings()
    assert list(findings["kind"]) == ["footnotes_not_read", "missing_cells", "suppressed_cells", "total_mismatch",
                                      "total_mismatch", "withheld_cells"]
    assert set(findings["source"]) == {COPLINK.name}


def test_reingesting_the_same_file_changes_nothing(store):
    first = ingest(store, COPLINK)
    before = snapshot(store)
    second = ingest(store, COPLINK)
    assert second == IngestResult(first.source_id, COPLINK.name, True, 0, 0)
    assert second.summary() == f"{COPLINK.name}: already ingested as source 1; nothing changed."
    assert snapshot(store) == before


def test_the_same_bytes_under_another_name_are_the_same_source(store, tmp_path):
    ingest(store, FIXTURES / "wide_jan-17_labels.csv")
    copy = tmp_path / "renamed_copy.csv"
    copy.write_bytes((FIXTURES / "wide_jan-17_labels.csv").read_bytes())
    before = snapshot(store)
    assert ingest(store, copy).already_ingested
    assert snapshot(store) == before


def test_sources_are_numbered_in_order(store):
    assert ingest(store, FIXTURES / "wide_jan-17_labels.csv").source_id == 1
    assert ingest(store, FIXTURES / "wide_quarters_q3_2019.csv").source_id == 2
    assert store.row("SELECT list(DISTINCT source_id ORDER BY source_id) FROM observations") == ([1, 2],)


def test_a_failure_inside_the_transaction_leaves_every_table_as_before(store):
    ingest(store, FIXTURES / "wide_jan-17_labels.csv")
    before = snapshot(store)
    read = read_count_table(FIXTURES / "wide_quarters_q3_2019.csv", system="Regional COPLINK")
    broken = read.observations.copy()
    broken.loc[3, "system"] = None  # violates NOT NULL after the sources row is inserted
    with pytest.raises(duckdb.Error):
        store.add_source(source_info(read), broken, [Finding("row 2", "total_mismatch", "a finding")])
    assert snapshot(store) == before
    # the connection is usable afterwards and the same file can be ingested once it is fixed
    result = store.add_source(source_info(read), read.observations, read.findings)
    assert (result.source_id, result.already_ingested, result.observations) == (2, False, 6)


def test_a_failure_inside_the_transaction_reports_the_real_cause(store):
    # regression: the ConstraintException was masked by 'Current transaction is aborted'
    read = read_count_table(FIXTURES / "wide_quarters_q3_2019.csv", system="Regional COPLINK")
    broken = read.observations.copy()
    broken.loc[3, "system"] = None
    with pytest.raises(duckdb.ConstraintException, match="NOT NULL constraint failed"):
        store.add_source(source_info(read), broken, read.findings)


def test_a_failing_finding_rolls_back_the_observations_too(store):
    ingest(store, FIXTURES / "wide_jan-17_labels.csv")
    before = snapshot(store)
    read = read_count_table(FIXTURES / "wide_quarters_q3_2019.csv", system="Regional COPLINK")
    with pytest.raises(duckdb.Error):  # findings are written last: location may not be NULL
        store.add_source(source_info(read), read.observations, [Finding(None, "total_mismatch", "no location")])
    assert snapshot(store) == before


def test_unknown_status_is_refused_before_anything_is_written(store):
    read = read_count_table(FIXTURES / "wide_jan-17_labels.csv", system="S")
    before = snapshot(store)
    broken = read.observations.assign(status="zero")
    with pytest.raises(AuditReportError) as raised:
        store.add_source(source_info(read), broken, [])
    assert str(raised.value) == "wide_jan-17_labels.csv: internal: unknown status ['zero']"
    assert snapshot(store) == before


# -- the privacy guard ---------------------------------------------------------------------------------------------
def test_guard_drops_unknown_columns_with_a_privacy_warning(store):
    read = read_count_table(FIXTURES / "wide_jan-17_labels.csv", system="S")
    personal = read.observations.assign(plate="7ABC123", officer_name="J. Smith")
    with pytest.warns(PrivacyWarning, match=r"^columns dropped before storing \(not part of the count model\): "
                                            r"plate, officer_name$"):
        result = store.add_source(source_info(read), personal, read.findings)
    assert result.observations == 6
    stored = store.query("SELECT * FROM observations")
    assert list(stored.columns) == list(OBSERVATION_COLUMN_NAMES)
    text = stored.to_string() + store.query("SELECT * FROM sources").to_string()
    assert "7ABC123" not in text and "Smith" not in text


def test_guard_is_silent_for_model_columns(store, recwarn):
    ingest(store, FIXTURES / "wide_jan-17_labels.csv")
    assert not [w for w in recwarn if issubclass(w.category, PrivacyWarning)]


# -- overlapping sources --------------------------------------------------------------------------------------------
def test_overlapping_sources_produce_a_finding(store):
    ingest(store, FIXTURES / "wide_jan-17_labels.csv")  # Agency A and B, Jan-Mar 2017
    result = ingest(store, FIXTURES / "long_agency_period_count.csv")  # Agency A and B, Jan-Feb 2017
    assert result.findings == 2
    overlaps = store.findings().query("kind == 'overlapping_sources'")
    assert list(overlaps["source"]) == ["long_agency_period_count.csv"] * 2
    assert list(overlaps["location"]) == ["Agency A, Regional COPLINK", "Agency B, Regional COPLINK"]
    for message in overlaps["message"]:
        assert message.startswith("2 searches observation(s) from ")
        assert message.endswith(" on overlap wide_jan-17_labels.csv; sums over both files would count the same "
                                "searches twice.")


def test_no_overlap_finding_for_another_system_or_adjacent_periods(store):
    ingest(store, FIXTURES / "wide_jan-17_labels.csv")  # Jan-Mar 2017
    ingest(store, FIXTURES / "long_agency_period_count.csv", system="LInX")  # other system
    ingest(store, FIXTURES / "wide_quarters_q3_2019.csv")  # later periods
    assert "overlapping_sources" not in set(store.findings()["kind"])


def test_overlap_finding_names_the_first_overlapping_period(store):
    # regression: min(period_label) named 'Feb-17', the alphabetically first label
    ingest(store, FIXTURES / "wide_jan-17_labels.csv")
    ingest(store, FIXTURES / "long_agency_period_count.csv")
    messages = store.findings().query("kind == 'overlapping_sources'")["message"]
    assert all(" from Jan-17 on " in message for message in messages)


def test_overlap_finding_counts_the_new_observations(store):
    # regression: joined pairs were counted, so one 2017 value over three months was '3 observation(s)'
    ingest(store, FIXTURES / "wide_jan-17_labels.csv")  # three months per agency
    ingest(store, FIXTURES / "wide_years.csv")  # one 2017 value per agency
    messages = store.findings().query("kind == 'overlapping_sources'")["message"]
    assert all(message.startswith("1 searches observation(s) from 2017 on ") for message in messages)


# -- identity of sources and databases --------------------------------------------------------------------------------
def test_two_sheets_of_one_workbook_are_two_sources(store, tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "FY2018"
    first.append(["Agency", "Oct-17", "Nov-17"])
    first.append(["ICE ERO", 5, 6])
    second = workbook.create_sheet("FY2019")
    second.append(["Agency", "Oct-18", "Nov-18"])
    second.append(["ICE ERO", 7, 8])
    path = tmp_path / "two_years.xlsx"
    workbook.save(path)
    results = [ingest(store, path, sheet=sheet) for sheet in ("FY2018", "FY2019", "FY2018")]
    assert [(r.source_id, r.already_ingested) for r in results] == [(1, False), (2, False), (1, True)]
    assert list(store.sources()["sheet"]) == ["FY2018", "FY2019"]
    assert store.sources()["sha256"].nunique() == 1


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "audit.duckdb"
    with Store(path) as store:
        store.connection.execute("INSERT INTO schema_migrations VALUES (99, now())")
    with pytest.raises(UsageError) as raised:
        Store(path)
    assert str(raised.value) == f"{path} was written by a newer auditreport (schema 99). Upgrade auditreport."


def test_another_duckdb_file_is_not_an_auditreport_database(tmp_path):
    path = tmp_path / "other.duckdb"
    connection = duckdb.connect(str(path))
    connection.execute("CREATE TABLE t (x INTEGER)")
    connection.close()
    with pytest.raises(UsageError) as raised:
        Store(path, read_only=True)
    assert str(raised.value) == f"{path} is not an auditreport database. Pass --db with the right file."


def test_a_foreign_duckdb_file_is_left_alone(tmp_path):
    path = tmp_path / "other.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE foo (x INTEGER)")
    with pytest.raises(UsageError, match="a DuckDB file that auditreport did not create"):
        Store(path)
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = connection.execute("SELECT table_name FROM information_schema.tables").fetchall()
    assert tables == [("foo",)]


@pytest.mark.parametrize("value", ["Agency 078-05-1120", "jdoe@example.org"])
def test_the_guard_refuses_values_that_look_personal(tmp_path, value):
    from auditreport.errors import InputError
    from auditreport.privacy import guard_observations

    frame = pd.DataFrame({"agency": [value], "measure": ["searches"]})
    with pytest.raises(InputError, match="looks like") as raised:
        guard_observations(frame)
    assert value not in str(raised.value)


# -- observations handed over in a Parquet file (an audit log's counts) --------------------------------------------
def _observation_file(tmp_path: Path, frame: pd.DataFrame):
    from auditreport.model import ObservationFile
    path = tmp_path / "counts.parquet"
    with duckdb.connect() as connection:
        connection.register("frame", frame)
        connection.execute(f"COPY (SELECT * FROM frame) TO '{path}' (FORMAT parquet)")
    return ObservationFile(path)


def test_a_parquet_file_of_observations_is_stored_like_a_frame(store, tmp_path):
    read = read_count_table(FIXTURES / "wide_jan-17_labels.csv", system="S")
    result = store.add_source(source_info(read), _observation_file(tmp_path, read.observations), read.findings)
    assert (result.source_id, result.already_ingested, result.observations) == (1, False, 6)
    stored = store.query("SELECT * EXCLUDE (source_id) FROM observations ORDER BY column_name")
    expected = read.observations.sort_values("column_name").reset_index(drop=True)
    assert stored["value"].tolist() == expected["value"].tolist()
    assert stored["column_name"].tolist() == expected["column_name"].tolist()
    again = store.add_source(source_info(read), _observation_file(tmp_path, read.observations), read.findings)
    assert again.already_ingested and store.row("SELECT count(*) FROM observations") == (6,)


def test_the_guard_drops_unknown_columns_of_a_parquet_file(store, tmp_path):
    read = read_count_table(FIXTURES / "wide_jan-17_labels.csv", system="S")
    personal = _observation_file(tmp_path, read.observations.assign(plate="7ABC123", officer_name="J. Smith"))
    with pytest.warns(PrivacyWarning, match=r"plate, officer_name$"):
        result = store.add_source(source_info(read), personal, read.findings)
    assert result.observations == 6
    text = store.query("SELECT * FROM observations").to_string()
    assert "7ABC123" not in text and "Smith" not in text


@pytest.mark.parametrize("column, value, match", [("agency", "Agency 078-05-1120", "looks like a social security"),
                                                  ("reason_category", "jdoe@example.org", "looks like an e-mail"),
                                                  ("measure", "plates_read", "internal: unknown measure")])
def test_a_parquet_file_with_a_bad_value_stores_nothing(store, tmp_path, column, value, match):
    from auditreport.errors import InputError
    read = read_count_table(FIXTURES / "wide_jan-17_labels.csv", system="S")
    before = snapshot(store)
    broken = _observation_file(tmp_path, read.observations.assign(**{column: value}))
    with pytest.raises((InputError, AuditReportError), match=match) as raised:
        store.add_source(source_info(read), broken, read.findings)
    assert "078-05-1120" not in str(raised.value) and "jdoe" not in str(raised.value)
    assert str(raised.value).startswith("wide_jan-17_labels.csv: ")  # the file that would have been stored
    assert snapshot(store) == before
    assert "incoming_observations" not in store.table_names()


def test_a_database_of_schema_3_gets_its_log_coverage_by_the_gap_rule(tmp_path):
    """Before schema 4 a log covered every day from its first to its last and called each empty day a gap: the
    upgrade works the coverage out again from the stored day counts, so old and new databases agree."""
    import auditreport
    from tests.conftest import NETWORK_SAMPLE

    path = tmp_path / "old.duckdb"
    with auditreport.open_db(path) as db:
        db.ingest(NETWORK_SAMPLE, profile="flock-network-audit", tz="America/Los_Angeles")
        expected = db.counts(by=None, grain="quarter").table[["period", "complete"]].values.tolist()
    with Store(path) as store:  # make it look as schema 3 wrote it
        connection = store.connection
        connection.execute("""UPDATE coverage SET period_start = (SELECT min(period_start) FROM coverage),
                                                  period_end = (SELECT max(period_end) FROM coverage)""")
        connection.execute("DELETE FROM findings WHERE kind = 'coverage_gap'")
        connection.execute("INSERT INTO findings VALUES (1, '2025-01-01', 'coverage_gap', 'one empty day')")
        connection.execute("DELETE FROM schema_migrations WHERE version >= 4")
        for table in ("hash_key", "search_keys", "source_overlaps"):  # schema 5's
            connection.execute(f"DROP TABLE {table}")
        for column in ("offense_type", "moderation"):  # schema 6's
            connection.execute(f"ALTER TABLE observations DROP COLUMN {column}")
    with auditreport.open_db(path, read_only=True) as db:  # opened to read: upgraded once, then read
        assert db.counts(by=None, grain="quarter").table[["period", "complete"]].values.tolist() == expected
        gaps = db.findings().query("kind == 'coverage_gap'")
        assert list(gaps["location"]) == ["2024-05-12 to 2024-05-15"]
