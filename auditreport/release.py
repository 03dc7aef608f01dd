"""What a published report may say: every count it asks for, under a disclosure policy, settled as one problem.

A report asks its questions twice. The first time (`ReleasedAnalysis` recording) it gets the true answers and
every question is noted. `settle()` then lays out the base cells of the searches that come from row-level
audit logs (agency x period x reason category x search type x on-whose-behalf, per system and measure, at the
report's grain), turns every row of every noted question into a published sum of base cells, and runs the
primary and complementary suppression of `disclose.suppress` over all of them together, with its audit. The
second time the report gets the released answers: a protected sum reads "1-10" (status `suppressed`), a
complementary one "withheld", shares and changes are computed from released values only and rounded, and
anything that was not settled is refused rather than published.

Count tables are published records: their numbers pass through as given (their own "<10" stays theirs).
Non-additive measures (distinct users) are never added up, so a small one is shown as a range and needs no
partner.

>>> analysis = ReleasedAnalysis(store, POLICIES["standard"])   # doctest: +SKIP
>>> build_review(analysis); analysis.settle(); review = build_review(analysis)   # doctest: +SKIP
"""
from __future__ import annotations

import math
import re

import pandas as pd

from .aggregate import Analysis, CountQuery, Counts
from .agencies import Crosswalk
from .disclose import POLICIES, Policy, Suppression, suppress
from .errors import UsageError
from .model import MEASURES
from .store import Store

# The breakdown of the base cells: every stored dimension and the crosswalk's facts about the agency (which
# split nothing: they follow the agency).
BASE_BY = ("agency", "reason_category", "query_type", "on_behalf_of", "parent", "department", "level", "state",
           "federal")
_NONE = "\x00none"  # stands for an unknown dimension value in a key (NaN never equals itself)

# Columns that tell more than a released number (bounds, how many stored parts a number has): never published
# when the policy protects anything.
DISCLOSIVE_COLUMNS = ("value_low", "value_high", "reported_cells", "withheld_cells", "suppressed_cells",
                      "missing_cells")


def policy_named(name: str | Policy, threshold: int | None = None) -> Policy:
    """A policy by name; `threshold` changes which counts are small (1 to it), with a protection width of half
    of it (1-10 and 5 by default)."""
    if isinstance(name, Policy):
        return name
    if name not in POLICIES:
        raise UsageError(f"unknown disclosure policy {name!r}", hint=f"Use one of: {', '.join(POLICIES)}.")
    policy = POLICIES[name]
    if threshold is None or not policy.protects or threshold == policy.threshold:
        return policy
    if not isinstance(threshold, int) or isinstance(threshold, bool) or not 2 <= threshold <= 1000:
        raise UsageError(f"the small-count threshold must be a whole number from 2 to 1000, not {threshold!r}",
                         hint="The standard rule protects counts of 1 to 10 (--threshold 10).")
    return Policy(policy.name, threshold, threshold / 2)


