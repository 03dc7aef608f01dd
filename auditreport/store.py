"""The DuckDB file: schema, provenance, and one transaction per ingest.

Append-only: an ingest adds one row to `sources`, its observations and its findings, or nothing at
all. The same file (same bytes, same sheet) is never ingested twice. Aggregates are queries, never
stored.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import duckdb

from .errors import AuditReportError, UsageError
from .model import (COVERAGE_COLUMNS, FINDING_COLUMNS, MEASURES, OBSERVATION_COLUMN_NAMES, OBSERVATION_COLUMNS,
                    QUALIFIERS, SOURCE_COLUMNS, STATUSES, Finding, ObservationFile)
from .labels import PLACEHOLDER_PATTERN
from .privacy import guard_observation_file, guard_observations
from .read.log_coverage import coverage_of
from . import store_overlap

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_DB = "auditreport.duckdb"
SCHEMA_VERSION = 6
MEMORY_LIMIT = "384MB"  # a 10M-row audit log (2.4M observations) ingests in about 420 MB of peak memory

ADDED_LATER = ("on_behalf_of", "offense_type", "moderation")  # observation columns added by later migrations
MIGRATIONS = {
    1: [
        "CREATE TABLE sources (" + ", ".join(f"{c.name} {c.sql_type}" for c in SOURCE_COLUMNS)
        + ", UNIQUE (sha256, sheet))",
        "CREATE TABLE observations (" + ", ".join(f"{c.name} {c.sql_type}" for c in OBSERVATION_COLUMNS
                                                  if c.name not in ADDED_LATER) + ")",
        "CREATE TABLE findings (" + ", ".join(f"{c.name} {c.sql_type}" for c in FINDING_COLUMNS) + ")",
    ],
    2: ["ALTER TABLE observations ADD COLUMN on_behalf_of VARCHAR"],  # agencies named in reason text
    3: ["CREATE TABLE coverage (" + ", ".join(f"{c.name} {c.sql_type}" for c in COVERAGE_COLUMNS) + ")"],
    4: [lambda connection: _coverage_by_rule(connection)],  # gaps and partial days by one rule, for older logs
    5: store_overlap.MIGRATION,  # searches counted once across sources: search-id hashes, shared days
    6: ["ALTER TABLE observations ADD COLUMN offense_type VARCHAR",  # Flock's 2026 offense types
        "ALTER TABLE observations ADD COLUMN moderation VARCHAR"],   # allow, block, warn
}


def _coverage_by_rule(connection) -> None:
    """Schema 4: a log ingested before the gap rule covered every day from its first to its last, and called every
    empty day a gap. Work its coverage and coverage findings out again from its own day-level counts, by the rule
    of read/log_coverage.py, so that old and new databases agree on which periods are complete."""
    for source_id, options in connection.execute(
            "SELECT source_id, options FROM sources WHERE reader = 'audit-log' ORDER BY source_id").fetchall():
        days = connection.execute("""
            SELECT system, period_start, sum(value) FROM observations
            WHERE source_id = ? AND measure = 'searches' AND period_end = period_start + 1
            GROUP BY ALL ORDER BY ALL""", [source_id]).fetchall()
        coverage, findings = coverage_of(days, bool(json.loads(options or "{}").get("complete")))
        connection.execute("DELETE FROM coverage WHERE source_id = ?", [source_id])
        connection.execute("DELETE FROM findings WHERE source_id = ? AND kind IN ('coverage_gap', 'partial_day')",
                           [source_id])
        if coverage:
            connection.executemany("INSERT INTO coverage VALUES (?, ?, ?, ?)",
                                   [[source_id, system, start, end] for system, start, end in coverage])
        if findings:
            connection.executemany("INSERT INTO findings VALUES (?, ?, ?, ?)",
                                   [[source_id, f.location, f.kind, f.message] for f in findings])


@dataclass(frozen=True)
class SourceInfo:
    """What the store records about one ingested file."""

    file_name: str
    sha256: str
    size_bytes: int
    reader: str
    sheet: str = ""
    request_id: str | None = None
    options: dict | None = None
    source_tz: str | None = None
    report_tz: str | None = None
    rows_read: int | None = None
    coverage: tuple[tuple[str, date, date], ...] = ()  # (system, start, end): every search recorded there
    search_keys: Path | None = None  # keyed hashes of the search ids counted (Parquet; store_overlap.py)
    counted_before: tuple[tuple[int, int], ...] = ()  # (earlier source, searches of it met again, not counted)


@dataclass(frozen=True)
class IngestResult:
    source_id: int
    file_name: str
    already_ingested: bool
    observations: int
    findings: int
    note: str = ""

    def summary(self) -> str:
        if self.already_ingested:
            return (f"{self.file_name}: already ingested as source {self.source_id}; nothing changed."
                    + (f" {self.note}" if self.note else ""))
        return (f"{self.file_name}: ingested as source {self.source_id}: {self.observations} observation(s), "
                f"{self.findings} finding(s)." + (f" {self.note}" if self.note else ""))


class Store:
    """An auditreport database file. Use as a context manager, or call close()."""

    def __init__(self, path: str | Path = DEFAULT_DB, *, read_only: bool = False):
        self.path = Path(path)
        self.generation = 0  # counts the files ingested through this Store: answers computed before are stale
        if read_only and not self.path.exists():
            raise UsageError(f"there is no database at {self.path}",
                             hint="Ingest a file first (auditreport ingest FILE), or pass --db PATH.")
        _refuse_what_is_not_a_database(self.path)
        try:
            self.connection = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as error:
            damaged = "enough bytes" in str(error) or "corrupt" in str(error).lower()
            raise AuditReportError(
                f"the database {self.path} is damaged or incomplete" if damaged else
                f"the database {self.path} could not be opened ({str(error).splitlines()[0]})",
                hint="Restore it from a copy, or ingest the files again into a new database (--db)." if damaged else
                     "Check that no other program has it open, and that the folder is readable.") from None
        except duckdb.Error as error:
            raise AuditReportError(f"the database {self.path} could not be opened ({str(error).splitlines()[0]})",
                                   hint="Check that no other program has it open, and that it is an "
                                        "auditreport database.") from None
        if not read_only:
            # Without a limit DuckDB buffers a large INSERT's row groups in memory (20% of RAM per thread);
            # with one it writes them out as it goes. A log's reader has closed its own DuckDB by then.
            self.connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            try:
                self._migrate()
            except BaseException:
                self.connection.close()
                raise
        elif self._version() == 0:
            raise UsageError(f"{self.path} is not an auditreport database", hint="Pass --db with the right file.")
        elif (version := self._version()) > SCHEMA_VERSION:  # tables this version may misread
            self.connection.close()
            raise UsageError(f"{self.path} was written by a newer auditreport (schema {version})",
                             hint="Upgrade auditreport to read it.")
        elif self._version() < SCHEMA_VERSION:  # written by an older auditreport: upgrade once, then read
            self.connection.close()
            Store(self.path).close()
            self.connection = duckdb.connect(str(self.path), read_only=True)

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    # -- schema ------------------------------------------------------------------------------------------
    def _version(self) -> int:
        exists = self.row("SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'")[0]
        if not exists:
            return 0
        return self.row("SELECT coalesce(max(version), 0) FROM schema_migrations")[0]

    def _migrate(self) -> None:
        current = self._version()
        if current == 0 and self.row("SELECT count(*) FROM information_schema.tables")[0]:
            raise UsageError(f"{self.path} is a DuckDB file that auditreport did not create; it is left as it is",
                             hint="Pass --db with a new file name, or with an auditreport database.")
        if current > SCHEMA_VERSION:
            raise UsageError(f"{self.path} was written by a newer auditreport (schema {current})",
                             hint="Upgrade auditreport.")
        with self.transaction():
            self.connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                                    "(version INTEGER PRIMARY KEY, applied_at TIMESTAMP)")
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version]:
                    if callable(statement):
                        statement(self.connection)
                    else:
                        self.connection.execute(statement)
                self.connection.execute("INSERT INTO schema_migrations VALUES (?, ?)", [version, _now()])

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.connection.execute("BEGIN TRANSACTION")
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    # -- ingest ------------------------------------------------------------------------------------------
    def source_options(self, source_id: int) -> dict:
        return json.loads(self.row("SELECT options FROM sources WHERE source_id = ?", [source_id])[0] or "{}")

    def find_source(self, sha256: str, sheet: str = "") -> int | None:
        row = self.row("SELECT source_id FROM sources WHERE sha256 = ? AND sheet = ?", [sha256, sheet])
        return row[0] if row else None

    def add_source(self, source: SourceInfo, observations: pd.DataFrame | ObservationFile,
                   findings: list[Finding], replacements: dict[str, dict] | None = None, *,
                   replace: bool = False) -> IngestResult:
        """Store one file's observations and findings in one transaction; a second time, change nothing.

        `observations` is a DataFrame, or a Parquet file of them (an audit log's counts), read by DuckDB.
        `replacements` (column -> value read -> value stored) are the screen's placeholders (labels.py).
        With `replace`, the same file stored before is replaced in the same transaction (it keeps its number).
        """
        existing = self.find_source(source.sha256, source.sheet)
        if existing is not None and not replace:
            return IngestResult(existing, source.file_name, True, 0, 0)
        if existing is not None:
            store_overlap.refuse_if_relied_on(self.connection, existing, "replaced")
        if isinstance(observations, ObservationFile):
            select, distinct = guard_observation_file(self.connection, observations, source.file_name, replacements)
            _check_values(distinct, source.file_name)
            self.connection.execute(f"CREATE OR REPLACE TEMP VIEW incoming_observations AS {select}")
            try:
                return self._insert(source, findings, replacements or {}, existing)
            finally:
                self.connection.execute("DROP VIEW IF EXISTS incoming_observations")
        frame = guard_observations(observations, source.file_name, replacements)
        _check_values({column: set(frame[column].dropna()) for column in ("measure", "status", "qualifier")},
                      source.file_name)
        self.connection.register("incoming_observations", frame.assign(source_id=0)[list(OBSERVATION_COLUMN_NAMES)])
        try:
            return self._insert(source, findings, replacements or {}, existing)
        finally:  # after the transaction has ended, so a failure inside it keeps its own message
            self.connection.unregister("incoming_observations")

    def remove_source(self, source_id: int) -> str:
        """Remove one source, its numbers, coverage and findings, in one transaction; return its file name."""
        row = self.row("SELECT file_name FROM sources WHERE source_id = ?", [source_id])
        if row is None:
            raise UsageError(f"there is no source {source_id} in this database",
                             hint="List the sources with: auditreport sources --format table.")
        store_overlap.refuse_if_relied_on(self.connection, source_id, "removed")
        with self.transaction() as connection:
            self._delete_source(connection, source_id)
        self.generation += 1
        return row[0]

    def search_ids(self, replacing: int | None = None) -> store_overlap.StoredIds:
        """The search-id hashes earlier sources counted, for a log's reader (but those of the source replaced)."""
        return store_overlap.StoredIds(self.connection, replacing)

    def snapshot_search_keys(self, path: Path) -> bool:
        """Every stored search key, with its scope, to `path` for reads in other threads (ingest_parallel.py)."""
        return store_overlap.snapshot_keys(self.connection, path)

    def shares_searches(self, keys: Path, options: dict, sources: list[int]) -> bool:
        """Whether one of `sources`, of the scope of a log read with `options`, counted a search of `keys`."""
        return store_overlap.shares_searches(self.connection, keys, options, sources)

    @staticmethod
    def _delete_source(connection, source_id: int) -> None:
        for table in ("findings", "coverage", "observations", *store_overlap.TABLES, "sources"):
            connection.execute(f"DELETE FROM {table} WHERE source_id = ?", [source_id])

    def placeholders_taken(self) -> dict[str, int]:
        """How many placeholders of each kind ("agency", "search type") the stored observations use."""
        rows = self.connection.execute(f"""
            WITH labels AS (SELECT agency AS label FROM observations UNION SELECT on_behalf_of FROM observations
                            UNION SELECT query_type FROM observations)
            SELECT regexp_extract(label, '{PLACEHOLDER_PATTERN}', 1) AS kind,
                   max(regexp_extract(label, '{PLACEHOLDER_PATTERN}', 2)::INTEGER)
            FROM labels WHERE regexp_matches(label, '{PLACEHOLDER_PATTERN}') GROUP BY kind""").fetchall()
        return dict(rows)

    def _screened_select(self, replacements: dict[str, dict]) -> str:
        """The SELECT of incoming observations with the screen's replacements applied, by joins on small tables."""
        columns, joins = [], []
        for index, name in enumerate(OBSERVATION_COLUMN_NAMES):
            if name == "source_id":
                columns.append("?::INTEGER AS source_id")
            elif replacements.get(name):
                table = f"screen_{index}"
                self.connection.execute(f"CREATE OR REPLACE TEMP TABLE {table} (read VARCHAR, stored VARCHAR)")
                self.connection.executemany(f"INSERT INTO {table} VALUES (?, ?)",
                                            [[read, stored] for read, stored in replacements[name].items()])
                joins.append(f"LEFT JOIN {table} ON {table}.read = i.{name}")
                columns.append(f"CASE WHEN {table}.read IS NULL THEN i.{name} ELSE {table}.stored END AS {name}")
            else:
                columns.append(f"i.{name}")
        return (f"SELECT {', '.join(columns)} FROM incoming_observations i {' '.join(joins)} "
                f"WHERE {store_overlap.SHARED_DAY_FILTER}")

    def _insert(self, source: SourceInfo, findings: list[Finding], replacements: dict[str, dict],
                replacing: int | None = None) -> IngestResult:
        with self.transaction() as connection:
            if replacing is not None:
                self._delete_source(connection, replacing)
            source_id = replacing or self.row("SELECT coalesce(max(source_id), 0) + 1 FROM sources")[0]
            connection.execute(
                "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [source_id, source.file_name, source.sha256, source.size_bytes, source.sheet, source.request_id,
                 source.reader, json.dumps(source.options or {}, sort_keys=True), source.source_tz,
                 source.report_tz, source.rows_read, _now()])
            shared = store_overlap.shared_days(connection, source_id, source.reader, source.options or {})
            inserted = self.row(f"INSERT INTO observations BY NAME {self._screened_select(replacements)}",
                                [source_id])[0]
            if source.coverage:
                connection.executemany("INSERT INTO coverage VALUES (?, ?, ?, ?)",
                                       [[source_id, system, start, end] for system, start, end in source.coverage])
            store_overlap.store_keys(connection, source_id, source.search_keys, dict(source.counted_before))
            overlaps = self._overlap_findings(source_id, store_overlap.id_partners(connection, source_id,
                                                                                  source.options or {}))
            all_findings = list(findings) + shared + overlaps
            if all_findings:
                connection.executemany("INSERT INTO findings VALUES (?, ?, ?, ?)",
                                       [[source_id, f.location, f.kind, f.message] for f in all_findings])
        self.generation += 1
        return IngestResult(source_id, source.file_name, False, inserted, len(all_findings))

    def _overlap_findings(self, source_id: int, told_apart: list[int]) -> list[Finding]:
        """Counts of the same thing from two files would be added twice: say so at ingest. Sources whose searches
        were told apart from this one's by search id (`told_apart`) never overlap it.

        Both checks first ask whether an overlap is possible at all, so that a log's millions of day-level
        observations are never joined with themselves for nothing.
        """
        findings: list[Finding] = []
        other_source = self.row("""
            SELECT 1 FROM observations o
            WHERE o.source_id <> $1 AND o.source_id NOT IN (SELECT unnest($3::INTEGER[]))
              AND o.system IN (SELECT DISTINCT system FROM observations WHERE source_id = $2)
            LIMIT 1""", [source_id, source_id, told_apart])
        if other_source:
            # Pairs of overlapping observations, in three disjoint parts so that no part joins day with day
            # by range: identical periods (days with days) by equality; then the rare longer periods.
            series = ("o.measure = n.measure AND o.system = n.system AND o.agency IS NOT DISTINCT FROM n.agency "
                      "AND o.reason_category IS NOT DISTINCT FROM n.reason_category "
                      "AND o.query_type IS NOT DISTINCT FROM n.query_type")
            overlap = ("o.period_start < n.period_end AND n.period_start < o.period_end "
                       "AND NOT (o.period_start = n.period_start AND o.period_end = n.period_end)")
            rows = self.connection.execute(f"""
                WITH n AS (SELECT * FROM observations WHERE source_id = $1),
                     o AS (SELECT * FROM observations WHERE source_id <> $2
                           AND source_id NOT IN (SELECT unnest($3::INTEGER[]))
                           AND system IN (SELECT DISTINCT system FROM n)),
                     n_long AS (SELECT * FROM n WHERE period_end <> period_start + 1),
                     o_long AS (SELECT * FROM o WHERE period_end <> period_start + 1),
                     pairs AS (
                         SELECT n.*, o.source_id AS other_source_id FROM n JOIN o ON {series}
                             AND o.period_start = n.period_start AND o.period_end = n.period_end
                         UNION ALL
                         SELECT n.*, o.source_id FROM n_long n JOIN o ON {series} AND {overlap}
                         UNION ALL
                         SELECT n.*, o.source_id FROM n JOIN o_long o ON {series} AND {overlap}
                             AND n.period_end = n.period_start + 1)
                SELECT s.file_name, p.agency, p.system, p.measure,
                       count(DISTINCT (p.row_number, p.column_name, p.period_start, p.reason_category,
                                       p.query_type)),
                       arg_min(p.period_label, p.period_start)
                FROM pairs p JOIN sources s ON s.source_id = p.other_source_id
                GROUP BY ALL ORDER BY ALL""", [source_id, source_id, told_apart]).fetchall()
            findings += [Finding(f"{agency or 'all agencies'}, {system}", "overlapping_sources",
                                 f"{cells} {measure} observation(s) from {period} on overlap {file_name}; "
                                 "sums over both files would count the same searches twice.")
                         for file_name, agency, system, measure, cells, period in rows]
        # Two periods of one day each overlap only when they are the same day, which the query below leaves
        # out: a source whose every observation is one day long (an audit log's) has no overlapping periods.
        longer_than_a_day = self.row("SELECT 1 FROM observations WHERE source_id = ? "
                                     "AND period_end <> period_start + 1 LIMIT 1", [source_id])
        if not longer_than_a_day:
            return findings
        within = self.connection.execute("""
            WITH n AS (SELECT * FROM observations WHERE source_id = ?)
            SELECT n.row_number, n.column_name, n.period_label, o.row_number, o.column_name, o.period_label,
                   n.agency, n.measure
            FROM n
            JOIN n AS o ON o.measure = n.measure
                 AND o.system = n.system AND o.agency IS NOT DISTINCT FROM n.agency
                 AND o.reason_category IS NOT DISTINCT FROM n.reason_category
                 AND o.query_type IS NOT DISTINCT FROM n.query_type
                 AND o.period_start < n.period_end AND n.period_start < o.period_end
                 AND (o.row_number, o.column_name, o.period_start) < (n.row_number, n.column_name, n.period_start)
                 AND NOT (o.period_start = n.period_start AND o.period_end = n.period_end)
            ORDER BY ALL""", [source_id]).fetchall()
        findings += [Finding(f"row {row}, column {column}", "overlapping_periods",
                             f"{agency or 'the agency'}'s {measure} for {label} overlap those for {other_label} "
                             f"(row {other_row}, column {other_column}); sums over both would count the same "
                             "searches twice.")
                     for row, column, label, other_row, other_column, other_label, agency, measure in within]
        return findings

    # -- reading back ------------------------------------------------------------------------------------
    def row(self, sql: str, parameters: list | None = None) -> tuple | None:
        """The first row of a query (the result is drained, as DuckDB needs before the next statement)."""
        rows = self.connection.execute(sql, parameters or []).fetchall()
        return rows[0] if rows else None

    def query(self, sql: str, parameters: list | None = None) -> pd.DataFrame:
        return self.connection.execute(sql, parameters or []).df()

    def sources(self) -> pd.DataFrame:
        return self.query("SELECT * FROM sources ORDER BY source_id")

    def findings(self) -> pd.DataFrame:
        return self.query("""SELECT s.file_name AS source, f.source_id, f.location, f.kind, f.message
                             FROM findings f LEFT JOIN sources s USING (source_id)
                             ORDER BY f.source_id, f.kind, f.location, f.message""")

    def table_names(self) -> list[str]:
        return [row[0] for row in self.connection.execute(
            "SELECT table_name FROM information_schema.tables ORDER BY table_name").fetchall()]


def _refuse_what_is_not_a_database(path: Path) -> None:
    """A folder, or a file that is not DuckDB's (a CSV passed as --db), is named as such before DuckDB sees it."""
    if path.exists() and not path.is_file():
        raise UsageError(f"{path} is a folder, not a database file", hint="Pass --db with a file name.")
    if path.is_file() and path.stat().st_size:
        with open(path, "rb") as handle:
            if handle.read(12)[8:12] != b"DUCK":
                raise UsageError(f"{path} is not an auditreport database (it is not a DuckDB file); it is left as "
                                 "it is", hint="Pass --db with the database file, or a new file name.")


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def _check_values(distinct: dict[str, set], file_name: str) -> None:
    """Last line of defence: only declared measures, statuses and qualifiers enter the store."""
    for column, allowed in (("measure", MEASURES), ("status", STATUSES), ("qualifier", QUALIFIERS)):
        unknown = set(distinct.get(column, ())) - {None} - set(allowed)
        if unknown:
            raise AuditReportError(f"internal: unknown {column} {sorted(unknown)}", file=file_name)
