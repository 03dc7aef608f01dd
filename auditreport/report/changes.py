"""What changed: every agency's searches in the period in focus beside the previous period and a year before,
with the changes, whether they are notable by the stated rule (compare.py), and plain-language notes."""
from __future__ import annotations

import pandas as pd

from ..compare import Comparison, compare
from ..wording import change_words, count_words, is_known
from .content import Column, Paragraph, Section, Table, TableView
from .focus import Focus, grain_words, said_row

NOTED_CHANGES = 8   # notable changes spelt out on the first page, per system (the largest)


def change_table(f: Focus) -> pd.DataFrame:
    """Every agency (and all agencies together) of each system in focus, beside the previous period and a year
    before; the comparisons themselves stay in f.cache["comparisons"], by (system, agency or None, key)."""
    if "changes" in f.cache:
        return f.cache["changes"]
    counts = f.by_agency
    rows = []
    comparisons: dict[tuple, Comparison] = {}
    days = {key: (p.end - p.start).days for key, p in (("this", f.period), ("previous", f.previous),
                                                       ("year_ago", f.year_ago))}
    starts = {f.period.start, f.previous.start, f.year_ago.start}
    near = counts[counts["period_start"].isin(starts) & counts["agency"].notna()]
    rows_at = {(row["system"], row["agency"], row["period_start"]): row for row in near.to_dict("records")}
    totals_at = {(row["system"], None, row["period_start"]): row
                 for row in f.totals[f.totals["period_start"].isin(starts)].to_dict("records")}
    rows_at.update(totals_at)
    for system in f.systems:
        agencies = sorted(near[near["system"] == system]["agency"].unique())
        system_large = {}
        for agency in [None, *agencies]:
            at = {key: rows_at.get((system, agency, period.start)) for key, period in
                  (("this", f.period), ("previous", f.previous), ("year_ago", f.year_ago))}
            if all(r is None or not (is_known(r["value"]) and r["value"] > 0 or r["withheld_cells"]
                                     or r["suppressed_cells"]) for r in at.values()):
                continue  # an agency that did not search in any of the three periods
            line = {"system": system, "agency": agency if agency else "All agencies",
                    "level": f.facts_of(agency, "level") if agency else "",
                    "department": f.facts_of(agency, "department") if agency else ""}
            for key, period in (("this", f.period), ("previous", f.previous), ("year_ago", f.year_ago)):
                row = at[key]
                line[f"{key}_period"] = period.label
                if row is None:
                    line.update({f"{key}_searches": None, f"{key}_qualifier": "no data",
                                 f"{key}_in_words": "no data", f"{key}_complete": None})
                    continue
                value, qualifier, words = said_row(row)
                line.update({f"{key}_searches": value, f"{key}_qualifier": qualifier, f"{key}_in_words": words,
                             f"{key}_complete": bool(row["complete"])})
            for key, period in (("previous", f.previous), ("year_ago", f.year_ago)):
                this, other = at["this"], at[key]
                if this is None:
                    compared = Comparison(None, None, period.label, why_not="no data for this period")
                else:
                    compared = compare(this["value"], bool(this["exact"]), bool(this["complete"]), days["this"],
                                       None if other is None else other["value"],
                                       False if other is None else bool(other["exact"]),
                                       False if other is None else bool(other["complete"]), days[key],
                                       period.label, f.rule, other_exists=other is not None)
                comparisons[(system, agency, key)] = compared
                if agency is None:
                    system_large[key] = compared.large
                large = compared.large and system_large.get(key, False)
                line.update({f"change_on_{key}": compared.change, f"change_on_{key}_ratio": compared.ratio,
                             f"change_on_{key}_in_words": compared.change_words(),
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
        table["note"] = [note_of(f, line) for line in table.to_dict("records")]
    f.cache["changes"] = table
    f.cache["comparisons"] = comparisons
    return table


def comparison(f: Focus, system: str, key: str, agency: str | None = None) -> Comparison:
    """The comparison of the period in focus with the previous one (key "previous") or a year before ("year_ago")."""
    change_table(f)
    other = f.previous if key == "previous" else f.year_ago
    return f.cache["comparisons"].get((system, agency, key), Comparison(None, None, other.label, why_not="no data"))


def against_last_complete(f: Focus, system: str) -> str:
    """When the previous period cannot be compared: the change on the last complete one, and whether a change
    that large can mean the data are incomplete ('' when there is nothing to say).

    A log that thins out month by month has no single improbable gap, so each month's completeness rests on
    the one before; a fall of 92 % on the last complete month is said, with the warning, never as a fact."""
    this = f.total_row(system, f.period)
    if this is None or not this["complete"] or not this["exact"] or not is_known(this["value"]):
        return ""
    previous = f.total_row(system, f.previous)
    if previous is not None and previous["complete"] and previous["exact"]:
        return ""  # the previous period can be compared: nothing to fall back on
    totals = f.totals[(f.totals["system"] == system) & (f.totals["period_start"] < f.period.start)
                      & f.totals["complete"] & f.totals["exact"] & f.totals["has_data"]]
    if not len(totals):
        return ""
    last = totals.sort_values("period_start").iloc[-1]
    if not last["value"]:
        return ""
    ratio = (this["value"] - last["value"]) / last["value"]
    words = (f"{change_words(ratio)} on {last['period']}, the last complete {grain_words(f.grain)} "
             f"({count_words(last['value'])})")
    if this["value"] <= f.rule.large_fall * last["value"] or this["value"] >= f.rule.large_rise * last["value"]:
        direction = "fall" if ratio < 0 else "rise"
        words += (f": a {direction} this large can mean that the data are incomplete; confirm with the records "
                  "officer")
    return words


def note_of(f: Focus, line: dict) -> str:
    """A plain-language note for a notable change, and for a change so large that missing data may explain it."""
    notes = []
    if line["agency"] == "All agencies":
        fallback = against_last_complete(f, line["system"])
        if fallback:
            notes.append(fallback)
    for key, when in (("year_ago", "a year ago"), ("previous", f"the previous {grain_words(f.grain)}")):
        ratio = line.get(f"change_on_{key}_ratio")
        if line.get(f"notable_on_{key}") and is_known(ratio):
            notes.append(f"{change_words(ratio)} on {when} ({line[f'{key}_in_words']}), beyond chance")
        if line.get(f"large_on_{key}"):  # set only where the whole system changed as much
            direction = "fall" if line[f"change_on_{key}"] < 0 else "rise"
            notes.append(f"a {direction} this large (against {line[f'{key}_period']}) can mean that the data are "
                         "incomplete; confirm with the records officer")
    return "; ".join(notes)


def notable_notes(f: Focus, system: str) -> list[str]:
    table = change_table(f)
    if not len(table):
        return []
    notes = []
    for line in table[table["system"] == system].to_dict("records"):
        note = line["note"]
        who = "All agencies together" if line["agency"] == "All agencies" else line["agency"]
        if note:
            notes.append(f"{who}: {line['this_in_words']} searches in {f.period.label}; {note}.")
    if len(notes) > NOTED_CHANGES:  # the largest, for a board's first page; every one is in What changed
        more = len(notes) - NOTED_CHANGES
        notes = notes[:NOTED_CHANGES] + [f"{more} more notable change{'s' if more > 1 else ''}: see What changed."]
    return notes


def changes_section(f: Focus) -> Section:
    table = change_table(f)
    columns = (Column("agency", "Agency", width=2.2), Column("level", "Level", width=0.9),
               Column("this_searches", f.period.label, "count", "this_in_words"),
               Column("previous_searches", f.previous.label, "count", "previous_in_words"),
               Column("change_on_previous", "Change", "count", "change_on_previous_in_words", width=1.4),
               Column("year_ago_searches", f.year_ago.label, "count", "year_ago_in_words"),
               Column("change_on_year_ago", "Change", "count", "change_on_year_ago_in_words", width=1.4),
               Column("note", "Note", width=2.4))
    f.review.add_table(Table("what-changed", f"What changed, {f.period.label}", table, columns,
                                sheet="What changed", note=f.rule.describe()))
    blocks: list = [Paragraph(f"Every agency that searched in {f.period.label}, {f.previous.label} or "
                              f"{f.year_ago.label}, with the change on the previous {grain_words(f.grain)} "
                              "and on the same one a year before, largest changes first.", "note")]
    for system in f.systems:
        blocks.append(TableView("what-changed", (("system", system),), system))
    return Section("what-changed", "What changed", blocks)
