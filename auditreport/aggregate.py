"""Questions as SQL: counts by any dimensions and grain, shares within a group, change over time.

Every answer is a tidy DataFrame with one row per (period, group) and honest columns: `value` is the
sum of what is known, `exact` says whether that is the whole truth, `value_low`/`value_high` bound it,
and `complete` says whether the data cover the whole period. Observations whose period does not fit
inside one bucket are never dropped silently: they are left out and listed, or, only when asked,
apportioned by days and marked `estimated`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from .agencies import Crosswalk, project_crosswalk
from .errors import UsageError
from .model import DIMENSIONS, MEASURES, QUALIFIERS, measure as measure_named
from .periods import (ALL_GRAINS, DEFAULT_FISCAL_YEAR_START, GRAINS, REPORTED_GRAIN, PeriodError, calendar,
                      previous_bucket, year_before)
from .store import Store

COUNT_COLUMNS = ("value", "exact", "value_low", "value_high", "complete", "estimated", "status",
                 "reported_cells", "withheld_cells", "suppressed_cells", "missing_cells", "source_ids")


@dataclass(frozen=True)
class CountQuery:
    """What to count: `by` dimensions, at a `grain`, of one `measure`."""

    by: tuple[str, ...] = ("agency",)
    grain: str = "quarter"
    measure: str = "searches"
    fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START
    apportion: bool = False

    @property
    def group_by(self) -> tuple[str, ...]:
        """`by`, plus `system` when not named: searches of different systems are never added together
        (one search can sit in two systems' logs, and a published figure for a network includes its parts)."""
        return self.by if "system" in self.by else (*self.by, "system")

    def __post_init__(self) -> None:
        unknown = [d for d in self.by if d not in DIMENSIONS]
        if unknown:
            raise UsageError(f"cannot break down by {', '.join(unknown)}",
                             hint=f"Use one or more of: {', '.join(DIMENSIONS)}.")
        if len(set(self.by)) != len(self.by):
            raise UsageError("a dimension is named twice in --by", hint="Name each dimension once.")
        if self.grain not in ALL_GRAINS:
            raise UsageError(f"unknown grain {self.grain!r}", hint=f"Use one of: {', '.join(ALL_GRAINS)}.")
        if not 1 <= int(self.fiscal_year_start) <= 12:
            raise UsageError(f"--fiscal-year-start must be a month number from 1 to 12, not {self.fiscal_year_start}",
                             hint="Use 10 for the US federal year (October), 7 for July.")
        measure = measure_named(self.measure)
        if self.apportion and self.grain == REPORTED_GRAIN:
            raise UsageError("--apportion splits numbers across calendar periods; the 'reported' grain keeps "
                             "each number in its own period", hint="Leave out --apportion, or choose a calendar "
                                                                    "grain such as --grain quarter.")
        if self.apportion and not measure.additive:
            raise UsageError(f"{self.measure} cannot be apportioned: a share of a longer period is not the share "
                             "of a part of it", hint="Leave out --apportion, or use --grain reported.")


@dataclass
class Counts:
    """The answer to a CountQuery: `table` (one row per period and group) and what was `left_out`."""

    query: CountQuery
    table: pd.DataFrame
    left_out: pd.DataFrame = field(default_factory=pd.DataFrame)

    def _repr_html_(self) -> str:
        note = ""
        if len(self.left_out):
            note = (f"<p><em>{len(self.left_out)} observation(s) span more than one {self.query.grain} and are "
                    "left out (see <code>.left_out</code>).</em></p>")
        return self.table.to_html(index=False, na_rep="") + note

    def __len__(self) -> int:
        return len(self.table)


def _buckets(store: Store, query: CountQuery) -> pd.DataFrame:
    """The reporting calendar that covers the data, with each bucket's predecessor and year-ago bucket."""
    first, last = store.row("SELECT min(period_start), max(period_end) FROM observations WHERE measure = ?",
                            [query.measure])
    columns = ["period", "bucket_start", "bucket_end", "previous_start", "year_ago_start"]
    if first is None:  # typed, so that the SQL over it still binds
        return pd.DataFrame({"period": pd.Series(dtype=str),
                             **{c: pd.Series(dtype="datetime64[us]") for c in columns[1:]}})
    if query.grain == REPORTED_GRAIN:
        reported = store.query("""SELECT period_start AS bucket_start, period_end AS bucket_end,
                                         min(period_label) AS period
                                  FROM observations WHERE measure = ? GROUP BY ALL ORDER BY ALL""", [query.measure])
        reported["previous_start"] = pd.NaT
        reported["year_ago_start"] = pd.NaT
        return reported[columns]
    rows = []
    for bucket in calendar(query.grain, first, last, query.fiscal_year_start):
        rows.append((bucket.label, bucket.start, bucket.end,
                     previous_bucket(bucket, query.grain, query.fiscal_year_start).start,
                     year_before(bucket, query.grain, query.fiscal_year_start).start))
    return pd.DataFrame(rows, columns=columns)


def _fits(query: CountQuery) -> str:
    """When an observation `o` belongs to bucket `b`: inside it for counts; equal to it for shares and
    at the 'reported' grain (a share of a longer period is not the share of a part of it)."""
    if MEASURES[query.measure].additive and query.grain != REPORTED_GRAIN:
        return "o.period_start >= b.bucket_start AND o.period_end <= b.bucket_end"
    return "o.period_start = b.bucket_start AND o.period_end = b.bucket_end"


SERIES = ("measure", "system", "agency_as_given", "reason_category", "query_type", "on_behalf_of")


def _counts_sql(query: CountQuery) -> str:
    """SQL over `observations`, `coverage` and the registered `buckets` and `agency_names`; one row per
    (bucket, group).

    A series is one line of one source as written (the agency as given, before the crosswalk merges
    variants). Counts of a series are expected in every bucket its system's data reach: where a count
    table has none, the part is missing (never zero); inside an audit log's coverage, no row means zero.
    """
    by = list(query.group_by)
    additive = MEASURES[query.measure].additive
    expand = additive and query.grain != REPORTED_GRAIN  # lay every series out over its system's reach
    keys = list(SERIES) + [d for d in by if d not in SERIES]
    key_list = ", ".join(keys)
    same = lambda a, b: " AND ".join(f"{a}.{k} IS NOT DISTINCT FROM {b}.{k}" for k in keys)  # noqa: E731
    group = ", ".join(["period", "bucket_start", "bucket_end", *by, "measure"])
    same_group = " AND ".join(["c.period = g.period", "c.measure = g.measure"]
                              + [f"c.{d} IS NOT DISTINCT FROM g.{d}" for d in by])
    overlap = "o.period_start < b.bucket_end AND b.bucket_start < o.period_end"
    placement = f"({_fits(query)}) OR ({overlap})" if query.apportion else _fits(query)
    if additive:  # a part known only as a range ("thousands") leaves the value unknown, not low
        value = ("CASE WHEN bool_or(status = 'reported' AND value IS NULL) THEN NULL "
                 "ELSE sum(value * fraction) FILTER (WHERE status = 'reported') END")
        low, high = "sum(low * fraction)", "CASE WHEN bool_or(high IS NULL) THEN NULL ELSE sum(high * fraction) END"
        single = "true"
    else:  # shares are never added up: one observation per group and bucket, or nothing
        value, low, high = ("CASE WHEN count(*) = 1 THEN any_value(value) END",
                            "CASE WHEN count(*) = 1 THEN any_value(low) END",
                            "CASE WHEN count(*) = 1 THEN any_value(high) END")
        single = "count(*) = 1"
    series = (f"""
        SELECT DISTINCT b.period, b.bucket_start, b.bucket_end, k.*
        FROM (SELECT DISTINCT {key_list}, logged FROM placed) k
        JOIN reach r ON r.system = k.system
        JOIN buckets b ON b.bucket_start < r.last AND r.first < b.bucket_end""" if expand else f"""
        SELECT DISTINCT period, bucket_start, bucket_end, {key_list}, logged FROM placed""")
    return f"""
    WITH named AS (  -- the measure's observations, agencies as the crosswalk names them
        SELECT o.* REPLACE (coalesce(m.agency, o.agency) AS agency), o.agency AS agency_as_given,
               m.parent, m.department, m.level, m.state, m.federal,
               o.system IN (SELECT system FROM coverage) AS logged
        FROM observations o LEFT JOIN agency_names m ON m.agency_as_given = o.agency
        WHERE o.measure = $measure
    ),
    placed AS (
        SELECT b.period, b.bucket_start, b.bucket_end, o.*,
               datediff('day', greatest(o.period_start, b.bucket_start), least(o.period_end, b.bucket_end))
                 / datediff('day', o.period_start, o.period_end) AS fraction,
               datediff('day', greatest(o.period_start, b.bucket_start), least(o.period_end, b.bucket_end))
                 AS days,
               CASE WHEN o.status = 'reported' AND o.qualifier = 'exact' THEN o.value
                    WHEN o.status IN ('reported', 'suppressed') THEN coalesce(o.value_low, 0) ELSE 0 END AS low,
               CASE WHEN o.status = 'reported' AND o.qualifier = 'exact' THEN o.value
                    WHEN o.status IN ('reported', 'suppressed') THEN o.value_high END AS high
        FROM named o JOIN buckets b ON {placement}
    ),
    reach AS (  -- count tables: from their system's first to last bucket with data; logs: where they record
        SELECT system, min(bucket_start) AS first, max(bucket_end) AS last FROM placed WHERE NOT logged
        GROUP BY system
        UNION ALL
        SELECT system, min(period_start), max(period_end) FROM coverage GROUP BY system
    ),
    series AS ({series}
    ),
    series_days AS (
        SELECT period, {key_list}, count(*) AS parts,
               coalesce(sum(days) FILTER (WHERE status <> 'missing'), 0) AS days
        FROM placed GROUP BY period, {key_list}
    ),
    logged_days AS (  -- days of each bucket that an audit log of the system records
        SELECT b.period, c.system,
               least(sum(datediff('day', greatest(c.period_start, b.bucket_start),
                                  least(c.period_end, b.bucket_end))),
                     datediff('day', b.bucket_start, b.bucket_end)) AS days
        FROM coverage c JOIN buckets b ON c.period_start < b.bucket_end AND b.bucket_start < c.period_end
        GROUP BY b.period, b.bucket_start, b.bucket_end, c.system
    ),
    coverage_by_group AS (
        SELECT s.period, s.bucket_start, s.bucket_end, {', '.join(f's.{d}' for d in by)}, s.measure,
               bool_and(CASE WHEN s.logged THEN coalesce(l.days, 0) ELSE coalesce(d.days, 0) END
                        = datediff('day', s.bucket_start, s.bucket_end)) AS complete,
               bool_or(NOT s.logged AND coalesce(d.days, 0) > datediff('day', s.bucket_start, s.bucket_end))
                 AS overlapping,
               count(*) FILTER (WHERE d.parts IS NULL AND NOT s.logged) AS absent_series
        FROM series s
        LEFT JOIN series_days d ON d.period = s.period AND {same('d', 's')}
        LEFT JOIN logged_days l ON l.period = s.period AND l.system = s.system
        GROUP BY s.period, s.bucket_start, s.bucket_end, {', '.join(f's.{d}' for d in by)}, s.measure
    ),
    grouped AS (
        SELECT {group}, {value} AS value, {low} AS value_low, {high} AS value_high,
               bool_and(status = 'reported' AND qualifier = 'exact' AND fraction = 1) AND {single} AS exact,
               bool_or(fraction < 1) AS estimated,
               count(*) FILTER (WHERE status = 'reported') AS reported_cells,
               count(*) FILTER (WHERE status = 'withheld') AS withheld_cells,
               count(*) FILTER (WHERE status = 'suppressed') AS suppressed_cells,
               count(*) FILTER (WHERE status = 'missing') AS missing_cells,
               array_to_string(list_sort(list(DISTINCT source_id)), ',') AS source_ids
        FROM placed GROUP BY {group}
    ),
    joined AS (
        SELECT c.period, c.bucket_start AS period_start, c.bucket_end AS period_end,
               {''.join(f'c.{d}, ' for d in by)}c.measure,
               CASE WHEN c.absent_series > 0 AND g.value IS NULL THEN NULL
                    WHEN g.period IS NULL THEN 0 ELSE g.value END AS value,
               coalesce(g.exact, true) AND c.absent_series = 0 AND NOT c.overlapping AS exact,
               CASE WHEN g.period IS NULL THEN 0 ELSE g.value_low END AS value_low,
               CASE WHEN c.absent_series > 0 THEN NULL WHEN g.period IS NULL THEN 0 ELSE g.value_high END
                 AS value_high,
               c.complete, coalesce(g.estimated, false) AS estimated, c.overlapping,
               coalesce(g.reported_cells, 0) AS reported_cells, coalesce(g.withheld_cells, 0) AS withheld_cells,
               coalesce(g.suppressed_cells, 0) AS suppressed_cells,
               coalesce(g.missing_cells, 0) + c.absent_series AS missing_cells, g.source_ids
        FROM coverage_by_group c LEFT JOIN grouped g ON {same_group}
    )
    SELECT period, period_start, period_end, {''.join(f'{d}, ' for d in by)}measure, value, exact,
           value_low, value_high, complete, estimated,
           CASE WHEN overlapping THEN 'overlapping'
                WHEN withheld_cells + suppressed_cells + missing_cells = 0 THEN 'reported'
                WHEN reported_cells + suppressed_cells + missing_cells = 0 THEN 'withheld'
                WHEN reported_cells + withheld_cells + missing_cells = 0 THEN 'suppressed'
                WHEN reported_cells + withheld_cells + suppressed_cells = 0 THEN 'missing'
                ELSE 'mixed' END AS status,
           reported_cells, withheld_cells, suppressed_cells, missing_cells, source_ids
    FROM joined
    """


def _left_out_sql(query: CountQuery) -> str:
    return f"""
    SELECT s.file_name AS source, o.source_id, o.row_number, o.column_name, o.agency, o.system, o.measure,
           o.period_label, o.period_start, o.period_end, o.status, o.value, o.qualifier
    FROM observations o JOIN sources s USING (source_id)
    WHERE o.measure = $measure AND NOT EXISTS (SELECT 1 FROM buckets b WHERE {_fits(query)})
    ORDER BY o.source_id, o.row_number, o.column_name
    """


def agency_names(store: Store, crosswalk: Crosswalk | None = None) -> pd.DataFrame:
    """Every searching-agency name in the store, matched against the crosswalk (one row per name)."""
    crosswalk = crosswalk or project_crosswalk(store.path)
    names = [row[0] for row in store.connection.execute(
        "SELECT DISTINCT agency FROM observations WHERE agency IS NOT NULL ORDER BY 1").fetchall()]
    table = crosswalk.match_names(names)
    table["federal"] = table["federal"].astype("boolean")
    return table


def _run(store: Store, sql: str, parameters: dict, *, buckets: pd.DataFrame,
         crosswalk: Crosswalk | None) -> pd.DataFrame:
    """Run SQL over the store with the reporting calendar and the agency names registered beside it."""
    connection = store.connection
    connection.register("buckets", buckets)
    connection.register("agency_names", agency_names(store, crosswalk))
    try:
        return connection.execute(sql, parameters).df()
    finally:
        connection.unregister("buckets")
        connection.unregister("agency_names")


def counts(store: Store, query: CountQuery | None = None, *, crosswalk: Crosswalk | None = None,
           **options) -> Counts:
    """Counts of one measure by dimensions and grain.

    >>> counts(store, by=("agency",), grain="fiscal_year").table  # doctest: +SKIP
    """
    query = query or CountQuery(**options)
    buckets = _buckets(store, query)
    parameters = {"measure": query.measure}
    table = _run(store, _counts_sql(query) + " ORDER BY ALL", parameters, buckets=buckets, crosswalk=crosswalk)
    table = _tidy(table, query)
    left_out = pd.DataFrame() if query.apportion else _run(store, _left_out_sql(query), parameters,
                                                           buckets=buckets, crosswalk=crosswalk)
    if len(left_out):
        for column in ("period_start", "period_end"):
            left_out[column] = pd.to_datetime(left_out[column]).dt.date
    return Counts(query, table, left_out)


def _tidy(table: pd.DataFrame, query: CountQuery) -> pd.DataFrame:
    for column in ("period_start", "period_end"):
        table[column] = pd.to_datetime(table[column]).dt.date
    for column in ("exact", "complete", "estimated"):
        table[column] = table[column].fillna(False).astype(bool)
    for column in ("reported_cells", "withheld_cells", "suppressed_cells", "missing_cells"):
        table[column] = table[column].astype("int64")
    for column in ("value", "value_low", "value_high"):
        table[column] = table[column].astype("float64")
    table = table.sort_values(["period_start", "period_end", *query.group_by], kind="stable", na_position="last")
    table["display"] = [display_value(row, MEASURES[query.measure].kind) for row in table.itertuples()]
    return table.reset_index(drop=True)


def display_value(row, kind: str = "count") -> str:
    """How a person should read one value: never a bare number unless it is exact."""
    def number(value: float) -> str:
        if kind == "share":
            return f"{value * 100:.0f}%"
        return f"{value:,.0f}"

    value = getattr(row, "value", math.nan)
    value = math.nan if value is None else value
    status = getattr(row, "status", "reported")
    if kind == "share":
        if math.isnan(value):
            return "not known" if status in ("reported", "mixed") else status
        return number(value) if getattr(row, "exact", False) else f"about {number(value)}"
    if status == "overlapping" and not math.isnan(value):
        return f"{number(value)} (overlapping sources: may count searches twice)"
    low, high = getattr(row, "value_low", math.nan), getattr(row, "value_high", math.nan)
    if getattr(row, "exact", False) and not math.isnan(value):
        return number(value)
    if status == "withheld":
        return "withheld"
    if status == "missing":
        return "missing"
    if math.isnan(value) and low is not None and not math.isnan(low):
        if high is not None and not math.isnan(high):
            return f"<{number(high + 1)}" if low == 0 and status == "suppressed" else f"{number(low)} to {number(high)}"
        return f"at least {number(low)}"
    if math.isnan(value):
        return "not known"
    prefix = "about " if getattr(row, "estimated", False) else ""
    if high is not None and not math.isnan(high) and high != value:
        return f"{prefix}{number(low)} to {number(high)}"
    if status == "reported" and not getattr(row, "estimated", False):
        return f"more than {number(value)}" if low and low > value else f"about {number(value)}"
    return f"{prefix}at least {number(value)}" if status != "reported" else f"about {number(value)}"


def shares(store: Store, query: CountQuery | None = None, *, within: tuple[str, ...] = (),
           crosswalk: Crosswalk | None = None, **options) -> Counts:
    """Each group's share of the total within its period (and `within` dimensions), from counts.

    A share is exact only when every count in its group is exact; it is a different measure and is
    never added to counts.
    """
    query = query or CountQuery(**options)
    if not MEASURES[query.measure].additive:
        raise UsageError(f"shares are computed from counts, not from {query.measure}",
                         hint="Use --measure searches.")
    result = counts(store, query, crosswalk=crosswalk)
    table = result.table.copy()
    keys = [table[k] for k in ["period", "system", *[w for w in within if w != "system"]]]
    low = table["value_low"].fillna(0)
    high = table["value_high"]  # NaN: unbounded
    low_total = low.groupby(keys, dropna=False).transform("sum")
    high_total = high.groupby(keys, dropna=False).transform(lambda h: h.sum() if h.notna().all() else math.nan)
    known_total = table["value"].fillna(0).groupby(keys, dropna=False).transform("sum")
    exact_group = (table["exact"] & table["complete"]).groupby(keys, dropna=False).transform("all")
    table["measure"] = "share_of_searches"
    # a group with nothing known has no share (never 0%); the others are shares of what is known
    table["value"] = (table["value"] / known_total).where((known_total > 0) & table["value"].notna())
    # bounds: least when the others are at their most, most when they are at their least
    others_high = high_total - high.fillna(0)
    table["value_low"] = (low / (low + others_high)).where(high_total.notna(), 0.0).fillna(0.0)
    table["value_high"] = (high / (high + (low_total - low))).where(high.notna(), 1.0).clip(upper=1.0)
    table["exact"] = exact_group
    table["display"] = [display_value(row, "share") for row in table.itertuples()]
    return Counts(query, table, result.left_out)


def changes(store: Store, query: CountQuery | None = None, *, crosswalk: Crosswalk | None = None,
            **options) -> pd.DataFrame:
    """Each value beside the previous period's and the same period a year before, with changes.

    A change is exact only when both values are exact and complete.
    """
    query = query or CountQuery(**options)
    if query.grain == REPORTED_GRAIN:
        raise UsageError("changes need a calendar grain", hint=f"Use --grain {', '.join(GRAINS)}.")
    buckets = _buckets(store, query)
    by = list(query.group_by)
    join = "".join(f" AND {{a}}.{d} IS NOT DISTINCT FROM c.{d}" for d in by)
    sql = f"""
    WITH c AS ({_counts_sql(query)}),
    cb AS (SELECT c.*, b.previous_start, b.year_ago_start FROM c JOIN buckets b ON b.period = c.period)
    SELECT c.period, c.period_start, c.period_end, {''.join(f'c.{d}, ' for d in by)}c.measure,
           c.value, c.exact AND c.complete AS exact,
           p.value AS previous_value, (p.exact AND p.complete) AS previous_exact,
           c.value - p.value AS change, (c.value - p.value) / nullif(p.value, 0) AS change_ratio,
           y.value AS year_ago_value, (y.exact AND y.complete) AS year_ago_exact,
           c.value - y.value AS change_from_year_ago,
           (c.value - y.value) / nullif(y.value, 0) AS change_from_year_ago_ratio
    FROM cb c
    LEFT JOIN c p ON p.period_start = c.previous_start{join.format(a='p')}
    LEFT JOIN c y ON y.period_start = c.year_ago_start{join.format(a='y')}
    ORDER BY ALL
    """
    table = _run(store, sql, {"measure": query.measure}, buckets=buckets, crosswalk=crosswalk)
    for column in ("period_start", "period_end"):
        table[column] = pd.to_datetime(table[column]).dt.date
    for column in ("exact", "previous_exact", "year_ago_exact"):
        table[column] = table[column].fillna(False).astype(bool)
    return table


def findings(store: Store, crosswalk: Crosswalk | None = None) -> pd.DataFrame:
    """Data-quality findings: those stored at ingest, then the agency names the crosswalk does not know.

    Columns source, location, kind, message. Agency findings are worked out now, so a crosswalk edit
    changes them without re-ingesting anything.
    """
    stored = store.findings()[["source", "location", "kind", "message"]]
    unmatched = unmatched_agencies(store, crosswalk)
    agency_rows = pd.DataFrame({
        "source": unmatched["sources"], "location": "agency " + unmatched["agency_as_given"].map(repr),
        "kind": "agency_unmatched",
        "message": [f"{name!r} matches no agency in the crosswalk; it is counted as {shown!r}"
                    + (f" ({note})" if isinstance(note, str) else "")
                    + ". Review it with `auditreport agencies unmatched` and add it to agencies.toml."
                    for name, shown, note in zip(unmatched["agency_as_given"], unmatched["agency"],
                                                 unmatched["note"])]})
    return pd.concat([stored, agency_rows], ignore_index=True) if len(agency_rows) else stored


def agency_roster(store: Store, query: CountQuery | None = None, *, crosswalk: Crosswalk | None = None,
                  **options) -> pd.DataFrame:
    """Every searching agency per system: level, hierarchy, how it was matched, the first and last period
    with searches, and its total (exact only when every part is); `new` marks agencies that first appear
    after the system's first period."""
    query = query or CountQuery(**options)
    table = counts(store, CountQuery(("agency",), query.grain, query.measure, query.fiscal_year_start),
                   crosswalk=crosswalk).table
    columns = ["agency", "system", "level", "department", "state", "match_method", "names_as_given", "first_period",
               "last_period", "searches", "exact", "display", "new"]
    table = table[table["agency"].notna()]
    if not len(table):
        return pd.DataFrame(columns=columns)
    searched = table[table["value"].fillna(0) > 0]
    spans = searched.groupby(["agency", "system"]).agg(first_start=("period_start", "min"),
                                                       last_start=("period_start", "max"))
    labels = table.drop_duplicates("period_start").set_index("period_start")["period"]
    totals = table.groupby(["agency", "system"]).agg(searches=("value", "sum"), exact=("exact", "all"),
                                                     low=("value_low", "sum"),
                                                     high=("value_high", lambda h: h.sum() if h.notna().all()
                                                           else math.nan))
    roster = totals.join(spans, how="left").reset_index()
    roster["first_period"] = roster["first_start"].map(labels)
    roster["last_period"] = roster["last_start"].map(labels)
    system_start = table.groupby("system")["period_start"].min()
    roster["new"] = roster["first_start"] > roster["system"].map(system_start)
    names = agency_names(store, crosswalk)
    facts = names.groupby("agency").agg(level=("level", "first"), department=("department", "first"),
                                        state=("state", "first"), match_method=("match_method", "first"),
                                        names_as_given=("agency_as_given", lambda n: "; ".join(sorted(n))))
    roster = roster.join(facts, on="agency")
    roster["display"] = [display_value(row) for row in roster.rename(columns={
        "searches": "value", "low": "value_low", "high": "value_high"}).assign(
        status=roster["exact"].map({True: "reported", False: "mixed"}), estimated=False).itertuples()]
    return roster.sort_values(["system", "searches", "agency"], ascending=[True, False, True])[columns] \
        .reset_index(drop=True)


def unmatched_agencies(store: Store, crosswalk: Crosswalk | None = None) -> pd.DataFrame:
    """Names that match no crosswalk entry, for review: as given, as counted, inferred level, searches, files."""
    names = agency_names(store, crosswalk)
    names = names[names["match_method"] == "unmatched"]
    if not len(names):
        return names.assign(searches=pd.Series(dtype="float64"), sources=pd.Series(dtype=str))
    store.connection.register("unmatched_names", names[["agency_as_given"]])
    try:
        usage = store.query("""
            SELECT o.agency AS agency_as_given,
                   sum(o.value) FILTER (WHERE o.measure = 'searches' AND o.status = 'reported') AS searches,
                   string_agg(DISTINCT s.file_name, '; ' ORDER BY s.file_name) AS sources
            FROM observations o JOIN sources s USING (source_id)
            JOIN unmatched_names u ON u.agency_as_given = o.agency
            GROUP BY o.agency""")
    finally:
        store.connection.unregister("unmatched_names")
    table = names.merge(usage, on="agency_as_given", how="left")
    return table[["agency_as_given", "agency", "state", "level", "qualifiers", "note", "searches", "sources"]]


def sources(store: Store) -> pd.DataFrame:
    return store.sources()


def published_figures(store: Store) -> pd.DataFrame:
    """Observations as published, with their qualifiers and citations: shares, qualified and cited numbers."""
    table = store.query("""
        SELECT o.agency, o.system, o.measure, o.reason_category, o.period_label, o.period_start, o.period_end,
               o.status, o.value, o.value_low, o.value_high, o.qualifier, o.cell_text, o.citation,
               s.file_name AS source, s.sha256, s.request_id, o.row_number
        FROM observations o JOIN sources s USING (source_id)
        WHERE o.citation IS NOT NULL OR o.qualifier <> 'exact' OR o.measure = 'share_of_searches'
        ORDER BY o.period_start, o.measure DESC, o.agency""")
    table["display"] = [row.cell_text if isinstance(row.cell_text, str) and row.cell_text else
                        display_value(row, MEASURES[row.measure].kind) for row in table.itertuples()]
    assert set(table["qualifier"]) <= set(QUALIFIERS)
    return table


__all__ = ["CountQuery", "Counts", "counts", "shares", "changes", "findings", "sources", "published_figures",
           "agency_names", "agency_roster", "unmatched_agencies",
           "display_value", "ALL_GRAINS", "PeriodError"]
