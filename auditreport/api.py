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
from .ingest import IngestOptions, ingest_file, ingest_into, ingest_options, ingest_paths  # noqa: F401  (the API offers them too)
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

    def __repr__(self) -> str:
        """One line: the file, its sources, the span it covers and its systems (never the crosswalk)."""
        try:
            sources = self.store.row("SELECT count(*) FROM sources")[0]
            first, last = self.store.row("SELECT min(period_start), max(period_end) - 1 FROM observations")
            systems = [row[0] for row in self.store.connection.execute(
                "SELECT DISTINCT system FROM observations ORDER BY 1").fetchall()]
        except Exception:  # noqa: BLE001  (a closed database still has a repr)
            return f"<AuditDB {self.store.path} (closed)>"
        span = f"{first} to {last}" if first else "no numbers yet"
        shown = ", ".join(systems[:4]) + (f" and {len(systems) - 4} more" if len(systems) > 4 else "")
        return f"<AuditDB {self.store.path}: {sources} source(s), {span}; systems: {shown or 'none'}>"

    def __enter__(self) -> "AuditDB":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    def ingest(self, *paths: str | Path, system: str | None = None, agency: str | None = None,
               request: str | None = None, sheet: str | None = None, sheets: Iterable[str] | None = None,
               fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START, profile: str | None = None,
               mapping: str | Path | None = None, tz: str | None = None, source_tz: str | None = None,
               retention_days: int | None = None, reason_rules: str | Path | None = None, complete: bool = False,
               include_hidden: bool = False, own_agency: str | None = None, replace: bool = False,
               progress: bool = False, jobs: int = 1, **misspelt) -> list[IngestResult]:
        """Ingest count tables (CSV/XLSX), or audit logs with `profile=` or `mapping=`.

        system: the database or network searched (required unless the file or profile names it); agency: the
        agency whose data or searches a file holds; request: the records-request id; sheet: an XLSX sheet;
        sheets: the sheets of a workbook audit log to read as one log (default: every visible sheet);
        fiscal_year_start: month fiscal years start in; profile / mapping: how to read an audit log; tz: the
        reporting time zone; source_tz: the zone of naive search times; retention_days: the retention period;
        reason_rules: extra reason rules (TOML); complete: you state the log records every search;
        include_hidden: read hidden sheets, rows and columns; own_agency: a network audit's producing agency (its
        own searches become their own system); replace: read a file ingested before again, replacing its source;
        jobs: read up to this many files at once (stored one at a time, in order). Each file is one transaction;
        the same file twice changes nothing. A misspelt option is named ("agnecy":
        did you mean "agency"?).
        """
        settings = ingest_options(system=system, agency=agency, request=request, sheet=sheet,
                                  sheets=(sheets,) if isinstance(sheets, str) else tuple(sheets or ()),
                                  fiscal_year_start=fiscal_year_start, profile=profile, mapping=mapping, tz=tz,
                                  source_tz=source_tz, retention_days=retention_days, reason_rules=reason_rules,
                                  complete=complete, include_hidden=include_hidden, own_agency=own_agency,
                                  replace=replace, **misspelt)
        results: list[IngestResult] = []
        ingest_into(self.store, paths, settings, self.crosswalk, results, progress=progress, jobs=jobs)
        return results

    def counts(self, by: str | Iterable[str] | None = "agency", grain: str = "quarter", measure: str = "searches",
               fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START, apportion: bool = False) -> Answer:
        """Counts by dimensions and grain; `.table` is a DataFrame, `.left_out` what did not fit one period."""
        from . import aggregate

        query = aggregate.CountQuery(_dimensions(by), grain, measure, fiscal_year_start, apportion)
        return _yours(self.analysis.counts(query))

    def shares(self, by: str | Iterable[str] | None = "agency", grain: str = "year",
               fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START, within: str | Iterable[str] | None = None) -> Answer:
        """Each group's share of the searches in its period and system (and `within` dimensions: by="agency,
        reason_category", within="agency" gives each agency's reasons as shares of its own searches)."""
        from . import aggregate

        query = aggregate.CountQuery(_dimensions(by), grain, "searches", fiscal_year_start)
        return _yours(self.analysis.shares(query, _dimensions(within)))

    def changes(self, by: str | Iterable[str] | None = "agency", grain: str = "quarter",
                fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START) -> Answer:
        """Change against the previous period and the same period a year before (`.table`, `.sql`, `.wide()`)."""
        from . import aggregate

        query = aggregate.CountQuery(_dimensions(by), grain, "searches", fiscal_year_start)
        table = self.analysis.changes(query)
        return _yours(aggregate.Counts(query, table, sql=table.attrs.get("sql", "")))

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

    def chart(self, counts: Counts | pd.DataFrame, kind: str | None = None, *, by: str | None = None,
              title: str | None = None, system: str | None = None):
        """Draw an answer, or any tidy frame of one (filtered as you like): kind 'bars' (stacked per period; the
        default for counts), 'trend' (lines), 'panels' (one small chart per group, one scale) or 'share' (the
        default for shares; the latest period when the frame holds several). `by` defaults to the answer's own
        breakdown; the source line names the answer's source files. `system` picks one when the answer holds
        several."""
        from .aggregate import source_ids_of
        from .report.review import source_line

        table = counts.table if hasattr(counts, "table") else counts
        if system is not None and "system" in table and (table["system"] == system).any():
            table = table[table["system"] == system]  # the source line names this system's files only
        line = source_line(self.sources(), source_ids_of(table)) if "source_ids" in table else None
        return draw_chart(table, kind, by=by or _own_breakdown(counts), title=title, source_line=line, system=system)

    def review(self, *, period: str | None = None, grain: str | None = None,
               fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START, disclosure: str = "standard",
               confirm_unprotected: bool = False, threshold: int | None = None) -> dict[str, pd.DataFrame]:
        """The report's tables as DataFrames (the numbers it would publish, under the same `disclosure`), by the
        name of their CSV: "at-a-glance", "what-changed", "counts-by-period", "agencies", ..., and each chart's
        numbers ("chart-01-searches-by-level", ...). Nothing is written.

        >>> db.review(period="2025-Q3")["what-changed"]        # doctest: +SKIP
        """
        from .report.build import released_analysis, released_review
        from .report.review import ReviewOptions

        released = released_analysis(self.analysis, disclosure, confirm_unprotected, threshold)
        review = released_review(released, ReviewOptions(period, grain, fiscal_year_start, draw=False))
        frames = {key: review.published(table.data) for key, table in review.tables.items()}
        frames |= {key: review.published(chart.data) for key, chart in review.charts.items()}
        return frames

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


