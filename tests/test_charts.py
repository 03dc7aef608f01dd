"""Charts draw the aggregated numbers: bar heights, stacks, shares and lines equal the table."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from auditreport.charts import searches_by_period, share_by_agency, trend_lines
from auditreport.errors import UsageError

SOURCE = "Source: Massachusetts State Police, records request 2018-041, received 2018-03-02"
ICE, HSI, CBP = "ICE", "HSI", "CBP"
QUARTERS = {
    "2017-Q1": (dt.date(2017, 1, 1), dt.date(2017, 4, 1)),
    "2017-Q2": (dt.date(2017, 4, 1), dt.date(2017, 7, 1)),
    "2017-Q3": (dt.date(2017, 7, 1), dt.date(2017, 10, 1)),
    "2017-Q4": (dt.date(2017, 10, 1), dt.date(2018, 1, 1)),
}


def cell(period, agency, value, *, status="reported", exact=None, complete=True, display=None,
         low=math.nan, high=math.nan, withheld=0, suppressed=0, missing=0, measure="searches",
         periods=QUARTERS):
    """One row of a counts table, as the aggregation returns it."""
    start, end = periods[period]
    if exact is None:
        exact = status == "reported"
    if display is None:
        display = status if math.isnan(value) else f"{value:,.0f}"
    return {"period": period, "period_start": start, "period_end": end, "agency": agency,
            "measure": measure, "value": value, "exact": exact, "value_low": low,
            "value_high": high, "complete": complete, "status": status,
            "withheld_cells": withheld, "suppressed_cells": suppressed, "missing_cells": missing,
            "display": display}


def quarterly_counts() -> pd.DataFrame:
    """Four quarters, three agencies; one withheld, one "<10", one missing, one partial quarter."""
    return pd.DataFrame([
        cell("2017-Q3", ICE, 1410.0), cell("2017-Q3", HSI, 290.0),  # rows out of order on purpose
        cell("2017-Q3", CBP, math.nan, status="suppressed", display="<10", low=1, high=9,
             suppressed=1),
        cell("2017-Q1", ICE, 1200.0), cell("2017-Q1", HSI, 340.0), cell("2017-Q1", CBP, 55.0),
        cell("2017-Q2", ICE, 1350.0), cell("2017-Q2", HSI, math.nan, status="withheld",
                                          withheld=1),
        cell("2017-Q2", CBP, 61.0),
        cell("2017-Q4", ICE, math.nan, status="missing", missing=1, complete=False),
        cell("2017-Q4", HSI, 120.0, complete=False),
        cell("2017-Q4", CBP, 20.0, status="mixed", exact=False, display="at least 20",
             withheld=1, complete=False),
    ])


def with_gid(fig: Figure, gid: str) -> list:
    return fig.findobj(lambda artist: artist.get_gid() == gid)


def bars(fig: Figure) -> dict[str, Rectangle]:
    found = fig.findobj(lambda a: isinstance(a, Rectangle) and str(a.get_gid()).startswith("bar|"))
    return {patch.get_gid(): patch for patch in found}


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


def one(fig: Figure, gid: str):
    found = with_gid(fig, gid)
    assert len(found) == 1, f"{gid}: {found}"
    return found[0]


# -- searches_by_period -----------------------------------------------------------------------
def test_bar_heights_are_the_known_values():
    counts = quarterly_counts()
    fig = searches_by_period(counts, source_line=SOURCE)
    drawn = bars(fig)
    known = counts[counts["value"].notna()]
    assert {f"bar|{r.period}|{r.agency}": r.value for r in known.itertuples()} == {
        gid: patch.get_height() for gid, patch in drawn.items()}


def test_segments_stack_largest_total_at_the_bottom():
    fig = searches_by_period(quarterly_counts(), source_line=SOURCE)
    bottoms = {gid: patch.get_y() for gid, patch in bars(fig).items()}
    assert bottoms["bar|2017-Q1|ICE"] == 0
    assert bottoms["bar|2017-Q1|HSI"] == 1200
    assert bottoms["bar|2017-Q1|CBP"] == 1200 + 340
    # A withheld segment takes no room: the next known segment sits on the last known one.
    assert bottoms["bar|2017-Q2|CBP"] == 1350
    assert bottoms["bar|2017-Q4|HSI"] == 0  # ICE is missing here
    assert bottoms["bar|2017-Q4|CBP"] == 120


def test_bars_stand_in_period_order():
    fig = searches_by_period(quarterly_counts(), source_line=SOURCE)
    centres = {gid.split("|")[1]: patch.get_x() + patch.get_width() / 2
               for gid, patch in bars(fig).items() if gid.endswith("|HSI")}
    assert centres == {"2017-Q1": 0, "2017-Q3": 2, "2017-Q4": 3}
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "2017-Q1", "2017-Q2", "2017-Q3", "2017-Q4\n(partial)"]


@pytest.mark.parametrize(("period", "agency", "words"), [
    ("2017-Q2", HSI, "+ withheld (HSI)"),
    ("2017-Q3", CBP, "+ <10 (CBP)"),
    ("2017-Q4", ICE, "missing (ICE)"),
])
def test_unknown_values_are_marked_not_drawn_as_zero(period, agency, words):
    fig = searches_by_period(quarterly_counts(), source_line=SOURCE)
    assert with_gid(fig, f"bar|{period}|{agency}") == []
    assert all(patch.get_height() > 0 for patch in bars(fig).values())
    mark = one(fig, f"mark|{period}|{agency}")
    assert mark.get_text().replace("\n", " ") == words
    assert mark.get_visible()


def test_partly_known_value_draws_its_known_part_and_a_mark():
    fig = searches_by_period(quarterly_counts(), source_line=SOURCE)
    assert one(fig, "bar|2017-Q4|CBP").get_height() == 20
    assert one(fig, "mark|2017-Q4|CBP").get_text().replace("\n", " ") == (
        "+ 1 withheld part (CBP)")
    assert with_gid(fig, "mark|2017-Q1|ICE") == []


def test_marks_sit_above_their_stack_inside_the_axes():
    fig = searches_by_period(quarterly_counts(), source_line=SOURCE)
    fig.draw_without_rendering()
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    marks = fig.findobj(lambda a: str(a.get_gid()).startswith("mark|"))
    assert len(marks) == 4
    for mark in marks:
        box = mark.get_window_extent(renderer)
        assert box.y1 <= ax.bbox.y1 + 1, mark.get_text()
        assert mark.xy[1] == {"2017-Q2": 1350 + 61, "2017-Q3": 1410 + 290,
                              "2017-Q4": 140}[mark.get_gid().split("|")[1]]


def test_partial_period_is_hatched_lighter_and_explained():
    fig = searches_by_period(quarterly_counts(), source_line=SOURCE)
    partial = one(fig, "bar|2017-Q4|HSI")
    full = one(fig, "bar|2017-Q1|HSI")
    assert partial.get_hatch() and not full.get_hatch()
    assert sum(partial.get_facecolor()[:3]) > sum(full.get_facecolor()[:3])
    notes = one(fig, "notes").get_text()
    assert "partial" in notes
    assert "withheld = redacted" in notes and "missing = no figure" in notes
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == [ICE, HSI, CBP, "partial period"]


def test_title_axis_labels_and_source_line():
    fig = searches_by_period(quarterly_counts(), source_line=SOURCE)
    ax = fig.axes[0]
    assert one(fig, "title").get_text() == "Searches by agency and period"
    assert ax.get_title(loc="left") == "2017-Q1 to 2017-Q4"
    assert ax.get_xlabel() == "Period"
    assert ax.get_ylabel() == "Searches per period (count)"
    assert one(fig, "source").get_text() == SOURCE
    assert ax.yaxis.get_major_formatter()(1234567, 0) == "1,234,567"


def test_title_and_unit_can_be_given():
    fig = searches_by_period(quarterly_counts(), title="Who searched our data", unit="queries",
                             source_line=SOURCE)
    assert one(fig, "title").get_text() == "Who searched our data"
    assert fig.axes[0].get_ylabel() == "Queries per period (count)"


def test_legend_orders_groups_by_total_then_name():
    rows = [cell("2017-Q1", "Bravo", 5.0), cell("2017-Q1", "Alpha", 5.0),
            cell("2017-Q1", "Zulu", 9.0), cell("2017-Q2", "Alpha", math.nan, status="withheld")]
    fig = searches_by_period(pd.DataFrame(rows), source_line=SOURCE)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["Zulu", "Alpha", "Bravo"]
    assert one(fig, "bar|2017-Q1|Alpha").get_y() == 9


def test_row_order_does_not_change_the_chart():
    counts = quarterly_counts()
    shuffled = counts.sample(frac=1, random_state=3).reset_index(drop=True)
    first = searches_by_period(counts, source_line=SOURCE)
    second = searches_by_period(shuffled, source_line=SOURCE)
    assert {g: (p.get_y(), p.get_height()) for g, p in bars(first).items()} == {
        g: (p.get_y(), p.get_height()) for g, p in bars(second).items()}


def test_marks_never_stretch_the_axis_they_become_numbers_explained_at_the_foot():
    # 24 months with a withheld part each: spelt out above the bars, the marks would need four times the
    # height of the bars (a y axis to 13,500 for bars of 4,100); numbered, they keep the axis to the data
    months = {f"{y}-{m:02d}": (dt.date(y, m, 1), dt.date(y + m // 12, m % 12 + 1, 1))
              for y in (2017, 2018) for m in range(1, 13)}
    cbp = "Customs and Border Protection"
    rows = [cell(p, a, 100.0, periods=months) for p in months for a in (ICE, HSI)]
    rows += [cell(p, cbp, math.nan, status="withheld", periods=months) for p in months]
    fig = searches_by_period(pd.DataFrame(rows), source_line=SOURCE)
    mark = one(fig, f"mark|2018-06|{cbp}")
    assert mark.get_text() == "(1)"
    assert f"(1) + withheld ({cbp}) in 24 periods" in one(fig, "notes").get_text().replace("\n", " ")
    assert len(bars(fig)) == 48
    assert fig.axes[0].get_ylim()[1] <= 1.35 * 200
    renderer = fig.canvas.get_renderer()
    assert mark.get_window_extent(renderer).y1 <= fig.axes[0].bbox.y1 + 1


def test_empty_table_says_so():
    for chart in (searches_by_period, share_by_agency, trend_lines):
        fig = chart(quarterly_counts().iloc[0:0], source_line=SOURCE)
        assert "No data for this chart" in texts(fig)
        assert SOURCE in texts(fig)
    assert "No data for this chart" in texts(trend_lines(pd.DataFrame(), source_line=SOURCE))


def test_shares_are_not_stacked():
    with pytest.raises(UsageError, match="shares are never summed"):
        searches_by_period(share_table(), source_line=SOURCE)


def test_a_chart_shows_one_measure():
    mixed = pd.concat([quarterly_counts(), share_table()])
    with pytest.raises(UsageError, match="one measure, but the table holds 2"):
        trend_lines(mixed, source_line=SOURCE)


def test_unknown_breakdown_column_names_the_breakdowns_there_are():
    # the dimensions a chart can break down by, not every column of the table
    with pytest.raises(UsageError, match=r"no column 'system'.*Pass by= one of: agency\.$"):
        searches_by_period(quarterly_counts(), by="system", source_line=SOURCE)


def test_two_rows_for_one_bar_segment_are_refused():
    counts = pd.concat([quarterly_counts(), quarterly_counts().iloc[:1]])
    with pytest.raises(UsageError, match="several rows for period 2017-Q3 and agency 'ICE'"):
        searches_by_period(counts, source_line=SOURCE)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.one_of(st.integers(0, 50_000), st.sampled_from(
    ["withheld", "suppressed", "missing"])), min_size=3, max_size=3), min_size=1, max_size=4))
def test_stack_top_is_the_sum_of_known_values(grid):
    """For any table, each period's stack reaches exactly the sum of its known values."""
    rows = []
    for period, values in zip(QUARTERS, grid):
        for agency, value in zip((ICE, HSI, CBP), values):
            if isinstance(value, str):
                rows.append(cell(period, agency, math.nan, status=value))
            else:
                rows.append(cell(period, agency, float(value)))
    fig = searches_by_period(pd.DataFrame(rows), source_line=SOURCE)
    drawn = bars(fig)
    for period, values in zip(QUARTERS, grid):
        segments = [p for g, p in drawn.items() if g.split("|")[1] == period]
        top = max((p.get_y() + p.get_height() for p in segments), default=0)
        assert top == sum(v for v in values if not isinstance(v, str))
        unknown = sum(isinstance(v, str) for v in values)
        assert len(fig.findobj(lambda a, p=period: str(a.get_gid()).startswith(f"mark|{p}|"))) \
            == unknown


