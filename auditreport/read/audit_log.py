"""Row-level audit logs (one row per search) -> day-level counts, read and aggregated by DuckDB.

The privacy guarantee lives here: DuckDB reads the file in its own in-memory connection and only the
mapped columns are ever selected. One scan (log_scan.py) groups the rows by agency, system, day, query
type and reason class (log_reasons.py), classifying each reason in RE2 as it reads it; a reason the sample
did not hold keeps its text only until Python has read which agency it may name.
The counts leave in a Parquet file of observations (counts only), which the store reads straight into
its table. Names, plates, case numbers, search terms and user ids are never selected; distinct users are
only ever a number in a finding. Beyond MEMORY_LIMIT DuckDB spills what it holds (reason texts and user ids
too) into a private folder that lives only as long as the read (spill.py).

>>> with read_audit_log("EPDSearchAuditLogs.csv", profile="flock-search-audit",
...                     agency="Eugene OR PD") as read:          # doctest: +SKIP
...     read.observations.groupby("measure")["value"].sum()
"""
from __future__ import annotations

import os
import re
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path

import duckdb

from ..agencies import Crosswalk, load_crosswalk
from ..errors import InputError, UsageError
from ..model import OBSERVATION_COLUMNS, REPORTED, Finding, ObservationFile
from ..rules import ReasonRules, load_reason_rules
from ..sql import sql_text
from .grid import file_identity
from .log_coverage import coverage_of
from .log_ids import KnownIds, check_ids, key_sql, write_new_keys
from .log_layout import log_layout
from .log_closed import moderation_sql, offense_label, offense_types
from .markers import SHIPPED, Markers
from .log_own import OTHERS, OWN, OwnSplit
from .log_reasons import ReasonClasses
from .log_scan import LogScan, csv_sql
from .log_time import TIME_HINT, check_zone, detect_time, shape, zone_note
from .mapping import Mapping, read_sample, resolve_mapping
from .spill import folder_prefix, spill_folder

READER = "audit-log"
MEMORY_LIMIT = "320MB"         # DuckDB spills to a private temporary folder beyond this (peak RSS ~420 MB)
THREADS = os.cpu_count() or 1
READ_ERRORS = (duckdb.InvalidInputException, duckdb.IOException, duckdb.ConversionException,
               duckdb.OutOfMemoryException)  # what a file can cause: each said in one line (_duckdb_error)
CLASSIFY_BATCH = 10_000        # reason texts classified in Python at a time (more: a higher peak of memory)


@dataclass(frozen=True)
class LogFile:
    """The identity of an ingested log (what the store records), without its rows."""

    file_name: str
    sha256: str
    size_bytes: int
    sheet: str = ""


@dataclass
class AuditLogRead:
    """What the store keeps about a log: its counts (a Parquet file), findings, zones, mapping and options.

    The counts file lives in a private folder until `close()` (or the end of a `with` block, or the end of
    the object); `observations` reads it as a DataFrame, for a notebook or a test.
    """

    grid: LogFile
    reader: str
    counts: ObservationFile
    findings: list[Finding] = field(default_factory=list)
    rows_read: int = 0
    source_tz: str | None = None     # zone naive timestamps were read in (None: as given)
    report_tz: str | None = None     # zone counts were bucketed in (None: timestamps as given)
    options: dict = field(default_factory=dict)
    mapping: str = ""
    # (system, first day, day after the last day) with a search: the log records every search in between,
    # so a day there without a row is a day without searches (SourceInfo.coverage)
    coverage: tuple[tuple[str, date, date], ...] = ()
    # the keyed hashes of the search ids this source counts (Parquet, log_ids.py), and the searches it found
    # already counted by earlier sources (source id -> searches)
    search_keys: Path | None = None
    counted_before: dict[int, int] = field(default_factory=dict)
    # a workbook's sheets (log_workbook.py): (sheet number, searches, first day, last day) of each with a search
    sheet_days: tuple[tuple[int, int, date, date], ...] = ()
    folder: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    @cached_property
    def observations(self):
        """The counts as a DataFrame of the count model's columns (but source_id)."""
        with duckdb.connect() as connection:
            return connection.execute("SELECT * FROM read_parquet(?)", [str(self.counts.path)]).df()

    def close(self) -> None:
        if self.folder is not None:
            self.folder.cleanup()

    def __enter__(self) -> "AuditLogRead":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# -- DuckDB ---------------------------------------------------------------------------------------------------
