"""Row-level audit logs (one row per search) -> day-level counts, read and aggregated by DuckDB.

The privacy guarantee lives here: DuckDB reads the file in its own in-memory connection and only
the mapped columns are ever selected. Reason text is grouped, its *distinct* values are classified
in Python (see rules.py), and only the category leaves this module. Names, plates, case numbers,
search terms and user ids are never selected; distinct users are only ever a number in a finding.

>>> read = read_audit_log("EPDSearchAuditLogs.csv", profile="flock-search-audit",
...                       agency="Eugene OR PD")          # doctest: +SKIP
>>> read.observations.groupby("measure")["value"].sum()  # doctest: +SKIP
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from contextlib import closing
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import numpy as np
import pandas as pd

from ..agencies import Crosswalk, load_crosswalk
from ..errors import InputError, UsageError
from ..model import OBSERVATION_COLUMNS, REPORTED, Finding
from ..rules import ReasonRules, load_reason_rules
from .count_table import TableRead
from .grid import file_identity
from .mapping import Mapping, Sample, header_key, matching_profile, read_sample, resolve_mapping

READER = "audit-log"
MEMORY_LIMIT = "256MB"          # DuckDB spills to a private temporary folder beyond this
THREADS = os.cpu_count() or 1
FETCH_VECTORS = 50              # rows fetched at a time into the observation frame: 50 x 2,048
TIME_SAMPLE = 500
REDACTION_MARKS = ("***",)
TIME_FORMATS = (  # tried in order on a sample when the mapping names no format; "iso" is a cast
    "iso", "%m/%d/%Y, %I:%M:%S %p", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y, %I:%M %p", "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y, %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M", "%Y/%m/%d %H:%M:%S",
    "%d-%b-%Y %H:%M:%S", "%m/%d/%Y", "%d.%m.%Y %H:%M:%S",
)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_UTC_SUFFIX = re.compile(r"\s*(?:UTC|Z)$")
_OFFSET_SUFFIX = re.compile(r"(?<=\d)\s*(?:GMT|[+-]\d\d:?\d\d)$")
_ZONE_SQL = r"(Z|UTC|GMT|[+-]\d\d:?\d\d)$"
TIME_HINT = "Check that the profile or mapping fits this file; a mapping can name the format: [time] format = \"...\"."


@dataclass(frozen=True)
class LogFile:
    """The identity of an ingested log (what the store records), without its rows."""

    file_name: str
    sha256: str
    size_bytes: int
    sheet: str = ""


@dataclass
class AuditLogRead(TableRead):
    """A TableRead with what the store keeps about a log: zones, mapping and options."""

    source_tz: str | None = None     # zone naive timestamps were read in (None: as given)
    report_tz: str | None = None     # zone counts were bucketed in (None: timestamps as given)
    options: dict = field(default_factory=dict)
    mapping: str = ""
    # (system, first day, day after the last day) with a search: the log records every search in between,
    # so a day there without a row is a day without searches (SourceInfo.coverage)
    coverage: tuple[tuple[str, date, date], ...] = ()


@dataclass(frozen=True)
class _TimeParse:
    kind: str              # "naive", "utc" or "mixed"
    fmt: str               # strptime format, or "iso"


def _shape(text: str) -> str:
    """A value's shape without its content: '11/14/2025 x' -> '99/99/9999 a'."""
    return re.sub(r"[A-Za-z]", "a", re.sub(r"\d", "9", text))[:40]


def _check_zone(zone: str | None, option: str) -> str | None:
    if zone is None:
        return None
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"{option} {zone!r} is not a time zone",
                         hint="Use an IANA name such as UTC, America/Los_Angeles or America/New_York.") from None
    return zone


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# -- layout ----------------------------------------------------------------------------------------------
@dataclass
class _Layout:
    names: list[str]          # header of each column, as in the file or the mapping's layout
    has_header: bool
    positions: dict[str, int]  # dimension -> 0-based column index (only mapped, present columns)


def _layout(sample: Sample, mapping: Mapping, file_name: str) -> tuple[_Layout, list[Finding]]:
    findings: list[Finding] = []
    first = sample.records[0] if sample.records else []
    keys = [header_key(cell) for cell in first]
    time_header = mapping.columns["time"]
    known = {header_key(h) for h in (*mapping.columns.values(), *mapping.dropped)}
    known |= {header_key(h) for layout in mapping.layouts for h in layout}
    if header_key(time_header) in keys:
        names, has_header = [cell.replace("\ufeff", "").strip() for cell in first], True
    elif known & set(keys):  # a header row, without the time column
        profile = matching_profile(first)
        hint = (f"This file looks like profile {profile}: pass --profile {profile}." if profile else
                "Pass the profile or mapping that fits, or write one with: auditreport mapping init FILE.")
        raise InputError(f"there is no column {time_header!r} (the search time, as {mapping.origin} expects); "
                         f"the file's columns are: {', '.join(cell.strip() for cell in first)}",
                         file=file_name, row=1, hint=hint)
    elif not mapping.layouts:  # the first row may be data: never echo it
        raise InputError(f"the first row has no column {time_header!r} (the search time, as {mapping.origin} "
                         "expects), and none of the mapping's column names", file=file_name, row=1,
                         hint="If the file has no header row, list its columns in the mapping: layouts = [[...]].")
    else:
        widths = [layout for layout in mapping.layouts if len(layout) == len(first)]
        if not widths:
            raise InputError(f"the first row is not a header with {time_header!r}, and its {len(first)} columns "
                             f"match none of the layouts of {mapping.origin} "
                             f"({', '.join(str(len(layout)) for layout in mapping.layouts)} columns)",
                             file=file_name, row=1,
                             hint="Pass the profile or mapping that fits, or add the header row.")
        names, has_header = list(widths[0]), False
        findings.append(Finding("file", "no_header_row",
                                f"The file has no header row; its {len(first)} columns were read in the order of "
                                f"{mapping.origin}: {', '.join(names)}."))
    positions: dict[str, int] = {}
    by_key = {}
    for index, name in enumerate(names):
        by_key.setdefault(header_key(name), index)
    missing = []
    for dimension, header in mapping.columns.items():
        if header_key(header) in by_key:
            positions[dimension] = by_key[header_key(header)]
        else:
            missing.append(f"{header!r} ({dimension})")
    if missing:
        findings.append(Finding("file", "mapped_column_absent",
                                f"Mapped column(s) not in this file: {', '.join(missing)}; those dimensions are "
                                "not counted."))
    mapped_keys = {header_key(h) for h in mapping.columns.values()}
    dropped_keys = {header_key(h) for h in mapping.dropped}
    unlisted = [name for name in names if header_key(name) not in mapped_keys | dropped_keys]
    if unlisted:
        findings.append(Finding("file", "columns_not_read",
                                f"Column(s) not in the mapping, never read: {', '.join(unlisted)}."))
    return _Layout(names, has_header, positions), findings


