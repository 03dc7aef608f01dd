"""Charts for oversight boards: a tidy counts table in, a matplotlib Figure out.

Pure functions: no file I/O, no SQL and no pyplot state. Every figure is built from
``matplotlib.figure.Figure`` with a fixed font, a fixed colour-blind-safe palette and a fixed
order, so the same table always gives the same picture. A number that is not known (withheld,
suppressed, missing) is never drawn as zero: it is marked on the chart and explained in a note.

Example::

    fig = searches_by_period(counts, by="agency", source_line="Source: records request 2018-041")
    fig.savefig("searches.png")
"""
from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable
from itertools import pairwise

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.style import context as style_context
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter
from matplotlib.transforms import ScaledTranslation

from .errors import UsageError
from .model import measure
from .wording import count_words, percent_words

__all__ = ["DPI", "FONT", "LEVEL_COLOURS", "PALETTE", "searches_by_period", "share_by_agency", "small_multiples",
           "trend_lines"]

FONT = "DejaVu Sans"  # ships with matplotlib, so every machine draws the same glyphs
DPI = 100
FIGSIZE = (10.0, 6.0)

# Okabe-Ito, ordered so that neighbours in a stack differ in hue and lightness; yellow last
# because it is hard to see as a thin line on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
# Levels of government keep one colour in every chart; federal stands out in vermillion.
LEVEL_COLOURS = {"municipal": "#0072B2", "county": "#E69F00", "state": "#CC79A7", "federal": "#D55E00",
                 "regional": "#56B4E9", "tribal": "#009E73", "other": "#000000", "not known": "#999999"}
# After eight groups colours repeat, so the repeats are told apart by pattern.
_BAR_PATTERNS = ("", "..", "xx", "oo")
_LINE_STYLES = ("-", "--", ":", "-.")

_TEXT_COLOUR = "#222222"
_NOTE_COLOUR = "#444444"
_GRID_COLOUR = "#dddddd"
_UNKNOWN_STATUSES = ("withheld", "suppressed", "missing")
_NOT_STATED = "(not stated)"

# Applied over matplotlib's defaults while a figure is built, so a user's matplotlibrc or
# earlier rcParams changes cannot alter a chart; figures.py pins what is read at save time.
_STYLE = {
    "font.family": [FONT],  # a family name, not "sans-serif", which is resolved at draw time
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "axes.edgecolor": "#333333",
    "axes.labelcolor": _TEXT_COLOUR,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.titlelocation": "left",
    "figure.titlesize": 14,
    "figure.titleweight": "bold",
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "legend.fontsize": 9,
    "legend.title_fontsize": 9,
    "legend.frameon": False,
    "hatch.linewidth": 0.8,
    "text.color": _TEXT_COLOUR,
}

# Heights in inches of the note lines at the foot of a figure.
_NOTE_FONTSIZE = 8
_NOTE_LINE_IN = 0.15
_NOTE_MARGIN_IN = 0.08
_NOTE_WRAP = 150  # characters per note line at 8 pt on a 10-inch figure
_MARK_FONTSIZE = 8
_MARK_STEP_PT = 11
_MARK_HEADROOM = 1.35  # marks above bars may raise the y axis to this much of the tallest stack, no more


