"""The Python API for analysts (Jupyter): open a database, ingest, ask, chart, report.

>>> import auditreport
>>> db = auditreport.open_db("audit.duckdb")                     # doctest: +SKIP
>>> db.ingest("counts.csv", system="Regional COPLINK")            # doctest: +SKIP
>>> db.counts(by="agency", grain="fiscal_year").table             # doctest: +SKIP

Ingesting needs neither pandas nor matplotlib: the stages that use them (count tables, aggregate,
charts, report) are imported where they are used, so `auditreport ingest` of a log starts fast.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .agencies import Crosswalk, project_crosswalk
from .errors import InputError, UsageError
from .periods import DEFAULT_FISCAL_YEAR_START
from .read.grid import file_identity
from .store import DEFAULT_DB, IngestResult, SourceInfo, Store

if TYPE_CHECKING:
    import pandas as pd

    from .aggregate import Counts

PACKAGE_DIR = Path(__file__).resolve().parent


def sample_logs_dir() -> Path:
    """The bundled sample_logs/ folder (inside an installed wheel, or beside the package in a checkout)."""
    for candidate in (PACKAGE_DIR / "sample_logs", PACKAGE_DIR.parent / "sample_logs"):
        if (candidate / "demo.toml").is_file():
            return candidate
    raise UsageError("the bundled sample_logs folder was not found",
                     hint="Reinstall auditreport, or run from a checkout of its repository.")


def _dimensions(by: str | Iterable[str] | None) -> tuple[str, ...]:
    if by is None:
        return ()
    if isinstance(by, str):
        return tuple(part.strip() for part in by.split(",") if part.strip() and part.strip() != "none")
    return tuple(by)


@dataclass(frozen=True)
class IngestOptions:
    """How to read a file: a count table (the default) or, with a profile or mapping, an audit log."""

    system: str | None = None
    agency: str | None = None
    request: str | None = None
    sheet: str | None = None
    fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START
    profile: str | None = None
    mapping: str | Path | None = None
    tz: str | None = None
    source_tz: str | None = None
    retention_days: int | None = None
    reason_rules: str | Path | None = None
    complete: bool = False  # the log records every search from its first to its last day (the user's statement)

    @property
    def is_audit_log(self) -> bool:
        return bool(self.profile or self.mapping)


def read_file(path: str | Path, options: IngestOptions, *, progress: bool = False,
              agencies: Crosswalk | None = None) -> tuple[SourceInfo, object]:
    """Read and check one file without touching any database: its SourceInfo and what was read."""
    if options.is_audit_log:
        from .read.audit_log import read_audit_log

        if options.sheet:
            raise UsageError("--sheet is for count tables in XLSX workbooks; audit logs are CSV",
                             file=str(path), hint="Leave out --sheet.")
        read = read_audit_log(path, profile=options.profile, mapping=options.mapping, system=options.system,
                              agency=options.agency, source_tz=options.source_tz, tz=options.tz,
                              retention_days=options.retention_days, reason_rules=options.reason_rules,
                              progress=progress, agencies=agencies, complete=options.complete)
        source = SourceInfo(read.grid.file_name, read.grid.sha256, read.grid.size_bytes, read.reader,
                            request_id=options.request, options=read.options, source_tz=read.source_tz,
                            report_tz=read.report_tz, rows_read=read.rows_read, coverage=read.coverage)
        return source, read
    if options.tz or options.source_tz or options.retention_days or options.reason_rules or options.complete:
        raise UsageError("--tz, --source-tz, --retention-days, --reason-rules and --complete are for audit logs",
                         file=str(path), hint="Add --profile NAME or --mapping FILE, or leave those options out.")
    from .read.count_table import read_count_table

    read = read_count_table(path, sheet=options.sheet, system=options.system, agency=options.agency,
                            fiscal_year_start=options.fiscal_year_start)
    stored_options = {key: value for key, value in (("system", options.system), ("agency", options.agency),
                                                    ("fiscal_year_start", options.fiscal_year_start),
                                                    ("encoding", read.grid.encoding)) if value is not None}
    source = SourceInfo(read.grid.file_name, read.grid.sha256, read.grid.size_bytes, read.reader,
                        sheet=read.grid.sheet, request_id=options.request, options=stored_options,
                        rows_read=read.rows_read)
    return source, read


def ingest_file(store: Store, path: str | Path, options: IngestOptions | None = None, *,
                progress: bool = False, crosswalk: Crosswalk | None = None, **keywords) -> IngestResult:
    """Read one file and store it in one transaction (nothing is stored if anything fails)."""
    options = options or IngestOptions(**keywords)
    existing = _already_ingested(store, path, options)
    if existing is not None:
        return existing
    agencies = None
    if options.is_audit_log:  # agencies named in reasons
        agencies = crosswalk or project_crosswalk(store.path)
    source, read = read_file(path, options, progress=progress, agencies=agencies)
    if options.is_audit_log:
        with read:  # the log's counts, in a Parquet file the store reads straight in
            result = store.add_source(source, read.counts, read.findings)
        return _with_other_options(store, result, read.options) if result.already_ingested else result
    return store.add_source(source, read.observations, read.findings)


def _already_ingested(store: Store, path: str | Path, options: IngestOptions) -> IngestResult | None:
    """The same bytes (and sheet) are never read twice: answer from the store before any reading."""
    path = Path(path)
    if not path.is_file() or options.sheet or options.is_audit_log:  # a log is hashed while it is read
        return None
    sha256, _ = file_identity(path)
    source_id = store.find_source(sha256, "")
    if source_id is None:
        return None
    stored = store.source_options(source_id)
    asked = {"system": options.system, "agency": options.agency, "fiscal_year_start": options.fiscal_year_start}
    differing = sorted(key for key, value in asked.items() if stored.get(key) != value)
    note = (f"It was read with other options ({', '.join(f'{k}={stored.get(k)!r}' for k in differing)}); "
            "to read it again with yours, ingest it into a new database (--db)." if differing else "")
    return IngestResult(source_id, path.name, True, 0, 0, note)


LOG_OPTIONS = ("mapping", "system", "agency", "source_tz", "tz", "retention_days", "complete", "reason_rules")


def _with_other_options(store: Store, result: IngestResult, asked: dict) -> IngestResult:
    """A log ingested before with other options (another zone, --complete) is not read again: say so."""
    from dataclasses import replace

    stored = store.source_options(result.source_id)
    differing = sorted(key for key in LOG_OPTIONS if stored.get(key) != asked.get(key))
    if not differing:
        return result
    options = ", ".join(f"{key}={stored.get(key)!r}" for key in differing)
    return replace(result, note=f"It was read with other options ({options}); to read it again with yours, ingest "
                                "it into a new database (--db).")


def ingest_paths(db: str | Path, paths, options: IngestOptions, *, progress: bool = False) -> list[IngestResult]:
    """Ingest several files into the database at `db`, one transaction each.

    A file that cannot be found is reported before the database is created or opened, so a typo
    leaves no empty database behind; a file that fails to read leaves the database as it was (files
    before it in the list stay ingested, and the message names the failing file).
    """
    for path in paths:
        if not Path(path).is_file():
            raise InputError("no such file", file=str(path), hint="Check the path and try again.")
    with open_db(db) as database:
        return [ingest_file(database.store, path, options, progress=progress) for path in paths]


@dataclass
class AuditDB:
    """An auditreport database opened for analysis. Close it (or use `with`) when done.

    `crosswalk` names the searching agencies: the shipped one, with agencies.toml beside the database
    (or the file given to `open_db(agencies=...)`) laid over it.
    """

    store: Store
    crosswalk: Crosswalk = field(repr=False)
    _analysis: object = field(default=None, init=False, repr=False)

    @property
    def analysis(self):
        """The session's questions to the database (crosswalk matched once; each answer keeps its SQL)."""
        if self._analysis is None:
            from .aggregate import Analysis

            self._analysis = Analysis(self.store, self.crosswalk)
        return self._analysis

    def __enter__(self) -> "AuditDB":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    def ingest(self, *paths: str | Path, progress: bool = False, **options) -> list[IngestResult]:
        """Ingest count tables (CSV/XLSX), or audit logs with `profile=` or `mapping=`.

        Options: system, agency, request, sheet, fiscal_year_start; for logs also tz, source_tz,
        retention_days, reason_rules, complete. Each file is one transaction; the same file twice changes nothing.
        """
        settings = IngestOptions(**options)
        return [ingest_file(self.store, path, settings, progress=progress, crosswalk=self.crosswalk)
                for path in paths]

    def counts(self, by: str | Iterable[str] | None = "agency", grain: str = "quarter", measure: str = "searches",
               fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START, apportion: bool = False) -> Counts:
        """Counts by dimensions and grain; `.table` is a DataFrame, `.left_out` what did not fit one period."""
        from . import aggregate

        query = aggregate.CountQuery(_dimensions(by), grain, measure, fiscal_year_start, apportion)
        return _yours(self.analysis.counts(query))

    def shares(self, by: str | Iterable[str] | None = "agency", grain: str = "year",
               fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START, within: str | Iterable[str] | None = None) -> Counts:
        """Each group's share of the searches in its period and system (and `within` dimensions: by="agency,
        reason_category", within="agency" gives each agency's reasons as shares of its own searches)."""
        from . import aggregate

        query = aggregate.CountQuery(_dimensions(by), grain, "searches", fiscal_year_start)
        return _yours(self.analysis.shares(query, _dimensions(within)))

    def changes(self, by: str | Iterable[str] | None = "agency", grain: str = "quarter",
                fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START) -> pd.DataFrame:
        """Change against the previous period and the same period a year before."""
        from . import aggregate

        query = aggregate.CountQuery(_dimensions(by), grain, "searches", fiscal_year_start)
        return self.analysis.changes(query).copy()

    def findings(self) -> pd.DataFrame:
        """Data-quality findings (columns source, location, kind, message), agency names included."""
        return self.analysis.findings()

    def agencies(self) -> pd.DataFrame:
        """Every searching-agency name: as given, as counted, its hierarchy, and how it was matched."""
        return self.analysis.agency_names().copy()

    def unmatched_agencies(self) -> pd.DataFrame:
        """Names the crosswalk does not know, for review (add them to agencies.toml)."""
        return self.analysis.unmatched_agencies()

    def sources(self) -> pd.DataFrame:
        from . import aggregate

        return aggregate.sources(self.store)

    def published(self) -> pd.DataFrame:
        """Published figures (shares, qualified and cited numbers) as given, with their qualifiers."""
        return self.analysis.published_figures()

    def chart(self, counts: Counts, kind: str = "bars", *, by: str = "agency", title: str | None = None):
        """Draw a Counts result: kind 'bars' (stacked per period), 'trend' (lines), 'panels' (one small chart per
        group, one scale) or 'share'."""
        from . import charts
        from .report.review import source_line

        draw = {"bars": charts.searches_by_period, "trend": charts.trend_lines, "share": charts.share_by_agency,
                "panels": charts.small_multiples}
        if kind not in draw:
            raise UsageError(f"unknown chart kind {kind!r}", hint="Use bars, trend, panels or share.")
        from .aggregate import source_ids_of

        return draw[kind](counts.table, by=by, title=title,
                          source_line=source_line(self.sources(), source_ids_of(counts.table)))

    def report(self, out: str | Path, *, period: str | None = None, grain: str | None = None,
               fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START, title: str | None = None,
               formats: str | Iterable[str] | None = None) -> Path:
        """Write the quarterly review of `period` (default: the latest complete one) into folder `out`.

        `formats`: any of html, pdf, xlsx, csv (default all). Returns the path of the main file (report.html,
        or the first format written).

        >>> db.report("out/", period="2025-Q3", formats="html,pdf")        # doctest: +SKIP
        """
        from .report.build import build_report

        formats = tuple(formats) if formats is not None and not isinstance(formats, str) else formats
        written = build_report(self.analysis, out, period=period, grain=grain, fiscal_year_start=fiscal_year_start,
                               title=title, formats=formats)
        return written.get("html") or next(iter(written.values()))