def _duckdb_error(error: duckdb.Error, file_name: str) -> InputError:
    """A one-line error without DuckDB's copy of the offending line (which may hold personal data)."""
    if isinstance(error, duckdb.OutOfMemoryException):
        limit = MEMORY_LIMIT.removesuffix("MB")  # "320MB" alone reads like a licence plate to the privacy screen
        return InputError(f"the log is too large to count within the reader's memory limit ({limit} MB)",
                          file=file_name, hint="Split it into parts (by month, say) and ingest the parts: each "
                          "search is still counted once. Nothing was stored.")
    text = str(error)
    line = re.search(r"[Ll]ine:?\s*(\d+)", text)
    lowered = text.lower()
    what = "the CSV could not be read"
    if "unterminated quote" in lowered:
        what = "a quoted cell is not closed"
    elif "expected number of columns" in lowered or "too many columns" in lowered or "columns" in lowered:
        what = "a row has a different number of cells than the first row"
    elif "unicode" in lowered or "utf-8" in lowered:
        what = "the text is not valid UTF-8"
    return InputError(what, file=file_name, row=int(line.group(1)) if line else None,
                      hint="Re-export the log as CSV (UTF-8, comma separated), or check the row.")


def _connect(progress: bool, spill: str) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    connection.execute(f"SET temp_directory = {sql_text(spill)}")
    connection.execute("SET preserve_insertion_order = false")
    # DuckDB guesses a few dozen rows for a CSV it does not sniff, and would build the scan's join on the file
    # instead of on the sample's reasons: a hash table of every row's reason (out of memory when they are all
    # distinct). Every join here has its small side on the right, where a LEFT JOIN builds without this optimizer.
    connection.execute("SET disabled_optimizers = 'build_side_probe_side'")
    connection.execute(f"SET threads = {THREADS}")
    connection.execute("SET TimeZone = 'UTC'")
    show = str(bool(progress and sys.stderr.isatty())).lower()
    for setting in ("enable_progress_bar", "enable_progress_bar_print"):
        try:
            connection.execute(f"SET {setting} = {show}")
        except duckdb.Error:  # under Jupyter without ipywidgets DuckDB refuses any progress setting: none shows
            pass
    return connection


def _label_sql(cell: str, markers: Markers) -> str:
    """A trimmed cell as a label: empty is unknown (NULL), a redaction marker is '(redacted)'; a byte-order mark
    inside the file (two exports joined) is no part of a name."""
    cell = f"trim(replace({cell}, chr(65279), ''))"
    return f"CASE WHEN {cell} = '' THEN NULL WHEN {markers.sql(cell)} THEN '(redacted)' ELSE {cell} END"