# -- time ------------------------------------------------------------------------------------------------
def _suffix_kind(value: str) -> str:
    if _UTC_SUFFIX.search(value):
        return "utc"
    if _OFFSET_SUFFIX.search(value):
        return "offset"
    return "naive"


def _strip_zone(value: str) -> str:
    return _OFFSET_SUFFIX.sub("", _UTC_SUFFIX.sub("", value)).strip().rstrip("T")


def _parses(value: str, fmt: str) -> bool:
    if fmt == "iso":
        return bool(_ISO.match(value))
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _detect_time(values: list[str], declared: str | None, what: str, file_name: str, column: str,
                 first_row: int) -> _TimeParse:
    """The format of a sample of time cells; a cell that fits no format stops the read, with its row."""
    skip = {"", header_key(column.strip('"'))}  # blank cells and repeated header rows are sorted out later
    cells = [(row, value.strip()) for row, value in enumerate(values[:TIME_SAMPLE], start=first_row)
             if header_key(value) not in skip and value.strip() not in REDACTION_MARKS]
    if not cells:
        return _TimeParse("naive", declared or "iso")
    kinds = {_suffix_kind(value) for _, value in cells}
    kind = "naive" if kinds == {"naive"} else "utc" if kinds == {"utc"} else "mixed"
    bodies = [(row, _strip_zone(value)) for row, value in cells]
    formats = [declared] if declared else list(TIME_FORMATS)
    fits = {fmt: sum(1 for _, body in bodies if _parses(body, fmt)) for fmt in formats}
    best = max(formats, key=lambda fmt: (fits[fmt], -formats.index(fmt)))
    if fits[best] == len(bodies):
        return _TimeParse(kind, best)
    row, bad = next((row, body) for row, body in bodies if not _parses(body, best))
    wanted = (f"the format {best!r} of the other {what}" if fits[best] else
              f"the format {declared!r}" if declared else "any timestamp format auditreport knows")
    raise InputError(f"{what} like {_shape(bad)!r} do not match {wanted}", file=file_name, row=row, column=column,
                     hint=TIME_HINT)


def _parse_sql(body: str, fmt: str) -> str:
    if fmt == "iso":
        return f"TRY_CAST({body} AS TIMESTAMP)"
    return f"try_strptime({body}, {_sql_text(fmt)})"


def _wall_sql(text: str, parse: _TimeParse) -> tuple[str, str | None]:
    """SQL for the timestamp as written (zone suffix removed), and for its UTC offset in minutes (or None).

    `text` is the cell as read, untrimmed. The common spelling is parsed as it stands (the "UTC" suffix as part
    of the format), which spares a copy of every cell; only cells that do not parse so are trimmed and parsed
    again (COALESCE evaluates its second argument only for the rows where the first is NULL).
    """
    if parse.kind == "naive":
        return f"coalesce({_parse_sql(text, parse.fmt)}, {_parse_sql(f'trim({text})', parse.fmt)})", None
    if parse.kind == "utc":
        slow = _parse_sql(f"rtrim(trim({text}), ' UTCZ')", parse.fmt)
        if parse.fmt == "iso":
            return slow, "0"
        return f"coalesce(try_strptime({text}, {_sql_text(parse.fmt + ' UTC')}), {slow})", "0"
    text = f"trim({text})"
    zone = f"regexp_extract({text}, '{_ZONE_SQL}', 1)"
    body = f"rtrim(CASE WHEN {zone} = '' THEN {text} ELSE left({text}, length({text}) - length({zone})) END, ' T')"
    offset = (f"CASE WHEN {zone} = '' THEN NULL WHEN {zone} IN ('Z', 'UTC', 'GMT') THEN 0 "
              f"ELSE (CASE WHEN left({zone}, 1) = '-' THEN -1 ELSE 1 END) * "
              f"(substr({zone}, 2, 2)::INTEGER * 60 + right({zone}, 2)::INTEGER) END")
    return _parse_sql(body, parse.fmt), offset


FAST_ZONE_YEARS = (1990, 2050)  # UTC -> local by arithmetic inside these years, by DuckDB's ICU outside