# -- share_by_agency ----------------------------------------------------------------------------
SHARE_PERIOD = {"Aug 2010 - Feb 2011": (dt.date(2010, 8, 1), dt.date(2011, 3, 1))}


def share_table() -> pd.DataFrame:
    period = "Aug 2010 - Feb 2011"
    return pd.DataFrame([
        cell(period, "CBP", 0.15, measure="share_of_searches", periods=SHARE_PERIOD),
        cell(period, "TSA", math.nan, status="withheld", measure="share_of_searches",
             periods=SHARE_PERIOD),
        cell(period, ICE, 0.77, measure="share_of_searches", periods=SHARE_PERIOD),
        cell(period, "USCIS", 0.04, exact=False, display="about 4%",
             measure="share_of_searches", periods=SHARE_PERIOD),
    ])


def test_share_bar_widths_are_the_shares():
    fig = share_by_agency(share_table(), source_line=SOURCE)
    widths = {gid: patch.get_width() for gid, patch in bars(fig).items()}
    assert widths == {"bar|ICE": 0.77, "bar|CBP": 0.15, "bar|USCIS": 0.04}


def test_share_labels_are_percent_and_say_about_when_inexact():
    fig = share_by_agency(share_table(), source_line=SOURCE)
    assert one(fig, "label|ICE").get_text() == "77%"
    assert one(fig, "label|USCIS").get_text() == "about 4%"
    assert one(fig, "label|TSA").get_text() == "withheld"
    assert with_gid(fig, "bar|TSA") == []