# -- the read -------------------------------------------------------------------------------------------------
def read_audit_log(path: str | Path, *, profile: str | None = None, mapping: str | Path | Mapping | None = None,
                   system: str | None = None, agency: str | None = None, source_tz: str | None = None,
                   tz: str | None = None, retention_days: int | None = None,
                   reason_rules: str | Path | ReasonRules | None = None, progress: bool = False,
                   agencies: Crosswalk | None = None, complete: bool = False,
                   own_agency: str | None = None, search_ids: KnownIds | None = None, sheets=None,
                   include_hidden: bool = False) -> AuditLogRead:
    """Count the searches of a row-level audit log by agency, system, day, reason category and query type.

    `complete` states that the log records every search from its first to its last day (no gaps, no
    partial days): the coverage then takes that on trust, and a finding says so. `own_agency` (or the mapping's
    own_agency) splits a network audit into the producing agency's own searches and the others' (log_own.py).
    With a search id column, each search is counted once: `search_ids` (the store's) gives the key of the hashes
    and those of earlier sources (log_ids.py); without it, a search repeated in this file is still counted once.
    An XLSX workbook is read sheet by sheet as one log (log_workbook.py): every visible sheet, or `sheets`.

    >>> read_audit_log("network-audit.csv", profile="flock-network-audit", tz="America/Los_Angeles",
    ...                retention_days=30)  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("there is no such file", file=str(path), hint="Check the path.")
    from .log_workbook import is_workbook, read_workbook_log  # it calls back with one CSV of the sheets' cells

    if is_workbook(path):
        return read_workbook_log(path, sheets=sheets, include_hidden=include_hidden, profile=profile,
                                 mapping=mapping, system=system, agency=agency, source_tz=source_tz, tz=tz,
                                 retention_days=retention_days, reason_rules=reason_rules, progress=progress,
                                 agencies=agencies, complete=complete, own_agency=own_agency, search_ids=search_ids)
    if sheets:
        raise UsageError("--sheet is for XLSX workbooks; this log is a CSV file", file=path.name,
                         hint="Leave out --sheet.")
    log_mapping = resolve_mapping(profile, mapping)
    rules = reason_rules if isinstance(reason_rules, ReasonRules) else load_reason_rules(reason_rules)
    crosswalk = agencies or load_crosswalk()
    classes = ReasonClasses(rules, crosswalk)
    source_tz, tz = check_zone(source_tz, "--source-tz"), check_zone(tz, "--tz")
    if retention_days is not None and (not isinstance(retention_days, int) or retention_days < 1):
        raise UsageError(f"--retention-days must be a whole number of days (1 or more), not {retention_days!r}",
                         hint="Example: --retention-days 30.")
    file_name = path.name
    markers = SHIPPED.adding(log_mapping.redaction_markers)
    sample = read_sample(path)
    layout, findings = log_layout(sample, log_mapping, file_name)
    columns = layout.positions

    def header(dimension: str) -> str:
        return layout.names[columns[dimension]]

    # agency and system: a column, or one value for the whole file (labels of the trimmed cells v_<dimension>)
    if "agency" in columns:
        if agency is not None:
            raise UsageError(f"this log names the searching agency in column {header('agency')!r}; "
                             "--agency is for logs of one agency's own searches", hint="Leave out --agency.")
        agency_label = _label_sql("v_agency", markers)
    elif agency is not None and agency.strip():
        agency_label = sql_text(agency.strip())
    else:
        raise UsageError(f"this log has no agency column, so {log_mapping.origin} needs --agency",
                         file=file_name, hint="Pass --agency with the agency whose searches the log lists.")
    system_value = (system or log_mapping.system or "").strip()
    if "system" in columns:
        system_label = f"coalesce(NULLIF(v_system, ''), {sql_text(system_value or 'unknown')})"
    elif system_value:
        system_label = sql_text(system_value)
    else:
        raise UsageError(f"{log_mapping.origin} names no system", file=file_name,
                         hint="Pass --system with the database or network the log is about.")
    own_name = (own_agency if own_agency is not None else log_mapping.own_agency or "").strip() or None
    own = None
    if own_name is not None:
        option = "--own-agency" if own_agency is not None else f"own_agency of {log_mapping.origin}"
        if "agency" not in columns:
            raise UsageError(f"{option} is for network audits, whose rows name the searching agency; this log has "
                             "no agency column", file=file_name, hint="Leave out --own-agency.")
        own = OwnRows(OwnSplit(own_name, option), crosswalk, file_name, header("agency"))
    if retention_days is not None and not ({"lookback", "lookback_start"} & set(columns)):
        raise UsageError(f"--retention-days needs a look-back window, and {log_mapping.origin} finds none in "
                         "this file", file=file_name, hint="Leave out --retention-days, or map lookback.")
    labels = {"agency": agency_label, "system": system_label,
              "query_type": _label_sql("v_query_type", markers) if "query_type" in columns else "NULL::VARCHAR",
              "offense_type": "ol.label" if "offense_type" in columns else "NULL::VARCHAR",
              "moderation": moderation_sql("v_moderation", markers) if "moderation" in columns else "NULL::VARCHAR"}
    offenses = offense_types(log_mapping.offense_types) if "offense_type" in columns else None

    header_rows = 1 if layout.has_header else 0
    body = sample.records[header_rows:]
    time_values = [row[columns["time"]] for row in body if columns["time"] < len(row)]
    time_parse = detect_time(time_values, log_mapping.time_format, "search times", file_name,
                             f'"{header("time")}"', header_rows + 1)
    scan = LogScan(layout, time_parse, header_rows, source_tz, tz, retention_days, classes, markers)
    if retention_days is not None:
        scan.add_lookback(body, log_mapping, file_name)
    # reasons met in the sample are classified before the scan, so that their rows group by class
    sample_texts = sorted({row[columns["reason"]].strip() for row in body if columns["reason"] < len(row)}
                          if "reason" in columns else set())
    sample_reasons = dict(zip(sample_texts, classes.classify(sample_texts)))

    folder = tempfile.TemporaryDirectory(prefix=folder_prefix("counts"))  # counts only, removed by close()
    counts = ObservationFile(Path(folder.name) / "counts.parquet")
    hashing = ThreadPoolExecutor(max_workers=1)
    try:  # DuckDB's spill files hold texts: private, removed after the read (spill.py)
        with spill_folder() as spill, closing(_connect(progress, spill)) as connection:
            connection.execute("CREATE TEMP TABLE known_reasons (reason VARCHAR, class USMALLINT)")
            if sample_reasons:
                connection.execute("INSERT INTO known_reasons SELECT unnest($1), unnest($2)",
                                   [list(sample_reasons), list(sample_reasons.values())])
            source = csv_sql(path, layout, sample.encoding)
            # the file is hashed (for the store) in a thread while DuckDB reads it: hashlib lets go of the GIL
            identity = hashing.submit(file_identity, path)
            ids = None
            if "search_id" in columns:
                key = search_ids.key if search_ids is not None else os.urandom(32)
                known = Path(folder.name) / "known-keys.parquet"
                scope = (system_value or None, agency.strip() if agency and agency.strip() else None)
                has_known = search_ids is not None and search_ids.export(*scope, known)
                try:
                    ids = check_ids(connection, source, scan.raw("search_id"), scan.raw("time"), key,
                                    header("search_id"), known if has_known else None, markers)
                except READ_ERRORS as error:
                    raise _duckdb_error(error, file_name) from None
                if ids.flagged:
                    scan.search_key = key_sql(scan.raw("search_id"), key, header("search_id"), markers,
                                              scan.raw("time"))
                findings += ids.findings
            try:
                connection.execute(f"CREATE TEMP TABLE cells AS {scan.sql(source)}")
            except READ_ERRORS as error:
                raise _duckdb_error(error, file_name) from None
            user_findings = []
            if "users" in columns:
                user_findings = _distinct_users(connection, agency_label, "agency" in columns, markers)
                connection.execute("DELETE FROM cells WHERE user_row")
            findings += _time_checks(connection, scan, source, file_name, header("time"))
            findings += _implausible_days(connection, header("time"))
            sheet_days = tuple(connection.execute(  # a workbook's sheets: each one's searches and days
                "SELECT sheet::INTEGER, sum(searches)::BIGINT, min(day), max(day) FROM cells WHERE day IS NOT NULL "
                "GROUP BY ALL ORDER BY ALL").fetchall()) if "sheet" in columns else ()
            if sample.encoding == "latin-1":
                findings += _mojibake(connection, scan)
            findings += _unreadable_findings(connection, scan)
            if "reason" in columns:
                findings.append(_classify_new_reasons(connection, classes))
            users_system = labels["system"] if user_findings and "system" not in columns else None
            own_findings: list[Finding] = []
            rows_read, day_counts = _write_counts(connection, scan, labels, classes, header("time"), counts.path,
                                                  users_system, own, own_findings, offenses)
            search_keys = None
            if ids is not None:
                rows_read += ids.dropped_rows  # read, and left out as counted before or repeated
                search_keys = Path(folder.name) / "search-keys.parquet"
                write_new_keys(connection, search_keys)
        coverage, coverage_findings = coverage_of(day_counts, complete)
        if own is not None:  # both views record every search of the log's days
            coverage = tuple((view, start, end) for system, start, end in coverage
                             for view in own.split.systems(system))
        findings += own_findings
        findings += coverage_findings + user_findings
        sha256, size_bytes = identity.result()
    except BaseException:
        folder.cleanup()
        raise
    finally:
        hashing.shutdown(wait=True)
    findings.insert(0, Finding("file", "time_zones", zone_note(time_parse, source_tz, tz)))
    options = {"mapping": log_mapping.origin, "view": log_mapping.view, "system": system_value or None,
               "agency": agency, "source_tz": source_tz, "tz": tz, "retention_days": retention_days,
               "reason_rules": rules.describe(), "reason_rules_sha256": rules.fingerprint(),
               "time_format": time_parse.fmt, "time_zone_suffix": time_parse.kind, "complete": complete,
               "own_agency": own_name, "search_ids": "search_id" in columns or None}
    return AuditLogRead(grid=LogFile(file_name, sha256, size_bytes), reader=READER, counts=counts,
                        findings=findings, rows_read=rows_read, source_tz=source_tz, report_tz=tz,
                        options=options, mapping=log_mapping.origin, coverage=coverage, search_keys=search_keys,
                        counted_before=ids.counted_before if ids is not None else {}, sheet_days=sheet_days,
                        folder=folder)


# -- after the scan: checks, findings, reasons, counts --------------------------------------------------------
def _time_checks(connection, scan: LogScan, source: str, file_name: str, time_header: str) -> list[Finding]:
    """Unreadable timestamps stop the ingest (with the first bad row); blank ones become a finding."""
    findings = []
    counted, blank, headers, unreadable, markers_only, redacted = connection.execute(
        "SELECT coalesce(sum(searches), 0), "
        + ", ".join(f"coalesce(sum(searches) FILTER (WHERE untimed = {why}), 0)" for why in range(1, 6))
        + " FROM cells").fetchone()
    if counted == 0 and scan.search_key is not None:  # every search was counted before (a re-release)
        return findings
    if counted == 0:
        raise InputError("the file has no rows of searches", file=file_name, hint="Ingest the log as exported.")
    if unreadable:  # the only second read of the file, to name the first bad row before stopping
        connection.execute("SET preserve_insertion_order = true")  # row_number() must follow the file
        row, cell = connection.execute(f"""
            SELECT n, raw_time FROM (SELECT row_number() OVER () AS n, raw_time, untimed FROM ({scan.rows_sql(source)}))
            WHERE untimed = 3 ORDER BY n LIMIT 1""").fetchone()
        raise InputError(f"{unreadable} search time(s) could not be read as timestamps (the first looks like "
                         f"{shape(cell)!r})", file=file_name, row=row + scan.header_rows, column=f'"{time_header}"',
                         hint=TIME_HINT)
    if counted == blank + headers + markers_only + redacted:
        raise InputError("no row has a search time", file=file_name, column=f'"{time_header}"', hint=TIME_HINT)
    if blank:
        findings.append(Finding(f'column "{time_header}"', "blank_search_time",
                                f"{blank} row(s) have no search time and are not counted."))
    if headers:
        findings.append(Finding(f'column "{time_header}"', "repeated_header_row",
                                f"{headers} repeated header row(s) inside the file were skipped."))
    if markers_only:
        findings.append(Finding("file", "marker_only_rows",
                                f"{markers_only} row(s) hold nothing but blank cells and redaction marks (such as "
                                "'***') in the columns read: they are not searches, and were skipped."))
    if redacted:
        findings.append(Finding(f'column "{time_header}"', "redacted_search_time",
                                f"{redacted} search(es) have a redacted time: they fall on no known day and are not "
                                "counted."))
    if scan.offsets_counted:
        offsets = connection.execute("SELECT max(offsets) FROM cells").fetchone()[0]
        if offsets and offsets > 1:
            findings.append(Finding(f'column "{time_header}"', "mixed_time_offsets",
                                    "Search times carry different UTC offsets and were bucketed as written; "
                                    "pass --tz to count them in one time zone."))
    return findings


EARLIEST_SEARCH_DAY = date(2000, 1, 1)  # before any shared database kept audit logs of this kind
APART_DAYS = 366                         # days this far from the bulk of a log, with few searches, are typos
STRAY_SHARE = 0.01


def _implausible_days(connection, time_header: str) -> list[Finding]:
    """Searches on days that cannot be right (a mistyped year: 2999, 1901, or 2015 in a 2025 log) are left out of
    the counts with a finding, never counted, and never stretch the log's span into years of zero searches.

    A day is implausible before 2000, after tomorrow, or in a run of days more than a year apart from the run
    that holds most of the log's searches, when its run holds under 1 % of them.
    """
    days = connection.execute("SELECT day, sum(searches) FROM cells WHERE day IS NOT NULL "
                              "GROUP BY day ORDER BY day").fetchall()
    if not days:
        return []
    latest = date.today() + timedelta(days=1)
    runs: list[list[tuple[date, int]]] = []
    for day, searches in days:
        if runs and (day - runs[-1][-1][0]).days <= APART_DAYS:
            runs[-1].append((day, searches))
        else:
            runs.append([(day, searches)])
    total = sum(searches for _, searches in days)
    bulk = max(runs, key=lambda run: sum(searches for _, searches in run))
    stray = [day for day, _ in days if day < EARLIEST_SEARCH_DAY or day > latest]
    stray += [day for run in runs if run is not bulk and sum(n for _, n in run) < STRAY_SHARE * total
              for day, _ in run if EARLIEST_SEARCH_DAY <= day <= latest]
    if not stray:
        return []
    left_out = sum(searches for day, searches in days if day in set(stray))
    connection.execute("DELETE FROM cells WHERE day IN (SELECT unnest($1::DATE[]))", [sorted(stray)])
    years = sorted({day.year for day in stray})
    return [Finding(f'column "{time_header}"', "implausible_search_time",
                    f"{left_out} search(es) have times that cannot be right (in {', '.join(map(str, years))}, far "
                    "from the rest of the log, or before 2000, or in the future); they are not counted. Check those "
                    "rows of the file.")]


_MOJIBAKE = "[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac"  # UTF-8 read as Windows-1252: "CafÃ©", "â€™"


def _mojibake(connection, scan: LogScan) -> list[Finding]:
    """A log sampled as Windows-1252 whose later lines are UTF-8 reads names as 'CafÃ©': say so, never silently."""
    columns = [column for column in scan.as_written if column != "system"]
    if not columns:
        return []
    test = " OR ".join(f"regexp_matches({column}, '{_MOJIBAKE}')" for column in columns)
    rows = connection.execute(f"SELECT coalesce(sum(searches), 0) FROM cells WHERE {test}").fetchone()[0]
    if not rows:
        return []
    return [Finding("file", "mixed_encoding",
                    f"The log starts in Windows-1252 but {rows} search(es) carry names that look like UTF-8 read as "
                    "Windows-1252 (such as 'CafÃ©'); the file mixes two encodings. Re-export it as UTF-8 and ingest "
                    "that file into a new database.")]


def _unreadable_findings(connection, scan: LogScan) -> list[Finding]:
    findings = []
    if scan.retention_days is not None:
        unreadable = connection.execute("SELECT coalesce(sum(lookback_unreadable), 0) FROM cells").fetchone()[0]
        if unreadable:
            findings.append(Finding("file", "lookback_unreadable",
                                    f"{unreadable} search(es) have a look-back window that could not be read; "
                                    "they are not counted as reaching beyond the retention period."))
    if "networks" in scan.columns:
        unreadable, unknown = connection.execute("SELECT coalesce(sum(networks_unreadable), 0), "
                                                 "coalesce(sum(networks_unknown), 0) FROM cells").fetchone()
        if unknown:
            not_a_number = f", {unreadable} of them not a number" if unreadable else ""
            findings.append(Finding("file", "networks_unreadable",
                                    f"{unknown} search(es) give no number of networks (0, blank or redacted"
                                    f"{not_a_number}): 0 networks is not a search, so how many networks they "
                                    "reached is not known, and searches across more than one network are at least "
                                    "the number given on the days they fall on."))
    return findings


def _classify_new_reasons(connection, classes: ReasonClasses) -> Finding:
    """Give the reasons the scan classified their classes (table new_reasons); say how many distinct texts had
    which category.

    The scan gave every such row its category in RE2 and kept its text; the few texts in which an agency
    pattern may stand are read in Python for the agency they name, a batch at a time.
    """
    connection.execute("CREATE TEMP TABLE met_reasons AS SELECT DISTINCT class, reason FROM cells "
                       "WHERE reason IS NOT NULL AND day IS NOT NULL")
    connection.execute("CREATE TEMP TABLE named AS SELECT row_number() OVER () AS n, class, reason FROM "
                       f"(SELECT DISTINCT class, reason FROM met_reasons WHERE {classes.mention_sql('reason')})")
    connection.execute("CREATE TEMP TABLE new_reasons (class USMALLINT, reason VARCHAR, named_class USMALLINT)")
    total = connection.execute("SELECT count(*) FROM named").fetchone()[0]
    for start in range(0, total, CLASSIFY_BATCH):
        pairs = connection.execute("SELECT class, reason FROM named WHERE n > ? AND n <= ?",
                                   [start, start + CLASSIFY_BATCH]).fetchall()
        connection.execute("INSERT INTO new_reasons SELECT unnest($1), unnest($2), unnest($3)",
                           [[c for c, _ in pairs], [r for _, r in pairs],
                            [classes.of_category(c, r) for c, r in pairs]])
    connection.execute("DROP TABLE named")
    # distinct texts (trimmed) per category: the sample's, then those first met in the scan (a sample's text
    # written with spaces around it is met again in the scan: classified again, not counted twice)
    counts: dict[str, int] = {}
    for number, texts in connection.execute("SELECT class, count(*) FROM known_reasons GROUP BY ALL").fetchall():
        category = classes.category_of(number)[0]
        counts[category] = counts.get(category, 0) + texts
    for number, texts in connection.execute("SELECT class, count(*) FROM met_reasons WHERE reason NOT IN "
                                            "(SELECT reason FROM known_reasons) GROUP BY ALL").fetchall():
        category = classes.category_of(number)[0]
        counts[category] = counts.get(category, 0) + texts
    connection.execute("DROP TABLE met_reasons")
    return Finding("file", "reason_categories",
                   f"{sum(counts.values())} distinct reason text(s) classified ({classes.describe()}): "
                   + ", ".join(f"{name} {n}" for name, n in sorted(counts.items()))
                   + "; the texts were not kept.")


def _write_counts(connection, scan: LogScan, labels: dict[str, str], classes: ReasonClasses, time_header: str,
                  path: Path, users_system: str | None, own: OwnRows | None = None,
                  findings: list[Finding] | None = None,
                  offenses: dict[str, str] | None = None) -> tuple[int, list[tuple]]:
    """Label the cells, give each its reason class, and write the day-level observations to `path` (Parquet),
    with the distinct users per agency (table user_counts) over the whole log when `users_system` is given.
    With `own`, the producing agency's searches and the others' become two systems (log_own.py).

    Returns the rows read and the searches per system and day (for the coverage, before any split).
    """
    trimmed = "".join(f", trim({dimension}) AS v_{dimension}" for dimension in scan.as_written)
    if scan.has_reason:
        class_sql = "coalesce(n.named_class, c.class)"
        join = "LEFT JOIN new_reasons n ON n.class = c.class AND n.reason = c.reason"
    else:
        class_sql, join = "NULL::USMALLINT", ""
    connection.execute("CREATE TEMP TABLE classes (class USMALLINT, reason_category VARCHAR, on_behalf_of VARCHAR)")
    if classes.rows():
        connection.execute("INSERT INTO classes SELECT unnest($1), unnest($2), unnest($3)",
                           [list(column) for column in zip(*classes.rows())])
    if offenses is not None:  # the few distinct offense-type cells, labelled from the closed list (log_closed.py)
        raw = [row[0] for row in connection.execute("SELECT DISTINCT trim(offense_type) FROM cells "
                                                    "WHERE offense_type IS NOT NULL").fetchall()]
        connection.execute("CREATE TEMP TABLE offense_labels (raw VARCHAR, label VARCHAR)")
        if raw:
            connection.execute("INSERT INTO offense_labels SELECT unnest($1), unnest($2)",
                               [raw, [offense_label(cell, offenses, scan.markers) for cell in raw]])
        join += " LEFT JOIN offense_labels ol ON ol.raw = c.v_offense_type"
    sums = "".join(f", sum({column}) AS {column}"
                   for column in [c for _, c in scan.measures] + list(scan.lower_bounds.values()))
    connection.execute(f"""
        CREATE TEMP TABLE day_cells AS
        SELECT {labels['agency']} AS agency, {labels['system']} AS system, c.day, {class_sql} AS class,
               {labels['query_type']} AS query_type, {labels['offense_type']} AS offense_type,
               {labels['moderation']} AS moderation, sum(c.searches) AS searches{sums}
        FROM (SELECT *{trimmed} FROM cells WHERE day IS NOT NULL) c {join}
        GROUP BY ALL""")
    rows_read = connection.execute("SELECT sum(searches) FROM cells").fetchone()[0]
    connection.execute("DROP TABLE cells")  # with known_reasons and new_reasons, the last tables with reason text
    connection.execute("DROP TABLE known_reasons")
    if scan.has_reason:
        connection.execute("DROP TABLE new_reasons")
    day_counts = connection.execute("SELECT system, day, sum(searches)::BIGINT FROM day_cells "
                                    "GROUP BY ALL ORDER BY ALL").fetchall()
    if own is not None:  # after the day counts: both views cover the whole log's days
        users_system = _split_own(connection, own, users_system, day_counts, findings)
    counted = ["SELECT 'searches' AS measure, agency, system, day AS period_start, day + 1 AS period_end, class, "
               "query_type, offense_type, moderation, searches AS value, 'exact' AS qualifier FROM day_cells"]
    counted += [f"SELECT '{measure}', agency, system, day, day + 1, NULL, NULL, NULL, NULL, sum({column}), "
                + (f"CASE WHEN sum({scan.lower_bounds[column]}) > 0 THEN 'at_least' ELSE 'exact' END "
                   if column in scan.lower_bounds else "'exact' ")  # rows that may belong: a lower bound
                + "FROM day_cells GROUP BY ALL" for measure, column in scan.measures]
    if users_system is not None:  # distinct users per agency over the whole log: a count, never summed
        counted.append(f"SELECT 'distinct_users', agency, {users_system}, (SELECT min(day) FROM day_cells), "
                       "(SELECT max(day) + 1 FROM day_cells), NULL, NULL, NULL, NULL, users, "
                       "CASE WHEN redacted_rows > 0 THEN 'at_least' ELSE 'exact' END "
                       "FROM user_counts WHERE users > 0")  # all ids redacted: unknown, never 0
    label = ("CASE WHEN o.period_end = o.period_start + 1 THEN strftime(o.period_start, '%Y-%m-%d') "
             "ELSE strftime(o.period_start, '%Y-%m-%d') || ' to ' || strftime(o.period_end - 1, '%Y-%m-%d') END")
    known = {"row_number": "NULL::INTEGER", "column_name": sql_text(time_header), "measure": "o.measure",
             "agency": "o.agency", "system": "o.system", "reason_category": "k.reason_category",
             "query_type": "o.query_type", "period_start": "o.period_start", "period_end": "o.period_end",
             "period_label": label, "status": f"'{REPORTED}'", "value": "o.value::DOUBLE",
             "value_low": "CASE WHEN o.qualifier = 'at_least' THEN o.value END",
             "qualifier": "o.qualifier", "on_behalf_of": "k.on_behalf_of", "offense_type": "o.offense_type",
             "moderation": "o.moderation"}
    selects = [f"({known.get(c.name, 'NULL')})::{c.sql_type.split()[0]} AS {c.name}" for c in OBSERVATION_COLUMNS
               if c.name != "source_id"]
    connection.execute(f"""
        COPY (SELECT {', '.join(selects)} FROM ({' UNION ALL '.join(counted)}) o LEFT JOIN classes k USING (class))
        TO {sql_text(str(path))} (FORMAT parquet)""")
    return int(rows_read or 0), day_counts


@dataclass(frozen=True)
class OwnRows:
    """--own-agency for one read: the split, the crosswalk that matches names, where the names stand."""

    split: OwnSplit
    crosswalk: Crosswalk
    file_name: str
    column: str


def _split_own(connection, own: OwnRows, users_system: str | None, day_counts: list[tuple],
               findings: list[Finding]) -> str | None:
    """Move the producing agency's cells to its own system, the others' to theirs; return the users' system SQL."""
    labels = [row[0] for row in connection.execute(
        "SELECT DISTINCT agency FROM day_cells WHERE agency IS NOT NULL ORDER BY 1").fetchall()]
    matched = own.split.matching(labels, own.crosswalk)
    if not matched:
        raise own.split.refuse(labels, own.file_name, own.column)
    connection.execute("CREATE TEMP TABLE own_agencies AS SELECT unnest($1::VARCHAR[]) AS agency", [matched])
    is_own = "agency IN (SELECT agency FROM own_agencies)"
    suffix = f"CASE WHEN {is_own} THEN {sql_text(OWN)} ELSE {sql_text(OTHERS)} END"
    own_count, others = connection.execute(f"SELECT coalesce(sum(searches) FILTER (WHERE {is_own}), 0), "
                                           f"coalesce(sum(searches) FILTER (WHERE NOT coalesce({is_own}, false)), 0) "
                                           "FROM day_cells").fetchone()
    connection.execute(f"UPDATE day_cells SET system = system || {suffix}")
    systems = sorted({system for system, _, _ in day_counts})
    findings.append(own.split.finding(systems[0] if len(systems) == 1 else "each system", int(own_count),
                                      int(others), matched))
    return None if users_system is None else f"{users_system} || {suffix}"


