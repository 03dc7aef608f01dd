"""Searches counted once across sources: the store's side of overlapping logs.

Two logs of one system (and one --agency) may list the same searches: monthly files that overlap by a day, a
release produced twice. The store keeps, per source,

- the keyed hashes of the search ids it counted (table search_keys; the key, random, in table hash_key): a
  reader drops the searches an earlier source counted (read/log_ids.py);
- for logs without ids, the **shared-day rule**: a day an earlier log of the same scope records (a day with
  its searches, or inside its coverage) is kept from that log, and the new log's counts of that day are not
  stored. Which file came first decides, so the finding says when the later file holds more on a shared day;
- which source left searches to which (table source_overlaps), so that removing or replacing a source
  another one relies on is refused rather than leaving searches counted nowhere.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .model import Finding
from .sql import sql_text

MIGRATION = [
    "CREATE TABLE hash_key (key BLOB NOT NULL)",
    lambda connection: connection.execute("INSERT INTO hash_key VALUES (?)", [os.urandom(32)]),
    "CREATE TABLE search_keys (source_id INTEGER NOT NULL, search_key UHUGEINT NOT NULL)",
    "CREATE TABLE source_overlaps (source_id INTEGER NOT NULL, counted_in INTEGER NOT NULL, "
    "searches BIGINT NOT NULL, rule VARCHAR NOT NULL)",
]
TABLES = ("search_keys", "source_overlaps")  # rows of a source, removed with it

_SCOPE = ("reader = 'audit-log' AND json_extract_string(options, '$.system') IS NOT DISTINCT FROM ? "
          "AND json_extract_string(options, '$.agency') IS NOT DISTINCT FROM ?")


def _scope(options: dict) -> list:
    return [options.get("system"), options.get("agency")]


@dataclass
class StoredIds:
    """The store's search-id hashes, as a reader sees them (read/log_ids.KnownIds)."""

    connection: object
    excluded: int | None = None  # the source a --replace replaces: its searches are counted again

    @property
    def key(self) -> bytes:
        return bytes(self.connection.execute("SELECT key FROM hash_key").fetchone()[0])

    def export(self, system: str | None, agency: str | None, path: Path) -> bool:
        sources = [row[0] for row in self.connection.execute(
            f"SELECT source_id FROM sources WHERE {_SCOPE} AND source_id IS DISTINCT FROM ?",
            [system, agency, self.excluded]).fetchall()]
        if not sources or not self.connection.execute(
                "SELECT 1 FROM search_keys WHERE source_id IN (SELECT unnest($1::INTEGER[])) LIMIT 1",
                [sources]).fetchall():
            return False
        self.connection.execute(f"""
            COPY (SELECT search_key, source_id FROM search_keys WHERE source_id IN (SELECT unnest($1::INTEGER[])))
            TO {sql_text(str(path))} (FORMAT parquet)""", [sources])
        return True


def snapshot_keys(connection, path: Path) -> bool:
    """Every stored search key with its source, system and agency, to `path` (Parquet), for reads running beside
    the store (ingest_parallel.py); False when there are none."""
    if not connection.execute("SELECT 1 FROM search_keys LIMIT 1").fetchall():
        return False
    connection.execute(f"""
        COPY (SELECT k.search_key, k.source_id, json_extract_string(s.options, '$.system') AS system,
                     json_extract_string(s.options, '$.agency') AS agency
              FROM search_keys k JOIN sources s USING (source_id) WHERE s.reader = 'audit-log')
        TO {sql_text(str(path))} (FORMAT parquet)""")
    return True


def shares_searches(connection, keys: Path, options: dict, sources: list[int]) -> bool:
    """Whether any of `sources` (of the same system and agency) counted a search of `keys` (a read's new keys)."""
    if not sources:
        return False
    return bool(connection.execute(f"""
        SELECT 1 FROM read_parquet({sql_text(str(keys))}) r JOIN search_keys k USING (search_key)
        WHERE k.source_id IN (SELECT source_id FROM sources WHERE {_SCOPE}
                              AND source_id IN (SELECT unnest(?::INTEGER[])))
        LIMIT 1""", [*_scope(options), sources]).fetchall())


def id_partners(connection, source_id: int, options: dict) -> list[int]:
    """Earlier sources whose searches and this one's were told apart by search id: never an overlap."""
    if not options.get("search_ids"):
        return []
    return [row[0] for row in connection.execute(
        f"SELECT source_id FROM sources WHERE {_SCOPE} AND source_id <> ? "
        "AND json_extract(options, '$.search_ids')::BOOLEAN", [*_scope(options), source_id]).fetchall()]


