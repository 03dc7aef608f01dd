"""Several files read at once (`auditreport ingest A B C --jobs N`), stored one at a time, in the order given.

Reading is most of an ingest, and each read has a DuckDB of its own, so N files are read in N threads (DuckDB
and hashlib let go of the GIL while they work). Storing stays in order, one transaction per file, so that the
database ends as reading the files one by one would leave it:

- a file that fails stops the files after it, as one by one; those before it stay stored;
- a log is told apart by search id from what the store held when the batch began (a snapshot of its keys).
  When a file stored earlier in the same batch (same system and agency) shares searches with it, it is read
  again after that file, as one by one would have read it;
- the shared-day rule of logs without ids is applied by the store, in order, as always.

Each read holds up to its own memory limit (read/audit_log.MEMORY_LIMIT): N reads hold up to N times that.
"""
from __future__ import annotations

import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .agencies import Crosswalk
from .ingest import IngestOptions, _before_reading, _store_read, read_file
from .read.spill import folder_prefix
from .sql import sql_text
from .store import IngestResult, Store


@dataclass
class SnapshotIds:
    """The store's search-id hashes as they were when the batch began (read/log_ids.KnownIds), readable from any
    thread: a Parquet copy with each key's source, system and agency."""

    key: bytes
    keys: Path | None  # None: the store held no search ids

    def export(self, system: str | None, agency: str | None, path: Path) -> bool:
        import duckdb

        if self.keys is None:
            return False
        scope = " AND ".join(f"{column} IS NOT DISTINCT FROM {sql_text(value) if value is not None else 'NULL'}"
                             for column, value in (("system", system), ("agency", agency)))
        with duckdb.connect() as connection:
            connection.execute(f"COPY (SELECT search_key, source_id FROM read_parquet({sql_text(str(self.keys))}) "
                               f"WHERE {scope}) TO {sql_text(str(path))} (FORMAT parquet)")
            return connection.execute(f"SELECT count(*) > 0 FROM read_parquet({sql_text(str(path))})").fetchone()[0]


def ingest_parallel(store: Store, paths: list[Path], options: IngestOptions, crosswalk: Crosswalk, jobs: int,
                    results: list[IngestResult]) -> None:
    """Read `paths` up to `jobs` at a time and store each in turn, appending to `results` as each is stored."""
    folder = tempfile.TemporaryDirectory(prefix=folder_prefix("snapshot"))
    try:
        snapshot = None
        if options.is_audit_log:
            keys = Path(folder.name) / "stored-keys.parquet"
            snapshot = SnapshotIds(store.search_ids().key, keys if store.snapshot_search_keys(keys) else None)
        settled = [_before_reading(store, path, options) for path in paths]
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="auditreport-read") as pool:
            reads: list[Future | None] = [
                None if existing is not None else
                pool.submit(read_file, path, asked, agencies=crosswalk, search_ids=snapshot)
                for path, (asked, _, existing) in zip(paths, settled)]
            try:
                stored_now: list[int] = []
                for path, (asked, detected, existing), future in zip(paths, settled, reads):
                    if future is None:
                        results.append(existing)
                        continue
                    source, read = future.result()
                    if source.search_keys is not None and store.shares_searches(source.search_keys, read.options,
                                                                               stored_now):
                        read.close()  # read before a file of this batch that counted some of its searches
                        source, read = read_file(path, asked, agencies=crosswalk, search_ids=store.search_ids())
                    result = _store_read(store, asked, source, read, crosswalk, detected)
                    results.append(result)
                    if not result.already_ingested:
                        stored_now.append(result.source_id)
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                for future in reads:  # reads finished but never stored: their temporary files go
                    if future is not None and future.done() and not future.cancelled() and not future.exception():
                        _close(future.result()[1])
                raise
    finally:
        folder.cleanup()


def _close(read) -> None:
    close = getattr(read, "close", None)
    if close is not None:
        close()
