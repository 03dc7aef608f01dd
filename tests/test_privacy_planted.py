"""The privacy guarantee, end to end: personal data planted in every personal column and in reason text
never reaches any table of the database, any finding, any log line or any output file."""
from __future__ import annotations

import csv
import logging
from pathlib import Path

import duckdb
import pytest

from auditreport import aggregate
from auditreport.read.audit_log import read_audit_log
from auditreport.report.build import build_report
from auditreport.store import SourceInfo, Store

from .conftest import output_text

# Invented people, plates, case numbers, an SSN (in a range never issued), ids and search terms.
PLANTED = ["Zebediah Quillfeather", "Marisol Vantongeren", "QZX9K7W", "7JKL302", "CASE-2025-884411",
           "25-0099123", "987-65-4329", "pl4nted-id-0001", "pl4nted-user-7781", "red pickup near Elm"]
FRAGMENTS = ["Quillfeather", "Vantongeren", "QZX9K7W", "7JKL302", "884411", "0099123", "987-65-4329", "65-4329",
             "pl4nted", "Elm"]

NETWORK_HEADER = ["ID", "Name", "Org Name", "Total Networks Searched", "Total Devices Searched", "Time Frame",
                  "License Plate", "Reason", "Case #", "Filters", "Search Time", "Search Type", "Text Prompt",
                  "Moderation"]
REASONS = ["ICE+ERO Zebediah Quillfeather QZX9K7W", "SSN 987-65-4329 check", "case CASE-2025-884411 stolen",
           "Marisol Vantongeren 7JKL302", "HSI 25-0099123", "Stolen vehicle"]


def _network_log(path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(NETWORK_HEADER)
        for i in range(60):
            name = PLANTED[i % 2]
            plate = PLANTED[2 + i % 2]
            case = PLANTED[4 + i % 2]
            writer.writerow([
                f"pl4nted-id-{i:04d}", name, ["Springfield PD", "U.S. Border Patrol", "Shelbyville County SO"][i % 3],
                str(1 + i % 5), "120",
                f"11/{1 + i % 20:02d}/2025, 01:00:00 AM UTC\n11/{1 + i % 20:02d}/2025, 11:00:00 PM UTC",
                plate, REASONS[i % len(REASONS)], case, f"plate:{plate} make:{name}",
                f"11/{1 + i % 20:02d}/2025, {1 + i % 12:02d}:15:00 PM UTC", ["lookup", "search"][i % 2],
                f"red pickup near Elm {name} {PLANTED[6]}", f"allow {name}"])
    return path


def _search_log(path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "userId", "searchDate", "cameraCount", "reason"])
        for i in range(30):
            writer.writerow([f"pl4nted-id-{i:04d}", "pl4nted-user-7781" if i % 2 else "Zebediah Quillfeather",
                             f"2025-07-{1 + i % 20:02d} 10:{i:02d}:00.000", "94", REASONS[i % len(REASONS)]])
    return path


def _all_database_text(db: Path) -> str:
    """Every cell of every table, read through DuckDB (its compression hides strings from a byte grep)."""
    with duckdb.connect(str(db), read_only=True) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()]
        assert {"sources", "observations", "findings"} <= set(tables)
        texts = []
        for table in tables:
            texts.append(table)
            for row in connection.execute(f'SELECT * FROM "{table}"').fetchall():
                texts.append(" ".join(map(str, row)))
        return "\n".join(texts)


def _assert_clean(text: str, where: str) -> None:
    lowered = text.lower()
    for value in PLANTED + FRAGMENTS:
        assert value.lower() not in lowered, f"planted value {value!r} found in {where}"


