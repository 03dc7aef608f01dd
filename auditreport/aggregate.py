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
from .labels import PLACEHOLDER_PATTERN
from .model import DIMENSIONS, MEASURES, QUALIFIERS, measure as measure_named
from .wording import count_words, percent_words, value_words
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
    sql: str = ""  # the query that produced `table` (over `buckets` and `agency_names`, registered beside it)

    def _repr_html_(self) -> str:
        note = ""
        if len(self.left_out):
            note = (f"<p><em>{len(self.left_out)} observation(s) span more than one {self.query.grain} and are "
                    "left out (see <code>.left_out</code>).</em></p>")
        return self.table.to_html(index=False, na_rep="") + note

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        by = ", ".join(self.query.by) or "none"
        periods = self.table["period"].dropna().unique() if "period" in self.table else []
        span = f"{periods[0]} to {periods[-1]}" if len(periods) > 1 else (periods[0] if len(periods) else "none")
        return (f"<{type(self).__name__} {self.query.measure} by {by}, per {self.query.grain}: {len(self.table):,} "
                f"row(s), periods {span}; .table, .wide(), .sql>")

    def wide(self, words: bool = False) -> pd.DataFrame:
        """Groups x periods, the view a spreadsheet user makes first: a row per system and group, a column per
        period in order. Numbers (unknown is empty, never 0), or with `words=True` each number as read, its
        qualifier kept ("at least 1,913", "withheld", "1-10").

        >>> db.counts(by="agency").wide(words=True)        # doctest: +SKIP
        """
        index = ["system", *[d for d in self.query.by if d != "system"]]
        column = "display" if words else "value"
        table = self.table
        if not len(table):
            return pd.DataFrame(columns=index)
        order = table.drop_duplicates("period").sort_values(["period_start", "period_end"])["period"].tolist()
        keys = table[index].astype(object).where(table[index].notna(), "(not known)")
        wide = pd.concat([keys, table[["period", column]]], axis=1).set_index([*index, "period"])[column]
        wide = wide.unstack("period").reindex(columns=order)
        wide.columns.name = None
        return wide.reset_index()


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

# Days of each bucket that an audit log of the system records in full (its coverage: gaps and partial days left out),
# and the bucket's length: columns period, system, days, length.
_LOGGED_DAYS = """
        WITH covered AS (
            SELECT DISTINCT system, unnest(range(period_start, period_end, INTERVAL 1 DAY))::DATE AS day
            FROM coverage WHERE period_end > period_start)
        SELECT b.period, c.system, count(*) AS days,
               datediff('day', any_value(b.bucket_start), any_value(b.bucket_end)) AS length
        FROM covered c JOIN buckets b ON c.day >= b.bucket_start AND c.day < b.bucket_end
        GROUP BY b.period, c.system"""


def source_ids_of(table: pd.DataFrame) -> set[int]:
    """The sources behind the rows of a counts table (its `source_ids` column, '1,3')."""
    ids: set[int] = set()
    for value in table.get("source_ids", pd.Series(dtype=str)).dropna():
        ids.update(int(part) for part in str(value).split(","))
    return ids


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
    reach AS (  -- every bucket with data of the system, and for logs every bucket they record
        SELECT system, min(first) AS first, max(last) AS last FROM (
            SELECT system, min(bucket_start) AS first, max(bucket_end) AS last FROM placed GROUP BY system
            UNION ALL
            SELECT system, min(period_start), max(period_end) FROM coverage
            WHERE period_end > period_start GROUP BY system)
        GROUP BY system
    ),
    series AS ({series}
    ),
    series_days AS (
        SELECT period, {key_list}, count(*) AS parts,
               coalesce(sum(days) FILTER (WHERE status <> 'missing'), 0) AS days
        FROM placed GROUP BY period, {key_list}
    ),
    logged_days AS ({_LOGGED_DAYS}),
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


