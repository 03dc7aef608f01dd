"""Each search counted once, across files and within one: search ids kept only as keyed hashes.

Monthly releases overlap (an April file that runs into 1 May), a log is produced twice in one file, a request
is answered again with the same rows. Where a log has a search id (the mapping's `search_id`), each id becomes
a keyed SHA-256 (truncated to 128 bits) under a random key that lives in the database; the id itself is never
kept. A search is its id with its search time. Before the scan, one pass over the id and time columns finds the
searches this file repeats and those an earlier source of the same system (and --agency) already counted; the
scan then drops the rows already counted and keeps one row of each repeated search. Both become findings with
their numbers.

The hash is computed in DuckDB, so that ten million ids cost one SQL expression, not ten million Python calls.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..model import Finding
from ..sql import sql_text
from .markers import Markers

KEPT_HEX = 32      # hex digits kept of each hash: 128 bits, no collision among any number of searches a log holds


class KnownIds(Protocol):
    """What the store offers a reader: the database's key, and the hashes earlier sources counted."""

    key: bytes

    def export(self, system: str | None, agency: str | None, path: Path) -> bool:
        """Write (search_key, source_id) of the earlier sources of this system and agency to `path` (Parquet);
        False when there are none."""


def keyed_sql(cell: str, key: bytes) -> str:
    """SQL for the keyed hash of a text cell: SHA-256 of the database's random key and the text, in hex (`kept_sql`
    keeps 128 bits of it); NULL for NULL.

    One SHA-256 per row, not an HMAC's two: in DuckDB an HMAC costs about 2.5 s more per 10 million rows on two
    cores, and buys nothing here, where the key lives beside the hashes in the same database; what matters is
    that no id is kept.

    >>> import duckdb, hashlib
    >>> kept = duckdb.sql(f"SELECT {kept_sql('d')} FROM (SELECT {keyed_sql(repr('nw-1'), b'k' * 32)} AS d)")
    >>> kept.fetchall()[0][0] == int(hashlib.sha256((b'k' * 32).hex().encode() + b'|nw-1').hexdigest()[:32], 16)
    True
    """
    return f"sha256({sql_text(key.hex() + '|')} || {cell})"


def kept_sql(digest: str) -> str:
    """The kept part of a hex digest (a column: it is read twice): 128 bits as a UHUGEINT, which groups and joins
    three times faster than a BLOB."""
    half = KEPT_HEX // 2
    return (f"((('0x' || substr({digest}, 1, {half}))::UBIGINT::UHUGEINT << 64) "
            f"| ('0x' || substr({digest}, {half + 1}, {half}))::UBIGINT::UHUGEINT)")


def key_sql(cell: str, key: bytes, header: str, markers: Markers, time_cell: str) -> str:
    """The search key of a row, as a hex digest (`kept_sql` of it is what is kept): its id with its search time as
    written (`time_cell`), so that a column of ids that are no ids ("x" on every row) never makes two searches
    one. NULL where the id says nothing (blank, redacted, a repeated header row)."""
    trimmed = f"trim({cell})"
    message = f"{trimmed} || '|' || coalesce(trim({time_cell}), '')"
    return (f"CASE WHEN {markers.blank_or_marker_sql(cell)} OR {trimmed} = {sql_text(header)} THEN NULL "
            f"ELSE {keyed_sql(message, key)} END")


@dataclass
class IdCheck:
    """The outcome of the pass over the ids: what the scan must drop, and what the store will keep."""

    flagged: int = 0                               # ids repeated in the file or counted before (table flagged_keys)
    counted_before: dict[int, int] = field(default_factory=dict)  # earlier source -> its searches met again
    repeated_rows: int = 0                         # rows that repeat another row's id
    dropped_rows: int = 0                          # rows the scan leaves out: counted before, or repeats
    findings: list[Finding] = field(default_factory=list)