def test_planted_personal_data_never_reaches_the_database_or_outputs(tmp_path, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "audit.duckdb"
    out = tmp_path / "report"
    network = _network_log(tmp_path / "network.csv")
    search = _search_log(tmp_path / "search.csv")
    reads = [read_audit_log(network, profile="flock-network-audit", tz="America/Chicago", retention_days=3),
             read_audit_log(search, profile="flock-search-audit", agency="Springfield PD", system="Flock ALPR",
                            source_tz="UTC", tz="America/Chicago")]
    tables = []
    with Store(db) as store:
        for read in reads:
            _assert_clean(read.observations.astype(str).to_csv(), "observations handed to the store")
            _assert_clean(repr(read.findings) + repr(read.options), "findings and options")
            store.add_source(SourceInfo(read.grid.file_name, read.grid.sha256, read.grid.size_bytes, read.reader,
                                        options=read.options, source_tz=read.source_tz, report_tz=read.report_tz,
                                        rows_read=read.rows_read, coverage=read.coverage),
                             read.observations, read.findings)
        for by in (("agency",), ("agency", "reason_category"), ("reason_category", "query_type")):
            for grain in ("month", "fiscal_year"):
                tables.append(aggregate.counts(store, by=by, grain=grain).table)
        tables.append(aggregate.counts(store, by=("agency",), grain="month", measure="searches_multi_network").table)
        tables.append(store.findings())
        build_report(store, out, grain="month")
    for number, table in enumerate(tables):
        table.to_csv(out / f"counts-{number}.csv", index=False)

    immigration = tables[2][tables[2]["reason_category"] == "immigration"]
    assert immigration["value"].sum() > 0  # the reasons were read, classified ... and dropped

    _assert_clean(_all_database_text(db), "the database")
    files = [path for path in out.rglob("*") if path.is_file()]
    assert {".html", ".pdf", ".xlsx", ".csv"} <= {path.suffix for path in files}
    for path in files:
        _assert_clean(output_text(path), str(path.name))
    captured = capsys.readouterr()
    _assert_clean(captured.out + captured.err + caplog.text, "logs and console output")


def test_error_messages_do_not_echo_personal_cells(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,userId,searchDate,cameraCount,reason\n"
                    "pl4nted-id-1,Zebediah Quillfeather,Zebediah Quillfeather,94,QZX9K7W\n", "utf-8")
    with pytest.raises(Exception) as error:  # the time column holds a name: the error shows its shape only
        read_audit_log(path, profile="flock-search-audit", agency="X")
    _assert_clean(str(error.value), "the error message")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("id,userId,searchDate,cameraCount,reason\n"
                      "p1,u,2025-07-01 10:00:00,94,x\np2,Zebediah Quillfeather,2025-07-01 10:00:00,94,QZX9K7W,x\n",
                      "utf-8")
    with pytest.raises(Exception) as error:
        read_audit_log(ragged, profile="flock-search-audit", agency="X")
    _assert_clean(str(error.value), "the error message")
    headerless = tmp_path / "headerless.csv"  # a user mapping without layouts meets a file without a header
    headerless.write_text("Zebediah Quillfeather,QZX9K7W,2025-07-01 10:00:00\n", "utf-8")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('system = "X"\ndropped = ["Officer", "Plate"]\n[columns]\ntime = "When"\n', "utf-8")
    with pytest.raises(Exception) as error:
        read_audit_log(headerless, mapping=mapping, agency="X")
    assert "layouts" in str(error.value)
    _assert_clean(str(error.value), "the error message")


def test_the_spill_folder_is_removed(tmp_path):
    import tempfile
    folder = Path(tempfile.gettempdir())
    before = {p.name for p in folder.glob("auditreport-*")}
    read_audit_log(_search_log(tmp_path / "search.csv"), profile="flock-search-audit", agency="X")
    assert {p.name for p in folder.glob("auditreport-*")} <= before  # a read adds none (it may remove stale ones)


def test_the_database_check_would_see_a_leak(tmp_path):
    """The check itself: a planted value stored in a table is found through DuckDB."""
    db = tmp_path / "leak.duckdb"
    with Store(db) as store:
        store.connection.execute("INSERT INTO findings VALUES (NULL, 'x', 'leak', ?)", [PLANTED[0]])
    with pytest.raises(AssertionError, match="Quillfeather"):
        _assert_clean(_all_database_text(db), "the database")


def test_planted_personal_data_never_reaches_the_database_through_the_command_line(tmp_path):
    """The path `auditreport ingest` takes: the counts reach the store in a Parquet file, never a frame."""
    import tempfile

    from click.testing import CliRunner

    from auditreport.cli import main
    db, out = tmp_path / "cli.duckdb", tmp_path / "cli-report"
    before = {p.name for p in Path(tempfile.gettempdir()).glob("auditreport-*")}
    runner = CliRunner()
    printed = []
    for arguments in (["ingest", _network_log(tmp_path / "network.csv"), "--profile", "flock-network-audit",
                       "--tz", "America/Chicago", "--retention-days", "3"],
                      ["ingest", _search_log(tmp_path / "search.csv"), "--profile", "flock-search-audit",
                       "--agency", "Springfield PD", "--system", "Flock ALPR", "--source-tz", "UTC"],
                      ["counts", "--by", "agency,reason_category", "--grain", "month"],
                      ["findings"], ["sources"], ["report", "--out", out, "--grain", "month"]):
        result = runner.invoke(main, [str(a) for a in arguments] + ["--db", str(db)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        printed.append(result.output)
    assert "immigration" in printed[2]
    _assert_clean("\n".join(printed), "the command line's output")
    _assert_clean(_all_database_text(db), "the database")
    for path in (p for p in out.rglob("*") if p.is_file()):
        _assert_clean(output_text(path), str(path.name))
    assert {p.name for p in Path(tempfile.gettempdir()).glob("auditreport-*")} <= before  # spill and counts: removed


def test_the_counts_folder_lives_until_the_read_is_closed(tmp_path):
    with read_audit_log(_search_log(tmp_path / "search.csv"), profile="flock-search-audit", agency="X") as read:
        folder = read.counts.path.parent
        assert sorted(p.name for p in folder.iterdir()) == ["counts.parquet", "search-keys.parquet"]  # hashes only
        searches = read.observations[read.observations["measure"] == "searches"]
        assert searches["value"].sum() == 30
    assert not folder.exists()