def _shares_sql(query: CountQuery, within: tuple[str, ...]) -> str:
    """Each group's share of what is known of its period and system (and `within` dimensions), with bounds.

    A group with nothing known has no share (never 0%). The bounds: the least share is the group at its
    least while the others are at their most; the most is the group at its most and the others at their least.
    """
    by = list(query.group_by)
    partition = ", ".join(["period", "system", *[w for w in within if w != "system"]])
    return f"""
    WITH c AS ({_counts_sql(query)}),
    totals AS (
        SELECT c.*, coalesce(value_low, 0) AS low,
               sum(coalesce(value_low, 0)) OVER g AS low_total,
               CASE WHEN count(*) OVER g = count(value_high) OVER g THEN sum(value_high) OVER g END AS high_total,
               sum(coalesce(value, 0)) OVER g AS known_total,
               bool_and(exact AND complete) OVER g AS exact_group
        FROM c WINDOW g AS (PARTITION BY {partition})
    )
    SELECT period, period_start, period_end, {''.join(f'{d}, ' for d in by)}'share_of_searches' AS measure,
           CASE WHEN known_total > 0 AND value IS NOT NULL THEN value / known_total END AS value,
           exact_group AS exact,
           CASE WHEN high_total IS NULL THEN 0
                ELSE coalesce(low / nullif(low + high_total - coalesce(value_high, 0), 0), 0) END AS value_low,
           CASE WHEN value_high IS NULL THEN 1
                ELSE least(1, value_high / nullif(value_high + low_total - low, 0)) END AS value_high,
           complete, estimated, status, reported_cells, withheld_cells, suppressed_cells, missing_cells, source_ids
    FROM totals
    """


def _changes_sql(query: CountQuery) -> str:
    by = list(query.group_by)
    join = "".join(f" AND {{a}}.{d} IS NOT DISTINCT FROM c.{d}" for d in by)
    return f"""
    WITH c AS ({_counts_sql(query)}),
    cb AS (SELECT c.*, b.previous_start, b.year_ago_start FROM c JOIN buckets b ON b.period = c.period)
    SELECT c.period, c.period_start, c.period_end, {''.join(f'c.{d}, ' for d in by)}c.measure,
           c.value, c.exact AND c.complete AS exact, c.complete,
           p.value AS previous_value, (p.exact AND p.complete) AS previous_exact, p.complete AS previous_complete,
           c.value - p.value AS change, (c.value - p.value) / nullif(p.value, 0) AS change_ratio,
           y.value AS year_ago_value, (y.exact AND y.complete) AS year_ago_exact, y.complete AS year_ago_complete,
           c.value - y.value AS change_from_year_ago,
           (c.value - y.value) / nullif(y.value, 0) AS change_from_year_ago_ratio
    FROM cb c
    LEFT JOIN c p ON p.period_start = c.previous_start{join.format(a='p')}
    LEFT JOIN c y ON y.period_start = c.year_ago_start{join.format(a='y')}
    """


def _tidy(table: pd.DataFrame, query: CountQuery, kind: str) -> pd.DataFrame:
    for column in ("period_start", "period_end"):
        table[column] = pd.to_datetime(table[column]).dt.date
    for column in ("exact", "complete", "estimated"):
        table[column] = table[column].fillna(False).astype(bool)
    for column in ("reported_cells", "withheld_cells", "suppressed_cells", "missing_cells"):
        table[column] = table[column].astype("int64")
    for column in ("value", "value_low", "value_high"):
        table[column] = table[column].astype("float64")
    table = table.sort_values(["period_start", "period_end", *query.group_by], kind="stable", na_position="last")
    exact = (table["exact"] & table["value"].notna()).tolist()
    plain = count_words if kind == "count" else percent_words  # an exact number needs no more words than this
    table["display"] = [plain(value) if is_exact else value_words(row, kind)
                        for is_exact, value, row in zip(exact, table["value"].tolist(), table.itertuples())]
    return table.reset_index(drop=True)


display_value = value_words  # the name earlier versions exported