def store_keys(connection, source_id: int, keys: Path | None, counted_before: dict[int, int]) -> None:
    if keys is not None:
        connection.execute(f"INSERT INTO search_keys SELECT ?, search_key FROM read_parquet({sql_text(str(keys))})",
                           [source_id])
    if counted_before:
        connection.executemany("INSERT INTO source_overlaps VALUES (?, ?, ?, 'search id')",
                               [[source_id, other, searches] for other, searches in counted_before.items()])


def shared_days(connection, source_id: int, reader: str, options: dict) -> list[Finding]:
    """Apply the shared-day rule to the incoming observations (view incoming_observations): table shared_days
    (system, day) holds the days left to earlier sources, and the findings say how many searches that was."""
    connection.execute("CREATE OR REPLACE TEMP TABLE shared_days (system VARCHAR, day DATE, source_id INTEGER)")
    if reader != "audit-log":
        return []
    earlier = [row[0] for row in connection.execute(
        f"SELECT source_id FROM sources WHERE {_SCOPE} AND source_id <> ? ORDER BY source_id",
        [*_scope(options), source_id]).fetchall()]
    earlier = [other for other in earlier if other not in id_partners(connection, source_id, options)]
    if not earlier:
        return []
    connection.execute("""
        INSERT INTO shared_days
        WITH recorded AS (
            SELECT system, period_start AS day, source_id FROM observations
            WHERE source_id IN (SELECT unnest($1::INTEGER[])) AND measure = 'searches'
              AND period_end = period_start + 1
            UNION
            SELECT system, unnest(range(period_start, period_end, INTERVAL 1 DAY))::DATE, source_id FROM coverage
            WHERE source_id IN (SELECT unnest($1::INTEGER[])))
        SELECT r.system, r.day, min(r.source_id) FROM recorded r
        WHERE EXISTS (SELECT 1 FROM incoming_observations i WHERE i.system = r.system AND i.period_start = r.day
                      AND i.period_end = r.day + 1)
        GROUP BY ALL""", [earlier])
    rows = connection.execute("""
        WITH theirs AS (
            SELECT system, period_start AS day, sum(value) AS searches FROM observations
            WHERE measure = 'searches' AND period_end = period_start + 1
              AND source_id IN (SELECT unnest($1::INTEGER[]))
              AND (system, period_start) IN (SELECT (system, day) FROM shared_days)
            GROUP BY ALL),
        ours AS (
            SELECT system, period_start AS day, sum(value) AS searches FROM incoming_observations
            WHERE measure = 'searches' AND period_end = period_start + 1 GROUP BY ALL)
        SELECT d.source_id, s.file_name, count(*), coalesce(sum(o.searches), 0)::BIGINT, min(d.day), max(d.day),
               count(*) FILTER (WHERE o.searches > coalesce(t.searches, 0))
        FROM shared_days d JOIN sources s USING (source_id)
        JOIN ours o ON o.system = d.system AND o.day = d.day
        LEFT JOIN theirs t ON t.system = d.system AND t.day = d.day
        GROUP BY ALL ORDER BY ALL""", [earlier]).fetchall()
    findings = []
    for other, file_name, days, searches, first, last, fuller in rows:
        span = f"{first}" if first == last else f"{first} to {last}"
        more = (f" On {fuller} of those days this file has more searches than source {other}: the day may be only "
                "partly in that file; to keep the fuller record, remove both and ingest this file first."
                if fuller else "")
        findings.append(Finding(f"{days} day(s), {span}", "shared_days",
                                f"{searches} search(es) on {days} day(s) ({span}) that source {other} ({file_name}) "
                                "also records were not counted from this file: a log without search ids leaves a "
                                f"shared day to the file ingested first.{more}"))
        connection.execute("INSERT INTO source_overlaps VALUES (?, ?, ?, 'shared day')", [source_id, other, searches])
    return findings


SHARED_DAY_FILTER = ("NOT EXISTS (SELECT 1 FROM shared_days d WHERE d.system = i.system "
                     "AND d.day = i.period_start::DATE AND i.period_end::DATE = i.period_start::DATE + 1)")


def refuse_if_relied_on(connection, source_id: int, doing: str) -> None:
    """A source whose searches another source left to it cannot go: those searches would be counted nowhere."""
    rows = connection.execute("SELECT DISTINCT source_id FROM source_overlaps WHERE counted_in = ? AND source_id <> ? "
                              "ORDER BY 1", [source_id, source_id]).fetchall()
    if rows:
        others = ", ".join(str(row[0]) for row in rows)
        raise UsageError(f"source {source_id} cannot be {doing}: source(s) {others} left searches they share with it "
                         "to it, and would then count them nowhere",
                         hint=f"Remove source(s) {others} first (auditreport sources remove ID), then ingest them "
                              "again after this one.")

