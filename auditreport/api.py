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
from .errors import UsageError
from .ingest import IngestOptions, ingest_file, ingest_options, ingest_paths  # noqa: F401  (the API offers them too)
from .periods import DEFAULT_FISCAL_YEAR_START
from .store import DEFAULT_DB, IngestResult, Store

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
        settings = ingest_options(**options)
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
               formats: str | Iterable[str] | None = None, disclosure: str = "standard",
               confirm_unprotected: bool = False, threshold: int | None = None) -> Path:
        """Write the quarterly review of `period` (default: the latest complete one) into folder `out`.

        `formats`: any of html, pdf, xlsx, csv (default all). Returns the path of the main file (report.html,
        or the first format written).

        `disclosure`: "standard" (default) shows a count of 1 to 10 searches from an audit log as "1-10" and
        withholds what would give it away; its audit is written beside `out` (`<out>-disclosure-audit.csv`: keep it
        private). "none" shows every count exactly; on audit-log data it needs `confirm_unprotected=True`, and the
        report says it must not be published. `threshold` changes which counts are small (1 to it; default 10).

        >>> db.report("out/", period="2025-Q3", formats="html,pdf")        # doctest: +SKIP
        """
        from .report.build import build_report

        formats = tuple(formats) if formats is not None and not isinstance(formats, str) else formats
        written = build_report(self.analysis, out, period=period, grain=grain, fiscal_year_start=fiscal_year_start,
                               title=title, formats=formats, disclosure=disclosure,
                               confirm_unprotected=confirm_unprotected, threshold=threshold)
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