class Analysis:
    """One session of questions to one database.

    The crosswalk matches the store's agency names once (again only after an ingest), the reporting
    calendar of each grain is laid out once, and every answer keeps the SQL that produced it
    (`Counts.sql`), so a number in a report leads to its query in one step.

    >>> analysis = Analysis(store)                                          # doctest: +SKIP
    >>> print(analysis.counts(CountQuery(("federal",), "quarter")).sql)     # doctest: +SKIP
    """

    def __init__(self, store: Store, crosswalk: Crosswalk | None = None):
        self.store = store
        self.crosswalk = crosswalk or project_crosswalk(store.path)
        self._names: tuple[int, pd.DataFrame] | None = None
        self._answers: dict[tuple, object] = {}
        self.runs: list[tuple] = []        # (SQL, parameters, periods) run, in order: what a report cost
        self.names_matched = 0             # times the crosswalk matched the store's names

    def _version(self) -> int:
        """Changes whenever a file is ingested through the store (it is append-only)."""
        return self.store.generation

    def agency_names(self) -> pd.DataFrame:
        """Every searching-agency name in the store, matched against the crosswalk (one row per name)."""
        version = self._version()
        if self._names is None or self._names[0] != version:
            names = [row[0] for row in self.store.connection.execute(
                "SELECT DISTINCT agency FROM observations WHERE agency IS NOT NULL ORDER BY 1").fetchall()]
            table = self.crosswalk.match_names(names)
            table["federal"] = table["federal"].astype("boolean")
            self.names_matched += 1
            self._names = (version, table)
            self._answers.clear()
        return self._names[1]

    def _run(self, sql: str, parameters: dict, buckets: pd.DataFrame) -> pd.DataFrame:
        """Run SQL over the store with the reporting calendar and the agency names registered beside it."""
        connection = self.store.connection
        connection.register("agency_names", self.agency_names())
        connection.register("buckets", buckets)
        self.runs.append((sql, tuple(sorted(parameters.items())), tuple(buckets["period"])))
        try:
            return connection.execute(sql, parameters).df()
        finally:
            connection.unregister("buckets")
            connection.unregister("agency_names")

    def _remember(self, key: tuple, compute):
        self.agency_names()  # clears the answers when the store changed
        if key not in self._answers:
            self._answers[key] = compute()
        return self._answers[key]

    def buckets(self, query: CountQuery) -> pd.DataFrame:
        return self._remember(("buckets", query.grain, query.measure, query.fiscal_year_start),
                              lambda: _buckets(self.store, query))

    def counts(self, query: CountQuery) -> Counts:
        """Counts of one measure by dimensions and grain."""
        def compute() -> Counts:
            buckets = self.buckets(query)
            sql = _counts_sql(query) + " ORDER BY ALL"
            parameters = {"measure": query.measure}
            table = _tidy(self._run(sql, parameters, buckets), query, MEASURES[query.measure].kind)
            left_out = pd.DataFrame() if query.apportion else self.left_out(query)
            return Counts(query, table, left_out, sql)
        return self._remember(("counts", query), compute)

    def left_out(self, query: CountQuery) -> pd.DataFrame:
        """Observations whose period fits in no bucket of the query's grain (the same for every breakdown)."""
        def compute() -> pd.DataFrame:
            left_out = self._run(_left_out_sql(query), {"measure": query.measure}, self.buckets(query))
            for column in ("period_start", "period_end"):
                if len(left_out):
                    left_out[column] = pd.to_datetime(left_out[column]).dt.date
            return left_out
        return self._remember(("left_out", query.grain, query.measure, query.fiscal_year_start), compute)

    def shares(self, query: CountQuery, within: tuple[str, ...] = ()) -> Counts:
        """Each group's share of the total within its period and system (and `within` dimensions).

        A share is exact only when every count in its group is exact and complete; it is a different
        measure and is never added to counts.
        """
        if not MEASURES[query.measure].additive:
            raise UsageError(f"shares are computed from counts, not from {query.measure}",
                             hint="Use --measure searches.")

        def compute() -> Counts:
            buckets = self.buckets(query)
            sql = _shares_sql(query, tuple(within)) + " ORDER BY ALL"
            table = _tidy(self._run(sql, {"measure": query.measure}, buckets), query, "share")
            return Counts(query, table, self.counts(query).left_out, sql)
        return self._remember(("shares", query, tuple(within)), compute)

    def changes(self, query: CountQuery) -> pd.DataFrame:
        """Each value beside the previous period's and the same period a year before, with changes.

        A change is exact only when both values are exact and complete. The SQL is in `.attrs["sql"]`.
        """
        if query.grain == REPORTED_GRAIN:
            raise UsageError("changes need a calendar grain", hint=f"Use --grain {', '.join(GRAINS)}.")

        def compute() -> pd.DataFrame:
            sql = _changes_sql(query) + " ORDER BY ALL"
            table = self._run(sql, {"measure": query.measure}, self.buckets(query))
            for column in ("period_start", "period_end"):
                table[column] = pd.to_datetime(table[column]).dt.date
            for column in ("exact", "complete", "previous_exact", "previous_complete", "year_ago_exact",
                           "year_ago_complete"):
                table[column] = table[column].fillna(False).astype(bool)
            table.attrs["sql"] = sql
            return table
        return self._remember(("changes", query), compute)

    def measures(self) -> set[str]:
        """The measures the store holds numbers of (a question about a measure it lacks needs no query)."""
        return self._remember(("measures",), lambda: {row[0] for row in self.store.connection.execute(
            "SELECT DISTINCT measure FROM observations").fetchall()})

    def system_spans(self, measure: str = "searches") -> pd.DataFrame:
        """Per system, the first and last day with a number (not a missing cell): columns system, first_day, end
        (the day after the last)."""
        def compute() -> pd.DataFrame:
            return self.store.query("""
                SELECT system, min(period_start) AS first_day, max(period_end) AS "end"
                FROM observations WHERE measure = ? AND status <> 'missing' GROUP BY system ORDER BY system""",
                                    [measure])
        return self._remember(("system_spans", measure), compute)

    def source_coverage(self) -> pd.DataFrame:
        """Per source and system: the first and last day with searches, the cells not reported, and for audit logs
        the days recorded in full, in how many stretches, whether the user stated the log complete and its
        retention period (columns source_id, source, reader, system, first_day, last_day, not_reported, measures,
        covered, stretches, stated_complete, retention_days). A source without searches (misuse investigations)
        is described by its other counts."""
        def compute() -> pd.DataFrame:
            return self.store.query("""
                WITH spans AS (
                    SELECT source_id, system, min(period_start) AS first_day, max(period_end) - 1 AS last_day,
                           count(*) FILTER (WHERE status <> 'reported') AS not_reported,
                           string_agg(DISTINCT measure, ',' ORDER BY measure) AS measures
                    FROM observations  -- a source's searches; a source without searches, its other counts
                    WHERE measure = 'searches' OR (measure <> 'share_of_searches' AND source_id NOT IN (
                        SELECT source_id FROM observations WHERE measure = 'searches'))
                    GROUP BY ALL),
                logged AS (
                    SELECT source_id, system, sum(period_end - period_start) AS covered, count(*) AS stretches
                    FROM coverage GROUP BY ALL)
                SELECT s.source_id, s.file_name AS source, s.reader, p.system, p.first_day, p.last_day,
                       p.not_reported, p.measures, l.covered, l.stretches,
                       coalesce(json_extract(s.options, '$.complete')::BOOLEAN, false) AS stated_complete,
                       json_extract(s.options, '$.retention_days')::INTEGER AS retention_days
                FROM spans p JOIN sources s USING (source_id)
                LEFT JOIN logged l ON l.source_id = p.source_id AND l.system = p.system
                ORDER BY s.source_id, p.system""")
        return self._remember(("source_coverage",), compute)

    def covered_days(self, query: CountQuery) -> pd.DataFrame:
        """Per system with an audit log and bucket of the grain: the days the logs record in full (`days`) of
        the bucket's `length` (columns period, system, days, length)."""
        def compute() -> pd.DataFrame:
            sql = _LOGGED_DAYS + " ORDER BY ALL"
            return self._run(sql, {}, self.buckets(query))
        return self._remember(("covered_days", query.grain, query.fiscal_year_start, query.measure), compute)

    def findings(self) -> pd.DataFrame:
        """Data-quality findings: those stored at ingest, then the agency names the crosswalk does not know.

        Columns source, location, kind, message. Agency findings are worked out now, so a crosswalk edit
        changes them without re-ingesting anything.
        """
        stored = self.store.findings()[["source", "location", "kind", "message"]]
        unmatched = self.unmatched_agencies()
        # a placeholder of the screen has its own finding (agency_unreviewed), which says where to look
        unmatched = unmatched[~unmatched["agency_as_given"].str.match(PLACEHOLDER_PATTERN)]
        agency_rows = pd.DataFrame({
            "source": unmatched["sources"], "location": "agency " + unmatched["agency_as_given"].map(repr),
            "kind": "agency_unmatched",
            "message": [f"{name!r} matches no agency in the crosswalk; it is counted as {shown!r}"
                        + (f" ({note})" if isinstance(note, str) else "")
                        + ". Review it with `auditreport agencies unmatched` and add it to agencies.toml."
                        for name, shown, note in zip(unmatched["agency_as_given"], unmatched["agency"],
                                                     unmatched["note"])]})
        return pd.concat([stored, agency_rows], ignore_index=True) if len(agency_rows) else stored

    def agency_roster(self, query: CountQuery) -> pd.DataFrame:
        """Every searching agency per system: level, hierarchy, how it was matched, the first and last period
        with searches, and its total (exact only when every part is).

        `new` marks an agency whose first searches come after a complete period of its system's data: only
        then does "searching for the first time" mean something (a one-day partial period before the first
        full quarter does not count).
        """
        grain_query = CountQuery(("agency",), query.grain, query.measure, query.fiscal_year_start)
        table = self.counts(grain_query).table
        columns = ["agency", "system", "level", "department", "state", "match_method", "names_as_given",
                   "first_period", "last_period", "searches", "exact", "display", "new"]
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
        system_totals = self.counts(CountQuery((), query.grain, query.measure, query.fiscal_year_start)).table
        first_complete = system_totals[system_totals["complete"]].groupby("system")["period_start"].min()
        roster["new"] = roster["first_start"] > roster["system"].map(first_complete)
        names = self.agency_names()
        facts = names.groupby("agency").agg(level=("level", "first"), department=("department", "first"),
                                            state=("state", "first"), match_method=("match_method", "first"),
                                            names_as_given=("agency_as_given", lambda n: "; ".join(sorted(n))))
        roster = roster.join(facts, on="agency")
        roster["display"] = [value_words(row) for row in roster.rename(columns={
            "searches": "value", "low": "value_low", "high": "value_high"}).assign(
            status=roster["exact"].map({True: "reported", False: "mixed"}), estimated=False).itertuples()]
        return roster.sort_values(["system", "searches", "agency"], ascending=[True, False, True])[columns] \
            .reset_index(drop=True)

    def unmatched_agencies(self) -> pd.DataFrame:
        """Names that match no crosswalk entry, for review: as given, as counted, inferred level, searches, files."""
        names = self.agency_names()
        names = names[names["match_method"] == "unmatched"]
        if not len(names):
            return names.assign(searches=pd.Series(dtype="float64"), sources=pd.Series(dtype=str))[
                ["agency_as_given", "agency", "state", "level", "qualifiers", "note", "searches", "sources"]]
        self.store.connection.register("unmatched_names", names[["agency_as_given"]])
        try:
            usage = self.store.query("""
                SELECT o.agency AS agency_as_given,
                       sum(o.value) FILTER (WHERE o.measure = 'searches' AND o.status = 'reported') AS searches,
                       string_agg(DISTINCT s.file_name, '; ' ORDER BY s.file_name) AS sources
                FROM observations o JOIN sources s USING (source_id)
                JOIN unmatched_names u ON u.agency_as_given = o.agency
                GROUP BY o.agency""")
        finally:
            self.store.connection.unregister("unmatched_names")
        table = names.merge(usage, on="agency_as_given", how="left")
        return table[["agency_as_given", "agency", "state", "level", "qualifiers", "note", "searches", "sources"]]

    def published_figures(self) -> pd.DataFrame:
        """Observations as published, with their qualifiers and citations: shares, qualified and cited numbers."""
        table = self.store.query("""
            SELECT o.agency, o.system, o.measure, o.reason_category, o.period_label, o.period_start, o.period_end,
                   o.status, o.value, o.value_low, o.value_high, o.qualifier, o.cell_text, o.citation,
                   s.file_name AS source, s.sha256, s.request_id, o.row_number
            FROM observations o JOIN sources s USING (source_id)
            WHERE o.citation IS NOT NULL OR o.qualifier <> 'exact' OR o.measure = 'share_of_searches'
            ORDER BY o.period_start, o.measure DESC, o.agency""")
        table["display"] = [row.cell_text if isinstance(row.cell_text, str) and row.cell_text else
                            value_words(row, MEASURES[row.measure].kind) for row in table.itertuples()]
        assert set(table["qualifier"]) <= set(QUALIFIERS)
        return table