def _offset_changes(tz: str) -> list[tuple[datetime, int]]:
    """(UTC instant, offset in minutes from then on) for `tz`, from the start of FAST_ZONE_YEARS."""
    zone = ZoneInfo(tz)

    def offset(instant: datetime) -> int:
        return int(instant.replace(tzinfo=timezone.utc).astimezone(zone).utcoffset().total_seconds() // 60)

    day = datetime(FAST_ZONE_YEARS[0], 1, 1)
    changes = [(day, offset(day))]
    while day.year < FAST_ZONE_YEARS[1]:
        following = day + timedelta(days=1)
        if offset(following) != changes[-1][1]:
            low, high = day, following  # the change lies in (low, high]: narrow it to the minute
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    middle = low + timedelta(minutes=1)
                low, high = (middle, high) if offset(middle) == changes[-1][1] else (low, middle)
            changes.append((high, offset(high)))
        day = following
    return changes


def _utc_to_local_sql(utc: str, tz: str) -> str:
    """Wall time in `tz` of a UTC timestamp: the zone's offsets as a binary tree of comparisons.

    DuckDB's timezone() calls ICU for every row; this is plain arithmetic, about ten comparisons a row.
    """
    if tz == "UTC":
        return utc
    changes = _offset_changes(tz)

    def tree(low: int, high: int) -> str:  # offset of changes[low:high]
        if high - low == 1:
            return str(changes[low][1])
        middle = (low + high) // 2
        return (f"CASE WHEN {utc} < TIMESTAMP '{changes[middle][0]:%Y-%m-%d %H:%M:%S}' THEN {tree(low, middle)} "
                f"ELSE {tree(middle, high)} END")

    start, end = (f"TIMESTAMP '{year}-01-01'" for year in FAST_ZONE_YEARS)
    exact = f"timezone({_sql_text(tz)}, timezone('UTC', {utc}))"
    return (f"CASE WHEN {utc} >= {start} AND {utc} < {end} THEN {utc} + to_minutes(({tree(0, len(changes))})::BIGINT) "
            f"ELSE {exact} END")


def _local_sql(wall: str, offset: str | None, source_tz: str | None, tz: str | None) -> str:
    """The timestamp in the reporting zone (or as given when there is none)."""
    naive = wall
    if tz is not None and (source_tz or tz) != tz:
        naive = (_utc_to_local_sql(wall, tz) if source_tz == "UTC" else
                 f"timezone({_sql_text(tz)}, timezone({_sql_text(source_tz or tz)}, {wall}))")
    if offset is None or tz is None:
        return naive
    utc = wall if offset == "0" else f"({wall} - to_minutes(({offset})::BIGINT))"
    zoned = _utc_to_local_sql(utc, tz)
    if offset == "0":
        return zoned
    return f"CASE WHEN ({offset}) IS NULL THEN {naive} ELSE {zoned} END"


# -- the read --------------------------------------------------------------------------------------------
def _csv_sql(path: Path, layout: _Layout, encoding: str) -> str:
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(layout.names))) + "}"
    return (f"read_csv({_sql_text(str(path))}, header = {str(layout.has_header).lower()}, columns = {columns}, "
            f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
            f"encoding = {_sql_text(encoding)})")


def _duckdb_error(error: duckdb.Error, file_name: str) -> InputError:
    """A one-line error without DuckDB's copy of the offending line (which may hold personal data)."""
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


def _connect(progress: bool, spill: str | None = None) -> tuple[duckdb.DuckDBPyConnection, str]:
    spill = spill or tempfile.mkdtemp(prefix="auditreport-")  # private (0700), removed after the read
    connection = duckdb.connect(":memory:")
    connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    connection.execute(f"SET temp_directory = {_sql_text(spill)}")
    connection.execute("SET preserve_insertion_order = false")
    connection.execute(f"SET threads = {THREADS}")
    connection.execute("SET TimeZone = 'UTC'")
    show = bool(progress and sys.stderr.isatty())
    connection.execute(f"SET enable_progress_bar = {str(show).lower()}")
    connection.execute(f"SET enable_progress_bar_print = {str(show).lower()}")
    return connection, spill