def check_ids(connection, source: str, id_cell: str, time_cell: str, key: bytes, id_header: str,
              known: Path | None, markers: Markers) -> IdCheck:
    """One pass over the id and time columns, of the rows with a search time: table file_keys (search_key, n) and
    table flagged_keys (search_key, flag 'already' or 'repeated') for the scan. A repeated row whose time does
    not read is dropped with its twin's; the twin kept stops the scan, as it would without ids."""
    connection.execute(f"""
        CREATE TEMP TABLE file_keys AS
        SELECT {kept_sql('digest')} AS search_key, count(*) AS n FROM (
            SELECT {key_sql(id_cell, key, id_header, markers, time_cell)} AS digest
            FROM (SELECT {id_cell}, {time_cell} FROM {source}) WHERE coalesce(trim({time_cell}), '') <> '')
        WHERE digest IS NOT NULL GROUP BY ALL""")
    earlier = (f"(SELECT search_key, min(source_id) AS source_id FROM read_parquet({sql_text(str(known))}) "
               "GROUP BY ALL)" if known is not None else
               "(SELECT NULL::UHUGEINT AS search_key, NULL::INTEGER AS source_id WHERE false)")
    connection.execute(f"""
        CREATE TEMP TABLE flagged_keys AS
        SELECT f.search_key, CASE WHEN k.source_id IS NOT NULL THEN 'already' ELSE 'repeated' END AS flag,
               k.source_id, f.n
        FROM file_keys f LEFT JOIN {earlier} k ON k.search_key = f.search_key
        WHERE k.source_id IS NOT NULL OR f.n > 1""")
    check = IdCheck()
    check.flagged = connection.execute("SELECT count(*) FROM flagged_keys").fetchone()[0]
    if not check.flagged:
        return check
    check.counted_before = dict(connection.execute(
        "SELECT source_id, count(*) FROM flagged_keys WHERE flag = 'already' GROUP BY ALL ORDER BY ALL").fetchall())
    check.repeated_rows, check.dropped_rows = map(int, connection.execute(
        "SELECT coalesce(sum(n - 1) FILTER (WHERE flag = 'repeated'), 0), "
        "coalesce(sum(CASE WHEN flag = 'already' THEN n ELSE n - 1 END), 0) FROM flagged_keys").fetchone())
    location = f'column "{id_header}"'
    for source_id, searches in check.counted_before.items():
        check.findings.append(Finding(location, "counted_before",
                                      f"{searches} search(es) were already counted from source {source_id} (the same "
                                      "search ids); they are not counted again."))
    if check.repeated_rows:
        check.findings.append(Finding(location, "repeated_search",
                                      f"{check.repeated_rows} row(s) repeat the search id of another row of this file "
                                      "(the same search listed again); each search is counted once."))
    return check


def write_new_keys(connection, path: Path) -> int:
    """The keys this source counts (not those counted before), for the store; how many."""
    connection.execute(f"""
        COPY (SELECT f.search_key FROM file_keys f
              WHERE NOT EXISTS (SELECT 1 FROM flagged_keys g WHERE g.search_key = f.search_key AND g.flag = 'already'))
        TO {sql_text(str(path))} (FORMAT parquet)""")
    return connection.execute(f"SELECT count(*) FROM read_parquet({sql_text(str(path))})").fetchone()[0]


def deduplicated(rows: str, key: str, columns: list[str]) -> str:
    """`rows` (a SELECT with `columns` and search_key `key`) without the rows whose id was counted before, and
    with one row of each repeated id (the first in the order of its columns: the same search listed twice)."""
    flagged = f"(SELECT r.*, g.flag FROM ({rows}) r LEFT JOIN flagged_keys g ON g.search_key = r.{key})"
    listed = ", ".join(columns)
    return (f"SELECT {listed} FROM {flagged} WHERE flag IS NULL "
            f"UNION ALL SELECT {listed} FROM (SELECT DISTINCT ON ({key}) * FROM {flagged} WHERE flag = 'repeated' "
            f"ORDER BY {key}, {listed})")