def _yours(counts: Counts) -> Counts:
    """A copy of a session's answer: what a notebook does to it never changes the next answer or a report."""
    from dataclasses import replace

    return replace(counts, table=counts.table.copy(), left_out=counts.left_out.copy())


def open_db(path: str | Path = DEFAULT_DB, *, read_only: bool = False,
            agencies: str | Path | None = None) -> AuditDB:
    """Open (or create) an auditreport database file; `agencies` is a project agencies.toml to use."""
    crosswalk = project_crosswalk(path, agencies)  # read first: a bad agency file opens nothing
    return AuditDB(Store(path, read_only=read_only), crosswalk)


def demo(out: str | Path = "auditreport-demo", *, db: str | Path | None = None,
         samples: str | Path | None = None) -> tuple[Path, list[IngestResult]]:
    """Ingest the bundled samples (as listed in sample_logs/demo.toml) and write the report into `out`."""
    samples = Path(samples) if samples else sample_logs_dir()
    manifest = tomllib.loads((samples / "demo.toml").read_text(encoding="utf-8"))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    settings = manifest.get("report", {})
    agencies = samples / settings["agencies"] if settings.get("agencies") else None
    with open_db(db or out / "demo.duckdb", agencies=agencies) as database:
        results = []
        for entry in manifest["file"]:
            options = {k: v for k, v in entry.items() if k != "path"}
            results.extend(database.ingest(samples / entry["path"], **options))
        report = database.report(out, period=settings.get("period"), grain=settings.get("grain"),
                                 fiscal_year_start=settings.get("fiscal_year_start", DEFAULT_FISCAL_YEAR_START),
                                 title=settings.get("title"))
    return report, results