# -- public charts --------------------------------------------------------------------------------
def searches_by_period(table: pd.DataFrame, *, by: str = "agency", title: str | None = None,
                       source_line: str | None = None, unit: str = "searches",
                       colours: dict[str, str] | None = None) -> Figure:
    """Stacked bars: one bar per period, one segment per `by` value; unknown parts are marked.

    `colours` fixes the colour of some groups (`LEVEL_COLOURS` for levels of government).
    Segment heights are the known part of each value. Withheld, suppressed, missing and
    inexact values are named in a mark above the bar, never drawn as zero; periods the data do
    not fully cover are hatched and labelled "partial".

    Example::

        fig = searches_by_period(counts, by="agency", source_line="Source: PRA request 2018-041")
    """
    source_line = _source_of(table, source_line)
    by_label = _dimension_label(by)
    unit_label = _capitalised(unit)
    title = title or f"{unit_label} by {by_label.lower()} and period"
    if len(table) == 0:
        return _empty_figure(title, source_line)
    _additive_counts(table, by, ("withheld_cells", "suppressed_cells", "missing_cells"),
                     "cannot be stacked: shares are never summed", "Use share_by_agency() or trend_lines() for shares.")
    cells = _cells(table, by)
    if (cells["value"] < 0).any():
        raise UsageError("the counts table has negative values, which a stacked bar cannot show",
                         hint="Check the aggregation; counts of searches are never negative.")
    periods = _period_order(cells)
    groups = _group_order(cells)
    colours = _colours(groups, colours)
    patterns = {group: _pattern(i) for i, group in enumerate(groups)}
    cell_at = {(row.period, row.group): row for row in cells.itertuples(index=False)}

    with style_context(["default", _STYLE]):
        fig = _new_figure(FIGSIZE)
        ax = fig.add_subplot()
        bar_width = 0.8
        stack_tops = []
        marks_by_period: list[list[tuple[str, str]]] = []
        for x, period in enumerate(periods["period"]):
            bottom = 0.0
            marks = []
            for group in groups:
                row = cell_at.get((period, group))
                if row is None:
                    continue  # the table makes no claim about this group in this period
                value = float(row.value)
                exact = _flag(row.exact) and row.status == "reported"
                known = not math.isnan(value)
                if known and (exact or value > 0):
                    ax.add_patch(_bar_segment(x - bar_width / 2, bottom, bar_width, value,
                                              colours[group], pattern=patterns[group],
                                              partial=not _flag(row.complete),
                                              gid=f"bar|{period}|{group}"))
                    bottom += value
                if not (known and exact):
                    marks.append((group, _mark_text(group, row)))
            stack_tops.append(bottom)
            marks_by_period.append(marks)

        ax.set_xlim(-0.6, len(periods) - 0.4)
        ax.set_ylim(0, _nice_top(max(stack_tops)))
        _period_ticks(ax, range(len(periods)), periods)
        ax.set_xlabel("Period")
        ax.set_ylabel(f"{unit_label} per period (count)")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.yaxis.grid(True, color=_GRID_COLOUR, linewidth=0.8)
        ax.set_axisbelow(True)
        fig.suptitle(_wrap_title(title), x=0.01, ha="left", gid="title")
        ax.set_title(_period_span(periods), color=_NOTE_COLOUR, gid="subtitle")

        partial = not all(_flag(c) for c in cells["complete"])
        handles = [Patch(facecolor=colours[g], edgecolor="white", hatch=patterns[g],
                         label=_wrap(g, 26)) for g in groups]
        if partial:
            handles.append(Patch(facecolor=_lighten("#777777"), edgecolor="#777777", hatch="///",
                                 label="partial period"))
        ax.legend(handles=handles, title=by_label, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  alignment="left")

        notes = []
        mark_kinds = _mark_kinds(cells)
        if mark_kinds:
            notes.append("Marks above a bar name parts not included in its height: "
                         + "; ".join(mark_kinds) + ". None of these is zero.")
        if partial:
            notes.append("Hatched, lighter bars and \"(partial)\" periods: the data do not cover "
                         "the whole period, so they show less than a full period would.")
        _foot(fig, notes, source_line)

        mark_texts = []
        for x, (top, marks) in enumerate(zip(stack_tops, marks_by_period)):
            period = periods["period"].iloc[x]
            for k, (group, text) in enumerate(marks):
                mark_texts.append((x, top, k, len(marks), ax.annotate(
                    text, xy=(x, top), xytext=(0, 3 + k * _MARK_STEP_PT),
                    textcoords="offset points", ha="center", va="bottom",
                    fontsize=_MARK_FONTSIZE, color=_TEXT_COLOUR, annotation_clip=False,
                    gid=f"mark|{period}|{group}")))
                # The y limit makes room for marks; letting the layout also make room for them
                # would shrink the axes after the room was measured.
                mark_texts[-1][-1].set_in_layout(False)
        _fit_tick_labels(fig, ax)
        if not _fit_marks(fig, ax, mark_texts, slots=len(periods), headroom=_MARK_HEADROOM):
            # Marks that would need more room than the bars: a number above each bar, the words once at the foot.
            numbers: dict[str, int] = {}
            where: dict[str, list[str]] = {}
            for x, _top, _k, _count, text in mark_texts:
                words = text.get_text().replace("\n", " ")
                number = numbers.setdefault(words, len(numbers) + 1)
                where.setdefault(words, []).append(periods["period"].iloc[x])
                text.set_text(f"({number})")
                text.set_rotation(0)
            listed = [f"({number}) {words} in " + (", ".join(where[words]) if len(where[words]) <= 3
                                                   else f"{len(where[words])} periods")
                      for words, number in numbers.items()]
            notes.append("Marks: " + "; ".join(listed) + ".")
            _foot(fig, notes, source_line)
            _fit_marks(fig, ax, mark_texts, slots=len(periods), headroom=None)
        _freeze_layout(fig)
    return fig