def _own_breakdown(counts) -> str | None:
    """The first dimension an answer was asked by (not system), or None for a plain frame."""
    from .aggregate import CountQuery

    query = getattr(counts, "query", None)  # a DataFrame's .query is a method, not a question
    if not isinstance(query, CountQuery):
        return None
    by = [d for d in query.by if d != "system"]
    return by[0] if by else "system"


def draw_chart(table: pd.DataFrame, kind: str | None = None, *, by: str | None = None, title: str | None = None,
               source_line: str | None = None, system: str | None = None):
    """A chart of a tidy counts or shares frame (see AuditDB.chart): one system (searches of different systems
    are never drawn as one)."""
    from . import charts

    systems = sorted(table["system"].dropna().unique()) if "system" in table else []
    if system is not None:
        if system not in systems:
            raise UsageError(f"the answer holds no system {system!r}", hint=f"Use one of: {'; '.join(systems)}.")
        table = table[table["system"] == system]
    elif len(systems) > 1:
        raise UsageError(f"the answer holds {len(systems)} systems, and searches of different systems are never "
                         "drawn as one", hint=f"Pass system= one of: {'; '.join(systems)}.")

    draw = {"bars": charts.searches_by_period, "trend": charts.trend_lines, "share": charts.share_by_agency,
            "panels": charts.small_multiples}
    shares = "measure" in table and (table["measure"] == "share_of_searches").all() and len(table)
    kind = kind or ("share" if shares else "bars")
    if kind not in draw:
        raise UsageError(f"unknown chart kind {kind!r}", hint="Use bars, trend, panels or share.")
    if by is None:
        found = charts.breakdowns(table)
        by = found[0] if found else "system"
    if kind == "share" and "period_start" in table and table["period"].nunique() > 1:
        latest = table["period_start"].max()
        table = table[table["period_start"] == latest]
        title = title or f"Share of searches by {by.replace('_', ' ')}, {table['period'].iloc[0]}"
    return draw[kind](table, by=by, title=title, source_line=source_line)