class ReleasedAnalysis(Analysis):
    """An Analysis whose answers are what the policy lets a report publish (after `settle`)."""

    def __init__(self, store: Store, policy: Policy, crosswalk: Crosswalk | None = None):
        super().__init__(store, crosswalk)
        self.policy = policy
        self.asked: dict[tuple, CountQuery] = {}    # counts questions whose rows are published
        self._bypass = False                        # true answers for what publishes no count (the roster)
        self.decision: Suppression | None = None
        self._status: dict[tuple, str] = {}         # published sum -> "primary" | "withheld" | "released"
        self.sum_count = 0

    # -- which systems are protected -------------------------------------------------------------------
    def protected_systems(self) -> set[str]:
        """Systems with searches from row-level audit logs (their counts are ours to protect)."""
        if not self.policy.protects:
            return set()
        return self._remember(("protected_systems",), lambda: {row[0] for row in self.store.connection.execute(
            "SELECT DISTINCT system FROM coverage").fetchall()})

    @property
    def settled(self) -> bool:
        return self.decision is not None

    # -- the questions ------------------------------------------------------------------------------------
    def counts(self, query: CountQuery) -> Counts:
        true = super().counts(query)
        if self._bypass:
            return true
        if not self.settled:
            self.asked.setdefault(("counts", query), query)
            return true
        return Counts(query, self._mask(query, true.table), true.left_out, true.sql)

    def shares(self, query: CountQuery, within: tuple[str, ...] = ()) -> Counts:
        true = super().shares(query, within)
        denominator = CountQuery(tuple(w for w in within if w != "system"), query.grain, query.measure,
                                 query.fiscal_year_start)
        if not self.settled:
            self.asked.setdefault(("counts", query), query)
            self.asked.setdefault(("counts", denominator), denominator)
            return true
        if not self._touches(true.table):
            return true
        parts = self.counts(query).table
        totals = self.counts(denominator).table
        return Counts(query, self._released_shares(query, denominator, true.table, parts, totals),
                      true.left_out, true.sql)

    def changes(self, query: CountQuery) -> pd.DataFrame:
        true = super().changes(query)
        if not self.settled:
            self.asked.setdefault(("counts", query), query)
            return true
        if not self._touches(true):
            return true
        return self._released_changes(query, true)

    def agency_roster(self, query: CountQuery) -> pd.DataFrame:
        """The roster from the true counts: it publishes no count, only the first and last period with searches,
        which says no more than a released "1-10" does (every hidden count is at least 1)."""
        self._bypass = True
        try:
            return super().agency_roster(query)
        finally:
            self._bypass = False

    def findings(self) -> pd.DataFrame:
        """Findings as a report may print them: no day-level count (a partial day's searches), and a count of
        distinct users of 1 to the threshold as its range."""
        table = super().findings()
        if not self.protected_systems() or not len(table):
            return table
        table = table.copy()
        partial = table["kind"] == "partial_day"
        table.loc[partial, "message"] = table.loc[partial, "message"].str.replace(
            r" with [\d,]+ searche?s?,", " with fewer searches than usual,", regex=True)
        users = table["kind"] == "distinct_users"
        threshold, words = self.policy.threshold, self.policy.range_words()
        table.loc[users, "message"] = [
            re.sub(r"^(\d+) distinct", lambda m: (f"{words} distinct" if 1 <= int(m.group(1)) <= threshold
                                                  else m.group(0)), message)
            for message in table.loc[users, "message"]]
        return table

    # -- settling ---------------------------------------------------------------------------------------
    def settle(self) -> Suppression:
        """Solve primary and complementary suppression over every published sum asked so far, and audit it."""
        protected = self.protected_systems()
        values: list[float] = []
        sums: dict[tuple, list[int]] = {}
        bases: dict[tuple, pd.DataFrame] = {}

        def base_of(grain: str, measure: str, fy: int) -> pd.DataFrame:
            if (grain, measure, fy) not in bases:
                table = super(ReleasedAnalysis, self).counts(CountQuery(BASE_BY, grain, measure, fy)).table
                table = table[table["system"].isin(protected) & table["value"].notna()].copy()
                table["cell"] = range(len(values), len(values) + len(table))
                values.extend(table["value"].astype(float).tolist())
                for column in ("system", "period", *BASE_BY):
                    table[column] = _normalised(table[column])
                bases[(grain, measure, fy)] = table
            return bases[(grain, measure, fy)]

        for query in self.asked.values():
            if not MEASURES[query.measure].additive or not protected:
                continue
            base = base_of(query.grain, query.measure, query.fiscal_year_start)
            keys = ["system", "period", *query.by]
            cells = base.groupby(keys, sort=False)["cell"].agg(list).to_dict() if len(base) else {}
            table = super().counts(query).table
            table = table[table["system"].isin(protected) & table["value"].notna() & _published(query, table)]
            for key_values in zip(*[_normalised(table[k]) for k in keys]):
                key = _key(query, key_values)
                members = cells.get(tuple(key_values) if len(keys) > 1 else key_values[0], [])
                if members:
                    sums[key] = members
        self.sum_count = len(sums)
        decision = suppress(values, sums, self.policy)
        if not decision.passed:
            weak = [str(key) for key, *_, ok in decision.audit if not ok][:3]
            raise UsageError("the report's small counts cannot be protected: even with every linked number "
                             f"withheld, {len(weak)} could still be worked out", hint="Report at a coarser grain "
                             "(--grain year), or review the audit beside an internal report made with "
                             "--disclosure none --confirm-unprotected.")
        self.decision = decision
        for key in sums:
            self._status[key] = ("primary" if key in decision.primary - decision.unranged else
                                 "withheld" if key in decision.suppressed else "released")
        self._answers.clear()
        return decision

    def audit_frame(self) -> pd.DataFrame:
        """The audit (cell, value, feasible_min, feasible_max, protected) with each cell in words: private."""
        frame = self.decision.audit_frame() if self.decision else Suppression(set(), set()).audit_frame()
        frame["status"] = [self._status.get(key, "") for key in frame["cell"]]
        frame["cell"] = [_cell_words(key) for key in frame["cell"]]
        return frame

    # -- masking ------------------------------------------------------------------------------------------
    def _touches(self, table: pd.DataFrame) -> bool:
        return bool(len(table)) and "system" in table and table["system"].isin(self.protected_systems()).any()

    def _statuses(self, query: CountQuery, table: pd.DataFrame) -> list[str]:
        """The release status of each row of a counts table ('' for rows outside the protected systems)."""
        if MEASURES[query.measure].additive and ("counts", query) not in self.asked:
            raise AssertionError(f"a question was not settled before release: {query}")  # a developer's slip
        protected = self.protected_systems()
        keys = ["system", "period", *query.by]
        statuses = []
        inside = table["system"].isin(protected).tolist()
        values = table["value"].tolist()
        printed = _published(query, table).tolist()
        for row_in, value, row_printed, key_values in zip(inside, values, printed,
                                                          zip(*[_normalised(table[k]) for k in keys])):
            if not row_in or value != value:
                statuses.append("")
            elif not row_printed:  # never printed; if it were, it would say nothing
                statuses.append("withheld" if value else "")
            elif not MEASURES[query.measure].additive:  # distinct users: never added up, so no partner needed
                statuses.append("primary" if 1 <= value <= self.policy.threshold else "")
            else:  # a row without base cells holds nothing to protect; if it holds a number, fail closed
                statuses.append(self._status.get(_key(query, key_values), "released" if value == 0 else "withheld"))
        return statuses

    def _mask(self, query: CountQuery, table: pd.DataFrame) -> pd.DataFrame:
        if not self._touches(table):
            return table
        table = table.copy()
        statuses = self._statuses(query, table)
        hidden = pd.Series([s in ("primary", "withheld") for s in statuses], index=table.index)
        primary = pd.Series([s == "primary" for s in statuses], index=table.index)
        table.loc[hidden, ["value", "value_low", "value_high"]] = math.nan
        table.loc[primary, "value_low"] = 1.0
        table.loc[primary, "value_high"] = float(self.policy.threshold)
        table.loc[hidden, "exact"] = False
        table.loc[hidden, "estimated"] = False
        table.loc[primary, "status"] = "suppressed"
        table.loc[hidden & ~primary, "status"] = "withheld"
        table.loc[hidden, ["reported_cells", "missing_cells"]] = 0
        table.loc[primary, ["suppressed_cells", "withheld_cells"]] = [1, 0]
        table.loc[hidden & ~primary, ["suppressed_cells", "withheld_cells"]] = [0, 1]
        table.loc[primary, "display"] = self.policy.range_words()
        table.loc[hidden & ~primary, "display"] = "withheld"
        return table

    def _released_shares(self, query: CountQuery, denominator: CountQuery, true: pd.DataFrame,
                         parts: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
        """Shares from released counts only: withheld when the part or its total is not released; rounded to
        whole percent."""
        from .wording import percent_words

        keys = ["period", "system", *query.by]
        within = ["period", "system", *denominator.by]
        released = parts[keys + ["value", "status"]].rename(columns={"value": "part", "status": "part_status"})
        total = totals[within + ["value", "status"]].rename(columns={"value": "total", "status": "total_status"})
        table = true.merge(released, on=keys, how="left").merge(total, on=within, how="left")
        protected = table["system"].isin(self.protected_systems())
        hidden = protected & (table["part_status"].isin(["suppressed", "withheld"])
                              | table["total_status"].isin(["suppressed", "withheld"]))
        share = (table["part"] / table["total"].where(table["total"] > 0)).round(2)
        table.loc[protected, "value"] = share[protected]
        table.loc[protected, ["value_low", "value_high"]] = math.nan
        table.loc[protected & ~hidden, "display"] = [
            percent_words(part / whole) if whole and whole > 0 and part == part else "not known"
            for part, whole in zip(table.loc[protected & ~hidden, "part"], table.loc[protected & ~hidden, "total"])]
        table.loc[hidden, "value"] = math.nan
        table.loc[hidden, "exact"] = False
        table.loc[hidden, "status"] = "withheld"
        table.loc[hidden, "display"] = "withheld"
        return table[true.columns].reset_index(drop=True)

    def _released_changes(self, query: CountQuery, true: pd.DataFrame) -> pd.DataFrame:
        """Changes between released counts only: a change with a hidden side is withheld; ratios rounded."""
        released = self.counts(query).table
        by = list(query.group_by)
        hidden = released[released["status"].isin(["suppressed", "withheld"])
                          & released["system"].isin(self.protected_systems())]
        hidden_keys = {tuple(_normalised_row(row, ["period_start", *by])) for _, row in hidden.iterrows()}
        buckets = self.buckets(query).set_index("period")
        table = true.copy()
        previous = table["period"].map(buckets["previous_start"])
        year_ago = table["period"].map(buckets["year_ago_start"])

        def is_hidden(starts) -> pd.Series:
            return pd.Series([tuple(_normalised_row(row, by, start=start)) in hidden_keys
                              for start, (_, row) in zip(starts, table.iterrows())], index=table.index)

        now = is_hidden(table["period_start"])
        before = is_hidden([s.date() if isinstance(s, pd.Timestamp) else s for s in previous])
        ago = is_hidden([s.date() if isinstance(s, pd.Timestamp) else s for s in year_ago])
        table.loc[now, ["value", "exact"]] = [math.nan, False]
        table.loc[before, ["previous_value", "previous_exact"]] = [math.nan, False]
        table.loc[ago, ["year_ago_value", "year_ago_exact"]] = [math.nan, False]
        table.loc[now | before, ["change", "change_ratio"]] = math.nan
        table.loc[now | ago, ["change_from_year_ago", "change_from_year_ago_ratio"]] = math.nan
        for column in ("change_ratio", "change_from_year_ago_ratio"):
            table[column] = table[column].round(2)
        table.attrs["sql"] = true.attrs.get("sql", "")
        return table


def _published(query: CountQuery, table: pd.DataFrame) -> pd.Series:
    """The rows of a counts table a report can print: searches run for no named agency are never printed (only
    those run for another agency are), so they are not published sums."""
    if "on_behalf_of" in query.by:
        return table["on_behalf_of"].notna()
    return pd.Series(True, index=table.index)


def _norm(value):
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return _NONE
    return value.item() if hasattr(value, "item") else value


def _normalised(column: pd.Series) -> list:
    return [_norm(value) for value in column.astype(object).tolist()]


def _normalised_row(row: pd.Series, columns: list[str], start=None) -> list:
    values = [_norm(row[c]) for c in columns]
    if start is not None:
        values = [start, *values]
    return values


def _key(query: CountQuery, key_values) -> tuple:
    """A published sum: a row of a counts question (its dimensions, grain and measure, the row's values)."""
    return ("counts", query.grain, query.measure, query.fiscal_year_start, query.by, *key_values)


def _cell_words(key: tuple) -> str:
    """'searches by agency, reason_category / quarter 2025-Q4 / Flock / ICE HSI / immigration'."""
    _, grain, measure, _, by, system, period, *values = key
    what = " x ".join(f"{d}={v if v != _NONE else 'not known'}" for d, v in zip(by, values)) or "all agencies"
    return f"{measure} in {system}, {period} ({grain}): {what}"


__all__ = ["BASE_BY", "DISCLOSIVE_COLUMNS", "ReleasedAnalysis", "policy_named"]


def disclosure_words(analysis: Analysis) -> str:
    """The method's sentence on small numbers: the rule, and how many numbers it hid."""
    if not isinstance(analysis, ReleasedAnalysis):
        return ""
    policy = analysis.policy
    logged = sorted({row[0] for row in analysis.store.connection.execute(
        "SELECT DISTINCT system FROM coverage").fetchall()})
    if not logged:
        return ("Every number comes from count tables, which are published records; they are shown as given, with "
                "their own small-number marks (such as \"<10\").")
    if not policy.protects:
        return ("NOT PROTECTED: this report was made with --disclosure none, so small counts from row-level audit "
                f"logs ({', '.join(logged)}) are shown exactly. It is for internal use and must not be published.")
    decision = analysis.decision
    primary = len(decision.primary) if decision else 0
    withheld = len(decision.suppressed) - primary if decision else 0
    return (f"Counts from row-level audit logs ({', '.join(logged)}) follow the '{policy.name}' rule: a count of "
            f"1 to {policy.threshold} searches reads \"{policy.range_words()}\" ({primary:,} number(s) of "
            f"{analysis.sum_count:,} published), and {withheld:,} more read \"withheld\" so that none of them can be "
            "worked out from totals, other breakdowns, shares or changes. Shares and changes use released numbers "
            "only. An audit (a linear program over every published number) confirms that each protected count could "
            f"be anything in a range at least {policy.width:g} wide. Count tables are published records and are "
            "shown as given.")


def disclosure_note(analysis: Analysis) -> tuple[str, str] | None:
    """A line at the top of the report: how small counts are shown, or that they are not protected."""
    if not isinstance(analysis, ReleasedAnalysis) or not analysis.store.row("SELECT count(*) FROM coverage")[0]:
        return None
    if not analysis.policy.protects:
        return ("NOT FOR PUBLICATION: small counts from audit logs are shown exactly (--disclosure none).", "lede")
    return (f"Small counts from audit logs read \"{analysis.policy.range_words()}\", and some others \"withheld\", "
            "so that no search can be traced to a person; see Method.", "note")


__all__ += ["disclosure_note", "disclosure_words"]
