"""Audit logs -> day-level counts: layouts, time zones, measures, findings, errors, and the Eugene log."""
from __future__ import annotations

import csv
import datetime as dt

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from auditreport import aggregate
from auditreport.errors import InputError, UsageError
from auditreport.model import MEASURES, OBSERVATION_COLUMN_NAMES
from auditreport.read.audit_log import read_audit_log
from auditreport.store import SourceInfo, Store

from .conftest import snapshot

LOGS = Path(__file__).resolve().parent / "fixtures" / "logs"
EUGENE = Path(__file__).resolve().parents[2] / "shared" / "data" / "eugene-or-flock" / "EPDSearchAuditLogs.csv"
NETWORK = "flock-network-audit"

# network_audit_utc_suffix.csv, counted by UTC day as written
UTC_DAYS = {("Springfield PD", "2025-11-14"): 2, ("Springfield PD", "2025-11-17"): 2,
            ("Shelbyville County SO", "2025-11-15"): 1, ("Shelbyville County SO", "2025-11-16"): 1,
            ("U.S. Border Patrol", "2025-11-18"): 1}
# ... and by Pacific day: 06:30 UTC on the 15th is 22:30 on the 14th; 04:00 UTC on the 18th is 20:00 on the 17th
PACIFIC_DAYS = {("Springfield PD", "2025-11-14"): 2, ("Springfield PD", "2025-11-17"): 2,
                ("Shelbyville County SO", "2025-11-14"): 1, ("Shelbyville County SO", "2025-11-16"): 1,
                ("U.S. Border Patrol", "2025-11-17"): 1}


def by_agency_day(read, measure: str = "searches") -> dict:
    frame = read.observations[read.observations["measure"] == measure]
    totals = frame.groupby(["agency", "period_label"], observed=True)["value"].sum()
    return {key: int(value) for key, value in totals.items()}


def total(read, measure: str = "searches", **where) -> int:
    frame = read.observations[read.observations["measure"] == measure]
    for column, value in where.items():
        frame = frame[frame[column] == value]
    return int(frame["value"].sum())


def ingest(read, db: Path) -> Store:
    store = Store(db)
    store.add_source(SourceInfo(read.grid.file_name, read.grid.sha256, read.grid.size_bytes, read.reader,
                                options=read.options, source_tz=read.source_tz, report_tz=read.report_tz,
                                rows_read=read.rows_read, coverage=read.coverage),
                     read.observations, read.findings)
    return store


# -- layouts -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["network_audit_utc_suffix.csv", "network_audit_utf8_bom.csv",
                                  "network_audit_no_header_row.csv",
                                  "network_audit_dec2025_without_name_and_plate.csv",
                                  "network_audit_time_frame_one_line.csv"])
def test_every_network_audit_layout_gives_the_same_counts(name):
    read = read_audit_log(LOGS / name, profile=NETWORK, retention_days=30)
    assert read.rows_read == 7
    assert by_agency_day(read) == UTC_DAYS
    assert total(read, "searches", reason_category="immigration") == 2
    assert total(read, "searches_multi_network") == 5
    assert total(read, "searches_beyond_retention") == 3
    assert read.report_tz is None and read.source_tz is None


def test_observations_follow_the_count_model():
    read = read_audit_log(LOGS / "network_audit_utc_suffix.csv", profile=NETWORK)
    frame = read.observations
    assert list(frame.columns) == [c for c in OBSERVATION_COLUMN_NAMES if c != "source_id"]
    assert set(frame["measure"]) == {"searches", "searches_multi_network"} <= set(MEASURES)
    assert set(frame["status"]) == {"reported"} and set(frame["qualifier"]) == {"exact"}
    assert frame["row_number"].isna().all() and set(frame["column_name"]) == {"Search Time"}
    assert ((frame["period_end"] - frame["period_start"]) == pd.Timedelta(days=1)).all()
    assert (frame["period_label"].astype(str) == frame["period_start"].dt.strftime("%Y-%m-%d")).all()
    assert set(frame["system"]) == {"Flock ALPR (network audit)"}  # the two views of Flock never meet
    searches = frame[frame["measure"] == "searches"]
    assert set(searches["query_type"]) == {"lookup", "search", "convoy"}
    # the access-pattern measures are per agency, system and day only
    multi = frame[frame["measure"] == "searches_multi_network"]
    assert multi["reason_category"].isna().all() and multi["query_type"].isna().all()
    assert len(multi) == len(searches.groupby(["agency", "period_label"], observed=True))
    assert read.reader == "audit-log" and read.grid.sheet == "" and len(read.grid.sha256) == 64
    assert read.coverage == (("Flock ALPR (network audit)", date(2025, 11, 14), date(2025, 11, 19)),)