def test_shares_are_listed_largest_first_unknown_last():
    fig = share_by_agency(share_table(), source_line=SOURCE)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [ICE, "CBP", "USCIS", "TSA"]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # first row at the top
    assert one(fig, "bar|ICE").get_y() < one(fig, "bar|CBP").get_y()


def test_share_chart_names_its_period_and_axes():
    fig = share_by_agency(share_table(), source_line=SOURCE)
    ax = fig.axes[0]
    assert one(fig, "title").get_text() == "Share of searches by agency"
    assert ax.get_title(loc="left") == "Aug 2010 - Feb 2011"
    assert ax.get_xlabel() == "Share of searches (percent)"
    assert ax.get_ylabel() == "Agency"
    assert ax.xaxis.get_major_formatter()(0.5, 0) == "50%"
    assert one(fig, "source").get_text() == SOURCE


def test_percentages_are_refused_as_shares():
    table = share_table().assign(value=lambda t: t["value"] * 100)
    with pytest.raises(UsageError, match="between 0 and 1"):
        share_by_agency(table, source_line=SOURCE)


def test_counts_are_refused_by_the_share_chart():
    with pytest.raises(UsageError, match="draws shares"):
        share_by_agency(quarterly_counts(), source_line=SOURCE)


# -- trend_lines ----------------------------------------------------------------------------------
def test_lines_follow_the_values_and_break_where_unknown():
    fig = trend_lines(quarterly_counts(), source_line=SOURCE)
    # solid lines through the periods covered in full; HSI's 120 in the partial 2017-Q4 is not on it
    expected = {ICE: [1200, 1350, 1410, np.nan], HSI: [340, np.nan, 290, np.nan],
                CBP: [55, 61, np.nan, np.nan]}  # CBP in 2017-Q4 is only partly known
    for agency, values in expected.items():
        line = one(fig, f"line|{agency}")
        np.testing.assert_array_equal(line.get_ydata(), values)
    xs = one(fig, f"line|{ICE}").get_xdata()
    assert list(xs) == [QUARTERS[q][0].toordinal() for q in QUARTERS]