@dataclass(repr=False)
class Answer:
    """An answer to a question (counts, shares, changes): `.table` (a tidy DataFrame: datetime64 periods, whole
    counts as Int64 with missing as <NA>), `.sql` (the query that made it), `.wide()`, `.chart()`, `.to_csv()` and
    `.to_excel()` (through the project's safe writer), and `.left_out` (what fitted no period)."""

    query: object
    table: pd.DataFrame
    left_out: pd.DataFrame
    sql: str = ""

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        from .aggregate import Counts

        return Counts.__repr__(self)  # it names the class it is given: <Answer ...>

    def _repr_html_(self) -> str:
        from .aggregate import Counts

        return Counts._repr_html_(self)

    def wide(self, words: bool = False) -> pd.DataFrame:
        from .aggregate import Counts

        return Counts.wide(self, words)

    def chart(self, kind: str | None = None, *, by: str | None = None, title: str | None = None,
              system: str | None = None):
        """This answer drawn (see AuditDB.chart); by default by its own breakdown."""
        return draw_chart(self.table, kind, by=by or _own_breakdown(self), title=title, system=system)

    def to_csv(self, path: str | Path) -> Path:
        """The table as CSV, written as every output of auditreport is (formula-like text neutralised)."""
        from .tabular import csv_text, write_file

        path = Path(path)
        return write_file(path.parent, path.name, csv_text(self.table))

    def to_excel(self, path: str | Path) -> Path:
        """The table as a one-sheet XLSX workbook, numbers as numbers, text never a formula."""
        from .report.xlsx import table_workbook
        from .tabular import write_file

        path = Path(path)
        return write_file(path.parent, path.name, table_workbook(self.table, "Answer"))


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    """Proper dtypes for a notebook: datetime64 periods, whole counts as Int64 (missing as <NA>)."""
    import pandas as pd

    table = table.copy()
    for column in ("period_start", "period_end"):
        if column in table:
            table[column] = pd.to_datetime(table[column])
    counts = "measure" not in table or not (table["measure"] == "share_of_searches").any()
    for column in ("value", "value_low", "value_high", "previous_value", "year_ago_value", "change",
                   "change_from_year_ago"):
        if counts and column in table and pd.api.types.is_float_dtype(table[column]):
            known = table[column].dropna()
            if (known == known.round()).all():
                table[column] = table[column].round().astype("Int64")
    return table


def _yours(counts: Counts) -> Answer:
    """A copy of a session's answer, typed for a notebook: what a notebook does to it never changes the next answer
    or a report."""
    return Answer(counts.query, _typed(counts.table), counts.left_out.copy(), counts.sql)


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
            for key in ("mapping", "reason_rules"):  # files named in demo.toml sit beside it
                if key in options:
                    options[key] = samples / options[key]
            results.extend(database.ingest(samples / entry["path"], **options))
        report = database.report(out, period=settings.get("period"), grain=settings.get("grain"),
                                 fiscal_year_start=settings.get("fiscal_year_start", DEFAULT_FISCAL_YEAR_START),
                                 title=settings.get("title"))
    return report, results