def share_by_agency(table: pd.DataFrame, *, by: str = "agency", title: str | None = None,
                    source_line: str | None = None) -> Figure:
    """Horizontal bars: each group's share (0 to 1) of searches, labelled in percent.

    Inexact shares are labelled "about 77%"; a share that is not known gets its status as a
    label and no bar. The table should hold one period; its label becomes the subtitle.

    Example::

        fig = share_by_agency(shares, source_line="Source: DHS report OIG-11-xx (2011)")
    """
    source_line = _source_of(table, source_line)
    by_label = _dimension_label(by)
    title = title or f"Share of searches by {by_label.lower()}"
    if len(table) == 0:
        return _empty_figure(title, source_line)
    _require_columns(table, by, ("period", "measure", "value", "exact", "status"))
    the_measure = _single_measure(table)
    if the_measure.kind != "share":
        raise UsageError(f"share_by_agency() draws shares, but the table holds {the_measure.name}",
                         hint="Use searches_by_period() or trend_lines() for counts.")
    cells = _cells(table, by, periods_sorted=False)
    values = cells["value"].dropna()
    if ((values < -1e-9) | (values > 1 + 1e-9)).any():
        raise UsageError("shares must lie between 0 and 1",
                         hint="Divide percentages by 100 before charting them.")
    if "period_start" in cells:
        period_labels = _period_order(cells)["period"].tolist()
    else:
        period_labels = sorted(cells["period"].unique())
    cells = cells.assign(_known=cells["value"].notna(),
                         _sort_value=-cells["value"].fillna(-1.0))
    cells = cells.sort_values(["_known", "_sort_value", "group", "period"],
                              ascending=[False, True, True, True], kind="mergesort")
    if cells["group"].duplicated().any():
        raise UsageError(f"the table has several rows for one {by_label.lower()} "
                         f"(periods {', '.join(period_labels)})",
                         hint="Pass one period (and one value per group) to share_by_agency().")

    height = min(12.0, max(4.0, 2.4 + 0.42 * len(cells)))
    with style_context(["default", _STYLE]):
        fig = _new_figure((FIGSIZE[0], height))
        ax = fig.add_subplot()
        colour = PALETTE[0]
        notes_about, notes_unknown = False, set()
        for y, row in enumerate(cells.itertuples(index=False)):
            share = float(row.value)
            if math.isnan(share):
                words = row.status if row.status in _UNKNOWN_STATUSES else "not known"
                notes_unknown.add(words)
                ax.text(0.005, y, words, va="center", ha="left", fontsize=9, style="italic",
                        color=_NOTE_COLOUR, gid=f"label|{row.group}")
                continue
            exact = _flag(row.exact) and row.status == "reported"
            ax.add_patch(Rectangle((0, y - 0.35), share, 0.7, facecolor=colour,
                                   edgecolor="none", gid=f"bar|{row.group}"))
            label = percent_words(share) if exact else f"about {percent_words(share)}"
            notes_about |= not exact
            ax.text(share + 0.01, y, label, va="center", ha="left", fontsize=9,
                    color=_TEXT_COLOUR, gid=f"label|{row.group}")
        ax.set_ylim(len(cells) - 0.5, -0.5)  # first (largest) share at the top
        ax.set_yticks(range(len(cells)), [_wrap(g, 30) for g in cells["group"]])
        ax.set_xlim(0, 1.12)
        ax.set_xticks(np.linspace(0, 1, 6))
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        ax.xaxis.grid(True, color=_GRID_COLOUR, linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_xlabel(f"{_capitalised(the_measure.unit)} (percent)")
        ax.set_ylabel(by_label)
        fig.suptitle(_wrap_title(title), x=0.01, ha="left", gid="title")
        ax.set_title(", ".join(period_labels), color=_NOTE_COLOUR, gid="subtitle")
        notes = []
        if notes_about:
            notes.append("\"about\": the share is not exact (the source qualified it, or part "
                         "of it is not known).")
        if notes_unknown:
            notes.append(f"{' / '.join(sorted(notes_unknown))}: no share is known, so no bar is "
                         "drawn (it is not zero).")
        _foot(fig, notes, source_line)
        _freeze_layout(fig)
    return fig


def trend_lines(table: pd.DataFrame, *, by: str = "agency", title: str | None = None,
                source_line: str | None = None, unit: str = "searches") -> Figure:
    """One line per group over the periods; lines break where a value is not known.

    A value counts as known only when its status is "reported". Unknown values are shown as
    hollow circles on the x axis, never as zero, and the line is not drawn across them.

    Example::

        fig = trend_lines(counts, by="agency", source_line="Source: Flock network audit")
    """
    source_line = _source_of(table, source_line)
    by_label = _dimension_label(by)
    unit_label = _capitalised(unit)
    title = title or f"{unit_label} by {by_label.lower()} over time"
    if len(table) == 0:
        return _empty_figure(title, source_line)
    _require_columns(table, by, ("period", "period_start", "measure", "value", "status",
                                 "complete"))
    the_measure = _single_measure(table)
    cells = _cells(table, by)
    periods = _period_order(cells)
    groups = _group_order(cells)
    colours = _colours(groups)
    cell_at = {(row.period, row.group): row for row in cells.itertuples(index=False)}
    xs = np.array([pd.Timestamp(start).toordinal() for start in periods["period_start"]],
                  dtype=float)
    is_share = the_measure.kind == "share"

    with style_context(["default", _STYLE]):
        fig = _new_figure(FIGSIZE)
        ax = fig.add_subplot()
        unknown_per_period = [0] * len(periods)
        any_unknown = any_qualified = False
        top = 0.0
        any_partial = False
        for i, group in enumerate(groups):
            ys = np.full(len(periods), np.nan)
            whole = np.ones(len(periods), dtype=bool)
            for j, period in enumerate(periods["period"]):
                row = cell_at.get((period, group))
                if row is None:
                    continue  # no claim about this group here: break the line, mark nothing
                value = float(row.value)
                if row.status == "reported" and not math.isnan(value):
                    ys[j] = value
                    whole[j] = _flag(row.complete)
                    any_qualified |= "exact" in cells.columns and not _flag(row.exact)
                    continue
                # Stack hollow markers of the same period upwards so none hides another.
                lift = ScaledTranslation(0, unknown_per_period[j] * 8 / 72, fig.dpi_scale_trans)
                unknown_per_period[j] += 1
                any_unknown = True
                ax.plot([xs[j]], [0.0], linestyle="none", marker="o", markersize=7,
                        markerfacecolor="white", markeredgecolor=colours[group],
                        markeredgewidth=1.5, clip_on=False, zorder=4,
                        transform=ax.transData + lift, gid=f"unknown|{period}|{group}")
            if not np.isnan(ys).all():
                top = max(top, float(np.nanmax(ys)))
            style = _LINE_STYLES[(i // len(PALETTE)) % len(_LINE_STYLES)]
            # Periods the data cover in full: a solid line with filled points. Periods they do not: hollow
            # points joined by dashes, so a partial quarter never reads as a fall.
            ax.plot(xs, np.where(whole, ys, np.nan), color=colours[group], linewidth=2, linestyle=style,
                    marker="o", markersize=4, zorder=3, gid=f"line|{group}", label=_wrap(group, 26))
            partial = ~whole & ~np.isnan(ys)
            if partial.any():
                any_partial = True
                segment_x, segment_y = [], []
                for j in range(len(xs) - 1):
                    if (partial[j] or partial[j + 1]) and not (np.isnan(ys[j]) or np.isnan(ys[j + 1])):
                        segment_x += [xs[j], xs[j + 1], np.nan]
                        segment_y += [ys[j], ys[j + 1], np.nan]
                if segment_x:
                    ax.plot(segment_x, segment_y, color=colours[group], linewidth=1.5, linestyle=(0, (3, 2)),
                            zorder=3, gid=f"partial|{group}")
                ax.plot(xs[partial], ys[partial], linestyle="none", marker="o", markersize=6,
                        markerfacecolor="white", markeredgecolor=colours[group], markeredgewidth=1.5, zorder=4,
                        gid=f"hollow|{group}")

        span = float(xs[-1] - xs[0]) if len(xs) > 1 else 60.0
        ax.set_xlim(xs[0] - 0.04 * span, xs[-1] + 0.04 * span)
        ax.set_ylim(0, _nice_top(top))
        _period_ticks(ax, xs, periods)
        ax.set_xlabel("Period (plotted at its first day)")
        if is_share:
            ax.set_ylabel(f"{_capitalised(the_measure.unit)} (percent)")
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        else:
            ax.set_ylabel(f"{unit_label} per period (count)")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.yaxis.grid(True, color=_GRID_COLOUR, linewidth=0.8)
        ax.set_axisbelow(True)
        fig.suptitle(_wrap_title(title), x=0.01, ha="left", gid="title")
        ax.set_title(_period_span(periods), color=_NOTE_COLOUR, gid="subtitle")

        handles, labels = ax.get_legend_handles_labels()
        if any_partial:
            handles.append(Line2D([], [], color="#555555", linewidth=1.5, linestyle=(0, (3, 2)), marker="o",
                                  markersize=6, markerfacecolor="white", markeredgecolor="#555555"))
            labels.append("period not covered\nin full")
        if any_unknown:
            handles.append(Line2D([], [], linestyle="none", marker="o", markersize=7,
                                  markerfacecolor="white", markeredgecolor="#555555",
                                  markeredgewidth=1.5))
            labels.append("not known (withheld/\nsuppressed/missing)")
        ax.legend(handles, labels, title=by_label, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  alignment="left")

        notes = []
        if any_unknown:
            notes.append("Hollow circles on the x axis: the value is not known (withheld, "
                         "suppressed, missing or only partly reported); the line is broken there, "
                         "not drawn to zero.")
        if any_qualified:
            notes.append("Some points are qualified numbers (\"about\", \"at least\"), "
                         "plotted at the stated number.")
        if not all(_flag(c) for c in cells["complete"]):
            notes.append("\"(partial)\" periods, hollow points and dashed lines: the data do not cover the whole "
                         "period, so they show less than a full period would.")
        _foot(fig, notes, source_line)
        _fit_tick_labels(fig, ax)
        _freeze_layout(fig)
    return fig


def small_multiples(table: pd.DataFrame, *, by: str = "agency", title: str | None = None,
                    source_line: str | None = None, unit: str = "searches", columns: int = 3) -> Figure:
    """One small bar chart per group, all on one y scale: agencies that a stack would make slivers of
    (ICE, HSI, ERO, CBP, FBI beside thousands of local searches) side by side, comparable.

    Unknown values get a mark ("withheld", "<10") on the axis, never a bar of zero; periods the data do
    not cover in full are hatched and lighter, as in `searches_by_period`.

    Example::

        fig = small_multiples(federal_counts, by="agency", source_line="Source: network audit")
    """
    source_line = _source_of(table, source_line)
    by_label = _dimension_label(by)
    unit_label = _capitalised(unit)
    title = title or f"{unit_label} by {by_label.lower()} and period"
    if len(table) == 0:
        return _empty_figure(title, source_line)
    _additive_counts(table, by, (), "cannot be drawn as counts", "Use trend_lines() for shares.")
    cells = _cells(table, by)
    periods = _period_order(cells)
    groups = _group_order(cells)
    cell_at = {(row.period, row.group): row for row in cells.itertuples(index=False)}
    known = cells["value"].dropna()
    top = _nice_top(float(known.max()) if len(known) else 0.0, headroom=1.18)
    columns = max(1, min(columns, len(groups)))
    rows = math.ceil(len(groups) / columns)
    with style_context(["default", _STYLE]):
        # Laid out by hand (fixed margins in inches): a constrained layout of a dozen panels costs a second
        height = 1.3 + 2.1 * rows
        fig = _new_figure((FIGSIZE[0], height), layout=None)
        axes = fig.subplots(rows, columns, sharey=True, squeeze=False)
        any_partial = any_unknown = False
        for index, group in enumerate(groups):
            ax = axes[index // columns][index % columns]
            ax.set_title(_wrap(group, 34), loc="left", fontsize=9, gid=f"panel|{group}")
            for x, period in enumerate(periods["period"]):
                row = cell_at.get((period, group))
                if row is None:
                    continue
                value = float(row.value)
                if not math.isnan(value) and (value > 0 or row.status == "reported"):
                    partial = not _flag(row.complete)
                    any_partial |= partial
                    ax.add_patch(_bar_segment(x - 0.4, 0, 0.8, value, PALETTE[0], pattern="", partial=partial,
                                              gid=f"bar|{period}|{group}"))
                    ax.text(x, value, _thousands(value), ha="center", va="bottom", fontsize=7, color=_TEXT_COLOUR,
                            gid=f"label|{period}|{group}")
                if not (not math.isnan(value) and _flag(row.exact) and row.status == "reported"):
                    any_unknown = True
                    ax.text(x, top * 0.02, str(row.display), rotation=90, ha="center", va="bottom", fontsize=7,
                            color=_NOTE_COLOUR, style="italic", gid=f"mark|{period}|{group}")
            ax.set_xlim(-0.6, len(periods) - 0.4)
            ax.set_ylim(0, top)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
            ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
            ax.yaxis.grid(True, color=_GRID_COLOUR, linewidth=0.8)
            ax.set_axisbelow(True)
            step = max(1, math.ceil(len(periods) / 4))
            ax.set_xticks(range(len(periods)), [p if i % step == 0 else "" for i, p in enumerate(periods["period"])],
                          fontsize=7)
        for index in range(len(groups), rows * columns):
            axes[index // columns][index % columns].set_visible(False)
        wrapped_title = _wrap_title(title)
        fig.suptitle(wrapped_title, x=0.01, y=1 - 0.12 / height, ha="left", va="top", gid="title")
        notes = [f"{unit_label} per period; every panel has the same scale, so bars can be compared across panels."]
        if any_partial:
            notes.append("Hatched, lighter bars: periods the data do not cover in full.")
        if any_unknown:
            notes.append("Words on the axis: a value that is not exact or not known (withheld, suppressed, missing); "
                         "it is never drawn as zero.")
        foot = _foot(fig, notes, source_line)
        title_in = 0.35 + 0.28 * wrapped_title.count("\n") + 0.4  # the title, and the first row's panel titles
        fig.subplots_adjust(left=0.7 / FIGSIZE[0], right=1 - 0.15 / FIGSIZE[0], top=1 - title_in / height,
                            bottom=foot + 0.3 / height, wspace=0.12, hspace=0.75)
    return fig


# -- table handling ---------------------------------------------------------------------------
def _source_of(table: pd.DataFrame, source_line: str | None) -> str:
    """The source line given, else one from the sources the table's rows name (its `source_ids` column)."""
    if source_line is not None:
        return source_line
    ids = sorted({int(part) for value in table.get("source_ids", pd.Series(dtype=str)).dropna()
                  for part in str(value).split(",") if part.strip().isdigit()})
    if not ids:
        return "Source: auditreport"
    return f"Source: auditreport database, source{'s' * (len(ids) > 1)} {', '.join(map(str, ids))} (see db.sources())"


def breakdowns(table: pd.DataFrame) -> list[str]:
    """The columns of a counts table a chart can break down by (dimensions, system last)."""
    from .model import DIMENSIONS

    found = [c for c in table.columns if c in DIMENSIONS and c != "system"]
    return found + (["system"] if "system" in table.columns else [])


def _require_columns(table: pd.DataFrame, by: str, needed: Iterable[str]) -> None:
    absent = [c for c in (*needed, by) if c not in table.columns]
    if by in absent:
        raise UsageError(f"the counts table has no column {by!r} to break down by",
                         hint=f"Pass by= one of: {', '.join(breakdowns(table)) or '(none)'}.")
    if absent:
        raise UsageError(f"the counts table lacks column(s) {', '.join(absent)}",
                         hint="Chart a table returned by auditreport's aggregation.")


def _additive_counts(table: pd.DataFrame, by: str, more_columns: tuple[str, ...], refusal: str, hint: str) -> None:
    """A counts table a bar chart can draw: the columns it reads, one measure, and one that adds up."""
    _require_columns(table, by, ("period", "period_start", "measure", "value", "exact", "complete", "status",
                                 "display", *more_columns))
    the_measure = _single_measure(table)
    if not the_measure.additive:
        raise UsageError(f"{the_measure.name} values {refusal}", hint=hint)


def _single_measure(table: pd.DataFrame):
    names = sorted(table["measure"].dropna().unique())
    if len(names) != 1:
        raise UsageError(f"a chart shows one measure, but the table holds {len(names)}: "
                         f"{', '.join(names)}",
                         hint="Filter the table to one measure first.")
    return measure(names[0])


def _cells(table: pd.DataFrame, by: str, periods_sorted: bool = True) -> pd.DataFrame:
    """The table with a `group` column of plain strings, checked for one row per period and group."""
    cells = table.copy()
    cells["group"] = [_NOT_STATED if _is_blank(v) else str(v) for v in cells[by]]
    cells["value"] = pd.to_numeric(cells["value"], errors="coerce").astype(float)
    if periods_sorted and cells.duplicated(["period", "group"]).any():
        first = cells[cells.duplicated(["period", "group"], keep=False)].iloc[0]
        raise UsageError(f"the table has several rows for period {first['period']} and "
                         f"{by} {first['group']!r}",
                         hint="Aggregate to one row per period and group before charting.")
    return cells


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _flag(value) -> bool:
    """A boolean column's value; a blank (NA) flag is not true."""
    return not _is_blank(value) and bool(value)


def _period_order(cells: pd.DataFrame) -> pd.DataFrame:
    periods = cells.groupby("period", sort=False).agg(
        period_start=("period_start", "first"),
        complete=("complete", lambda c: all(_flag(v) for v in c)) if "complete" in cells
        else ("period_start", lambda c: True))
    periods = periods.reset_index()
    periods["_start"] = pd.to_datetime(periods["period_start"])
    return periods.sort_values(["_start", "period"], kind="mergesort").reset_index(drop=True)


def _group_order(cells: pd.DataFrame) -> list[str]:
    """Groups by total known value, largest first, then by name: the legend and stack order."""
    totals = cells.groupby("group")["value"].sum(min_count=1).fillna(0.0)
    return sorted(totals.index, key=lambda g: (-totals[g], g))


def _colours(groups: list[str], fixed: dict[str, str] | None = None) -> dict[str, str]:
    """A colour per group: the fixed one where given (a level keeps its colour from chart to chart), else the
    palette in order."""
    fixed = fixed or {}
    free = iter(c for c in PALETTE * (1 + len(groups) // len(PALETTE)) if c not in fixed.values())
    return {g: fixed[g] if g in fixed else next(free) for g in groups}


def _pattern(index: int) -> str:
    return _BAR_PATTERNS[(index // len(PALETTE)) % len(_BAR_PATTERNS)]


def _mark_text(group: str, row) -> str:
    """What a mark says about the part of a value that is not in its bar: "+ withheld (ICE)"."""
    if row.status == "withheld":
        what = "+ withheld"
    elif row.status == "suppressed":
        shown = "" if _is_blank(row.display) else str(row.display).strip()
        what = f"+ {shown or 'suppressed'}"
    elif row.status == "missing":
        what = "missing"
    else:
        counts = [(int(n), state) for n, state in ((row.withheld_cells, "withheld"),
                                                  (row.suppressed_cells, "suppressed"),
                                                  (row.missing_cells, "missing")) if n]
        if counts:
            parts = sum(n for n, _ in counts)
            what = f"+ {', '.join(f'{n} {state}' for n, state in counts)} part{'s' * (parts > 1)}"
        else:
            # A qualified number such as "about 60", or a range such as "1,000 to 9,999".
            what = "not exact" if _is_blank(row.display) else str(row.display)
    return f"{what} ({group})"


def _mark_kinds(cells: pd.DataFrame) -> list[str]:
    inexact = ~(cells["exact"].map(_flag).astype(bool) & (cells["status"] == "reported"))
    statuses = set(cells.loc[inexact, "status"])
    kinds = []
    if "withheld" in statuses or (cells.loc[inexact, "withheld_cells"] > 0).any():
        kinds.append("withheld = redacted by the agency, or held back so that a small count cannot be worked out")
    if "suppressed" in statuses or (cells.loc[inexact, "suppressed_cells"] > 0).any():
        kinds.append("\"<10\" or suppressed = a small count hidden for privacy")
    if "missing" in statuses or (cells.loc[inexact, "missing_cells"] > 0).any():
        kinds.append("missing = no figure was given")
    if (inexact & (cells["status"] == "reported")).any():
        kinds.append("\"about\", \"at least\" = a qualified number")
    return kinds


# -- drawing helpers ----------------------------------------------------------------------------
def _wrap_title(title: str) -> str:
    """Long titles (system names, irregular periods) wrap instead of running off the figure."""
    return textwrap.fill(title, width=75, break_long_words=False)


def _new_figure(figsize: tuple[float, float], layout: str | None = "constrained") -> Figure:
    fig = Figure(figsize=figsize, dpi=DPI, layout=layout, facecolor="white")
    FigureCanvasAgg(fig)  # so text can be measured, headless and without pyplot
    return fig


def _empty_figure(title: str, source_line: str) -> Figure:
    with style_context(["default", _STYLE]):
        fig = _new_figure((FIGSIZE[0], 3.0))
        fig.suptitle(_wrap_title(title), x=0.01, ha="left", gid="title")
        fig.text(0.5, 0.5, "No data for this chart", ha="center", va="center", fontsize=12,
                 color=_NOTE_COLOUR, gid="empty")
        _foot(fig, [], source_line)
        _freeze_layout(fig)
    return fig


def _freeze_layout(fig: Figure) -> None:
    """Run the constrained layout once and keep its result.

    Constrained layout starts from the current positions, so every draw would move the axes a
    little and saving the same figure twice would give different bytes.
    """
    fig.draw_without_rendering()
    fig.set_layout_engine("none")


def _bar_segment(x: float, bottom: float, width: float, height: float, colour: str, *,
                 pattern: str, partial: bool, gid: str) -> Rectangle:
    if partial:
        # Hatch lines take the edge colour (matplotlib < 3.11 has no separate hatch colour).
        return Rectangle((x, bottom), width, height, facecolor=_lighten(colour),
                         edgecolor=colour, hatch="///" + pattern, linewidth=0.6, gid=gid)
    return Rectangle((x, bottom), width, height, facecolor=colour, edgecolor="white",
                     hatch=pattern or None, linewidth=0.6, gid=gid)


def _lighten(colour: str, amount: float = 0.6) -> tuple[float, float, float]:
    red, green, blue = to_rgb(colour)
    return tuple(round(c + (1 - c) * amount, 4) for c in (red, green, blue))


def _period_ticks(ax, positions, periods: pd.DataFrame) -> None:
    labels = [p if complete else f"{p}\n(partial)"
              for p, complete in zip(periods["period"], periods["complete"])]
    step = max(1, math.ceil(len(labels) / 16))
    labels = [label if i % step == 0 else "" for i, label in enumerate(labels)]
    ax.set_xticks(list(positions), labels)


def _fit_tick_labels(fig: Figure, ax) -> None:
    """Slant the period labels when, laid out flat, neighbours would touch."""
    renderer = fig.canvas.get_renderer()
    labels = [t for t in ax.get_xticklabels() if t.get_text()]
    widest = max((t.get_window_extent(renderer).width for t in labels), default=0.0)
    # The axes keeps at least 60 % of the figure's width: when the widest label fits a slot of that, it fits,
    # and the layout need not be run to know it (each run of it costs a tenth of a second).
    if widest + 4 <= 0.6 * fig.bbox.width / max(1, len(labels)):
        return
    fig.draw_without_rendering()
    boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    if any(left.x1 + 4 > right.x0 for left, right in pairwise(boxes)):
        for label in ax.get_xticklabels():
            label.set_rotation(45)
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")


def _period_span(periods: pd.DataFrame) -> str:
    first, last = periods["period"].iloc[0], periods["period"].iloc[-1]
    return first if first == last else f"{first} to {last}"


def _foot(fig: Figure, notes: list[str], source_line: str) -> float:
    """Draw the notes and source line at the foot of the figure and keep the axes above them.

    Returns the height they take, as a fraction of the figure (for a figure laid out by hand)."""
    for text in fig.findobj(lambda artist: artist.get_gid() in ("source", "notes")):
        text.remove()
    source_lines = textwrap.wrap(source_line, _NOTE_WRAP) or [""]
    note_lines = [line for note in notes for line in textwrap.wrap(note, _NOTE_WRAP)]
    to_inches = fig.dpi_scale_trans
    fig.text(0.1, _NOTE_MARGIN_IN, "\n".join(source_lines), transform=to_inches,
             ha="left", va="bottom", fontsize=_NOTE_FONTSIZE, color=_NOTE_COLOUR, gid="source")
    top = _NOTE_MARGIN_IN + _NOTE_LINE_IN * len(source_lines)
    if note_lines:
        fig.text(0.1, top + 0.04, "\n".join(note_lines), transform=to_inches, ha="left",
                 va="bottom", fontsize=_NOTE_FONTSIZE, color=_NOTE_COLOUR, gid="notes")
        top += 0.04 + _NOTE_LINE_IN * len(note_lines)
    bottom = min(0.5, (top + 0.1) / fig.get_figheight())
    if fig.get_layout_engine() is not None:
        fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    return bottom


def _fit_marks(fig: Figure, ax, mark_texts: list, *, slots: int, headroom: float | None) -> bool:
    """Lay marks out above their stacks and raise the y limit so that they fit in the axes.

    Marks are wrapped to the width of a bar slot and stacked upwards; when even a narrow wrap
    does not fit (many periods), they stand upright side by side instead. With `headroom`, the y
    limit may not rise above that multiple of the tallest stack: then nothing changes and the answer
    is False (the caller shortens the marks), so that words never stretch the axis the numbers need.
    """
    if not mark_texts:
        return True
    fig.draw_without_rendering()  # runs the layout, so the axes has its final width
    renderer = fig.canvas.get_renderer()
    slot_px = 0.92 * ax.bbox.width / max(1, slots)
    originals = [text.get_text() for *_, text in mark_texts]
    upright = True
    for width in range(40, 11, -2):
        for original, (*_, text) in zip(originals, mark_texts):
            text.set_text(_wrap(original, width))
        if max(text.get_window_extent(renderer).width for *_, text in mark_texts) <= slot_px:
            upright = False
            break
    if upright:
        line_px = _MARK_FONTSIZE * 1.25 * fig.dpi / 72
        for original, (_x, _top, k, count, text) in zip(originals, mark_texts):
            # Side by side, each mark may be as thick as its share of the slot: more lines,
            # so a shorter column and less room taken from the bars.
            lines = max(1, int(slot_px / count // line_px))
            width = next(w for w in range(12, max(13, len(original) + 1))
                         if _wrap(original, w).count("\n") < lines)
            text.set_text(_wrap(original, width))
            text.set_rotation(90)
            text.set_rotation_mode("anchor")
            text.set_horizontalalignment("left")
            text.set_verticalalignment("center")
            text.xyann = ((k - (count - 1) / 2) * slot_px / count * 72 / fig.dpi, 3)
    else:
        rise_pt = {}
        for x, _top, _k, _count, text in mark_texts:
            below = rise_pt.get(x, 3.0)
            text.xyann = (0, below)
            rise_pt[x] = below + text.get_window_extent(renderer).height * 72 / fig.dpi + 2
    fig.draw_without_rendering()
    ymax = ax.get_ylim()[1]
    needed = ymax
    for _x, top, _k, _count, text in mark_texts:
        anchor_px = ax.transData.transform((0, top))[1]
        above = (text.get_window_extent(renderer).y1 - anchor_px) / ax.bbox.height
        needed = max(needed, top / (0.97 - min(above, 0.75)) if top else ymax * (1 + above))
    tallest = max(top for _x, top, *_ in mark_texts)
    highest = max(tallest, ymax / _nice_top(1.0))
    if headroom is not None and needed > headroom * highest:
        return False
    if needed > ymax:
        ax.set_ylim(0, needed)
    return True


def _nice_top(value: float, headroom: float = 1.08) -> float:
    if not value or math.isnan(value) or value <= 0:
        return 1.0
    return float(value * headroom)


# -- words and numbers ----------------------------------------------------------------------
def _thousands(value: float, _position=None) -> str:
    """An axis tick or bar label: a count as the report says it."""
    return count_words(value)


def _dimension_label(by: str) -> str:
    return _capitalised(by.replace("_", " "))


def _capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]


def _wrap(text: str, width: int) -> str:
    """Lines of at most `width` characters, never breaking inside a word (a name stays whole)."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text