def test_partial_periods_are_hollow_points_joined_by_dashes():
    fig = trend_lines(quarterly_counts(), source_line=SOURCE)
    hollow = one(fig, f"hollow|{HSI}")
    assert list(hollow.get_ydata()) == [120] and hollow.get_markerfacecolor() == "white"
    dashed = one(fig, f"partial|{HSI}")  # from 2017-Q3 (290) to the partial 2017-Q4 (120)
    np.testing.assert_array_equal(dashed.get_ydata(), [290, 120, np.nan])
    assert dashed.get_linestyle() != "-"
    assert with_gid(fig, f"hollow|{ICE}") == []  # ICE's 2017-Q4 is missing: a mark on the axis, not a point
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "period not covered\nin full" in legend


def test_unknown_values_get_a_hollow_marker_on_the_axis():
    fig = trend_lines(quarterly_counts(), source_line=SOURCE)
    unknown = fig.findobj(lambda a: str(a.get_gid()).startswith("unknown|"))
    assert sorted(a.get_gid() for a in unknown) == [
        "unknown|2017-Q2|HSI", "unknown|2017-Q3|CBP", "unknown|2017-Q4|CBP",
        "unknown|2017-Q4|ICE"]
    for marker in unknown:
        assert list(marker.get_ydata()) == [0]
        assert marker.get_markerfacecolor() == "white"
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == [ICE, HSI, CBP, "period not covered\nin full", "not known (withheld/\nsuppressed/missing)"]


