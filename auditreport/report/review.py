"""The quarterly review: what a board reads about the period in focus, built once as content (content.py).

It asks the database its questions through one `Analysis` (aggregate.py), decides what goes where, and
draws the charts (charts.py); it writes nothing. Searches of different systems are never added: every
number belongs to one system, and the at-a-glance block has one part per system.

>>> review = build_review(Analysis(store), ReviewOptions(period="2025-Q3"))   # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pandas as pd

from .. import charts
from ..aggregate import Analysis, CountQuery
from ..compare import Comparison, NotableRule, compare
from ..errors import UsageError
from ..model import FINDING_KINDS
from ..periods import (DEFAULT_FISCAL_YEAR_START, GRAINS, Period, PeriodError, bucket_named, bucket_of, describe,
                       long_words, previous_bucket, year_before)
from ..read.log_coverage import RULE as COVERAGE_RULE
from ..wording import change_words, count_words, is_known, qualifier_words, said, share_words
from .content import (Bullets, Chart, ChartRef, Column, Fact, Facts, Paragraph, Review, Section, Table,
                      TableView)

DEFAULT_TITLE = "Who searches shared police databases, and how often"
WINDOW = {"month": 13, "quarter": 8, "fiscal_quarter": 8, "year": 5, "fiscal_year": 5}  # periods in charts
TRENDED_AGENCIES = 8
VAGUE_SHARE = 0.5   # agencies whose reasons are vague this often are named
NOTED_CHANGES = 8   # notable changes spelt out on the first page, per system (the largest)


@dataclass(frozen=True)
class ReviewOptions:
    """What to review: the period in focus (a label, or None for the latest complete one) and its grain."""

    period: str | None = None
    grain: str | None = None            # None: the grain of `period`'s label, else quarter
    fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START
    title: str = DEFAULT_TITLE
    rule: NotableRule = field(default_factory=NotableRule)


def grain_words(grain: str) -> str:
    return grain.replace("_", " ")


def _call(method: str, query: CountQuery, within: tuple[str, ...] = ()) -> str:
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


class _Row:
    """A row given as a dict or a Series, read as attributes (what wording's functions read)."""

    def __init__(self, row):
        self.__dict__.update(row if isinstance(row, dict) else row.to_dict())


def _said(row, kind: str = "count") -> tuple[float | None, str, str]:
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


class _Builder:
    """Builds one Review; each method adds one part of it."""

    def __init__(self, analysis: Analysis, options: ReviewOptions):
        self.analysis = analysis
        self.options = options
        self.rule = options.rule
        self.fy = options.fiscal_year_start
        self.grain = options.grain or "quarter"
        self.focus: Period | None = None
        if options.period:
            try:
                self.focus, self.grain = bucket_named(options.period, options.grain, self.fy)
            except PeriodError as error:
                raise UsageError(f"--period {options.period}: {error}",
                                 hint="Use a label such as 2025-Q3, 2025-11, 2025, FY2026-Q1 or FY2025.") from None
        if self.grain not in GRAINS:
            raise UsageError(f"a review needs a calendar grain, not {self.grain!r}",
                             hint=f"Use one of: {', '.join(GRAINS)}.")
        self.sources = analysis.store.sources()
        self.names = analysis.agency_names()
        self.chart_number = 0

    # -- asking -----------------------------------------------------------------------------------------------
    def ask(self, by: tuple[str, ...], measure: str = "searches", grain: str | None = None) -> pd.DataFrame:
        query = CountQuery(by, grain or self.grain, measure, self.fy)
        result = self.analysis.counts(query)
        self.review.queries.setdefault(_call("counts", query), result.sql)
        return result.table

    def ask_shares(self, by: tuple[str, ...], within: tuple[str, ...] = ()) -> pd.DataFrame:
        query = CountQuery(by, self.grain, "searches", self.fy)
        result = self.analysis.shares(query, within)
        self.review.queries.setdefault(_call("shares", query, within), result.sql)
        return result.table

    def ask_changes(self, by: tuple[str, ...]) -> pd.DataFrame:
        query = CountQuery(by, self.grain, "searches", self.fy)
        table = self.analysis.changes(query)
        self.review.queries.setdefault(_call("changes", query), table.attrs.get("sql", ""))
        return table

    # -- the period in focus ----------------------------------------------------------------------------------
    def choose_period(self, totals: pd.DataFrame) -> str:
        """Set self.focus (when not asked for) and say why it is the one."""
        data = totals[totals["has_data"]]
        if self.focus is not None:
            if not (data["period_start"] == self.focus.start).any():
                raise UsageError(f"no source covers {self.focus.label}",
                                 hint=f"Periods that can be reviewed at the {grain_words(self.grain)} grain: "
                                      f"{_ranges(data)}.")
            return f"{self.focus.label} was asked for."
        ends = data.groupby("system")["period_end"].max()
        latest = max(ends.index, key=lambda system: (ends[system], system))
        rows = data[data["system"] == latest]
        complete = rows[rows["complete"]]
        chosen = (complete if len(complete) else rows).sort_values("period_start").iloc[-1]
        self.focus = bucket_of(chosen["period_start"], self.grain, self.fy)
        last_day = (ends[latest] - timedelta(days=1)).isoformat()
        if len(complete):
            return (f"{self.focus.label} is the latest {grain_words(self.grain)} complete in {latest}, the system "
                    f"with the most recent data (to {last_day}). Pass --period to review another.")
        return (f"{self.focus.label} is the latest {grain_words(self.grain)} with data in {latest}, the system with "
                f"the most recent data (to {last_day}); no {grain_words(self.grain)} of it is complete.")

    # -- the whole review --------------------------------------------------------------------------------------
    def build(self) -> Review:
        self.review = Review(self.options.title, "", "", self.grain, self.fy, None, None, "")
        totals = self.ask(())
        if not len(totals):
            self.review.sections.append(Section("at-a-glance", "At a glance", [Paragraph(
                "No numbers yet: ingest a count table or an audit log first (auditreport ingest FILE).")]))
            return self.review
        covered = self.analysis.covered_days(CountQuery((), self.grain, "searches", self.fy))
        totals = totals.merge(covered[["period", "system", "days", "length"]], on=["period", "system"], how="left")
        totals["logged"] = totals["system"].isin(set(covered["system"]))
        totals["has_data"] = ((totals["reported_cells"] + totals["withheld_cells"] + totals["suppressed_cells"] > 0)
                              | (totals["days"].fillna(0) > 0))
        self.totals = totals
        why = self.choose_period(totals)
        focus = self.focus
        self.previous = previous_bucket(focus, self.grain, self.fy)
        self.year_ago = year_before(focus, self.grain, self.fy)
        self.review.period_label, self.review.period_words = focus.label, long_words(focus)
        self.review.period_start, self.review.period_end, self.review.why = focus.start, focus.end, why
        in_focus = totals[(totals["period_start"] == focus.start) & totals["has_data"]]
        self.systems = list(in_focus.sort_values(["value", "system"], ascending=[False, True],
                                                 na_position="last")["system"])
        self.others = sorted(set(totals[totals["has_data"]]["system"]) - set(self.systems))
        self.agency_facts = self.names.groupby("agency").agg(level=("level", "first"), parent=("parent", "first"),
                                                            department=("department", "first"),
                                                            state=("state", "first"), federal=("federal", "first"),
                                                            match_method=("match_method", "first"))
        self.by_agency = self.ask(("agency",))
        self.build_tables()
        self.review.sections += [self.glance_section(), self.changes_section(), *self.chart_sections(),
                                 self.agencies_section(), self.reasons_section(), self.context_section(),
                                 self.quality_section(), self.method_section()]
        return self.review

    # -- shared tables ----------------------------------------------------------------------------------------
    def facts_of(self, agency: str, key: str):
        return self.agency_facts[key].get(agency) if agency in self.agency_facts.index else None

    def is_federal(self, agency: str) -> bool:
        federal = self.facts_of(agency, "federal")
        return federal is not None and not pd.isna(federal) and bool(federal)

    def build_tables(self) -> None:
        """The tables every format carries whole (XLSX sheets, CSV files)."""
        counts = self.by_agency[self.by_agency["agency"].notna()].copy()
        counts["level"] = counts["agency"].map(self.agency_facts["level"])
        counts["department"] = counts["agency"].map(self.agency_facts["department"])
        counts["qualifier"] = qualifiers(counts)
        data = counts[["system", "period", "period_start", "period_end", "agency", "level", "department", "value",
                       "qualifier", "display", "exact", "complete", "status", "source_ids"]].rename(
            columns={"value": "searches", "display": "searches_in_words"})
        self.review.add_table(Table("counts-by-period", f"Searches by agency and {grain_words(self.grain)}, "
                                    "every period", data, (), sheet="Counts by period",
                                    note="Every agency and period of every source; 'complete' says whether the "
                                         "data cover the whole period.",
                                    sheet_columns=("system", "period", "period_start", "agency", "level",
                                                   "department", "searches", "qualifier", "complete",
                                                   "source_ids")))

    # -- 1. at a glance ---------------------------------------------------------------------------------------
    def total_row(self, system: str, period: Period):
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

    def comparison(self, system: str, other: Period, row, other_row) -> Comparison:
        if row is None:
            return Comparison(None, None, other.label, why_not="no data")
        exists = other_row is not None and bool(other_row["has_data"])
        days = (self.focus.end - self.focus.start).days
        return compare(row["value"], bool(row["exact"]), bool(row["complete"]), days,
                       None if other_row is None else other_row["value"],
                       False if other_row is None else bool(other_row["exact"]),
                       False if other_row is None else bool(other_row["complete"]), (other.end - other.start).days,
                       other.label, self.rule, other_exists=exists)

    def glance_section(self) -> Section:
        blocks: list = [Paragraph(self.review.why, "lede")]
        self.notable: dict[str, list[str]] = {}
        self.glance_rows: list[dict] = []
        for system in self.systems:
            facts = self.system_facts(system)
            blocks.append(Facts(system, tuple(facts)))
            for fact in facts:
                self.glance_rows.append({"system": system, "period": self.focus.label, "key": fact.key,
                                         "label": fact.label, "value": fact.value, "qualifier": fact.qualifier,
                                         "in_words": fact.words, "detail": fact.detail, "complete": fact.complete,
                                         "query": fact.query})
            stated = self.stated_complete(system)
            if stated:
                blocks.append(Paragraph(f"{stated} was stated complete by the person who ingested it (--complete): "
                                        f"this report relies on that statement for the completeness of {system}.",
                                        "note"))
            notes = self.notable_notes(system)
            if notes:
                blocks.append(Bullets(tuple(notes), f"What changed in {system}"))
        if self.others:
            spans = []
            for system in self.others:
                rows = self.totals[(self.totals["system"] == system) & self.totals["has_data"]]
                spans.append(f"{system} ({rows['period'].iloc[0]} to {rows['period'].iloc[-1]})")
            blocks.append(Paragraph(f"No data for {self.focus.label} from: {'; '.join(spans)}. Their numbers are in "
                                    "the tables and spreadsheet that come with this report.", "note"))
        blocks.append(Paragraph(
            "Numbers marked \"at least\", \"about\", \"withheld\", \"<10\" or \"missing\" are not exact: withheld and "
            "suppressed cells are never shown as zero, and missing is not zero. Searches of different systems are "
            "never added together. Published figures from other places and periods are under Context, apart.",
            "note"))
        self.review.add_table(Table(
            "at-a-glance", f"At a glance, {self.focus.label}", pd.DataFrame(self.glance_rows, columns=[
                "system", "period", "key", "label", "value", "qualifier", "in_words", "detail", "complete", "query"]),
            (), sheet="At a glance",
            note="Each number with its qualifier in its own column; shares are fractions (0.12 is 12%)."))
        return Section("at-a-glance", f"{self.focus.label} at a glance", blocks)

    def system_facts(self, system: str) -> list[Fact]:
        grain = grain_words(self.grain)
        row = self.total_row(system, self.focus)
        previous_row, year_row = self.total_row(system, self.previous), self.total_row(system, self.year_ago)
        total_call = _call("counts", CountQuery((), self.grain, "searches", self.fy))
        changes_call = _call("changes", CountQuery((), self.grain, "searches", self.fy))
        self.ask_changes(())
        value, qualifier, words = _said(row)
        facts = [Fact("searches", f"Searches in {self.focus.label}", words, self.completeness(row), value, qualifier,
                      bool(row["complete"]), total_call)]
        self.system_comparisons = {}
        for key, period, other in (("previous", self.previous, previous_row), ("year_ago", self.year_ago, year_row)):
            compared = self.comparison(system, period, row, other)
            self.system_comparisons[key] = compared
            label = (f"Previous {grain} ({period.label})" if key == "previous"
                     else f"Same {grain} a year before ({period.label})")
            if other is None or not other["has_data"]:
                facts.append(Fact(key, label, "no data", f"no source covers {period.label}", None, "missing", None,
                                  changes_call))
                continue
            other_value, other_qualifier, other_words = _said(other)
            detail = (f"{change_words(compared.ratio)} ({compared.change:+,.0f})" if compared.ratio is not None
                      else compared.words())
            if compared.why_not:
                detail = f"not compared: {compared.why_not}"
            elif compared.notable:
                detail += "; notable by the rule in the method section"
            else:
                detail += "; within what chance would give" if compared.p_value is not None else ""
            facts.append(Fact(key, label, other_words, f"{self.completeness(other)}; {detail}", other_value,
                              other_qualifier, bool(other["complete"]), changes_call))
        facts += self.federal_facts(system, row)
        facts += self.reason_facts(system, row)
        facts += self.agency_facts_of(system)
        facts += self.access_facts(system, row)
        return facts

    def _row(self, table: pd.DataFrame, system: str, **where):
        rows = table[(table["system"] == system) & (table["period_start"] == self.focus.start)]
        for column, value in where.items():
            rows = rows[rows[column].eq(value).fillna(False)] if value is not None else rows[rows[column].isna()]
        return rows.iloc[0] if len(rows) else None

    def federal_facts(self, system: str, total) -> list[Fact]:
        counts = self.ask(("federal",))
        shares = self.ask_shares(("federal",))
        call = _call("counts", CountQuery(("federal",), self.grain, "searches", self.fy))
        federal = self._row(counts, system, federal=True)
        share = self._row(shares, system, federal=True)
        unknown = self._row(counts, system, federal=None)
        departments = self.ask(("federal", "department"))
        rows = departments[(departments["system"] == system) & (departments["period_start"] == self.focus.start)
                           & departments["federal"].eq(True).fillna(False)]
        rows = rows[rows["value"].fillna(0) > 0].sort_values(["value", "department"], ascending=[False, True])
        detail = [f"{share_words(share['value'], exact=bool(share['exact']))} of all searches"
                  if share is not None and is_known(share["value"]) else ""]
        if len(rows):
            detail.append("by department: " + ", ".join(f"{r.department} {r.display}" for r in rows.itertuples()))
        if unknown is not None and is_known(unknown["value"]) and unknown["value"] > 0:
            detail.append(f"{unknown['display']} more by agencies whose level is not known")
        if federal is None:
            return [Fact("federal", "Searches by federal agencies", "0", "; ".join(d for d in detail if d) or
                         "no federal agency searched", 0.0, "exact", bool(total["complete"]), call)]
        value, qualifier, words = _said(federal)
        facts = [Fact("federal", "Searches by federal agencies", words, "; ".join(d for d in detail if d), value,
                      qualifier, bool(federal["complete"]), call)]
        if share is not None and is_known(share["value"]):
            facts.append(Fact("federal_share", "Share of searches by federal agencies",
                              share_words(share["value"], exact=bool(share["exact"])), "of all searches of the system",
                              float(share["value"]), "exact" if share["exact"] else "about", bool(share["complete"]),
                              _call("shares", CountQuery(("federal",), self.grain, "searches", self.fy))))
        return facts

    def has_reasons(self, system: str) -> bool:
        reasons = self.ask(("reason_category",))
        rows = reasons[(reasons["system"] == system)]
        return bool(rows["reason_category"].notna().any())

    def reason_facts(self, system: str, total) -> list[Fact]:
        call = _call("shares", CountQuery(("reason_category",), self.grain, "searches", self.fy))
        if not self.has_reasons(system):
            return [Fact("immigration", "Immigration-related searches", "not given",
                         "this source gives no reasons", None, "not given", None, call)]
        counts = self.ask(("reason_category",))
        shares = self.ask_shares(("reason_category",))
        facts = []
        for key, label, about in (
                ("immigration", "Immigration-related searches",
                 "the reason names ICE, ERO, HSI, CBP, Border Patrol, deportation or immigration"),
                ("vague", "Searches whose reason says nothing",
                 "\"investigation\", \"inv\", \"case\" and the like on their own")):
            row, share = self._row(counts, system, reason_category=key), self._row(shares, system, reason_category=key)
            if row is None:
                facts.append(Fact(key, label, "0", about, 0.0, "exact", bool(total["complete"]), call))
                continue
            value, qualifier, words = _said(row)
            share_text = (f"{share_words(share['value'], exact=bool(share['exact']))} of all searches"
                          if share is not None and is_known(share["value"]) else "share not known")
            detail = f"{share_text}; {about}"
            if key == "vague":
                heavy = self.vague_agencies(system)
                if len(heavy):
                    detail += (f"; agencies whose reasons are this vague more than {VAGUE_SHARE:.0%} of the time: "
                               + ", ".join(f"{r.agency} ({share_words(r.vague_share)})" for r in heavy.itertuples()))
            facts.append(Fact(key, label, words, detail, value, qualifier, bool(row["complete"]), call))
        return facts

    def vague_table(self) -> pd.DataFrame:
        if hasattr(self, "_vague"):
            return self._vague
        shares = self.ask_shares(("agency", "reason_category"), within=("agency",))
        counts = self.ask(("agency", "reason_category"))
        focus = counts[(counts["period_start"] == self.focus.start) & counts["agency"].notna()]
        totals = self.by_agency[(self.by_agency["period_start"] == self.focus.start)
                                & self.by_agency["agency"].notna()]
        vague = focus[focus["reason_category"].eq("vague").fillna(False)][["system", "agency", "value", "display"]]
        share = shares[(shares["period_start"] == self.focus.start)
                       & shares["reason_category"].eq("vague").fillna(False)][["system", "agency", "value"]]
        table = totals[["system", "agency", "value", "display"]].rename(
            columns={"value": "searches", "display": "searches_in_words"})
        table = table.merge(vague.rename(columns={"value": "vague", "display": "vague_in_words"}),
                            on=["system", "agency"], how="left")
        table = table.merge(share.rename(columns={"value": "vague_share"}), on=["system", "agency"], how="left")
        logged = {s for s in self.systems if self.has_reasons(s)}
        table = table[table["system"].isin(logged) & (table["searches"].fillna(0) > 0)]
        table["vague"] = table["vague"].fillna(0.0)
        table["vague_in_words"] = table["vague_in_words"].fillna("0")
        table["vague_share"] = table["vague_share"].fillna(0.0)
        table["vague_share_in_words"] = [share_words(v) for v in table["vague_share"]]
        table.insert(1, "period", self.focus.label)
        self._vague = table.sort_values(["system", "vague_share", "agency"], ascending=[True, False, True])
        return self._vague

    def vague_agencies(self, system: str) -> pd.DataFrame:
        table = self.vague_table()
        return table[(table["system"] == system) & (table["vague_share"] > VAGUE_SHARE)]

    def agency_facts_of(self, system: str) -> list[Fact]:
        call = _call("counts", CountQuery(("agency",), self.grain, "searches", self.fy))
        rows = self.by_agency[(self.by_agency["system"] == system)
                              & (self.by_agency["period_start"] == self.focus.start) & self.by_agency["agency"].notna()]
        searching = rows[(rows["value"].fillna(0) > 0) | (rows["withheld_cells"] + rows["suppressed_cells"] > 0)]
        roster = self.roster()
        new = roster[(roster["system"] == system) & roster["new"].eq(True)
                     & (roster["first_period"] == self.focus.label)]
        earlier = self.totals[(self.totals["system"] == system) & self.totals["complete"]
                              & (self.totals["period_start"] < self.focus.start)]
        if len(new):
            first = "searching for the first time: " + ", ".join(new["agency"])
        elif len(earlier):
            first = "none searching for the first time"
        else:
            first = (f"\"first time\" is not measured: no complete {grain_words(self.grain)} of this system comes "
                     "before this one")
        return [Fact("agencies", "Agencies searching", f"{len(searching):,}", first, float(len(searching)), "exact",
                     None, call)]

    def access_facts(self, system: str, total) -> list[Fact]:
        facts = []
        for measure, key, label in (("searches_beyond_retention", "beyond_retention",
                                     "Searches looking back beyond the retention period"),
                                    ("searches_multi_network", "multi_network",
                                     "Searches across more than one network")):
            table = self.ask((), measure)
            row = self._row(table, system) if len(table) else None
            if row is None or not row["reported_cells"]:
                continue
            value, qualifier, words = _said(row)
            detail = ""
            if value is not None and is_known(total["value"]) and total["value"] > 0:
                detail = f"{share_words(value / total['value'])} of all searches"
            if measure == "searches_beyond_retention":
                days = self.retention_days(system)
                if days:
                    detail = f"{detail}; retention period {days} days".lstrip("; ")
            facts.append(Fact(key, label, words, detail, value, qualifier, bool(row["complete"]),
                              _call("counts", CountQuery((), self.grain, measure, self.fy))))
        users = self.ask(("agency",), "distinct_users", "reported")
        rows = users[users["system"] == system] if len(users) else users
        if len(rows):  # a count per agency over the whole log, never added up: the largest, the others beside it
            rows = rows.sort_values(["value", "agency"], ascending=[False, True])
            top = rows.iloc[0]
            others = ", ".join(f"{r.agency} {r.display}" for r in rows.iloc[1:6].itertuples())
            detail = (f"over the whole log ({top['period']}); " + (f"other agencies: {others}; " if others else "")
                      + "user ids are counted, never kept")
            facts.append(Fact("distinct_users", f"Distinct users of {top['agency']}", top["display"], detail,
                              float(top["value"]), qualifier_words(top), None,
                              _call("counts", CountQuery(("agency",), "reported", "distinct_users", self.fy))))
        facts += self.behalf_facts(system)
        return facts

    def behalf_facts(self, system: str) -> list[Fact]:
        """Searches whose reason names another agency they were run for ("assist ICE"): an agency naming itself or
        its own parent or department (ERO writing "ICE+ERO") is not another agency."""
        behalf = self.ask(("agency", "on_behalf_of"))
        rows = behalf[(behalf["system"] == system) & (behalf["period_start"] == self.focus.start)
                      & behalf["on_behalf_of"].notna() & behalf["agency"].notna() & (behalf["value"].fillna(0) > 0)]
        rows = rows[[named not in {agency, self.facts_of(agency, "parent"), self.facts_of(agency, "department")}
                     for agency, named in zip(rows["agency"], rows["on_behalf_of"])]]
        if not len(rows):
            return []
        total = float(rows["value"].sum())
        exact = bool(rows["exact"].all())
        named = rows.groupby("on_behalf_of")["value"].sum().sort_values(ascending=False, kind="stable")
        by = rows.groupby("agency")["value"].sum().sort_values(ascending=False, kind="stable")
        detail = ("for " + ", ".join(f"{agency} {count_words(n)}" for agency, n in named.items())
                  + "; by " + ", ".join(f"{agency} {count_words(n)}" for agency, n in by.items())
                  + " (the agency is named in the reason text, as in \"assist ICE\"; the text is not kept)")
        return [Fact("on_behalf_of", "Searches run for another agency", count_words(total) if exact
                     else f"at least {count_words(total)}", detail, total, "exact" if exact else "at least", None,
                     _call("counts", CountQuery(("agency", "on_behalf_of"), self.grain, "searches", self.fy)))]

    def stated_complete(self, system: str) -> str:
        """The file names of the system's logs that the user stated complete, or ''."""
        import json
        names = [row.file_name for row in self.sources.itertuples()
                 if json.loads(row.options or "{}").get("complete") and
                 self.analysis.store.row("SELECT 1 FROM coverage WHERE source_id = ? AND system = ? LIMIT 1",
                                         [row.source_id, system])]
        return ", ".join(names)

    def retention_days(self, system: str) -> int | None:
        import json
        for options in self.sources["options"]:
            parsed = json.loads(options or "{}")
            if parsed.get("retention_days") and parsed.get("system") in (system, None):
                return int(parsed["retention_days"])
        return None

    # -- 2. what changed --------------------------------------------------------------------------------------
    def change_table(self) -> pd.DataFrame:
        if hasattr(self, "_changes"):
            return self._changes
        counts = self.by_agency
        rows = []
        days = {key: (p.end - p.start).days for key, p in (("this", self.focus), ("previous", self.previous),
                                                           ("year_ago", self.year_ago))}
        starts = {self.focus.start, self.previous.start, self.year_ago.start}
        near = counts[counts["period_start"].isin(starts) & counts["agency"].notna()]
        rows_at = {(row["system"], row["agency"], row["period_start"]): row for row in near.to_dict("records")}
        totals_at = {(row["system"], None, row["period_start"]): row
                     for row in self.totals[self.totals["period_start"].isin(starts)].to_dict("records")}
        rows_at.update(totals_at)
        for system in self.systems:
            agencies = sorted(near[near["system"] == system]["agency"].unique())
            system_large = {}
            for agency in [None, *agencies]:
                at = {key: rows_at.get((system, agency, period.start)) for key, period in
                      (("this", self.focus), ("previous", self.previous), ("year_ago", self.year_ago))}
                if all(r is None or not (is_known(r["value"]) and r["value"] > 0 or r["withheld_cells"]
                                         or r["suppressed_cells"]) for r in at.values()):
                    continue  # an agency that did not search in any of the three periods
                line = {"system": system, "agency": agency if agency else "All agencies",
                        "level": self.facts_of(agency, "level") if agency else "",
                        "department": self.facts_of(agency, "department") if agency else ""}
                for key, period in (("this", self.focus), ("previous", self.previous), ("year_ago", self.year_ago)):
                    row = at[key]
                    line[f"{key}_period"] = period.label
                    if row is None:
                        line.update({f"{key}_searches": None, f"{key}_qualifier": "no data",
                                     f"{key}_in_words": "no data", f"{key}_complete": None})
                        continue
                    value, qualifier, words = _said(row)
                    line.update({f"{key}_searches": value, f"{key}_qualifier": qualifier, f"{key}_in_words": words,
                                 f"{key}_complete": bool(row["complete"])})
                for key, period in (("previous", self.previous), ("year_ago", self.year_ago)):
                    this, other = at["this"], at[key]
                    if this is None:
                        compared = Comparison(None, None, period.label, why_not="no data for this period")
                    else:
                        compared = compare(this["value"], bool(this["exact"]), bool(this["complete"]), days["this"],
                                           None if other is None else other["value"],
                                           False if other is None else bool(other["exact"]),
                                           False if other is None else bool(other["complete"]), days[key],
                                           period.label, self.rule, other_exists=other is not None)
                    if agency is None:
                        system_large[key] = compared.large
                    large = compared.large and system_large.get(key, False)
                    line.update({f"change_on_{key}": compared.change, f"change_on_{key}_ratio": compared.ratio,
                                 f"change_on_{key}_in_words": _change_in_words(compared),
                                 f"p_value_on_{key}": compared.p_value, f"notable_on_{key}": compared.notable,
                                 f"large_on_{key}": large})
                rows.append(line)
        table = pd.DataFrame(rows)
        if len(table):
            for column in table.columns:  # numbers as float columns (NaN where not known), never objects
                if column.endswith(("_searches", "_ratio")) or column.startswith(("change_on_", "p_value_on_")):
                    if not column.endswith("_in_words"):
                        table[column] = pd.to_numeric(table[column], errors="coerce").astype("float64")
            size = table[["change_on_previous", "change_on_year_ago"]].abs().max(axis=1)
            table["is_total"] = table["agency"] == "All agencies"
            table = table.assign(_size=size).sort_values(["system", "is_total", "_size", "agency"],
                                                         ascending=[True, False, False, True], na_position="last")
            table = table.drop(columns=["_size", "is_total"]).reset_index(drop=True)
            table["note"] = [self.note_of(line) for line in table.to_dict("records")]
        self._changes = table
        return table

    def note_of(self, line: dict) -> str:
        """A plain-language note for a notable change, and for a change so large that missing data may explain it."""
        notes = []
        for key, when in (("year_ago", "a year ago"), ("previous", f"the previous {grain_words(self.grain)}")):
            ratio = line.get(f"change_on_{key}_ratio")
            if line.get(f"notable_on_{key}") and is_known(ratio):
                notes.append(f"{change_words(ratio)} on {when} ({line[f'{key}_in_words']}), beyond chance")
            if line.get(f"large_on_{key}"):  # set only where the whole system changed as much
                direction = "fall" if line[f"change_on_{key}"] < 0 else "rise"
                notes.append(f"a {direction} this large (against {line[f'{key}_period']}) can mean that the data are "
                             "incomplete; confirm with the records officer")
        return "; ".join(notes)

    def notable_notes(self, system: str) -> list[str]:
        table = self.change_table()
        if not len(table):
            return []
        notes = []
        for line in table[table["system"] == system].to_dict("records"):
            note = line["note"]
            who = "All agencies together" if line["agency"] == "All agencies" else line["agency"]
            if note:
                notes.append(f"{who}: {line['this_in_words']} searches in {self.focus.label}; {note}.")
        if len(notes) > NOTED_CHANGES:  # the largest, for a board's first page; every one is in What changed
            more = len(notes) - NOTED_CHANGES
            notes = notes[:NOTED_CHANGES] + [f"{more} more notable change{'s' if more > 1 else ''}: see What changed."]
        return notes

    def changes_section(self) -> Section:
        table = self.change_table()
        columns = (Column("agency", "Agency", width=2.2), Column("level", "Level", width=0.9),
                   Column("this_searches", self.focus.label, "count", "this_in_words"),
                   Column("previous_searches", self.previous.label, "count", "previous_in_words"),
                   Column("change_on_previous", "Change", "count", "change_on_previous_in_words", width=1.4),
                   Column("year_ago_searches", self.year_ago.label, "count", "year_ago_in_words"),
                   Column("change_on_year_ago", "Change", "count", "change_on_year_ago_in_words", width=1.4),
                   Column("note", "Note", width=2.4))
        self.review.add_table(Table("what-changed", f"What changed, {self.focus.label}", table, columns,
                                    sheet="What changed", note=self.rule.describe()))
        blocks: list = [Paragraph(f"Every agency that searched in {self.focus.label}, {self.previous.label} or "
                                  f"{self.year_ago.label}, with the change on the previous {grain_words(self.grain)} "
                                  "and on the same one a year before, largest changes first. " + self.rule.describe(),
                                  "note")]
        for system in self.systems:
            blocks.append(TableView("what-changed", (("system", system),), system))
        return Section("what-changed", "What changed", blocks)

    # -- 3. charts --------------------------------------------------------------------------------------------
    def window(self, system: str) -> pd.DataFrame:
        """The periods charted: the one in focus and those before it, as far as the system has data."""
        rows = self.totals[(self.totals["system"] == system) & (self.totals["period_start"] <= self.focus.start)]
        rows = rows[rows["has_data"]].sort_values("period_start")
        return rows.tail(WINDOW[self.grain])

    def source_line(self, table: pd.DataFrame) -> str:
        ids: set[int] = set()
        for value in table.get("source_ids", pd.Series(dtype=str)).dropna():
            ids.update(int(part) for part in str(value).split(","))
        return source_line(self.sources, ids)

    def add_chart(self, name: str, heading: str, figure, data: pd.DataFrame, by: str, note: str = "") -> ChartRef:
        self.chart_number += 1
        key = f"chart-{self.chart_number:02d}-{name}"
        wide = _wide(data, by)
        view = Table(f"{key}-numbers", f"The numbers behind the chart: {heading}", wide,
                     tuple(Column(c, c if c != by else by.replace("_", " ").capitalize(),
                                  "text") for c in wide.columns))
        columns = [c for c in ("system", "period", "period_start", by, "value", "qualifier", "display", "exact",
                               "complete", "status", "source_ids") if c in data.columns]
        data = data.assign(qualifier=qualifiers(data))[columns]
        alt = _alt(heading, data, by)
        self.review.add_chart(Chart(key, heading, alt, figure, data.rename(columns={"display": "in_words"}), view,
                                    note))
        return ChartRef(key)

    def chart_sections(self) -> list[Section]:
        sections = []
        grain = grain_words(self.grain)
        for system in self.systems:
            window = self.window(system)
            starts = set(window["period_start"])
            span = f"{window['period'].iloc[0]} to {window['period'].iloc[-1]}"
            blocks: list = []

            def in_window(table: pd.DataFrame, system=system, starts=starts) -> pd.DataFrame:
                return table[(table["system"] == system) & table["period_start"].isin(starts)].copy()

            levels = in_window(self.ask(("level",)))
            levels["level"] = levels["level"].fillna("not known")
            figure = charts.searches_by_period(levels, by="level", source_line=self.source_line(levels),
                                               title=f"{system}: searches per {grain}")
            blocks.append(self.add_chart("searches-by-level", "By level of government",
                                         figure, levels, "level",
                                         "Levels come from the agency crosswalk; \"not known\" marks names it does not "
                                         "know (see Who searched)."))
            agencies = in_window(self.by_agency[self.by_agency["agency"].notna()])
            federal = agencies[[self.is_federal(a) for a in agencies["agency"]]]
            federal = federal[federal.groupby("agency")["value"].transform(lambda v: v.fillna(0).sum()) > 0]
            if len(federal):
                figure = charts.small_multiples(federal, by="agency", source_line=self.source_line(federal),
                                                title=f"{system}: searches per {grain} by each federal agency, {span}")
                blocks.append(self.add_chart("federal-agencies", "Federal agencies, one panel each", figure,
                                             federal, "agency", "One panel per federal agency, on one scale, so "
                                                                "that they can be compared."))
            if self.has_reasons(system):
                reasons = in_window(self.ask(("reason_category", "level")))
                immigration = reasons[reasons["reason_category"].eq("immigration").fillna(False)].copy()
                levels_present = set(immigration["level"].dropna())
                immigration["level"] = immigration["level"].fillna("not known")
                if len(immigration) and (immigration["value"].fillna(0) > 0).any():
                    immigration = _fill_periods(immigration, window, "level", sorted(levels_present | {"federal"}))
                    figure = charts.searches_by_period(
                        immigration, by="level", source_line=self.source_line(immigration),
                        title=f"{system}: immigration-related searches per {grain}, by level of the searching "
                              "agency")
                    blocks.append(self.add_chart(
                        "immigration", "Immigration-related searches", figure,
                        immigration.drop(columns=["reason_category"]), "level",
                        "Searches whose stated reason names ICE, ERO, HSI, CBP, Border Patrol, deportation or "
                        "immigration; the reason texts are not kept."))
            focus_rows = agencies[agencies["period_start"] == self.focus.start].sort_values(
                ["value", "agency"], ascending=[False, True], na_position="last")
            top = list(focus_rows["agency"].head(TRENDED_AGENCIES))
            trend = agencies[agencies["agency"].isin(top)]
            if len(top) > 1:  # one agency's line would repeat the chart by level
                more = agencies["agency"].nunique() - len(top)
                figure = charts.trend_lines(trend, by="agency", source_line=self.source_line(trend),
                                            title=f"{system}: searches per {grain} of the {len(top)} agencies that "
                                                  f"searched most in {self.focus.label}")
                blocks.append(self.add_chart(
                    "agency-trend", "The agencies that searched most", figure, trend, "agency",
                    f"{more} more agencies are in the spreadsheet (Counts by period)." if more > 0 else ""))
            sections.append(Section(f"charts-{len(sections) + 1}", f"Searches of {system} over time", blocks))
        return sections

    # -- 4. who searched --------------------------------------------------------------------------------------
    def roster(self) -> pd.DataFrame:
        if not hasattr(self, "_roster"):
            query = CountQuery(("agency",), self.grain, "searches", self.fy)
            self._roster = self.analysis.agency_roster(query)
        return self._roster

    def agencies_section(self) -> Section:
        roster = self.roster()
        focus = self.by_agency[(self.by_agency["period_start"] == self.focus.start) & self.by_agency["agency"].notna()]
        table = roster[roster["system"].isin(self.systems)].merge(
            focus[["system", "agency", "value", "display"]].rename(
                columns={"value": "searches_in_period", "display": "searches_in_period_in_words"}),
            on=["system", "agency"], how="left")
        table = table[(table["searches_in_period"].fillna(0) > 0) | table["new"]]
        table = table.assign(first_time=table["new"] & (table["first_period"] == self.focus.label))
        table = table.sort_values(["system", "searches_in_period", "agency"], ascending=[True, False, True],
                                  na_position="last")
        data = table[["system", "agency", "level", "department", "state", "searches_in_period",
                      "searches_in_period_in_words", "first_period", "last_period", "first_time", "match_method"]]
        data = data.assign(first_time=data["first_time"].map({True: "yes", False: ""}))
        columns = (Column("agency", "Agency", width=2.4), Column("level", "Level"), Column("department", "Department",
                                                                                           width=1.6),
                   Column("state", "State", width=0.6),
                   Column("searches_in_period", f"Searches, {self.focus.label}", "count",
                          "searches_in_period_in_words"),
                   Column("first_period", "First searched"), Column("first_time", "First time", width=0.7),
                   Column("match_method", "Name matched by", width=0.9))
        self.review.add_table(Table("agencies", f"Every agency that searched in {self.focus.label}", data, columns,
                                    sheet="Agencies"))
        blocks: list = [Paragraph(
            "Each searching agency as the crosswalk names it, with its level of government and department. Names the "
            "crosswalk does not know are kept as given (tidied) and listed under Data quality; add them to "
            "agencies.toml. \"First time\": the agency's first searches fall in this period, after a complete period "
            "of the system's data.", "note")]
        for system in self.systems:
            blocks.append(TableView("agencies", (("system", system),), system))
        return Section("agencies", "Who searched", blocks)

    # -- 5. why -------------------------------------------------------------------------------------------------
    def reasons_section(self) -> Section:
        systems = [s for s in self.systems if self.has_reasons(s)]
        counts = self.ask(("reason_category",))
        shares = self.ask_shares(("reason_category",))
        data = counts[counts["system"].isin([s for s in set(counts["system"]) if self.has_reasons(s)])].merge(
            shares[["period", "system", "reason_category", "value"]].rename(columns={"value": "share"}),
            on=["period", "system", "reason_category"], how="left")
        data = data.assign(qualifier=qualifiers(data),
                           share_in_words=[share_words(v) if is_known(v) else "" for v in data["share"]],
                           reason_category=data["reason_category"].fillna("not given"))
        data = data[["system", "period", "period_start", "reason_category", "value", "qualifier", "display", "share",
                     "share_in_words", "complete"]].rename(columns={"value": "searches",
                                                                    "display": "searches_in_words"})
        self.review.add_table(Table("by-reason-category", "Searches by reason category, every period", data, (),
                                    sheet="By reason category"))
        vague = self.vague_table()
        columns = (Column("agency", "Agency", width=2.4),
                   Column("searches", f"Searches, {self.focus.label}", "count", "searches_in_words"),
                   Column("vague", "With a vague reason", "count", "vague_in_words"),
                   Column("vague_share", "Share vague", "share", "vague_share_in_words"))
        self.review.add_table(Table("vague-reasons-by-agency", f"Vague reasons by agency, {self.focus.label}", vague,
                                    columns, sheet="Vague reasons by agency"))
        focus = data[data["period_start"] == self.focus.start]
        self.review.add_table(Table("reasons-in-period", f"Reason categories, {self.focus.label}", focus, (
            Column("reason_category", "Reason category", width=1.6),
            Column("searches", "Searches", "count", "searches_in_words"),
            Column("share", "Share", "share", "share_in_words")), sheet="Reasons in period"))
        blocks: list = [Paragraph(
            "Free-text reasons are sorted into categories by rules (see Method) and the texts are dropped. "
            "\"vague\": a reason such as \"investigation\", \"inv\" or \"case\" on its own; \"blank\": no reason; "
            "\"redacted\": a redaction mark; \"other\": a reason no rule names.", "note")]
        for system in systems:
            blocks.append(TableView("reasons-in-period", (("system", system),), f"{system}: reasons given"))
            blocks.append(TableView("vague-reasons-by-agency", (("system", system),),
                                    f"{system}: how often each agency's reason says nothing"))
        if not systems:
            blocks.append(Paragraph(f"No source with data for {self.focus.label} gives reasons.", "note"))
        return Section("reasons", "Why: the reasons given", blocks)

    # -- 6. context ---------------------------------------------------------------------------------------------
    def context_section(self) -> Section:
        published = self.analysis.published_figures()
        data = pd.DataFrame({
            "who": published["agency"].fillna("All agencies"),
            "system": published["system"],
            "what": [("share of searches" if m == "share_of_searches" else "searches")
                     + (f" ({r}-related)" if isinstance(r, str) else "")
                     for m, r in zip(published["measure"], published["reason_category"])],
            "period": [describe(Period(s, e, label, "range")) for s, e, label in
                       zip(published["period_start"], published["period_end"], published["period_label"])],
            "value": published["value"], "qualifier": published["qualifier"], "in_words": published["display"],
            "citation": published["citation"].fillna(""),
            "source": [f"{s}, row {r}" for s, r in zip(published["source"], published["row_number"])],
        })
        columns = (Column("in_words", "Figure", width=1.3), Column("who", "Who", width=1.4),
                   Column("what", "What", width=1.4), Column("system", "System", width=1.8),
                   Column("period", "Period", width=1.3), Column("citation", "Published by", width=2.4),
                   Column("source", "Source row", width=1.4))
        self.review.add_table(Table("published-figures", "Published figures", data, columns,
                                    sheet="Published figures"))
        return Section("context", "Context: published figures", [
            Paragraph("Figures published by others, for other places and periods, as they were published (with "
                      "their qualifiers). They are not this period's numbers and are never added to them.", "note"),
            TableView("published-figures", (), "", empty="No published figures were ingested.")])

    # -- 7. data quality ------------------------------------------------------------------------------------------
    def quality_section(self) -> Section:
        coverage = self.coverage_table()
        columns = (Column("source", "Source", width=2.2), Column("system", "System", width=1.8),
                   Column("first_day", "First day"), Column("last_day", "Last day"),
                   Column("what_it_covers", "What it covers", width=2.6))
        self.review.add_table(Table("coverage", "What each source covers", coverage, columns, sheet="Coverage"))
        findings = self.analysis.findings()
        findings = findings.assign(what=[FINDING_KINDS[k].title if k in FINDING_KINDS else k for k in findings["kind"]],
                                   bears_on=[FINDING_KINDS[k].affects if k in FINDING_KINDS else ""
                                             for k in findings["kind"]])
        order = {name: i for i, name in enumerate(FINDING_KINDS)}
        findings = findings.assign(_order=findings["kind"].map(order)).sort_values(
            ["_order", "source", "location"], kind="stable").drop(columns=["_order"])
        findings = findings[["what", "bears_on", "source", "location", "message", "kind"]]
        self.review.add_table(Table("findings", "Data-quality findings", findings, (
            Column("what", "Finding", width=1.8), Column("source", "Source", width=1.6),
            Column("location", "Where", width=1.2), Column("message", "Details", width=4.0)), sheet="Findings"))
        blocks: list = [TableView("coverage", (), "What each source covers"),
                        TableView("findings", (), "Findings", empty="No findings.")]
        left_out = self.analysis.counts(CountQuery(("agency",), self.grain, "searches", self.fy)).left_out
        if len(left_out):
            data = left_out[["source", "row_number", "column_name", "agency", "system", "period_label", "status"]]
            self.review.add_table(Table("left-out", f"Numbers not placed in any {grain_words(self.grain)}", data, (
                Column("source", "Source", width=1.8), Column("row_number", "Row", width=0.5),
                Column("column_name", "Column"), Column("agency", "Agency", width=1.6),
                Column("system", "System", width=1.6), Column("period_label", "Period", width=1.4)),
                sheet="Left out"))
            grain = grain_words(self.grain)
            blocks.append(TableView("left-out", (), f"Numbers not placed in any {grain}",
                                    note=f"These cover a period that does not fit inside one {grain}; they are listed "
                                         "rather than split or dropped."))
        return Section("data-quality", "Data quality", blocks)

    def coverage_table(self) -> pd.DataFrame:
        store = self.analysis.store
        spans = store.query("""
            SELECT s.source_id, s.file_name AS source, o.system, min(o.period_start) AS first_day,
                   max(o.period_end) - 1 AS last_day, count(*) FILTER (WHERE o.status <> 'reported') AS not_reported,
                   s.reader
            FROM observations o JOIN sources s USING (source_id)
            WHERE o.measure = 'searches' GROUP BY ALL ORDER BY s.source_id, o.system""")
        logged = store.query("""
            SELECT source_id, system, sum(period_end - period_start) AS covered, count(*) AS pieces,
                   max(period_end) - min(period_start) AS span
            FROM coverage GROUP BY ALL""")
        rows = []
        for row in spans.itertuples():
            match = logged[(logged["source_id"] == row.source_id) & (logged["system"] == row.system)]
            if len(match):
                m = match.iloc[0]
                words = (f"an audit log: {int(m['covered']):,} of {(row.last_day - row.first_day).days + 1:,} days "
                         f"recorded in full" + (f", in {int(m['pieces'])} stretches" if m["pieces"] > 1 else ""))
            else:
                words = "a count table" + (f"; {row.not_reported} cell(s) withheld, suppressed or missing"
                                           if row.not_reported else "")
            rows.append({"source": row.source, "system": row.system,
                         "first_day": pd.Timestamp(row.first_day).date().isoformat(),
                         "last_day": pd.Timestamp(row.last_day).date().isoformat(), "what_it_covers": words})
        return pd.DataFrame(rows, columns=["source", "system", "first_day", "last_day", "what_it_covers"])

    # -- 8. method and sources ----------------------------------------------------------------------------------
    def method_section(self) -> Section:
        import json
        rules = sorted({json.loads(o or "{}").get("reason_rules_sha256", "") for o in self.sources["options"]} - {""})
        crosswalk = self.analysis.crosswalk
        method = [
            ("Period in focus", self.review.why),
            ("Notable changes", self.rule.describe()),
            ("Complete periods", "A period is complete only where the data cover every day of it: for a count table, "
                                 "a figure for every agency in every part of the period; for an audit log, every day "
                                 f"recorded in full. By rule, {COVERAGE_RULE}."),
            ("First time", "An agency searches \"for the first time\" when its first searches fall in the period and "
                           "a complete period of the system's data comes before it."),
            ("Reason categories", "Free-text reasons are sorted by the shipped rules (auditreport/rules/"
                                  "default_reason_rules.toml) and any the user added; rules SHA-256: "
                                  + (", ".join(rules) if rules else "no audit log ingested") + "."),
            ("Agency crosswalk", f"{', '.join(Path(origin).name for origin in crosswalk.origin)}; SHA-256 "
                                 f"{crosswalk.fingerprint()}."),
            ("Shares", "Shares are computed from the counts, in SQL, and are never added up; they are given in whole "
                       "percent, \"<1%\" and \">99%\" for shares that are neither none nor all."),
            ("Exactness", "A number is exact only when every part is a reported, unqualified figure; sums that "
                          "include withheld, suppressed or missing cells read \"at least\"."),
        ]
        self.review.add_table(Table("method", "Method", pd.DataFrame(method, columns=["topic", "text"]), (
            Column("topic", "Topic", width=1.2), Column("text", "How", width=6.0)), sheet="Method"))
        queries = pd.DataFrame(sorted(self.review.queries.items()), columns=["call", "sql"])
        self.review.add_table(Table("queries", "The query behind each number", queries, (
            Column("call", "Call (Python API)", width=3.0),), sheet="Queries",
            note="Each at-a-glance number names its call; `.sql` of the result (or this sheet) holds its SQL."))
        sources = self.sources.copy()
        sources["time_zones"] = [", ".join(z for z in (f"recorded in {s}" if isinstance(s, str) else "",
                                                       f"counted in {r}" if isinstance(r, str) else "") if z)
                                 for s, r in zip(sources["source_tz"], sources["report_tz"])]
        data = sources[["source_id", "file_name", "sha256", "request_id", "reader", "rows_read", "time_zones"]]
        self.review.add_table(Table("sources", "Sources", data, (
            Column("source_id", "#", width=0.4), Column("file_name", "File", width=2.2),
            Column("sha256", "SHA-256", width=2.6), Column("request_id", "Request", width=1.6),
            Column("time_zones", "Time zones", width=1.8)), sheet="Sources"))
        return Section("method", "Method and sources", [
            TableView("method", (), ""),
            TableView("sources", (), "Sources", note="Every number traces to a source file (by its SHA-256) and to "
                                                     "the row and column it came from (see the spreadsheet)."),
            Paragraph("The query behind each at-a-glance number is named beside it (the Python API call); the "
                      "spreadsheet's Queries sheet holds each one's SQL.", "note")])


# -- helpers ------------------------------------------------------------------------------------------------------
def source_line(sources: pd.DataFrame, source_ids: set[int] | None = None) -> str:
    """'Source: file.csv (sha256 1a2b3c4d5e6f, request R-1); ...' for the sources behind a chart."""
    rows = sources if source_ids is None else sources[sources["source_id"].isin(source_ids)]
    parts = []
    for row in rows.itertuples():
        request = f", request {row.request_id}" if isinstance(row.request_id, str) and row.request_id else ""
        parts.append(f"{row.file_name} (sha256 {row.sha256[:12]}{request})")
    return "Source: " + "; ".join(parts) if parts else "Source: none"


def _change_in_words(compared: Comparison) -> str:
    """A change for a table whose columns already hold both values: 'down 24% (-64)', or why not compared."""
    if compared.why_not:
        return f"not compared: {compared.why_not}"
    if compared.ratio is None:
        return f"{count_words(compared.value)} against none"
    return f"{change_words(compared.ratio)} ({compared.change:+,.0f})".replace("-", "\u2212")


def _ranges(data: pd.DataFrame) -> str:
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


def _fill_periods(table: pd.DataFrame, window: pd.DataFrame, by: str, groups: list[str]) -> pd.DataFrame:
    """Every (period, group) of the window in a breakdown: a group with no row in a period had no searches
    there (the counts table lists only groups met), so the chart shows 0 rather than a gap."""
    frames = []
    for group in groups:
        have = table[table[by] == group]
        missing = window[~window["period_start"].isin(have["period_start"])]
        if len(missing):
            filler = missing[["period", "period_start", "period_end", "system", "complete"]].assign(
                **{by: group, "measure": "searches", "value": 0.0, "exact": missing["exact"], "status": "reported",
                   "display": "0", "withheld_cells": 0, "suppressed_cells": 0, "missing_cells": 0, "source_ids": None,
                   "value_low": 0.0, "value_high": 0.0, "estimated": False, "reported_cells": 0})
            frames.append(filler)
        frames.append(have)
    return pd.concat(frames, ignore_index=True).sort_values(["period_start", by]).reset_index(drop=True)


def _wide(data: pd.DataFrame, by: str) -> pd.DataFrame:
    """A chart's numbers as a reader scans them: one row per group, one column per period, in words."""
    periods = list(dict.fromkeys(data.sort_values("period_start")["period"]))
    complete = data.groupby("period")["complete"].all()
    labels = {p: p if complete.get(p, True) else f"{p} (partial)" for p in periods}
    wide = data.pivot_table(index=by, columns="period", values="display", aggfunc="first")
    wide = wide.reindex(columns=periods).fillna("")
    wide.columns = [labels[p] for p in periods]
    return wide.reset_index()


def _alt(heading: str, data: pd.DataFrame, by: str) -> str:
    """A text alternative for a chart: what it shows and its last period's numbers."""
    if not len(data):
        return f"{heading}: no data."
    last = data[data["period_start"] == data["period_start"].max()].sort_values("value", ascending=False)
    parts = [f"{row[by]} {row['display']}" for _, row in last.iterrows()][:8]
    return f"{heading}, {data['period'].iloc[0]} to {last['period'].iloc[0]}. In {last['period'].iloc[0]}: " \
           + "; ".join(parts) + "."


def build_review(analysis: Analysis, options: ReviewOptions | None = None) -> Review:
    """The quarterly review of everything in the database, about the period in focus."""
    return _Builder(analysis, options or ReviewOptions()).build()


__all__ = ["DEFAULT_TITLE", "ReviewOptions", "build_review", "grain_words", "source_line"]
