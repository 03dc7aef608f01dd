"""The one full scan of an audit log, as SQL: per row its day, its reason category (classified in RE2 as it
is read) and the flags of the access-pattern measures, then a GROUP BY that leaves a few million cells of
counts (and the texts of reasons the sample did not hold) for audit_log.py to check, label and write out.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..sql import sql_text
from .log_ids import deduplicated, kept_sql
from .log_layout import LogLayout
from .log_reasons import ReasonClasses
from .log_time import TimeParse, detect_time, local_sql, wall_sql
from .mapping import Mapping
from .markers import SHIPPED, Markers


def csv_sql(path: Path, layout: LogLayout, encoding: str) -> str:
    """DuckDB's reader of the log: every column as text, named c0, c1, ... (only the mapped ones are read)."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(layout.names))) + "}"
    return (f"read_csv({sql_text(str(path))}, header = {str(layout.has_header).lower()}, columns = {columns}, "
            f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
            f"encoding = {sql_text(encoding)})")


class LogScan:
    """The one full scan of the file: per row, its day and the flags of the access-pattern measures; then a
    GROUP BY agency, system, query type (cells as written; trimmed and labelled on the groups), day, why a
    row has no time, and reason class (reasons of the sample; the others by their category, with their text).

    With a user column, distinct users per agency are a second grouping set of the same scan.
    """

    def __init__(self, layout: LogLayout, time_parse: TimeParse, header_rows: int, source_tz: str | None,
                 tz: str | None, retention_days: int | None, classes: ReasonClasses, markers: Markers = SHIPPED):
        self.columns = layout.positions
        self.names = layout.names
        self.header_rows = header_rows
        self.time_header = layout.names[self.columns["time"]]
        self.retention_days = retention_days
        self.markers = markers
        self.classes = classes
        wall, offset = wall_sql(self.raw("time"), time_parse)
        self.parsed = {"wall_time": wall}  # computed once per row, in the innermost SELECT
        self.offsets_counted = offset not in (None, "0") and tz is None
        if offset not in (None, "0"):
            self.parsed["time_offset"], offset = offset, "time_offset"
        self.local = local_sql("wall_time", offset, source_tz, tz)
        self.repeated_header = sql_text(self.time_header)
        self.as_written = [d for d in ("agency", "system", "query_type", "offense_type", "moderation")
                           if d in self.columns]
        self.measures: list[tuple[str, str]] = []  # (measure, its count in cells)
        self.lower_bounds: dict[str, str] = {}      # a measure's count -> the count of rows that may belong to it
        self.search_key: str | None = None         # SQL of a row's search key, when some rows are to be dropped
        if "networks" in self.columns:
            self.measures.append(("searches_multi_network", "multi_network"))
            self.lower_bounds["multi_network"] = "networks_unknown"

    def raw(self, dimension: str) -> str:
        return f"c{self.columns[dimension]}"

    @property
    def has_reason(self) -> bool:
        return "reason" in self.columns

    def add_lookback(self, body: list[list[str]], mapping: Mapping, file_name: str) -> None:
        """Parse the look-back start, for searches_beyond_retention."""
        if "lookback" in self.columns:
            cell = self.raw("lookback")
            start = (f"CASE WHEN contains({cell}, chr(10)) THEN split_part({cell}, chr(10), 1) "
                     f"ELSE split_part({cell}, ' to ', 1) END")
            column, values = "lookback", [re.split(r"\n| to ", row[self.columns["lookback"]].strip())[0]
                                          for row in body if self.columns["lookback"] < len(row)]
        else:
            start = self.raw("lookback_start")
            column, values = "lookback_start", [row[self.columns["lookback_start"]] for row in body
                                                if self.columns["lookback_start"] < len(row)]
        parse = detect_time(values, mapping.lookback_format, "look-back starts", file_name,
                            f'"{self.names[self.columns[column]]}"', self.header_rows + 1)
        self.parsed["lookback_wall"], _ = wall_sql(start, parse)
        self.measures.append(("searches_beyond_retention", "beyond_retention"))

    def _row_values(self) -> dict[str, str]:
        """Per row: the cells counted, its time as read (`raw_time`), its local time and why it has none."""
        raw_time = f"trim({self.raw('time')})"
        values = {d: self.raw(d) for d in (*self.as_written, "reason", "sheet") if d in self.columns}
        # a row whose every cell read is blank or a redaction marker is no search (the trailing rows of a release)
        others = [self.raw(d) for d in self.columns if d not in self._unread and d not in ("time", "sheet")]
        nothing_else = " AND ".join(self.markers.blank_or_marker_sql(cell) for cell in others) or "true"
        values |= {"local": self.local, "raw_time": raw_time,
                   # why a row has no time (NULL when it has one): 1 blank, 2 a repeated header row, 3 unreadable,
                   # 4 nothing but blank or redacted cells, 5 a redacted time
                   "untimed": (f"CASE WHEN wall_time IS NULL THEN CASE "
                               f"WHEN {self.markers.blank_or_marker_sql(raw_time)} AND {nothing_else} "
                               f"AND NOT (coalesce({raw_time}, '') = '' AND {self._all_blank(others)}) THEN 4 "
                               f"WHEN coalesce({raw_time}, '') = '' THEN 1 "
                               f"WHEN {raw_time} = {self.repeated_header} THEN 2 "
                               f"WHEN {self.markers.sql(raw_time)} THEN 5 ELSE 3 END END")}
        if "users" in self.columns:
            values["user_id"] = self.raw("users")
        if self.offsets_counted:
            values["time_offset"] = "time_offset"
        if "networks" in self.columns:
            cell = self.raw("networks")
            # "1,204" is a number with a thousands separator; "1,2,3" (a list) is not a number at all
            thousands = rf"regexp_full_match(trim({cell}), '\d{{1,3}}(,\d{{3}})+')"
            values["networks"] = (f"coalesce(TRY_CAST({cell} AS BIGINT), "
                                  f"CASE WHEN {thousands} THEN TRY_CAST(replace(trim({cell}), ',', '') AS BIGINT) END)")
            values["networks_text"] = cell
        if self.retention_days is not None:
            values["beyond"] = f"lookback_wall < wall_time - to_days({int(self.retention_days)})"
            values["lookback_read"] = "lookback_wall IS NOT NULL"
        return values

    @staticmethod
    def _all_blank(cells: list[str]) -> str:
        return " AND ".join(f"coalesce(trim({cell}), '') = ''" for cell in cells) or "true"

    def rows_sql(self, source: str) -> str:
        """Every row of the file, with its _row_values (the time parsed once per row)."""
        values = self._row_values()
        read = [self.raw(d) for d in self.columns if d not in self._unread]
        rows = f"SELECT {', '.join(read)} FROM {source}"
        if self.search_key is not None:  # rows counted from another source, or repeated in this one (log_ids.py)
            rows = deduplicated(f"SELECT {', '.join(read)}, {kept_sql('digest')} AS search_key FROM "
                                f"(SELECT {', '.join(read)}, {self.search_key} AS digest FROM {source})", "search_key",
                                read)
        return (f"SELECT {', '.join(f'{sql} AS {name}' for name, sql in values.items())} "
                f"FROM (SELECT *, {', '.join(f'{sql} AS {name}' for name, sql in self.parsed.items())} "
                f"FROM ({rows}))")

    @property
    def _unread(self) -> set[str]:
        return {"devices", "search_id"} | (set() if self.retention_days is not None else {"lookback", "lookback_start",
                                                                                          "lookback_end"})

    def sql(self, source: str) -> str:
        keys = [*self.as_written, "day", "untimed"] + (["class", "reason"] if self.has_reason else [])
        keys += ["sheet"] if "sheet" in self.columns else []  # a workbook's sheet number (log_workbook.py)
        aggregates = ["count(*) AS searches"]  # rows without a time (day NULL) are sorted out after the scan
        if self.offsets_counted:
            aggregates.append("count(DISTINCT time_offset) AS offsets")
        if "networks" in self.columns:
            aggregates.append("count(*) FILTER (WHERE networks > 1) AS multi_network")
            # 0, blank, redacted or not a number: how many networks is not known (Ukiah wrote 0 on every row)
            aggregates.append("count(*) FILTER (WHERE coalesce(networks, 0) = 0) AS networks_unknown")
            # a cell that is not a number, and not blank or redacted: TRIM only for the few without a number
            aggregates.append(f"count(*) FILTER (WHERE networks IS NULL AND NOT "
                              f"{self.markers.blank_or_marker_sql('networks_text')}) AS networks_unreadable")
        if self.retention_days is not None:
            aggregates.append("count(*) FILTER (WHERE beyond) AS beyond_retention")
            aggregates.append("count(*) FILTER (WHERE NOT lookback_read) AS lookback_unreadable")
        passed = [name for name in self._row_values() if name not in ("local", "raw_time", "reason")]
        rows = self.rows_sql(source)
        sets, extra = [keys], []
        if self.has_reason:
            # a reason of the sample joins its class; any other is classified here, row by row, in RE2 (by its
            # category), and keeps its text (trimmed) until Python has read the agency it may name and the texts
            # are counted for a finding. (A grouping set of the texts alone held more memory than DuckDB's
            # limit at 50 M rows.)
            row_source = (f"(SELECT {', '.join(f's.{name}' for name in passed)}, local::DATE AS day, "
                          f"coalesce(k.class, {self.classes.class_sql('s.reason')}) AS class, "
                          "CASE WHEN k.class IS NULL THEN trim(s.reason) END AS reason "
                          f"FROM ({rows}) s LEFT JOIN known_reasons k ON k.reason = s.reason)")
        else:
            row_source = f"(SELECT *, local::DATE AS day FROM ({rows}))"
        if "users" in self.columns:
            sets.append([d for d in ("agency",) if d in self.columns] + ["user_id"])
            extra.append("user_id, GROUPING(user_id) = 0 AS user_row")
        columns = list(dict.fromkeys(key for keys_of_set in sets for key in keys_of_set if key != "user_id"))
        grouping = (", ".join(keys) if len(sets) == 1 else
                    "GROUPING SETS (" + ", ".join(f"({', '.join(keys_of_set)})" for keys_of_set in sets) + ")")
        return (f"SELECT {', '.join(columns + extra + aggregates)} FROM {row_source} GROUP BY {grouping}")
