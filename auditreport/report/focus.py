"""The period in focus and the answers a review rests on, asked once: the shared ground of the review's parts.

`Focus` holds the reporting grain, the period under review with the one before it and the one a year
before, the systems with data in it, and the totals and per-agency counts every part reads. It asks the
database through one `Analysis` and records the call and SQL behind each answer, so that every number of
the report leads to its query in one step. The parts (glance.py, changes.py, trends.py, appendix.py) read
it; review.py puts them in order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pandas as pd

from ..aggregate import Analysis, CountQuery, source_ids_of
from ..compare import NotableRule
from ..errors import UsageError
from ..periods import (DEFAULT_FISCAL_YEAR_START, GRAINS, Period, PeriodError, bucket_named, bucket_of, long_words,
                       previous_bucket, year_before)
from ..wording import is_known, qualifier_words, said
from .content import Review

DEFAULT_TITLE = "Who searches shared police databases, and how often"
WINDOW = {"month": 13, "quarter": 8, "fiscal_quarter": 8, "year": 5, "fiscal_year": 5}  # periods in charts


@dataclass(frozen=True)
class ReviewOptions:
    """What to review: the period in focus (a label, or None for the latest complete one) and its grain."""

    period: str | None = None
    grain: str | None = None            # None: the grain of `period`'s label, else quarter
    fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START
    title: str = DEFAULT_TITLE
    rule: NotableRule = field(default_factory=NotableRule)
    draw: bool = True                   # False: the charts' numbers only, no figure (a run that only learns them)


def grain_words(grain: str) -> str:
    return grain.replace("_", " ")


def api_call(method: str, query: CountQuery, within: tuple[str, ...] = ()) -> str:
    """The API call that gives a query's answer: the one step from a number to its query."""
    by = ",".join(query.by) if query.by else "none"
    parts = [f'by="{by}"', f'grain="{query.grain}"']
    if query.measure != "searches":
        parts.append(f'measure="{query.measure}"')
    if query.fiscal_year_start != DEFAULT_FISCAL_YEAR_START and "fiscal" in query.grain:
        parts.append(f"fiscal_year_start={query.fiscal_year_start}")
    if within:
        parts.append(f"within={within!r}")
    return f"db.{method}({', '.join(parts)})"


def searched(table: pd.DataFrame, column: str = "value") -> pd.Series:
    """Rows that hold searches: a count above zero, or one held back ("1-10", "withheld": never zero)."""
    held = table["status"].isin(["suppressed", "withheld"]) if "status" in table else False
    return (table[column].fillna(0) > 0) | held


class _Row:
    """A row given as a dict or a Series, read as attributes (what wording's functions read)."""

    def __init__(self, row):
        self.__dict__.update(row if isinstance(row, dict) else row.to_dict())


def said_row(row, kind: str = "count") -> tuple[float | None, str, str]:
    """(value, qualifier, words) of a counts row, for a table or a fact."""
    row = row if hasattr(row, "value") else _Row(row)
    value = row.value if is_known(row.value) else None
    qualifier, words = said(row, kind)
    return value, qualifier, words


def qualifiers(table: pd.DataFrame, kind: str = "count") -> list[str]:
    """The qualifier of every row of a counts table: 'exact' for the exact ones, without reading them one by one."""
    exact = (table["exact"].astype(bool) & table["value"].notna()).tolist()
    return ["exact" if is_exact else qualifier_words(row, kind)
            for is_exact, row in zip(exact, table.itertuples())]


def source_line(sources: pd.DataFrame, source_ids: set[int] | None = None) -> str:
    """'Source: file.csv (sha256 1a2b3c4d5e6f, request R-1); ...' for the sources behind a chart."""
    rows = sources if source_ids is None else sources[sources["source_id"].isin(source_ids)]
    parts = []
    for row in rows.itertuples():
        request = f", request {row.request_id}" if isinstance(row.request_id, str) and row.request_id else ""
        parts.append(f"{row.file_name} (sha256 {row.sha256[:12]}{request})")
    return "Source: " + "; ".join(parts) if parts else "Source: none"


def ranges(data: pd.DataFrame) -> str:
    """Consecutive periods with data as ranges: '2017-Q1 to 2019-Q4, 2025-Q1 to 2025-Q4'."""
    periods = data.drop_duplicates("period_start").sort_values("period_start")
    runs: list[list[str]] = []
    last_end = None
    for row in periods.itertuples():
        if runs and last_end == row.period_start:
            runs[-1][1] = row.period
        else:
            runs.append([row.period, row.period])
        last_end = row.period_end
    return ", ".join(first if first == last else f"{first} to {last}" for first, last in runs)