def test_no_header_row_and_dec2025_layout_are_findings():
    read = read_audit_log(LOGS / "network_audit_no_header_row.csv", profile=NETWORK)
    assert [f.kind for f in read.findings].count("no_header_row") == 1


def test_redacted_cells():
    read = read_audit_log(LOGS / "network_audit_redacted_cells.csv", profile=NETWORK, retention_days=30)
    assert by_agency_day(read) == {("(redacted)", "2025-11-14"): 1, ("Springfield PD", "2025-11-14"): 1}
    assert total(read, reason_category="redacted") == 1 and total(read, reason_category="immigration") == 1
    assert total(read, query_type="(redacted)") == 1
    assert "lookback_unreadable" in {f.kind for f in read.findings}


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({c: object for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})
    return frame.sort_values(["measure", "agency", "period_start", "reason_category", "query_type"],
                             na_position="first").reset_index(drop=True)


def test_cells_with_spaces_around_them_count_as_the_trimmed_cells(tmp_path):
    # the scan groups cells as written and trims them after the GROUP BY: the counts must not notice
    path = tmp_path / "padded.csv"
    with open(LOGS / "network_audit_utc_suffix.csv", newline="", encoding="utf-8") as source:
        rows = list(csv.reader(source))
    with open(path, "w", newline="", encoding="utf-8") as padded:
        csv.writer(padded).writerows([rows[0]] + [[f"  {cell} " if cell else cell for cell in row]
                                                  for row in rows[1:]])
    for options in ({}, {"tz": "America/Los_Angeles", "retention_days": 30}):
        plain = read_audit_log(LOGS / "network_audit_utc_suffix.csv", profile=NETWORK, **options)
        spaced = read_audit_log(path, profile=NETWORK, **options)
        pd.testing.assert_frame_equal(_sorted(spaced.observations), _sorted(plain.observations))
        assert [f.message for f in spaced.findings] == [f.message for f in plain.findings]
        assert spaced.rows_read == plain.rows_read and spaced.coverage == plain.coverage


def test_a_log_has_no_overlapping_periods_and_a_second_log_of_the_same_days_overlaps(tmp_path):
    first = read_audit_log(LOGS / "network_audit_utc_suffix.csv", profile=NETWORK)
    second = read_audit_log(LOGS / "network_audit_utf8_bom.csv", profile=NETWORK)  # the same searches
    store = ingest(first, tmp_path / "audit.duckdb")
    try:
        assert not {"overlapping_periods", "overlapping_sources"} & set(store.findings()["kind"])
        ingest_again = store.add_source(SourceInfo(second.grid.file_name, second.grid.sha256, second.grid.size_bytes,
                                                   second.reader, coverage=second.coverage),
                                        second.observations, second.findings)
        assert not ingest_again.already_ingested
        overlaps = store.findings().query("kind == 'overlapping_sources'")
        assert set(overlaps["source"]) == {"network_audit_utf8_bom.csv"}
        assert set(overlaps["location"]) == {f"{agency}, Flock ALPR (network audit)" for agency, _ in UTC_DAYS}
        assert "overlapping_periods" not in set(store.findings()["kind"])
    finally:
        store.close()


# -- time ----------------------------------------------------------------------------------------------------
def test_utc_suffix_is_honoured_in_the_reporting_zone():
    read = read_audit_log(LOGS / "network_audit_utc_suffix.csv", profile=NETWORK, tz="America/Los_Angeles")
    assert by_agency_day(read) == PACIFIC_DAYS
    assert read.report_tz == "America/Los_Angeles"
    note = next(f.message for f in read.findings if f.kind == "time_zones")
    assert "UTC" in note and "America/Los_Angeles days" in note


