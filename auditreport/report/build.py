"""Assemble the board report: headline numbers, charts with their tables, findings, sources.

Everything here is derived from the store through `aggregate` and drawn by `charts`; this module only
decides what goes in the report and writes the files. No clock is read: two runs on the same
database give byte-identical files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from .. import aggregate, charts
from ..agencies import Crosswalk
from ..aggregate import CountQuery
from ..errors import UsageError
from ..periods import Period, describe
from ..store import Store
from .figures import figure_svg

DEFAULT_TITLE = "Who searches shared police databases, and how often"


@dataclass
class ChartSection:
    slug: str
    title: str
    svg: str
    table: pd.DataFrame  # what the chart shows, also written as <slug>.csv
    note: str = ""


@dataclass
class ReportContent:
    title: str
    grain: str
    fiscal_year_start: int
    headlines: list[dict] = field(default_factory=list)
    published: pd.DataFrame = field(default_factory=pd.DataFrame)
    charts: list[ChartSection] = field(default_factory=list)
    findings: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    left_out: pd.DataFrame = field(default_factory=pd.DataFrame)
    agencies: pd.DataFrame = field(default_factory=pd.DataFrame)  # every outside agency, per system


def source_line(sources: pd.DataFrame, source_ids: set[int] | None = None) -> str:
    """'Source: file.csv (sha256 1a2b3c4d5e6f, request R-1); ...' for the sources behind a chart."""
    rows = sources if source_ids is None else sources[sources["source_id"].isin(source_ids)]
    parts = []
    for row in rows.itertuples():
        request = f", request {row.request_id}" if isinstance(row.request_id, str) and row.request_id else ""
        parts.append(f"{row.file_name} (sha256 {row.sha256[:12]}{request})")
    return "Source: " + "; ".join(parts) if parts else "Source: none"


def _slug(text: str) -> str:
    """A file-name-safe form of a system name: 'Regional COPLINK node' -> 'regional-coplink-node'."""
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())[:48].strip("-")


def source_ids_of(table: pd.DataFrame) -> set[int]:
    """The source ids behind a counts table (its `source_ids` column, '1,3')."""
    ids: set[int] = set()
    for value in table.get("source_ids", pd.Series(dtype=str)).dropna():
        ids.update(int(part) for part in str(value).split(","))
    return ids


def _headlines(store: Store, query: CountQuery, published: pd.DataFrame, crosswalk: Crosswalk | None) -> list[dict]:
    lines = []
    for row in published.itertuples():
        period = describe(Period(row.period_start, row.period_end, row.period_label, "range"))
        reason = f" ({row.reason_category}-related)" if isinstance(row.reason_category, str) else ""
        what = ("share of searches of " if row.measure == "share_of_searches" else "searches of ") + row.system
        who = row.agency if isinstance(row.agency, str) else "All agencies"
        lines.append({"number": row.display, "text": f"{who}: {what}{reason}, {period}",
                      "source": f"{row.source}, row {row.row_number}",
                      "citation": row.citation if isinstance(row.citation, str) else ""})
    grain_words = query.grain.replace("_", " ")
    totals = aggregate.counts(store, CountQuery(by=(), grain=query.grain, measure="searches",
                                                fiscal_year_start=query.fiscal_year_start), crosswalk=crosswalk).table
    changes = aggregate.changes(store, CountQuery(by=(), grain=query.grain, measure="searches",
                                                  fiscal_year_start=query.fiscal_year_start), crosswalk=crosswalk)
    federal = aggregate.shares(store, CountQuery(by=("federal",), grain=query.grain, measure="searches",
                                                 fiscal_year_start=query.fiscal_year_start), crosswalk=crosswalk).table
    reasons = aggregate.counts(store, CountQuery(by=("reason_category",), grain=query.grain, measure="searches",
                                                 fiscal_year_start=query.fiscal_year_start), crosswalk=crosswalk).table
    immigration = reasons[reasons["reason_category"].eq("immigration") & reasons["value"].notna()]
    for system, per_system in immigration.groupby("system", sort=True):  # over everything the data cover
        total, exact = per_system["value"].sum(), bool(per_system["exact"].all())
        lines.append({"number": f"{total:,.0f}" if exact else f"at least {total:,.0f}",
                      "text": f"immigration-related searches of {system}, {per_system['period'].iloc[0]} to "
                              f"{per_system['period'].iloc[-1]}: the stated reason names ICE, ERO, HSI, CBP, "
                              "Border Patrol, deportation or immigration",
                      "source": "sources " + ",".join(sorted(set(",".join(per_system["source_ids"].dropna())
                                                                   .split(",")), key=int))
                                + "; reasons sorted by rules, the texts were not kept", "citation": ""})
    for system, per_system in totals.groupby("system", sort=True):
        complete = per_system[per_system["complete"]]
        if not len(complete):
            continue
        latest = complete.iloc[-1]
        lines.append({"number": latest["display"],
                      "text": f"searches of {system} by all agencies in the latest complete {grain_words} "
                              f"({latest['period']})" + ("" if latest["exact"] else
                                                         ": some cells are withheld, suppressed or missing"),
                      "source": f"sources {latest['source_ids']}", "citation": ""})
        share = federal[(federal["period"] == latest["period"]) & (federal["system"] == system)
                        & federal["federal"].eq(True)]
        if len(share):
            lines.append({"number": share.iloc[0]["display"],
                          "text": f"share of those searches run by federal agencies ({latest['period']})",
                          "source": f"sources {latest['source_ids']}; agencies as named by the crosswalk",
                          "citation": ""})
        change = changes[(changes["period"] == latest["period"]) & (changes["system"] == system)]
        compared = ["value", "year_ago_value", "change_from_year_ago_ratio"]
        known = len(change) and not change.iloc[0][compared].isna().any()
        if known:
            row = change.iloc[0]
            exact = row["exact"] and row["year_ago_exact"]
            ratio = row["change_from_year_ago_ratio"]
            lines.append({"number": f"{'' if exact else 'about '}{ratio:+.0%}",
                          "text": f"change in searches of {system} from the same {grain_words} a year before "
                                  f"({row['year_ago_value']:,.0f} to {row['value']:,.0f})"
                                  + ("" if exact else "; not exact: some cells are withheld, suppressed or missing"),
                          "source": f"sources {latest['source_ids']}", "citation": ""})
    return lines


def build_content(store: Store, *, grain: str = "quarter", fiscal_year_start: int = 10,
                  title: str = DEFAULT_TITLE, crosswalk: Crosswalk | None = None) -> ReportContent:
    query = CountQuery(by=("agency",), grain=grain, measure="searches", fiscal_year_start=fiscal_year_start)
    sources = store.sources()
    published = aggregate.published_figures(store)
    content = ReportContent(title, grain, fiscal_year_start, published=published, sources=sources,
                            findings=aggregate.findings(store, crosswalk),
                            agencies=aggregate.agency_roster(store, query, crosswalk=crosswalk))
    content.headlines = _headlines(store, query, published, crosswalk)

    by_agency = aggregate.counts(store, query, crosswalk=crosswalk)
    by_level = aggregate.counts(store, CountQuery(("level",), grain, "searches", fiscal_year_start),
                                crosswalk=crosswalk).table
    by_level["level"] = by_level["level"].fillna("unknown")
    content.left_out = by_agency.left_out
    table = by_agency.table[by_agency.table["agency"].notna()]
    grain_words = grain.replace("_", " ")
    yearly = aggregate.shares(store, CountQuery(by=("agency",), grain="year", measure="searches"),
                              crosswalk=crosswalk).table
    systems = sorted(table["system"].unique())
    for system in systems:  # one set of charts per system: never added together
        suffix = "-" + _slug(system)
        per_system = table[table["system"] == system].drop(columns=["estimated"])
        line = source_line(sources, source_ids_of(per_system))
        figure = charts.searches_by_period(per_system, by="agency", source_line=line,
                                           title=f"Searches of {system} per {grain_words}, by agency")
        content.charts.append(ChartSection(f"searches-by-agency{suffix}",
                                           f"Searches of {system} per {grain_words}, by agency",
                                           figure_svg(figure), per_system))
        figure = charts.trend_lines(per_system, by="agency", source_line=line,
                                    title=f"Trend per agency, searches of {system} per {grain_words}")
        content.charts.append(ChartSection(f"trend-by-agency{suffix}", f"Trend per agency, {system} ({grain_words})",
                                           figure_svg(figure), per_system))
        levels = by_level[by_level["system"] == system].drop(columns=["estimated"])
        figure = charts.searches_by_period(levels, by="level", source_line=line + "; levels from the agency crosswalk",
                                           title=f"Searches of {system} per {grain_words}, by level of government")
        content.charts.append(ChartSection(f"searches-by-level{suffix}",
                                           f"Searches of {system} per {grain_words}, by level (federal, state, ...)",
                                           figure_svg(figure), levels,
                                           "Levels come from the agency crosswalk; 'unknown' marks names it does "
                                           "not know (see the agencies section)."))
        complete_years = yearly[yearly["complete"] & yearly["agency"].notna() & (yearly["system"] == system)]
        if len(complete_years):
            year = complete_years["period"].iloc[-1]
            latest = complete_years[complete_years["period"] == year]
            latest_line = source_line(sources, source_ids_of(latest))
            figure = charts.share_by_agency(latest, by="agency", source_line=latest_line,
                                            title=f"Share of searches of {system} by agency, {year}")
            content.charts.append(ChartSection(f"share-by-agency{suffix}",
                                               f"Share of searches of {system} by agency, {year} "
                                               "(latest complete year)", figure_svg(figure),
                                               latest.drop(columns=["estimated"]),
                                               "Computed from the counts above; shares are not added to counts."))
    shares_published = published[published["measure"] == "share_of_searches"]
    groups = shares_published.groupby(["system", "period_label", "source"], sort=True)  # one chart per source
    for number, ((system, period_label, _), group) in enumerate(groups, start=1):
        group = group.drop_duplicates("agency")  # a figure repeated in one source is one bar
        group = group.assign(period=period_label, exact=group["qualifier"].eq("exact"), complete=True)
        period = describe(Period(group["period_start"].iloc[0], group["period_end"].iloc[0], period_label, "range"))
        ids = set(sources[sources["file_name"].isin(group["source"])]["source_id"])
        figure = charts.share_by_agency(group, by="agency", title=f"Share of searches of {system}, {period}",
                                        source_line=source_line(sources, ids))
        content.charts.append(ChartSection(f"published-share-{number}", f"Share of searches of {system}, {period} "
                                           "(as published)", figure_svg(figure),
                                           group[["agency", "system", "period", "measure", "value", "display",
                                                  "citation", "source", "sha256", "row_number"]],
                                           "Published figure: only the shares named in the source are shown; "
                                           "the rest is not broken down by the source."))
    return content


def _table_html(table: pd.DataFrame, columns: list[str]) -> str:
    shown = table[[c for c in columns if c in table.columns]].astype(object)
    shown = shown.where(shown.notna(), "")  # an unknown value prints as nothing, never as 'None' or 'nan'
    return shown.to_html(index=False, border=0, classes="data", escape=True)


CHART_COLUMNS = ["period", "agency", "level", "system", "display", "exact", "complete", "status", "source_ids",
                 "citation", "source", "row_number"]
AGENCY_COLUMNS = ["agency", "system", "level", "department", "state", "display", "first_period", "last_period",
                  "match_method", "names_as_given"]


def write_report(content: ReportContent, out: str | Path) -> Path:
    """Write report.html (self-contained) and one CSV per chart into `out`; return the HTML path."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"the report folder {out} cannot be created ({error.strerror})",
                         hint="Choose another folder with --out.") from None
    environment = Environment(loader=PackageLoader("auditreport.report", "templates"),
                              autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True)
    for chart in content.charts:
        chart.table.to_csv(out / f"{chart.slug}.csv", index=False, lineterminator="\n")
    html = environment.get_template("report.html.j2").render(
        content=content,
        chart_tables={c.slug: _table_html(c.table, CHART_COLUMNS) for c in content.charts},
        findings_html=_table_html(content.findings, ["source", "location", "kind", "message"]),
        left_out_html=_table_html(content.left_out, ["source", "row_number", "column_name", "agency", "system",
                                                     "measure", "period_label", "status"]),
        agencies_html=_table_html(content.agencies, AGENCY_COLUMNS),
        new_agencies_html=_table_html(content.agencies[content.agencies["new"].eq(True)] if len(content.agencies)
                                      else content.agencies, ["agency", "system", "level", "first_period", "display"]),
        new_agencies=int(content.agencies["new"].eq(True).sum()) if len(content.agencies) else 0,
        sources_html=_table_html(content.sources, ["source_id", "file_name", "sha256", "size_bytes", "sheet",
                                                   "request_id", "reader", "rows_read", "source_tz", "report_tz"]),
    )
    path = out / "report.html"
    path.write_text(html, encoding="utf-8", newline="\n")
    return path


def build_report(store: Store, out: str | Path, *, grain: str = "quarter", fiscal_year_start: int = 10,
                 title: str = DEFAULT_TITLE, crosswalk: Crosswalk | None = None) -> Path:
    """Build the report for everything in `store` into directory `out`; return the path of report.html."""
    return write_report(build_content(store, grain=grain, fiscal_year_start=fiscal_year_start, title=title,
                                      crosswalk=crosswalk), out)