def _distinct_users(connection, agency_label: str, agency_column: bool, markers: Markers) -> list[Finding]:
    """How many distinct users searched, per agency (table user_counts): a number only; the ids never leave DuckDB.

    Redacted ids are not users: an agency whose ids are all redacted has an unknown number of users (never 0), and
    one with some redacted has at least the number counted."""
    trimmed = "trim(agency) AS v_agency, " if agency_column else ""
    connection.execute(f"""
        CREATE TEMP TABLE user_counts AS
        SELECT {agency_label} AS agency,
               count(DISTINCT user_id) FILTER (WHERE NOT redacted) AS users,
               count(*) FILTER (WHERE redacted) AS redacted_rows
        FROM (SELECT {trimmed}trim(user_id) AS user_id,
                     {markers.blank_or_marker_sql("user_id")} AS redacted
              FROM cells WHERE user_row)
        GROUP BY ALL""")
    counted = connection.execute("SELECT agency, users, redacted_rows FROM user_counts ORDER BY ALL").fetchall()
    findings = []
    for agency, users, redacted in counted:
        if not users:
            message = "distinct users: unknown (user ids are redacted)."
        elif redacted:
            message = (f"at least {users} distinct user(s) ran these searches ({redacted} search(es) have a redacted "
                       "user id; user ids are counted, never stored).")
        else:
            message = f"{users} distinct user(s) ran these searches (user ids are counted, never stored)."
        findings.append(Finding(agency or "agency not given", "distinct_users", message))
    return findings