def test_explicit_offsets_are_honoured():
    path = LOGS / "search_audit_explicit_offsets.csv"
    in_utc = read_audit_log(path, profile="flock-search-audit", agency="Testville PD", tz="UTC")
    # -07:00, Z and +02:00 all fall on 2025-07-01 UTC; the naive 22:00 is read as UTC
    assert by_agency_day(in_utc) == {("Testville PD", "2025-06-30"): 1, ("Testville PD", "2025-07-01"): 3}
    from_new_york = read_audit_log(path, profile="flock-search-audit", agency="Testville PD", tz="UTC",
                                   source_tz="America/New_York")
    assert by_agency_day(from_new_york) == {("Testville PD", "2025-07-01"): 4}
    assert from_new_york.source_tz == "America/New_York"
    as_given = read_audit_log(path, profile="flock-search-audit", agency="Testville PD")
    assert by_agency_day(as_given) == {("Testville PD", "2025-06-30"): 2, ("Testville PD", "2025-07-01"): 2}
    assert "mixed_time_offsets" in {f.kind for f in as_given.findings}


def test_naive_timestamps_as_given_and_from_a_source_zone():
    path = LOGS / "search_audit_naive_timestamps.csv"
    as_given = read_audit_log(path, profile="flock-search-audit", agency="Testville PD")
    assert by_agency_day(as_given) == {("Testville PD", "2025-06-30"): 1, ("Testville PD", "2025-07-01"): 2,
                                       ("Testville PD", "2025-07-03"): 1}
    assert total(as_given, reason_category="immigration") == 1 and total(as_given, reason_category="blank") == 1
    shifted = read_audit_log(path, profile="flock-search-audit", agency="Testville PD", source_tz="UTC",
                             tz="America/Los_Angeles")
    assert by_agency_day(shifted) == {("Testville PD", "2025-06-30"): 2, ("Testville PD", "2025-07-01"): 1,
                                      ("Testville PD", "2025-07-03"): 1}


# -- findings -------------------------------------------------------------------------------------------------
def test_a_quiet_day_of_a_small_log_is_no_gap_and_distinct_users_are_counted():
    read = read_audit_log(LOGS / "search_audit_naive_timestamps.csv", profile="flock-search-audit",
                          agency="Testville PD")
    kinds = [(f.kind, f.location) for f in read.findings]
    # one empty day at about one search a day is not unlikely: no gap, and the whole span is covered
    assert ("quiet_days", "2025-06-30 to 2025-07-03") in kinds
    assert not [kind for kind, _ in kinds if kind in ("coverage_gap", "partial_day")]
    assert read.coverage == (("Flock ALPR (search audit)", date(2025, 6, 30), date(2025, 7, 4)),)
    users = next(f for f in read.findings if f.kind == "distinct_users")
    assert users.location == "Testville PD" and users.message.startswith("3 distinct user(s)")
    assert "u-1" not in " ".join(f.message for f in read.findings)
    distinct = read.observations[read.observations["measure"] == "distinct_users"]
    assert distinct[["agency", "value", "period_start", "period_end", "period_label"]].values.tolist() == [
        ["Testville PD", 3.0, pd.Timestamp("2025-06-30"), pd.Timestamp("2025-07-04"), "2025-06-30 to 2025-07-03"]]


def test_blank_times_and_repeated_header_rows_are_findings(tmp_path):
    path = tmp_path / "with_blanks.csv"
    text = (LOGS / "network_audit_utc_suffix.csv").read_text("utf-8")
    header = text.splitlines()[0]
    blank_time = 'x1,,Springfield PD,2,10,,,Stolen vehicle,,,,lookup,,'
    path.write_text(text + header + "\n" + blank_time + "\n", "utf-8")
    read = read_audit_log(path, profile=NETWORK)
    assert by_agency_day(read) == UTC_DAYS and read.rows_read == 9
    messages = {f.kind: f.message for f in read.findings}
    assert messages["blank_search_time"] == "1 row(s) have no search time and are not counted."
    assert messages["repeated_header_row"] == "1 repeated header row(s) inside the file were skipped."