class Focus:
    """The period in focus and the answers every part of the review reads."""

    def __init__(self, analysis: Analysis, options: ReviewOptions):
        self.cache: dict[str, object] = {}   # what the parts share, computed once
        self.analysis = analysis
        self.options = options
        self.rule = options.rule
        self.fy = options.fiscal_year_start
        self.grain = options.grain or "quarter"
        self.period: Period | None = None
        if options.period:
            try:
                self.period, self.grain = bucket_named(options.period, options.grain, self.fy)
            except PeriodError as error:
                hint = ("Leave out --grain: the label names its own grain." if options.grain else
                        "Use a label such as 2025-Q3, 2025-11, 2025, FY2026-Q1 or FY2025.")
                raise UsageError(f"--period {options.period}: {error}", hint=hint) from None
        if self.grain not in GRAINS:
            raise UsageError(f"a review needs a calendar grain, not {self.grain!r}",
                             hint=f"Use one of: {', '.join(GRAINS)}.")
        self.sources = analysis.store.sources()
        self.names = analysis.agency_names()
        self.chart_number = 0

    def prepare(self) -> bool:
        """Ask for the totals and choose the period in focus; False when the database holds no numbers yet."""
        newest = self.sources["ingested_at"].max() if len(self.sources) else None
        self.review = Review(self.options.title, "", "", self.grain, self.fy, "",
                             None if newest is None or pd.isna(newest) else pd.Timestamp(newest).to_pydatetime())
        totals = self.ask(())
        if not len(totals):
            return False
        covered = self.analysis.covered_days(CountQuery((), self.grain, "searches", self.fy))
        totals = totals.merge(covered[["period", "system", "days", "length"]], on=["period", "system"], how="left")
        totals["logged"] = totals["system"].isin(set(covered["system"]))
        totals["has_data"] = ((totals["reported_cells"] + totals["withheld_cells"] + totals["suppressed_cells"] > 0)
                              | (totals["days"].fillna(0) > 0))
        self.totals = totals
        why = self.choose_period(totals)
        focus = self.period
        self.previous = previous_bucket(focus, self.grain, self.fy)
        self.year_ago = year_before(focus, self.grain, self.fy)
        self.review.period_label, self.review.period_words = focus.label, long_words(focus)
        self.review.why = why
        in_focus = totals[(totals["period_start"] == focus.start) & totals["has_data"]]
        self.systems = list(in_focus.sort_values(["value", "system"], ascending=[False, True],
                                                 na_position="last")["system"])
        self.others = sorted(set(totals[totals["has_data"]]["system"]) - set(self.systems))
        self.agency_facts = self.names.groupby("agency").agg(level=("level", "first"), parent=("parent", "first"),
                                                            department=("department", "first"),
                                                            state=("state", "first"), federal=("federal", "first"),
                                                            match_method=("match_method", "first"))
        self.by_agency = self.ask(("agency",))
        return True

    def draw(self, chart, *args, **kwargs):
        """A chart's figure, or None when this run only learns what the review publishes."""
        return chart(*args, **kwargs) if self.options.draw else None

    def ask(self, by: tuple[str, ...], measure: str = "searches", grain: str | None = None) -> pd.DataFrame:
        query = CountQuery(by, grain or self.grain, measure, self.fy)
        result = self.analysis.counts(query)
        self.review.queries.setdefault(api_call("counts", query), result.sql)
        return result.table

    def ask_shares(self, by: tuple[str, ...], within: tuple[str, ...] = ()) -> pd.DataFrame:
        query = CountQuery(by, self.grain, "searches", self.fy)
        result = self.analysis.shares(query, within)
        self.review.queries.setdefault(api_call("shares", query, within), result.sql)
        return result.table

    def ask_changes(self, by: tuple[str, ...]) -> pd.DataFrame:
        query = CountQuery(by, self.grain, "searches", self.fy)
        table = self.analysis.changes(query)
        self.review.queries.setdefault(api_call("changes", query), table.attrs.get("sql", ""))
        return table

    def choose_period(self, totals: pd.DataFrame) -> str:
        """Set self.period (when not asked for) and say why it is the one."""
        data = totals[totals["has_data"]]
        grain = grain_words(self.grain)
        if self.period is not None:
            if not (data["period_start"] == self.period.start).any():
                raise UsageError(f"no source covers {self.period.label}",
                                 hint=f"Periods that can be reviewed at the {grain} grain: {ranges(data)}.")
            return f"Reviewing {self.period.label}, the {grain} asked for."
        spans = self.analysis.system_spans()
        spans = spans[spans["system"].isin(set(data["system"]))]
        ends = dict(zip(spans["system"], pd.to_datetime(spans["end"]).dt.date))
        firsts = dict(zip(spans["system"], pd.to_datetime(spans["first_day"]).dt.date))
        # of systems whose data end on the same day, the one with the longest record (more to compare it with)
        latest = max(ends, key=lambda system: (ends[system], -firsts[system].toordinal(), system))
        rows = data[data["system"] == latest]
        complete = rows[rows["complete"]]
        chosen = (complete if len(complete) else rows).sort_values("period_start").iloc[-1]
        self.period = bucket_of(chosen["period_start"], self.grain, self.fy)
        last_day = (ends[latest] - timedelta(days=1)).isoformat()
        if len(complete):
            return (f"{self.period.label} is the latest {grain} complete in {latest}, the system with the most "
                    f"recent data (to {last_day}).")
        return (f"{self.period.label} is the latest {grain} with data in {latest}, the system with the most recent "
                f"data (to {last_day}); no {grain} of it is complete.")

    def facts_of(self, agency: str, key: str):
        """One fact of an agency from the crosswalk: level, parent, department, state, federal, match_method."""
        return self.agency_facts[key].get(agency) if agency in self.agency_facts.index else None

    def is_federal(self, agency: str) -> bool:
        federal = self.facts_of(agency, "federal")
        return federal is not None and not pd.isna(federal) and bool(federal)

    def total_row(self, system: str, period: Period):
        """A system's total (a row of `totals`) in a period, or None."""
        rows = self.totals[(self.totals["system"] == system) & (self.totals["period_start"] == period.start)]
        return rows.iloc[0] if len(rows) else None

    def completeness(self, row) -> str:
        """How complete and exact a total is, in words."""
        grain = grain_words(self.grain)
        parts = []
        if not row["complete"]:
            if row["logged"] and is_known(row["days"]):
                parts.append(f"the log covers {int(row['days'])} of {int(row['length'])} days")
            elif row["logged"]:
                parts.append("the log covers none of its days in full")
            elif row["missing_cells"]:
                parts.append(f"{int(row['missing_cells'])} part(s) missing")
            else:
                parts.append("the data do not cover the whole period")
        for column, words in (("withheld_cells", "withheld"), ("suppressed_cells", "suppressed")):
            if row[column]:
                parts.append(f"{int(row[column])} part(s) {words}")
        if row["status"] == "overlapping":
            parts.append("two sources overlap")
        if not parts and not row["exact"]:
            parts.append("includes qualified figures")
        if not parts:
            return f"complete {grain}"
        return ("incomplete: " if not row["complete"] else "not exact: ") + "; ".join(parts)

    def row_at(self, table: pd.DataFrame, system: str, **where):
        """The row of `table` for `system` in the period in focus (and the `where` values), or None."""
        rows = table[(table["system"] == system) & (table["period_start"] == self.period.start)]
        for column, value in where.items():
            rows = rows[rows[column].eq(value).fillna(False)] if value is not None else rows[rows[column].isna()]
        return rows.iloc[0] if len(rows) else None

    def only_agency(self, system: str) -> str:
        """The one agency a system's data name, when they name only one (a search audit of one agency's own
        searches): then "no federal agency searched" would be a claim the data cannot make. '' otherwise."""
        agencies = self.by_agency.loc[self.by_agency["system"] == system, "agency"].dropna().unique()
        return str(agencies[0]) if len(agencies) == 1 else ""

    def has_reasons(self, system: str) -> bool:
        """Whether a system's sources give reasons (audit logs do; most count tables do not)."""
        reasons = self.ask(("reason_category",))
        rows = reasons[(reasons["system"] == system)]
        return bool(rows["reason_category"].notna().any())

    def window(self, system: str) -> pd.DataFrame:
        """The periods charted: the one in focus and those before it, as far as the system has data."""
        rows = self.totals[(self.totals["system"] == system) & (self.totals["period_start"] <= self.period.start)]
        rows = rows[rows["has_data"]].sort_values("period_start")
        return rows.tail(WINDOW[self.grain])

    def sources_of(self, table: pd.DataFrame) -> str:
        """The source line of the sources behind a counts table (its source_ids)."""
        return source_line(self.sources, source_ids_of(table))

    def roster(self) -> pd.DataFrame:
        """Every agency per system, with its first period and whether it searches for the first time."""
        if "roster" not in self.cache:
            self.cache["roster"] = self.analysis.agency_roster(CountQuery(("agency",), self.grain, "searches", self.fy))
        return self.cache["roster"]

    def stated_complete(self, system: str) -> str:
        """The file names of the system's logs that the user stated complete, or ''."""
        coverage = self.analysis.source_coverage()
        return ", ".join(coverage[(coverage["system"] == system) & coverage["stated_complete"]]["source"])

    def retention_days(self, system: str) -> int | None:
        """The retention period a system's logs were read with (--retention-days), if any."""
        coverage = self.analysis.source_coverage()
        days = coverage[(coverage["system"] == system)]["retention_days"].dropna()
        return int(days.iloc[0]) if len(days) else None