# -- the same questions as functions of a store (each call is its own session) ----------------------------
def agency_names(store: Store, crosswalk: Crosswalk | None = None) -> pd.DataFrame:
    """Every searching-agency name in the store, matched against the crosswalk (one row per name)."""
    return Analysis(store, crosswalk).agency_names()


def counts(store: Store, query: CountQuery | None = None, *, crosswalk: Crosswalk | None = None,
           **options) -> Counts:
    """Counts of one measure by dimensions and grain.

    >>> counts(store, by=("agency",), grain="fiscal_year").table  # doctest: +SKIP
    """
    return Analysis(store, crosswalk).counts(query or CountQuery(**options))


def shares(store: Store, query: CountQuery | None = None, *, within: tuple[str, ...] = (),
           crosswalk: Crosswalk | None = None, **options) -> Counts:
    """Each group's share of the total within its period (and `within` dimensions), from counts."""
    return Analysis(store, crosswalk).shares(query or CountQuery(**options), within)


def changes(store: Store, query: CountQuery | None = None, *, crosswalk: Crosswalk | None = None,
            **options) -> pd.DataFrame:
    """Each value beside the previous period's and the same period a year before, with changes."""
    return Analysis(store, crosswalk).changes(query or CountQuery(**options))


def findings(store: Store, crosswalk: Crosswalk | None = None) -> pd.DataFrame:
    return Analysis(store, crosswalk).findings()


def agency_roster(store: Store, query: CountQuery | None = None, *, crosswalk: Crosswalk | None = None,
                  **options) -> pd.DataFrame:
    return Analysis(store, crosswalk).agency_roster(query or CountQuery(**options))


def unmatched_agencies(store: Store, crosswalk: Crosswalk | None = None) -> pd.DataFrame:
    return Analysis(store, crosswalk).unmatched_agencies()


def sources(store: Store) -> pd.DataFrame:
    return store.sources()


def published_figures(store: Store) -> pd.DataFrame:
    return Analysis(store).published_figures()


__all__ = ["Analysis", "CountQuery", "Counts", "counts", "source_ids_of", "shares", "changes", "findings", "sources",
           "published_figures", "agency_names", "agency_roster", "unmatched_agencies",
           "display_value", "ALL_GRAINS", "PeriodError"]