def test_unmapped_columns_are_named_never_read(tmp_path):
    path = tmp_path / "extra.csv"
    text = (LOGS / "search_audit_naive_timestamps.csv").read_text("utf-8").splitlines()
    path.write_text("\n".join([text[0] + ",Officer Notes"] + [line + ",secret" for line in text[1:]]) + "\n", "utf-8")
    read = read_audit_log(path, profile="flock-search-audit", agency="Testville PD")
    note = next(f.message for f in read.findings if f.kind == "columns_not_read")
    assert "Officer Notes" in note


# -- counts through the store -----------------------------------------------------------------------------------
def test_immigration_searches_per_agency_and_month(tmp_path):
    read = read_audit_log(LOGS / "network_audit_utc_suffix.csv", profile=NETWORK, tz="America/Los_Angeles",
                          retention_days=30)
    with ingest(read, tmp_path / "db.duckdb") as store:
        table = aggregate.counts(store, by=("agency", "reason_category"), grain="month").table
        immigration = table[table["reason_category"] == "immigration"]
        assert dict(zip(immigration["agency"], immigration["value"])) == {"Springfield PD": 1,
                                                                         "U.S. Border Patrol": 1}
        assert set(immigration["period"]) == {"2025-11"}
        beyond = aggregate.counts(store, by=("agency",), grain="month", measure="searches_beyond_retention").table
        assert dict(zip(beyond["agency"], beyond["value"])) == {"Shelbyville County SO": 0, "Springfield PD": 2,
                                                               "U.S. Border Patrol": 1}
        source = store.sources().iloc[0]
        assert source["report_tz"] == "America/Los_Angeles" and source["reader"] == "audit-log"
        assert '"retention_days": 30' in source["options"]


# -- errors leave the database unchanged ---------------------------------------------------------------------
def _fails(tmp_path, error, match, *args, **kwargs):
    db = tmp_path / "db.duckdb"
    first = read_audit_log(LOGS / "search_audit_naive_timestamps.csv", profile="flock-search-audit",
                           agency="Testville PD")
    ingest(first, db).close()
    before = snapshot(db)
    with pytest.raises(error) as raised:
        ingest(read_audit_log(*args, **kwargs), db).close()
    assert snapshot(db) == before
    message = str(raised.value)
    assert match in message and "\n" not in message
    return message


def test_wrong_profile_names_the_right_one(tmp_path):
    message = _fails(tmp_path, InputError, "there is no column 'Search Time'",
                     LOGS / "search_audit_naive_timestamps.csv", profile=NETWORK)
    assert message.startswith("search_audit_naive_timestamps.csv, row 1: ")
    assert message.endswith("This file looks like profile flock-search-audit: pass --profile flock-search-audit.")


def test_missing_time_column(tmp_path):
    message = _fails(tmp_path, InputError, "there is no column 'Search Time'",
                     LOGS / "network_audit_missing_search_time_column.csv", profile=NETWORK)
    assert "Searched At" in message


def test_unparsable_timestamp_in_the_sample(tmp_path):
    message = _fails(tmp_path, InputError, "do not match the format",
                     LOGS / "network_audit_unparsable_search_time.csv", profile=NETWORK)
    assert message.startswith('network_audit_unparsable_search_time.csv, row 6, column "Search Time": ')
    assert "17 Nov" not in message  # the value's shape is shown, not its text


def test_unparsable_timestamp_after_the_sample(tmp_path):
    path = tmp_path / "long_log.csv"
    lines = ["id,userId,searchDate,cameraCount,reason"]
    lines += [f"s{i},u-{i % 7},2025-07-{1 + i % 28:02d} 10:00:00.000,94,{'padding ' * 10}" for i in range(4000)]
    lines[3500] = "s3500,u-1,not a time,94,x"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    message = _fails(tmp_path, InputError, "1 search time(s) could not be read as timestamps", path,
                     profile="flock-search-audit", agency="Testville PD")
    assert message.startswith('long_log.csv, row 3501, column "searchDate": ')