def read_audit_log(path: str | Path, *, profile: str | None = None, mapping: str | Path | Mapping | None = None,
                   system: str | None = None, agency: str | None = None, source_tz: str | None = None,
                   tz: str | None = None, retention_days: int | None = None,
                   reason_rules: str | Path | ReasonRules | None = None, progress: bool = False,
                   agencies: Crosswalk | None = None) -> AuditLogRead:
    """Count the searches of a row-level audit log by agency, system, day, reason category and query type.

    >>> read_audit_log("network-audit.csv", profile="flock-network-audit", tz="America/Los_Angeles",
    ...                retention_days=30)  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("there is no such file", file=str(path), hint="Check the path.")
    log_mapping = resolve_mapping(profile, mapping)
    rules = reason_rules if isinstance(reason_rules, ReasonRules) else load_reason_rules(reason_rules)
    rules = _ReasonsAndMentions(rules, agencies or load_crosswalk())
    source_tz, tz = _check_zone(source_tz, "--source-tz"), _check_zone(tz, "--tz")
    if retention_days is not None and (not isinstance(retention_days, int) or retention_days < 1):
        raise UsageError(f"--retention-days must be a whole number of days (1 or more), not {retention_days!r}",
                         hint="Example: --retention-days 30.")
    file_name = path.name
    sample = read_sample(path)
    layout, findings = _layout(sample, log_mapping, file_name)
    columns = layout.positions
    if "time" not in columns:  # _layout guarantees it; kept for clarity
        raise InputError("the time column is missing", file=file_name, hint=TIME_HINT)

    def cell(dimension: str) -> str:  # the trimmed cell, in the labels computed after the GROUP BY
        return f"v_{dimension}"

    def raw(dimension: str) -> str:  # the cell as read, in the scan
        return f"c{columns[dimension]}"

    def header(dimension: str) -> str:
        return layout.names[columns[dimension]]

    # agency and system: a column, or one value for the whole file
    if "agency" in columns:
        if agency is not None:
            raise UsageError(f"this log names the searching agency in column {header('agency')!r}; "
                             "--agency is for logs of one agency's own searches", hint="Leave out --agency.")
        agency_sql = (f"CASE WHEN {cell('agency')} = '' THEN NULL WHEN {cell('agency')} = '***' THEN '(redacted)' "
                      f"ELSE {cell('agency')} END")
    elif agency is not None and agency.strip():
        agency_sql = _sql_text(agency.strip())
    else:
        raise UsageError(f"this log has no agency column, so {log_mapping.origin} needs --agency",
                         file=file_name, hint="Pass --agency with the agency whose searches the log lists.")
    system_value = (system or log_mapping.system or "").strip()
    if "system" in columns:
        system_sql = f"coalesce(NULLIF({cell('system')}, ''), {_sql_text(system_value or 'unknown')})"
    elif system_value:
        system_sql = _sql_text(system_value)
    else:
        raise UsageError(f"{log_mapping.origin} names no system", file=file_name,
                         hint="Pass --system with the database or network the log is about.")
    if retention_days is not None and not ({"lookback", "lookback_start"} & set(columns)):
        raise UsageError(f"--retention-days needs a look-back window, and {log_mapping.origin} finds none in "
                         "this file", file=file_name, hint="Leave out --retention-days, or map lookback.")

    # time: the format is sniffed on a sample, then DuckDB parses every row
    header_rows = 1 if layout.has_header else 0
    body = sample.records[header_rows:]
    time_values = [row[columns["time"]] for row in body if columns["time"] < len(row)]
    time_parse = _detect_time(time_values, log_mapping.time_format, "search times", file_name,
                              f'"{header("time")}"', header_rows + 1)
    wall_sql, offset_sql = _wall_sql(raw("time"), time_parse)
    parsed = {"wall_time": wall_sql}  # the second SELECT: timestamps parsed once per row
    offset = offset_sql
    if offset_sql not in (None, "0"):
        parsed["time_offset"], offset = offset_sql, "time_offset"
    wall = "wall_time"
    local = _local_sql(wall, offset, source_tz, tz)
    repeated_header = _sql_text(header("time"))
    raw_time = f"trim({raw('time')})"

    # per row (computed once, in the inner SELECT) ... Cells are grouped as written, and trimmed and labelled
    # ("***" -> "(redacted)") after the GROUP BY, on a few million groups instead of every row.
    row_values = {dimension: raw(dimension) for dimension in ("agency", "system", "query_type", "reason")
                  if dimension in columns}
    row_values |= {"local": local, "raw_time": raw_time,
                   # why a row has no time (NULL when it has one): 1 blank, 2 a repeated header row, 3 unreadable
                   "untimed": (f"CASE WHEN {wall} IS NULL THEN CASE WHEN coalesce({raw_time}, '') = '' THEN 1 "
                               f"WHEN {raw_time} = {repeated_header} THEN 2 ELSE 3 END END")}
    if "users" in columns:
        row_values["user_id"] = raw("users")
    # ... then per agency, system, day, reason text and query type
    aggregates = ["count(*) AS searches"]  # rows without a time (day NULL) are sorted out after the scan
    if offset == "time_offset" and tz is None:
        row_values["time_offset"] = "time_offset"
        aggregates.append("count(DISTINCT time_offset) AS offsets")
    if "networks" in columns:
        networks = raw("networks")
        row_values["networks"] = (f"coalesce(TRY_CAST({networks} AS BIGINT), "
                                  f"TRY_CAST(replace(trim({networks}), ',', '') AS BIGINT))")
        row_values["networks_text"] = f"trim({networks})"
        aggregates.append("count(*) FILTER (WHERE networks > 1) AS multi_network")
        aggregates.append("count(*) FILTER (WHERE networks IS NULL AND networks_text NOT IN ('', '***')) "
                          "AS networks_unreadable")
    if retention_days is not None:
        if "lookback" in columns:
            cell_text = raw("lookback")
            start_text = (f"CASE WHEN contains({cell_text}, chr(10)) THEN split_part({cell_text}, chr(10), 1) "
                          f"ELSE split_part({cell_text}, ' to ', 1) END")
            lookback_sample = [re.split(r"\n| to ", row[columns["lookback"]].strip())[0] for row in body
                               if columns["lookback"] < len(row)]
        else:
            start_text = raw("lookback_start")
            lookback_sample = [row[columns["lookback_start"]] for row in body if columns["lookback_start"] < len(row)]
        lookback_parse = _detect_time(lookback_sample, log_mapping.lookback_format, "look-back starts", file_name,
                                      f'"{header("lookback" if "lookback" in columns else "lookback_start")}"',
                                      header_rows + 1)
        parsed["lookback_wall"], _ = _wall_sql(start_text, lookback_parse)
        start_wall = "lookback_wall"
        # Both times are compared as written: Flock writes both in UTC.
        row_values["beyond"] = f"{start_wall} < {wall} - to_days({int(retention_days)})"
        row_values["lookback_read"] = f"{start_wall} IS NOT NULL"
        aggregates.append("count(*) FILTER (WHERE beyond) AS beyond_retention")
        aggregates.append("count(*) FILTER (WHERE NOT lookback_read) AS lookback_unreadable")

    unread = {"devices"}
    if retention_days is None:
        unread |= {"lookback", "lookback_start", "lookback_end"}
    read_columns = ", ".join(f"c{columns[d]}" for d in columns if d not in unread)
    inner = (", ".join(f"{sql} AS {name}" for name, sql in row_values.items()) + " FROM (SELECT *, "
             + ", ".join(f"{sql} AS {name}" for name, sql in parsed.items())
             + f" FROM (SELECT {read_columns} FROM {{source}}))")
    # the labels of the grouped cells, from the trimmed cell v_<dimension>
    labels = {"agency": agency_sql, "system": system_sql,
              "query_type": (f"CASE WHEN {cell('query_type')} = '' THEN NULL WHEN {cell('query_type')} = '***' "
                             f"THEN '(redacted)' ELSE {cell('query_type')} END") if "query_type" in columns
              else "NULL::VARCHAR"}
    as_written = [d for d in ("agency", "system", "query_type") if d in columns]

    connection, spill = _connect(progress)
    hashing = ThreadPoolExecutor(max_workers=1)
    day_file = str(Path(spill) / "day_cells.parquet")  # counts only: no reason text, no personal column
    try:
        with closing(connection):  # closed (its memory given back) before the observation frame is built
            source = _csv_sql(path, layout, sample.encoding)
            # Reasons seen in the sample are classified before the scan, so their rows group by category; only
            # reasons first met later keep their text as a group key, to be classified after the scan.
            sample_reasons = sorted({row[columns["reason"]].strip() for row in body if columns["reason"] < len(row)}
                                    if "reason" in columns else set())
            known = pd.DataFrame({"reason": pd.Series(sample_reasons, dtype=object),
                                  "category": pd.Series(rules.classify_many(sample_reasons), dtype=object)})
            connection.register("sample_reasons", known)
            connection.execute("CREATE TEMP TABLE known_reasons AS SELECT reason::VARCHAR AS reason, "
                               "category::VARCHAR AS category FROM sample_reasons")
            connection.unregister("sample_reasons")
            # The one full scan of the file. With a user column, distinct users per agency are a second grouping
            # set of the same scan; those rows are counted and deleted straight after.
            keys = [*as_written, "day", "untimed"] + (["known_category", "reason"] if "reason" in columns else [])
            passed = [name for name in row_values if name not in ("local", "raw_time", "reason")]
            if "reason" in columns:
                row_source = (f"(SELECT {', '.join(f's.{name}' for name in passed)}, local::DATE AS day, "
                              "k.category AS known_category, CASE WHEN k.category IS NULL THEN s.reason END AS reason "
                              f"FROM (SELECT {inner.format(source=source)}) s "
                              "LEFT JOIN known_reasons k ON k.reason = s.reason)")
            else:
                row_source = f"(SELECT *, local::DATE AS day FROM (SELECT {inner.format(source=source)}))"
            grouping = ", ".join(keys)
            user_columns = ""
            if "users" in columns:
                user_keys = ", ".join([d for d in ("agency",) if d in columns] + ["user_id"])
                grouping = f"GROUPING SETS (({grouping}), ({user_keys}))"
                user_columns = ", user_id, GROUPING(user_id) = 0 AS user_row"
            try:
                connection.execute(f"""
                    CREATE TEMP TABLE cells AS
                    SELECT {', '.join(keys)}{user_columns}, {', '.join(aggregates)}
                    FROM {row_source}
                    GROUP BY {grouping}""")
            except (duckdb.InvalidInputException, duckdb.IOException, duckdb.ConversionException) as error:
                raise _duckdb_error(error, file_name) from None
            # The file is hashed (for the store) while the cells are classified and laid out: during the scan it
            # would take a core from DuckDB, afterwards the reason rules leave one free.
            identity = hashing.submit(file_identity, path)
            user_findings = []
            if "users" in columns:
                user_findings = _distinct_users(connection, agency_sql, "agency" in columns)
                connection.execute("DELETE FROM cells WHERE user_row")
            findings += _time_checks(connection, f"SELECT {inner.format(source=source)}", repeated_header,
                                     header_rows, file_name, header("time"), aggregates)
            if retention_days is not None:
                unreadable = connection.execute("SELECT coalesce(sum(lookback_unreadable), 0) FROM cells").fetchone()[0]
                if unreadable:
                    findings.append(Finding("file", "lookback_unreadable",
                                            f"{unreadable} search(es) have a look-back window that could not be read; "
                                            "they are not counted as reaching beyond the retention period."))
            if "networks" in columns:
                unreadable = connection.execute("SELECT coalesce(sum(networks_unreadable), 0) FROM cells").fetchone()[0]
                if unreadable:
                    findings.append(Finding("file", "networks_unreadable",
                                            f"{unreadable} search(es) have a number of networks that is not a number; "
                                            "they are not counted as multi-network searches."))
            read = _observations(connection, rules, "reason" in columns, retention_days, "networks" in columns, known,
                                 labels, as_written, day_file)
            del known, sample_reasons
            rows_read, measure_names, day_counts, coverage, extra = read
            findings += extra
            findings += _coverage_findings(day_counts)
            findings += user_findings
        observations = _load_observations(day_file, header("time"), measure_names, progress, spill)
    finally:
        shutil.rmtree(spill, ignore_errors=True)
        hashing.shutdown(wait=True)
    findings.insert(0, Finding("file", "time_zones", _zone_note(time_parse, source_tz, tz)))
    sha256, size_bytes = identity.result()
    options = {"mapping": log_mapping.origin, "view": log_mapping.view, "system": system_value or None,
               "agency": agency, "source_tz": source_tz, "tz": tz, "retention_days": retention_days,
               "reason_rules": rules.describe(), "time_format": time_parse.fmt, "time_zone_suffix": time_parse.kind}
    return AuditLogRead(grid=LogFile(file_name, sha256, size_bytes), reader=READER, observations=observations,
                        findings=findings, rows_read=rows_read, source_tz=source_tz, report_tz=tz,
                        options=options, mapping=log_mapping.origin, coverage=coverage)


def _zone_note(parse: _TimeParse, source_tz: str | None, tz: str | None) -> str:
    written = {"naive": "without a time zone", "utc": "in UTC (\"UTC\" suffix)",
               "mixed": "with explicit offsets or zone suffixes"}[parse.kind]
    if parse.kind == "naive":
        read_as = f"read as {source_tz or tz} time" if (source_tz or tz) else "taken as given"
    elif parse.kind == "utc":
        read_as = "honoured"
    else:
        read_as = "offsets honoured" + (f"; timestamps without one read as {source_tz or tz} time"
                                        if (source_tz or tz) else "; timestamps without one taken as given")
    bucket = f"days are {tz} days" if tz else "days are the days as written (no --tz)"
    return f"Search times are written {written}, {read_as}; {bucket}."


def _time_checks(connection, rows: str, repeated_header: str, header_rows: int, file_name: str, time_header: str,
                 aggregates: list[str]) -> list[Finding]:
    """Unreadable timestamps stop the ingest (with the first bad row); blank ones become a finding."""
    findings = []
    counted, blank, headers, unreadable = connection.execute(
        "SELECT coalesce(sum(searches), 0), coalesce(sum(searches) FILTER (WHERE untimed = 1), 0), "
        "coalesce(sum(searches) FILTER (WHERE untimed = 2), 0), coalesce(sum(searches) FILTER (WHERE untimed = 3), 0) "
        "FROM cells").fetchone()
    if counted == 0:
        raise InputError("the file has no rows of searches", file=file_name, hint="Ingest the log as exported.")
    if unreadable:  # the only second read of the file, to name the first bad row before stopping
        connection.execute("SET preserve_insertion_order = true")  # row_number() must follow the file
        row, shape = connection.execute(f"""
            SELECT n, raw_time FROM (SELECT row_number() OVER () AS n, raw_time, local FROM ({rows}))
            WHERE local IS NULL AND coalesce(raw_time, '') <> '' AND raw_time <> {repeated_header}
            ORDER BY n LIMIT 1""").fetchone()
        raise InputError(f"{unreadable} search time(s) could not be read as timestamps (the first looks like "
                         f"{_shape(shape)!r})", file=file_name, row=row + header_rows, column=f'"{time_header}"',
                         hint=TIME_HINT)
    if counted == blank + headers:
        raise InputError("no row has a search time", file=file_name, column=f'"{time_header}"', hint=TIME_HINT)
    if blank:
        findings.append(Finding(f'column "{time_header}"', "blank_search_time",
                                f"{blank} row(s) have no search time and are not counted."))
    if headers:
        findings.append(Finding(f'column "{time_header}"', "repeated_header_row",
                                f"{headers} repeated header row(s) inside the file were skipped."))
    if any(a.endswith("AS offsets") for a in aggregates):
        offsets = connection.execute("SELECT max(offsets) FROM cells").fetchone()[0]
        if offsets and offsets > 1:
            findings.append(Finding(f'column "{time_header}"', "mixed_time_offsets",
                                    "Search times carry different UTC offsets and were bucketed as written; "
                                    "pass --tz to count them in one time zone."))
    return findings


MENTION = "\x1f"  # joins a reason's category and the agency it names while both travel through the scan


@dataclass(frozen=True)
class _ReasonsAndMentions:
    """Sorts a distinct reason text into its category and the agency it names ('assist ICE' -> ICE): the
    agency becomes `on_behalf_of`, never the searching agency. Both leave as one value, split after the scan."""

    rules: ReasonRules
    agencies: Crosswalk

    def classify(self, text: str | None) -> str:
        return self.classify_many([text])[0]

    def classify_many(self, texts: list) -> list[str]:
        categories = self.rules.classify_many(texts)
        mentioned = [self.agencies.mentioned(text) if text else None for text in texts]
        return [f"{category}{MENTION}{self.agencies.agencies[agency].name if agency else ''}"
                for category, agency in zip(categories, mentioned)]

    def describe(self) -> str:
        return self.rules.describe()


def _observations(connection, rules: ReasonRules, has_reason: bool, retention_days: int | None, has_networks: bool,
                  known: pd.DataFrame, labels: dict[str, str], as_written: list[str], day_file: str):
    """Classify the distinct reasons not met in the sample, label the cells, and write the day-level counts.

    The counts go to `day_file` (Parquet, in the read's private folder), so that the connection that scanned
    the log can be closed, and its memory given back, before the observation frame is built.
    """
    findings = []
    trimmed = ", ".join(f"trim({dimension}) AS v_{dimension}" for dimension in as_written)
    if has_reason:
        # texts first met after the sample; a text of the sample written with spaces around it is met again here
        # (the scan compares cells as written), and is classified again but not counted twice
        met = connection.execute("""
            SELECT DISTINCT trim(reason) AS reason, trim(reason) IN (SELECT reason FROM known_reasons) AS in_sample
            FROM cells WHERE day IS NOT NULL AND reason IS NOT NULL""").fetchall()
        reasons = [reason for reason, _ in met]
        frame = pd.DataFrame({"reason": pd.Series(reasons, dtype=object),
                              "category": pd.Series(rules.classify_many(reasons), dtype=object)})
        new_texts = frame["category"][[not in_sample for _, in_sample in met]]
        del reasons, met
        counts = pd.concat([known["category"], new_texts]).str.split(MENTION).str[0].value_counts()  # texts
        connection.register("reason_categories", frame)
        category_sql = (f"CASE WHEN c.known_category IS NOT NULL THEN c.known_category "
                        f"WHEN c.reason IS NULL THEN {_sql_text(rules.classify(None))} ELSE r.category END")
        join = "LEFT JOIN reason_categories r ON r.reason = trim(c.reason)"
        findings.append(Finding("file", "reason_categories",
                                f"{int(counts.sum())} distinct reason text(s) classified ({rules.describe()}): "
                                + ", ".join(f"{name} {int(n)}" for name, n in counts.sort_index().items())
                                + "; the texts were not kept."))
    else:
        category_sql, join = "NULL::VARCHAR", ""
    # searches by every dimension; the access-pattern measures per agency, system and day (as the issue asks)
    measures = [("searches_multi_network", "multi_network", has_networks),
                ("searches_beyond_retention", "beyond_retention", retention_days is not None)]
    measures = [(name, column) for name, column, wanted in measures if wanted]
    sums = "".join(f", sum({column}) AS {column}" for _, column in measures)
    connection.execute(f"""
        CREATE TEMP TABLE day_cells AS
        SELECT {labels['agency']} AS agency, {labels['system']} AS system, c.day, {category_sql} AS reason_category,
               {labels['query_type']} AS query_type, sum(c.searches) AS searches{sums}
        FROM (SELECT *{', ' + trimmed if trimmed else ''} FROM cells WHERE day IS NOT NULL) c {join}
        GROUP BY ALL""")
    if has_reason:
        connection.unregister("reason_categories")
    rows_read = connection.execute("SELECT sum(searches) FROM cells").fetchone()[0]
    connection.execute("DROP TABLE cells")  # with known_reasons, the last tables that held reason text
    connection.execute("DROP TABLE known_reasons")
    day_counts = connection.execute("SELECT day, sum(searches) FROM day_cells GROUP BY day ORDER BY day").fetchall()
    coverage = tuple(connection.execute("SELECT system, min(day), max(day) + 1 FROM day_cells "
                                        "GROUP BY system ORDER BY system").fetchall())
    measure_names = ["searches"] + [name for name, _ in measures]
    rows = ["SELECT 'searches' AS measure, agency, system, day, "
            "split_part(reason_category, chr(31), 1) AS reason_category, query_type, searches AS value, "
            "nullif(split_part(reason_category, chr(31), 2), '') AS on_behalf_of FROM day_cells"]
    rows += [f"SELECT '{name}', agency, system, day, NULL, NULL, sum({column}), NULL FROM day_cells GROUP BY ALL"
             for name, column in measures]
    connection.execute(f"COPY (SELECT * FROM ({' UNION ALL '.join(rows)})) TO {_sql_text(day_file)} "
                       "(FORMAT parquet, COMPRESSION uncompressed)")  # read once, straight back: no time spent packing
    return int(rows_read or 0), measure_names, day_counts, coverage, findings


def _load_observations(day_file: str, time_header: str, measure_names: list[str], progress: bool,
                       spill: str) -> pd.DataFrame:
    """The day-level counts as observations of the count model, in the smallest pandas form."""
    connection, _ = _connect(progress, spill)
    try:
        connection.execute(f"CREATE VIEW day_cells AS SELECT * FROM read_parquet({_sql_text(day_file)})")
        # ENUM types make pandas categoricals: millions of cells stay small in memory
        for column in ("agency", "system", "reason_category", "query_type", "on_behalf_of"):
            connection.execute(f"CREATE TYPE {column}_values AS ENUM "
                               f"(SELECT DISTINCT {column} FROM day_cells WHERE {column} IS NOT NULL ORDER BY 1)")
        connection.execute("CREATE TYPE day_labels AS ENUM (SELECT DISTINCT strftime(day, '%Y-%m-%d') "
                           "FROM day_cells ORDER BY 1)")
        connection.execute(f"CREATE TYPE measure_names AS ENUM ({', '.join(map(_sql_text, measure_names))})")
        connection.execute(f"CREATE TYPE fixed_texts AS ENUM ({_sql_text(time_header)}, '{REPORTED}', 'exact')")
        known_columns = {
            "row_number": "NULL::INTEGER", "column_name": f"{_sql_text(time_header)}::fixed_texts",
            "measure": "measure::measure_names", "agency": "agency::agency_values",
            "system": "system::system_values", "reason_category": "reason_category::reason_category_values",
            "query_type": "query_type::query_type_values", "on_behalf_of": "on_behalf_of::on_behalf_of_values",
            "period_start": "day", "period_end": "day + 1",
            "period_label": "strftime(day, '%Y-%m-%d')::day_labels", "status": f"'{REPORTED}'::fixed_texts",
            "value": "value::DOUBLE", "qualifier": "'exact'::fixed_texts"}
        # any other column of the model (cell_text, citation, ...) is not known from a log: NULL, stored in the
        # smallest pandas form (an empty categorical: one byte a row; float32 for numbers)
        connection.execute("CREATE TYPE no_values AS ENUM ('')")
        empty = {"VARCHAR": "NULL::no_values", "DOUBLE": "NULL::FLOAT"}
        selects = [f"{known_columns.get(c.name) or empty.get(c.sql_type.split()[0], 'NULL::' + c.sql_type.split()[0])}"
                   f" AS {c.name}" for c in OBSERVATION_COLUMNS if c.name != "source_id"]
        size = connection.execute("SELECT count(*) FROM day_cells").fetchone()[0]
        return _fetch_frame(connection.execute(f"SELECT {', '.join(selects)} FROM day_cells"), size)
    finally:
        connection.close()


def _fetch_frame(result, size: int) -> pd.DataFrame:
    """The result as a DataFrame, filled chunk by chunk into arrays of the final size.

    `.df()` holds DuckDB's copy, its conversion buffers and the frame at once (about three times the frame);
    this holds the frame and one chunk. ENUM columns arrive as categoricals with the same categories in every
    chunk, so their codes are copied as they are.
    """
    chunk = result.fetch_df_chunk(FETCH_VECTORS)
    names = list(chunk.columns)
    dtypes = {name: chunk[name].dtype for name in names}
    arrays: dict[str, object] = {}
    for name, dtype in dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            arrays[name] = np.empty(size, dtype=chunk[name].cat.codes.dtype)
        elif isinstance(dtype, pd.api.extensions.ExtensionDtype):  # nullable integers: values and mask
            arrays[name] = (np.empty(size, dtype=dtype.numpy_dtype), np.empty(size, dtype=bool))
        else:
            arrays[name] = np.empty(size, dtype=dtype)
    filled = 0
    while len(chunk):
        end = filled + len(chunk)
        if end > size:
            raise AssertionError("internal: the result has more rows than counted")
        for name, dtype in dtypes.items():
            column = chunk[name]
            if isinstance(dtype, pd.CategoricalDtype):
                if column.dtype != dtype:
                    raise AssertionError(f"internal: the categories of {name} changed between chunks")
                arrays[name][filled:end] = column.cat.codes.to_numpy()
            elif isinstance(dtype, pd.api.extensions.ExtensionDtype):
                values, mask = arrays[name]
                values[filled:end] = column.array._data
                mask[filled:end] = column.array._mask
            else:
                arrays[name][filled:end] = column.to_numpy()
        filled = end
        chunk = result.fetch_df_chunk(FETCH_VECTORS)
    if filled != size:
        raise AssertionError("internal: the result has fewer rows than counted")
    columns = {}
    for name, dtype in dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            columns[name] = pd.Categorical.from_codes(arrays[name], dtype=dtype)
        elif isinstance(dtype, pd.api.extensions.ExtensionDtype):
            values, mask = arrays[name]
            columns[name] = type(pd.array([], dtype=dtype))(values, mask)
        else:
            columns[name] = arrays[name]
    return pd.DataFrame(columns, copy=False)


def _coverage_findings(day_counts: list[tuple]) -> list[Finding]:
    """Partial first and last days, and runs of days without a single search inside the covered span."""
    if not day_counts:
        return []
    findings = []
    first_day, last_day = day_counts[0][0], day_counts[-1][0]
    findings.append(Finding(first_day.isoformat(), "partial_day",
                            f"The log starts on {first_day.isoformat()}: that day's "
                            f"{day_counts[0][1]} search(es) may not be the whole day."))
    if last_day != first_day:
        findings.append(Finding(last_day.isoformat(), "partial_day",
                                f"The log ends on {last_day.isoformat()}: that day's "
                                f"{day_counts[-1][1]} search(es) may not be the whole day."))
    seen = {day for day, _ in day_counts}
    day = first_day
    gap_start: date | None = None
    while day <= last_day:
        if day not in seen and gap_start is None:
            gap_start = day
        if day in seen and gap_start is not None:
            end = day - timedelta(days=1)
            length = (day - gap_start).days
            span = gap_start.isoformat() if length == 1 else f"{gap_start.isoformat()} to {end.isoformat()}"
            findings.append(Finding(span, "coverage_gap",
                                    f"No searches logged on {span} ({length} day(s)): either none were run or the "
                                    "log is missing them; counts for these days are not zeros you can rely on."))
            gap_start = None
        day += timedelta(days=1)
    return findings


def _distinct_users(connection, agency_sql: str, agency_column: bool) -> list[Finding]:
    """How many distinct users searched, per agency: a number only; the ids never leave DuckDB."""
    trimmed = "trim(agency) AS v_agency, " if agency_column else ""
    counted = connection.execute(f"""
        SELECT {agency_sql} AS agency, count(DISTINCT user_id) AS users
        FROM (SELECT {trimmed}trim(user_id) AS user_id FROM cells WHERE user_row)
        WHERE user_id NOT IN ('', '***') GROUP BY ALL ORDER BY ALL""").fetchall()
    return [Finding(agency or "agency not given", "distinct_users",
                    f"{users} distinct user(s) ran these searches (user ids are counted, never stored).")
            for agency, users in counted]
