"""Charts, one per question, per system, over the periods up to the one in focus: searches by level of
government, federal agencies one panel each, immigration-related searches, the agencies that searched most.
Each chart keeps the numbers it draws (its CSV) and a compact table of them for the reader."""
from __future__ import annotations

import pandas as pd

from .. import charts
from .content import Chart, ChartRef, Column, Section, Table
from .focus import Focus, grain_words, qualifiers, searched

TRENDED_AGENCIES = 8


def add_chart(f: Focus, name: str, heading: str, figure, data: pd.DataFrame, by: str, note: str = "") -> ChartRef:
    """Keep a chart, its numbers (its CSV) and a compact table of them; numbered, never named from a data value."""
    f.chart_number += 1
    key = f"chart-{f.chart_number:02d}-{name}"
    wide = _wide(data, by)
    view = Table(f"{key}-numbers", f"The numbers behind the chart: {heading}", wide,
                 tuple(Column(c, c if c != by else by.replace("_", " ").capitalize()) for c in wide.columns))
    columns = [c for c in ("system", "period", "period_start", by, "value", "qualifier", "display", "exact",
                           "complete", "status", "source_ids") if c in data.columns]
    data = data.assign(qualifier=qualifiers(data))[columns]
    f.review.add_chart(Chart(key, heading, _alt(heading, data, by), figure,
                             data.rename(columns={"display": "in_words"}), view, note))
    return ChartRef(key)


def chart_sections(f: Focus) -> list[Section]:
    """A section of charts per system with data in the period, over the periods up to it."""
    sections = []
    for number, system in enumerate(f.systems, start=1):
        window = f.window(system)
        starts = set(window["period_start"])

        def in_window(table: pd.DataFrame, system=system, starts=starts) -> pd.DataFrame:
            return table[(table["system"] == system) & table["period_start"].isin(starts)].copy()

        agencies = in_window(f.by_agency[f.by_agency["agency"].notna()])
        blocks = [_levels(f, system, in_window(f.ask(("level",)))), _federal(f, system, window, agencies)]
        if f.has_reasons(system):
            blocks.append(_immigration(f, system, window, in_window(f.ask(("reason_category", "level")))))
        blocks.append(_trend(f, system, agencies))
        sections.append(Section(f"charts-{number}", f"Searches of {system} over time",
                                [block for block in blocks if block is not None]))
    return sections


def _levels(f: Focus, system: str, levels: pd.DataFrame) -> ChartRef:
    levels["level"] = levels["level"].fillna("not known")
    figure = f.draw(charts.searches_by_period, levels, by="level", source_line=f.sources_of(levels),
                                       colours=charts.LEVEL_COLOURS,
                                       title=f"{system}: searches per {grain_words(f.grain)}")
    return add_chart(f, "searches-by-level", "By level of government", figure, levels, "level",
                     "Levels come from the agency crosswalk; \"not known\" marks names it does not know (see Who "
                     "searched).")


def _federal(f: Focus, system: str, window: pd.DataFrame, agencies: pd.DataFrame) -> ChartRef | None:
    federal = agencies[[f.is_federal(agency) for agency in agencies["agency"]]]
    federal = federal[searched(federal).groupby(federal["agency"]).transform("any")]
    if not len(federal):
        return None
    span = f"{window['period'].iloc[0]} to {window['period'].iloc[-1]}"
    figure = f.draw(charts.small_multiples, federal, by="agency", source_line=f.sources_of(federal),
                                    title=f"{system}: searches per {grain_words(f.grain)} by each federal agency, "
                                          f"{span}")
    return add_chart(f, "federal-agencies", "Federal agencies, one panel each", figure, federal, "agency",
                     "One panel per federal agency, on one scale, so that they can be compared.")


def _immigration(f: Focus, system: str, window: pd.DataFrame, reasons: pd.DataFrame) -> ChartRef | None:
    immigration = reasons[reasons["reason_category"].eq("immigration").fillna(False)].copy()
    if not searched(immigration).any():
        return None
    levels = sorted(set(immigration["level"].dropna()) | {"federal"})
    immigration["level"] = immigration["level"].fillna("not known")
    immigration = _fill_periods(immigration, window, "level", levels)
    figure = f.draw(
        charts.searches_by_period, immigration, by="level", source_line=f.sources_of(immigration),
        colours=charts.LEVEL_COLOURS,
        title=f"{system}: immigration-related searches per {grain_words(f.grain)}, by level of the searching agency")
    return add_chart(f, "immigration", "Immigration-related searches", figure,
                     immigration.drop(columns=["reason_category"]), "level",
                     "Searches whose stated reason names ICE, ERO, HSI, CBP, Border Patrol, deportation or "
                     "immigration; the reason texts are not kept.")


def _trend(f: Focus, system: str, agencies: pd.DataFrame) -> ChartRef | None:
    in_focus = agencies[agencies["period_start"] == f.period.start].sort_values(
        ["value", "agency"], ascending=[False, True], na_position="last")
    top = list(in_focus["agency"].head(TRENDED_AGENCIES))
    if len(top) < 2:  # one agency's line would repeat the chart by level
        return None
    trend = agencies[agencies["agency"].isin(top)]
    more = agencies["agency"].nunique() - len(top)
    figure = f.draw(charts.trend_lines, trend, by="agency", source_line=f.sources_of(trend),
                                title=f"{system}: searches per {grain_words(f.grain)} of the {len(top)} agencies "
                                      f"that searched most in {f.period.label}")
    return add_chart(f, "agency-trend", "The agencies that searched most", figure, trend, "agency",
                     f"{more} more agencies are in the spreadsheet (Counts by period)." if more > 0 else "")


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