@pytest.mark.parametrize("kwargs, match", [
    ({"profile": "flock-search-audit"}, "needs --agency"),
    ({"profile": NETWORK, "agency": "X"}, "--agency is for logs of one agency's own searches"),
    ({"profile": "flock-search-audit", "agency": "X", "tz": "Mars/Base"}, "--tz 'Mars/Base' is not a time zone"),
    ({"profile": "flock-search-audit", "agency": "X", "retention_days": 30}, "--retention-days needs a look-back"),
    ({"profile": "flock-search-audit", "agency": "X", "retention_days": 0}, "whole number of days"),
    ({}, "name either a profile or a mapping file"),
])
def test_usage_errors(kwargs, match):
    name = "network_audit_utc_suffix.csv" if kwargs.get("profile") == NETWORK else "search_audit_naive_timestamps.csv"
    with pytest.raises(UsageError, match=match):
        read_audit_log(LOGS / name, **kwargs)


def test_a_ragged_row_names_its_row(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("id,userId,searchDate,cameraCount,reason\ns1,u,2025-07-01 10:00:00,94,x\n"
                    "s2,u,2025-07-01 11:00:00,94,x,extra,cells\n", "utf-8")
    with pytest.raises(InputError, match=r"ragged.csv, row 3: a row has a different number of cells"):
        read_audit_log(path, profile="flock-search-audit", agency="X")


def test_a_user_mapping_and_user_rules(tmp_path):
    log = tmp_path / "county.csv"
    log.write_text("When,Who,Agency,Purpose,Plate\n02.01.2024 10:00:00,Officer A,Harbor SO,FBI assist,ABC123\n"
                   "03.01.2024 11:00:00,Officer B,Harbor SO,theft,XYZ9\n", "utf-8")
    mapping = tmp_path / "county.toml"
    mapping.write_text('system = "County RMS"\ndropped = ["Who", "Plate"]\n[columns]\ntime = "When"\n'
                       'agency = "Agency"\nreason = "Purpose"\n[time]\nformat = "%d.%m.%Y %H:%M:%S"\n', "utf-8")
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\ncategory = "federal"\nwords = ["FBI"]\n', "utf-8")
    read = read_audit_log(log, mapping=mapping, reason_rules=rules)
    assert by_agency_day(read) == {("Harbor SO", "2024-01-02"): 1, ("Harbor SO", "2024-01-03"): 1}
    assert total(read, reason_category="federal") == 1
    assert set(read.observations["system"]) == {"County RMS"}
    assert read.options["mapping"] == "county.toml" and read.options["reason_rules"] == "shipped rules, rules.toml"


# -- the real Eugene log -----------------------------------------------------------------------------------------
needs_eugene = pytest.mark.skipif(not EUGENE.exists(), reason=f"the real Eugene log is not at {EUGENE} "
                                  "(it is never copied into the project)")


def _eugene_counts(tmp_path, **kwargs):
    read = read_audit_log(EUGENE, profile="flock-search-audit", agency="Eugene OR PD", **kwargs)
    store = ingest(read, tmp_path / "eugene.duckdb")
    return read, store


@needs_eugene
def test_eugene_monthly_searches_as_given(tmp_path):
    read, store = _eugene_counts(tmp_path)
    with store:
        months = aggregate.counts(store, by=("agency",), grain="month").table
        assert list(months["period"]) == [f"2025-{m:02d}" for m in range(6, 13)]
        assert list(months["value"]) == [473, 1261, 1239, 901, 340, 73, 7]
        # the log covers 2025-06-18 to 2025-12-02; on 2025-10-19 it has no search against about nine a day
        # around it, a gap: only July, August, September and November are complete
        assert list(months["complete"]) == [False, True, True, True, False, True, False]
        gaps = store.findings().query("kind == 'coverage_gap'")
        assert list(gaps["location"]) == ["2025-10-19"]
        years = aggregate.counts(store, by=("agency",), grain="fiscal_year").table
        assert dict(zip(years["period"], years["value"])) == {"FY2025": 3874, "FY2026": 420}
        reasons = aggregate.counts(store, by=("reason_category",), grain="year").table
        assert "immigration" not in set(reasons["reason_category"])
    assert read.rows_read == 4294


@needs_eugene
def test_eugene_monthly_searches_in_pacific_time(tmp_path):
    read, store = _eugene_counts(tmp_path, source_tz="UTC", tz="America/Los_Angeles")
    with store:
        months = aggregate.counts(store, by=("agency",), grain="month").table
        assert list(months["value"]) == [481, 1284, 1209, 900, 341, 72, 7]
        source = store.sources().iloc[0]
        assert (source["source_tz"], source["report_tz"]) == ("UTC", "America/Los_Angeles")


SAMPLE = Path(__file__).resolve().parents[1] / "sample_logs" / "eugene-or-flock-monthly-searches.csv"
SAMPLE_NOTES = [
    "Counted by auditreport from EPDSearchAuditLogs.csv (Eugene OR Police Flock search audit; CC0) with "
    "--profile flock-search-audit; timestamps as given (no time zone in the log).",
    "Counts only: the raw log (user ids and reason texts; some reasons hold licence plates) is not included.",
    "June and December 2025 are partial months; coverage thins from October 2025.",
]


def eugene_sample_text(folder: Path) -> str:
    """The sample's text, produced by auditreport from the real log (regenerate: python -m tests.test_audit_log)."""
    read = read_audit_log(EUGENE, profile="flock-search-audit", agency="Eugene OR PD")
    with ingest(read, folder / "eugene-sample.duckdb") as store:
        months = aggregate.counts(store, by=("agency",), grain="month").table
    first, end = min(c[1] for c in read.coverage), max(c[2] for c in read.coverage)  # the days the log spans
    lines = ["agency,system,period,searches"]
    for row in months.itertuples():
        start, stop = max(row.period_start, first), min(row.period_end, end)
        period = row.period if (start, stop) == (row.period_start, row.period_end) else \
            f"{start:%Y-%m-%d} to {stop - dt.timedelta(days=1):%Y-%m-%d}"
        lines.append(f"{row.agency},Flock ALPR (search audit),{period},{int(row.value)}")
    lines += [""] + [f'"{note}"' for note in SAMPLE_NOTES]
    return "\n".join(lines) + "\n"


@needs_eugene
def test_the_eugene_sample_is_what_auditreport_counts(tmp_path):
    assert SAMPLE.read_text("utf-8") == eugene_sample_text(tmp_path)


def test_the_eugene_sample_reads_back_as_a_count_table(tmp_path):
    from auditreport.read.count_table import read_count_table
    read = read_count_table(SAMPLE)
    assert list(read.observations["value"]) == [473, 1261, 1239, 901, 340, 73, 7]


if __name__ == "__main__":  # regenerate sample_logs/eugene-or-flock-monthly-searches.csv from the real log
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        SAMPLE.write_text(eugene_sample_text(Path(folder)), "utf-8")
    print(f"wrote {SAMPLE}")


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu",
                                  "America/St_Johns", "UTC"])
def test_fast_zone_conversion_equals_duckdb_timezone(zone):
    """The arithmetic UTC -> local conversion agrees with ICU at every 7th minute around DST changes."""
    import duckdb

    from auditreport.read.log_time import utc_to_local_sql
    with duckdb.connect() as connection:
        connection.execute("SET TimeZone = 'UTC'")
        differences = connection.execute(f"""
            SELECT count(*) FILTER (WHERE {utc_to_local_sql('t', zone)}
                                          IS DISTINCT FROM timezone('{zone}', timezone('UTC', t))), count(*)
            FROM (SELECT unnest(generate_series(TIMESTAMP '2025-03-01', TIMESTAMP '2025-12-01',
                                                INTERVAL 7 MINUTE)) AS t
                  UNION ALL SELECT TIMESTAMP '1985-06-01 12:00' UNION ALL SELECT TIMESTAMP '2060-06-01 12:00')
            """).fetchone()
    assert differences[0] == 0 and differences[1] > 50_000
