"""The parts after the charts: who searched, why (the reasons given), published figures as context, data quality
(what each source covers, findings in plain words) and the method and sources; and the big tables the
spreadsheet and the CSVs carry whole."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..aggregate import CountQuery
from ..model import FINDING_KINDS
from ..periods import Period, describe
from ..read.log_coverage import RULE as COVERAGE_RULE
from ..release import disclosure_words
from ..screen import redact
from .content import Column, Paragraph, Section, Table, TableView
from .focus import Focus, grain_words, qualifiers, searched
from .glance import vague_table
from .measures import measure_words


def build_tables(f: Focus) -> None:
    """The tables every format carries whole (XLSX sheets, CSV files)."""
    counts = f.by_agency[f.by_agency["agency"].notna()].copy()
    counts["level"] = counts["agency"].map(f.agency_facts["level"])
    counts["department"] = counts["agency"].map(f.agency_facts["department"])
    counts["qualifier"] = qualifiers(counts)
    data = counts[["system", "period", "period_start", "period_end", "agency", "level", "department", "value",
                   "qualifier", "display", "exact", "complete", "status", "source_ids"]].rename(
        columns={"value": "searches", "display": "searches_in_words"})
    f.review.add_table(Table("counts-by-period", f"Searches by agency and {grain_words(f.grain)}, "
                                "every period", data, (), sheet="Counts by period",
                                note="Every agency and period of every source; 'complete' says whether the "
                                     "data cover the whole period.",
                                sheet_columns=("system", "period", "period_start", "agency", "level",
                                               "department", "searches", "qualifier", "searches_in_words",
                                               "complete", "source_ids")))


def agencies_section(f: Focus) -> Section:
    roster = f.roster()
    focus = f.by_agency[(f.by_agency["period_start"] == f.period.start) & f.by_agency["agency"].notna()]
    table = roster[roster["system"].isin(f.systems)].merge(
        focus[["system", "agency", "value", "display", "status"]].rename(
            columns={"value": "searches_in_period", "display": "searches_in_period_in_words"}),
        on=["system", "agency"], how="left")
    table = table[searched(table, "searches_in_period") | table["new"]]
    table = table.assign(first_time=table["new"] & (table["first_period"] == f.period.label))
    table = table.sort_values(["system", "searches_in_period", "agency"], ascending=[True, False, True],
                              na_position="last")
    data = table[["system", "agency", "level", "department", "state", "searches_in_period",
                  "searches_in_period_in_words", "first_period", "last_period", "first_time", "match_method"]]
    data = data.assign(first_time=data["first_time"].map({True: "yes", False: ""}))
    columns = (Column("agency", "Agency", width=2.4), Column("level", "Level"), Column("department", "Department",
                                                                                       width=1.6),
               Column("state", "State", width=0.6),
               Column("searches_in_period", f"Searches, {f.period.label}", "count",
                      "searches_in_period_in_words"),
               Column("first_period", "First searched"), Column("first_time", "First time", width=0.7),
               Column("match_method", "Name matched by", width=0.9))
    f.review.add_table(Table("agencies", f"Every agency that searched in {f.period.label}", data, columns,
                                sheet="Agencies"))
    blocks: list = [Paragraph(
        "Each searching agency as the crosswalk names it, with its level of government and department. Names the "
        "crosswalk does not know are kept as given (tidied) and listed under Data quality; add them to "
        "agencies.toml. \"First time\": the agency's first searches fall in this period, after a complete period "
        "of the system's data.", "note")]
    for system in f.systems:
        blocks.append(TableView("agencies", (("system", system),), system))
    return Section("agencies", "Who searched", blocks)


def reasons_section(f: Focus) -> Section:
    systems = [s for s in f.systems if f.has_reasons(s)]
    counts = f.ask(("reason_category",))
    shares = f.ask_shares(("reason_category",))
    data = counts[counts["system"].isin([s for s in set(counts["system"]) if f.has_reasons(s)])].merge(
        shares[["period", "system", "reason_category", "value", "display"]].rename(
            columns={"value": "share", "display": "share_in_words"}),
        on=["period", "system", "reason_category"], how="left")
    data = data.assign(qualifier=qualifiers(data), reason_category=data["reason_category"].fillna("not given"))
    data = data[["system", "period", "period_start", "reason_category", "value", "qualifier", "display", "share",
                 "share_in_words", "complete"]].rename(columns={"value": "searches",
                                                                "display": "searches_in_words"})
    f.review.add_table(Table("by-reason-category", "Searches by reason category, every period", data, (),
                                sheet="By reason category"))
    vague = vague_table(f) if systems else pd.DataFrame(columns=["system"])
    columns = (Column("agency", "Agency", width=2.4),
               Column("searches", f"Searches, {f.period.label}", "count", "searches_in_words"),
               Column("vague", "With a vague reason", "count", "vague_in_words"),
               Column("vague_share", "Share vague", "share", "vague_share_in_words"))
    f.review.add_table(Table("vague-reasons-by-agency", f"Vague reasons by agency, {f.period.label}", vague,
                                columns, sheet="Vague reasons by agency"))
    focus = data[data["period_start"] == f.period.start]
    f.review.add_table(Table("reasons-in-period", f"Reason categories, {f.period.label}", focus, (
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
        blocks.append(Paragraph(f"No source with data for {f.period.label} gives reasons.", "note"))
    return Section("reasons", "Why: the reasons given", blocks)


def context_section(f: Focus) -> Section:
    published = f.analysis.published_figures()
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
    f.review.add_table(Table("published-figures", "Published figures", data, columns,
                                sheet="Published figures"))
    return Section("context", "Context: published figures", [
        Paragraph("Figures published by others, for other places and periods, as they were published (with "
                  "their qualifiers). They are not this period's numbers and are never added to them.", "note"),
        TableView("published-figures", (), "", empty="No published figures were ingested.")])


def quality_section(f: Focus) -> Section:
    coverage = coverage_table(f)
    columns = (Column("source", "Source", width=2.2), Column("system", "System", width=1.8),
               Column("first_day", "First day"), Column("last_day", "Last day"),
               Column("what_it_covers", "What it covers", width=2.6))
    f.review.add_table(Table("coverage", "What each source covers", coverage, columns, sheet="Coverage"))
    findings = f.analysis.findings()
    findings = findings.assign(what=[FINDING_KINDS[k].title if k in FINDING_KINDS else k for k in findings["kind"]],
                               bears_on=[FINDING_KINDS[k].affects if k in FINDING_KINDS else ""
                                         for k in findings["kind"]])
    order = {name: i for i, name in enumerate(FINDING_KINDS)}
    findings = findings.assign(_order=findings["kind"].map(order)).sort_values(
        ["_order", "source", "location"], kind="stable").drop(columns=["_order"])
    findings = findings[["what", "bears_on", "source", "location", "message", "kind"]]
    f.review.add_table(Table("findings", "Data-quality findings", findings, (
        Column("what", "Finding", width=1.8), Column("source", "Source", width=1.6),
        Column("location", "Where", width=1.2), Column("message", "Details", width=4.0)), sheet="Findings"))
    blocks: list = [TableView("coverage", (), "What each source covers"),
                    TableView("findings", (), "Findings", empty="No findings.")]
    left_out = f.analysis.counts(CountQuery(("agency",), f.grain, "searches", f.fy)).left_out
    if len(left_out):
        data = left_out[["source", "row_number", "column_name", "agency", "system", "period_label", "status"]]
        f.review.add_table(Table("left-out", f"Numbers not placed in any {grain_words(f.grain)}", data, (
            Column("source", "Source", width=1.8), Column("row_number", "Row", width=0.5),
            Column("column_name", "Column"), Column("agency", "Agency", width=1.6),
            Column("system", "System", width=1.6), Column("period_label", "Period", width=1.4)),
            sheet="Left out"))
        grain = grain_words(f.grain)
        blocks.append(TableView("left-out", (), f"Numbers not placed in any {grain}",
                                note=f"These cover a period that does not fit inside one {grain}; they are listed "
                                     "rather than split or dropped."))
    return Section("data-quality", "Data quality", blocks)


def coverage_table(f: Focus) -> pd.DataFrame:
    """What each source covers, in words: an audit log's days recorded in full, a count table's gaps."""
    rows = []
    for row in f.analysis.source_coverage().itertuples():
        first, last = pd.Timestamp(row.first_day).date(), pd.Timestamp(row.last_day).date()
        if row.reader == "audit-log":
            words = (f"an audit log: {int(row.covered or 0):,} of {(last - first).days + 1:,} days recorded in full"
                     + (f", in {int(row.stretches)} stretches" if (row.stretches or 0) > 1 else "")
                     + ("; stated complete by the person who ingested it" if row.stated_complete else ""))
        else:
            measures = [m for m in str(row.measures).split(",") if m and m != "searches"]
            words = ("a count table" + (f" of {measure_words(measures)}" if measures else "")
                     + (f"; {row.not_reported} cell(s) withheld, suppressed or missing" if row.not_reported else ""))
        rows.append({"source": row.source, "system": row.system, "first_day": first.isoformat(),
                     "last_day": last.isoformat(), "what_it_covers": words})
    return pd.DataFrame(rows, columns=["source", "system", "first_day", "last_day", "what_it_covers"])


def method_section(f: Focus) -> Section:
    rules = sorted({json.loads(o or "{}").get("reason_rules_sha256", "") for o in f.sources["options"]} - {""})
    crosswalk = f.analysis.crosswalk
    method = [
        ("Period in focus", f.review.why),
        ("Notable changes", f.rule.describe()),
        ("Complete periods", "A period is complete only where the data cover every day of it: for a count table, "
                             "a figure for every agency in every part of the period; for an audit log, every day "
                             f"recorded in full. By rule, {COVERAGE_RULE}."),
        ("First time", "An agency searches \"for the first time\" when its first searches fall in the period and "
                       "a complete period of the system's data comes before it."),
        ("Reason categories", "Free-text reasons are sorted by the shipped rules (auditreport/rules/"
                              "default_reason_rules.toml) and any the user added; rules SHA-256: "
                              + (", ".join(rules) if rules else "no audit log ingested") + "."),
        ("Agency crosswalk", f"{', '.join(redact(Path(origin).name) for origin in crosswalk.origin)}; SHA-256 "
                             f"{crosswalk.fingerprint()}."),
        ("Shares", "Shares are computed from the counts, in SQL, and are never added up; they are given in whole "
                   "percent, \"<1%\" and \">99%\" for shares that are neither none nor all."),
        ("Exactness", "A number is exact only when every part is a reported, unqualified figure; sums that "
                      "include withheld, suppressed or missing cells read \"at least\"."),
        ("Small numbers", disclosure_words(f.analysis)),
    ]
    method = [(topic, text) for topic, text in method if text]
    f.review.add_table(Table("method", "Method", pd.DataFrame(method, columns=["topic", "text"]), (
        Column("topic", "Topic", width=1.2), Column("text", "How", width=6.0)), sheet="Method"))
    queries = pd.DataFrame(sorted(f.review.queries.items()), columns=["call", "sql"])
    f.review.add_table(Table("queries", "The query behind each number", queries, (
        Column("call", "Call (Python API)", width=3.0),), sheet="Queries",
        note="Each at-a-glance number names its call; `.sql` of the result (or this sheet) holds its SQL."))
    sources = f.sources.copy()
    sources["time_zones"] = [_zones(reader, recorded, counted) for reader, recorded, counted in
                             zip(sources["reader"], sources["source_tz"], sources["report_tz"])]
    data = sources[["source_id", "file_name", "sha256", "request_id", "reader", "rows_read", "time_zones"]]
    f.review.add_table(Table("sources", "Sources", data, (
        Column("source_id", "#", width=0.4), Column("file_name", "File", width=2.2),
        Column("sha256", "SHA-256", width=2.6), Column("request_id", "Request", width=1.6),
        Column("time_zones", "Time zones", width=1.8)), sheet="Sources"))
    return Section("method", "Method and sources", [
        TableView("method", (), ""),
        TableView("sources", (), "Sources", note="Every number traces to a source file (by its SHA-256) and to "
                                                 "the row and column it came from (see the spreadsheet)."),
        Paragraph("The spreadsheet's At a glance sheet (and the HTML report, beside each number) names the Python API "
                  "call behind each at-a-glance number; its Queries sheet holds each call's SQL.", "note")])


def _zones(reader: str, recorded, counted) -> str:
    """The time zones of a log in words ('' for a count table, whose periods have no time of day)."""
    if reader != "audit-log":
        return ""
    recorded = f"recorded in {recorded}" if isinstance(recorded, str) else "times as written"
    counted = f"days of {counted}" if isinstance(counted, str) else "days as written"
    return f"{recorded}; {counted}"