def test_trend_names_its_axes_and_source():
    fig = trend_lines(quarterly_counts(), source_line=SOURCE)
    ax = fig.axes[0]
    assert one(fig, "title").get_text() == "Searches by agency over time"
    assert ax.get_ylabel() == "Searches per period (count)"
    assert ax.get_xlabel() == "Period (plotted at its first day)"
    assert ax.get_ylim()[0] == 0
    assert "2017-Q4\n(partial)" in [t.get_text() for t in ax.get_xticklabels()]
    assert one(fig, "source").get_text() == SOURCE
    assert "not drawn to zero" in one(fig, "notes").get_text().replace("\n", " ")


def test_trend_of_shares_is_in_percent():
    fig = trend_lines(share_table(), source_line=SOURCE)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Share of searches (percent)"
    assert ax.yaxis.get_major_formatter()(0.25, 0) == "25%"
    np.testing.assert_array_equal(one(fig, "line|ICE").get_ydata(), [0.77])


def test_colours_repeat_after_eight_groups_with_a_pattern():
    rows = [cell("2017-Q1", f"Agency {i:02d}", float(100 - i)) for i in range(10)]
    fig = searches_by_period(pd.DataFrame(rows), source_line=SOURCE)
    first, ninth = one(fig, "bar|2017-Q1|Agency 00"), one(fig, "bar|2017-Q1|Agency 08")
    assert first.get_facecolor() == ninth.get_facecolor()
    assert not first.get_hatch() and ninth.get_hatch() == ".."


def test_share_chart_wants_one_row_per_group():
    later = share_table().assign(period="2012")
    with pytest.raises(UsageError, match="Pass one period"):
        share_by_agency(pd.concat([share_table(), later]), source_line=SOURCE)
