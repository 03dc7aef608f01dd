"""Measures other than searches (misuse investigations, violations, accounts with access, hits), as count tables
give them: one table per system, by agency and the periods the source gave, each measure in a column of its own.

They are never added to searches or to one another, and an agency that did not report reads "not reported",
never 0. Count tables are published records, so their numbers are shown as given.
"""
from __future__ import annotations

from ..model import MEASURES, MISSING
from ..periods import REPORTED_GRAIN
from ..aggregate import CountQuery
from .content import Column, Paragraph, Section, Table, TableView
from .focus import Focus, api_call

# Counts of something other than searches that count tables name by their header words
OTHER_MEASURES = tuple(m.name for m in MEASURES.values()
                       if m.kind == "count" and m.unit != "searches" and m.header_words)


def measure_words(names: list[str]) -> str:
    """Measures in words for a reader: ["misuse_investigations", "violations"] -> "misuse investigations and
    violations"."""
    units = [name.replace("_", " ") for name in names]
    return units[0] if len(units) == 1 else ", ".join(units[:-1]) + " and " + units[-1]


def other_measures_section(f: Focus) -> Section | None:
    """The section, or None when no source gives a measure other than searches."""
    present = [name for name in OTHER_MEASURES if name in f.analysis.measures()]
    if not present:
        return None
    parts = []
    for name in present:
        table = f.ask(("agency",), measure=name, grain=REPORTED_GRAIN)
        table = table[table["agency"].notna()]
        words = table["display"].where(table["status"] != MISSING, "not reported")
        parts.append(table[["system", "agency", "period", "period_start"]].assign(
            **{name: table["value"], f"{name}_in_words": words}))
    data = parts[0]
    for part in parts[1:]:
        data = data.merge(part, on=["system", "agency", "period", "period_start"], how="outer")
    for name in present:  # a measure a source does not give for a row at all: not given, not zero
        data[f"{name}_in_words"] = data[f"{name}_in_words"].fillna("not given")
    data = data.sort_values(["system", "agency", "period_start"]).reset_index(drop=True)
    yearly = data["period"].astype(str).str.fullmatch(r"\d{4}").all()
    period_word = "year" if yearly else "period"
    columns = (Column("agency", "Agency", width=2.6), Column("period", period_word.capitalize(), width=0.8),
               *(Column(name, measure_words([name]).capitalize(), "count", f"{name}_in_words") for name in present))
    words = measure_words(present)
    title = f"{words.capitalize()} by agency and {period_word}"
    f.review.add_table(Table("other-measures", title, data.drop(columns=["period_start"]), columns,
                             sheet="Other measures"))
    calls = ", ".join(api_call("counts", CountQuery(("agency",), REPORTED_GRAIN, name, f.fy)) for name in present)
    blocks: list = [Paragraph(
        f"Counts of other things than searches, as the sources give them ({words}), per agency and "
        f"{period_word}. They are never added to searches, nor to one another. An agency that did not report a "
        f"{period_word} reads \"not reported\", never 0. Count tables are published records, shown as given. "
        f"Query: {calls}.", "note")]
    for system in sorted(data["system"].unique()):
        measured = [name for name in present if data.loc[data["system"] == system, name].notna().any()
                    or (data.loc[data["system"] == system, f"{name}_in_words"] == "not reported").any()]
        blocks.append(TableView("other-measures", (("system", system),),
                                f"{system}: {measure_words(measured)} by agency and {period_word}"))
    return Section("other-measures", words.capitalize(), blocks)


def other_measures_note(f: Focus) -> Paragraph | None:
    """At a glance: where the counts of other things than searches are, and that they are not searches."""
    present = [name for name in OTHER_MEASURES if name in f.analysis.measures()]
    if not present:
        return None
    systems = sorted({system for name in present for system in f.analysis.system_spans(name)["system"]})
    words = measure_words(present)
    return Paragraph(f"{'; '.join(systems)}: {words}, not searches, are under \"{words.capitalize()}\" (never "
                     "added to searches).", "note")
